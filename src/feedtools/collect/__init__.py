"""Collect an account's feed (and repository) from Bluesky's public API into a fetch folder.

>>> import feedtools
>>> feedtools.fetch("uclg.bsky.social", "data/raw/uclg.bsky.social", repo=True)  # doctest: +SKIP

:func:`fetch` resolves a handle to its DID (``com.atproto.identity.resolveHandle``),
saves the profile (``app.bsky.actor.getProfile``), pages through the author feed
(``app.bsky.feed.getAuthorFeed``, 100 items a page, following ``cursor``) and, with
``repo=True``, downloads the repository CAR (``com.atproto.sync.getRepo``) from the
account's PDS, found in its DID document (PLC directory for ``did:plc``,
``/.well-known/did.json`` for ``did:web``). No credentials: public data only.

Every response body is saved byte for byte; ``manifest.json`` records what was
asked, when, the HTTP status, size and SHA-256 of every file, and what each run added
(layout in :mod:`feedtools.collect.store`). Fetching again into the same folder first
collects what is new on top of the feed (until it reaches an item already saved),
then continues any part left unfinished (an interrupted run, ``limit``/``since``)
from its saved cursor. ``feedtools.load(folder)`` reads the folder as one feed
(:mod:`feedtools.readers.fetchdir`).

Modules: :mod:`~feedtools.collect.runner` (:func:`fetch`: one run from start to end),
:mod:`~feedtools.collect.options` (the account and options, checked), :mod:`~feedtools.collect.feed`
(paging the author feed), :mod:`~feedtools.collect.repo` (the repository CAR),
:mod:`~feedtools.collect.items` (item identity and times), :mod:`~feedtools.collect.result`
(:class:`FetchResult`), :mod:`~feedtools.collect.store` (the folder and its manifest),
:mod:`~feedtools.collect.http` (the client: retries, rate limits).
"""

from __future__ import annotations

from feedtools.collect.http import FetchError
from feedtools.collect.items import REASON_PIN as REASON_PIN  # also importable from here, as before
from feedtools.collect.items import REASON_REPOST as REASON_REPOST
from feedtools.collect.items import item_key as item_key
from feedtools.collect.options import DEFAULT_APPVIEW, DEFAULT_PLC, FILTERS, folder_name
from feedtools.collect.options import PAGE_SIZE as PAGE_SIZE
from feedtools.collect.result import FetchResult
from feedtools.collect.runner import fetch

__all__ = ["DEFAULT_APPVIEW", "DEFAULT_PLC", "FILTERS", "FetchError", "FetchResult", "fetch", "folder_name"]
