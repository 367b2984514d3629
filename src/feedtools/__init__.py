"""feedtools: read, clean and analyse an organisation's social-media feed.

>>> import feedtools
>>> posts = feedtools.read("data/raw/000_802a2c4cd511184e.txt")  # doctest: +SKIP

``feedtools.read(path)`` returns the canonical posts table (polars) of a feed in
any supported format; ``feedtools.load(path)`` also returns the rejected records,
counts and input metadata. The schema is documented in :mod:`feedtools.schema`.
``feedtools.fetch(actor, folder)`` collects an account's feed from Bluesky's public API
into a folder that ``read``/``load`` accept (:mod:`feedtools.collect`).
"""

from feedtools._version import __version__
from feedtools.errors import FeedError, FeedtoolsError
from feedtools.pipeline import Feed, load, read
from feedtools.schema import COLUMNS, POSTS_SCHEMA

__all__ = ["COLUMNS", "POSTS_SCHEMA", "Feed", "FeedError", "FeedtoolsError", "__version__", "fetch", "load", "read"]


def fetch(actor: str, out, **options):
    """Collect ``actor``'s (handle or DID) feed, and with ``repo=True`` its repository, into the folder ``out``.

    See :func:`feedtools.collect.fetch` for the options, the result and the errors
    (:class:`feedtools.errors.FetchError`, a :class:`feedtools.errors.FeedtoolsError`). Imported on first
    use, so ``import feedtools`` does not load the HTTP client.
    """
    from feedtools.collect import fetch as _fetch

    return _fetch(actor, out, **options)
