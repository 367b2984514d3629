"""What a fetch is asked to do: the account (a handle or a DID), the options, checked before anything is
written, and the safe folder name of an account."""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from dataclasses import dataclass

from feedtools.collect.items import since_time
from feedtools.errors import FetchError

__all__ = [
    "DEFAULT_APPVIEW",
    "DEFAULT_PLC",
    "FILTERS",
    "PAGE_SIZE",
    "FetchOptions",
    "check_actor",
    "check_url",
    "fetch_options",
    "folder_name",
    "is_did",
]

DEFAULT_APPVIEW = "https://public.api.bsky.app"
DEFAULT_PLC = "https://plc.directory"
#: ``filter`` values of ``app.bsky.feed.getAuthorFeed``.
FILTERS = ("posts_with_replies", "posts_no_replies", "posts_with_media", "posts_and_author_threads", "posts_with_video")
PAGE_SIZE = 100

_HANDLE = re.compile(
    r"^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}"
    r"[a-zA-Z0-9])?$"
)
_DID = re.compile(r"^did:(plc|web):[a-zA-Z0-9._:%-]{1,2048}$")


def is_did(value: object) -> bool:
    """Whether ``value`` is a ``did:plc`` or ``did:web`` identifier."""
    return isinstance(value, str) and bool(_DID.match(value))


def check_actor(actor: str) -> str:
    """The account asked for, without a leading ``@`` (a handle lower-cased). Raises :class:`FetchError` for
    anything that is neither a handle nor a DID."""
    actor = actor.strip().removeprefix("@")
    if _DID.match(actor):
        return actor
    if _HANDLE.match(actor):
        return actor.lower()
    raise FetchError(f"{actor!r}: not a handle (name.bsky.social) or a DID (did:plc:…, did:web:…)")


def folder_name(actor: str) -> str:
    """A safe folder name for a handle or DID (``did:plc:x`` -> ``did_plc_x``); :class:`FetchError` otherwise."""
    actor = check_actor(actor)
    return actor.replace(":", "_").replace("%", "_")


def check_url(name: str, url: str) -> None:
    """Raise :class:`FetchError` when the service address ``url`` (the option ``name``) is not an ``http`` or
    ``https`` URL with a host: such an address can never answer, so it is refused before any request."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as e:
        raise FetchError(f"{name} {url!r}: not a valid URL ({e})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{name} {url!r}: not an http:// or https:// address")


@dataclass(frozen=True)
class FetchOptions:
    """The options of one :func:`feedtools.collect.fetch` run, checked (see :func:`fetch_options`)."""

    repo: bool
    filter: str | None
    limit: int | None
    since: dt.datetime | None
    appview: str
    plc: str
    pds: str | None
    timeout: float
    max_wait: float
    backoff: float
    page_size: int
    progress: bool

    def record(self) -> dict:
        """The options as the manifest records them for a run."""
        return {
            "repo": self.repo,
            "filter": self.filter,
            "limit": self.limit,
            "since": self.since.isoformat() if self.since else None,
            "page_size": self.page_size,
            "timeout": self.timeout,
            "max_wait": self.max_wait,
            "services": self.services(),
        }

    def services(self) -> dict:
        """The service addresses: ``appview``, ``plc``, ``pds``."""
        return {"appview": self.appview, "plc": self.plc, "pds": self.pds}


def fetch_options(*, filter: str | None, limit: int | None, page_size: int, since, **rest) -> FetchOptions:
    """:class:`FetchOptions` from the arguments of :func:`~feedtools.collect.fetch` (``rest``: the others, as
    given). Raises :class:`FetchError` (one line) for an unknown ``filter``, a ``limit`` below 1, a
    ``page_size`` outside 1 to :data:`PAGE_SIZE`, a ``since`` that is not a date, or a service address
    (``appview``, ``plc``, ``pds``) that is not an http(s) URL."""
    if filter is not None and filter not in FILTERS:
        raise FetchError(f"filter {filter!r}: not one of {', '.join(FILTERS)}")
    if limit is not None and limit < 1:
        raise FetchError(f"limit must be at least 1, not {limit}")
    if not 1 <= page_size <= PAGE_SIZE:
        raise FetchError(f"page_size must be between 1 and {PAGE_SIZE}, not {page_size}")
    opts = FetchOptions(filter=filter, limit=limit, page_size=page_size, since=since_time(since), **rest)
    for name, url in opts.services().items():
        if url is not None:
            check_url(name, url)
    return opts
