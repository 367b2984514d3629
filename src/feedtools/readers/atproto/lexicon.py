"""AT Protocol names and small accessors shared by the readers: record types, handle and DID syntax,
and reading a dict written in wire (camelCase, ``$type``) or SDK (snake_case, ``py_type``) spelling."""

from __future__ import annotations

import re

__all__ = [
    "EMBED_KINDS",
    "HANDLE_RE",
    "POST",
    "REPOST",
    "at_uri_did",
    "count_or_none",
    "get",
    "rtype",
]

POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
FACET_MENTION = "app.bsky.richtext.facet#mention"
FACET_LINK = "app.bsky.richtext.facet#link"
FACET_TAG = "app.bsky.richtext.facet#tag"
EMBED_RECORD = "app.bsky.embed.record"
EMBED_RECORD_WITH_MEDIA = "app.bsky.embed.recordWithMedia"
EMBED_EXTERNAL = "app.bsky.embed.external"
EMBED_IMAGES = "app.bsky.embed.images"
EMBED_VIDEO = "app.bsky.embed.video"
#: Short names of the standard embed types (``embed_kind``); view types (``…#view``) map to the same names.
EMBED_KINDS = {
    EMBED_EXTERNAL: "external",
    EMBED_IMAGES: "images",
    EMBED_VIDEO: "video",
    EMBED_RECORD: "record",
    EMBED_RECORD_WITH_MEDIA: "recordWithMedia",
}
#: A valid handle (atproto handle syntax, compared lower-case).
HANDLE_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_DID_RE = re.compile(r"^did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}$")


_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(name: str) -> str:
    return _SNAKE.sub("_", name).lower()


_SNAKE_CACHE: dict[str, str] = {}


def get(d: dict, key: str):
    """``d[key]`` under its wire (camelCase) name or its SDK (snake_case) name; None when absent or null."""
    v = d.get(key)
    if v is None:
        alt = _SNAKE_CACHE.get(key)
        if alt is None:
            alt = _SNAKE_CACHE[key] = _snake(key)
        if alt != key:
            v = d.get(alt)
    return v


def rtype(d: dict) -> str | None:
    """The lexicon type of a dict: ``$type`` (wire) or ``py_type`` (SDK dump)."""
    t = d.get("$type")
    if t is None:
        t = d.get("py_type")
    return t if isinstance(t, str) else None


def count_or_none(v) -> int | None:
    """An engagement count when it is a non-negative integer, else None (unknown, never 0)."""
    return v if type(v) is int and v >= 0 else None


def at_uri_did(uri: str | None) -> str | None:
    """The repository DID of an AT-URI (``at://did:plc:x/…`` -> ``did:plc:x``), None if it has none."""
    if isinstance(uri, str) and uri.startswith("at://did:"):
        return uri[5:].split("/", 1)[0]
    return None


def _uri_of(ref) -> str | None:
    if isinstance(ref, dict):
        u = ref.get("uri")
        if isinstance(u, str) and u:
            return u
    return None


def _str(v) -> str | None:
    return v if isinstance(v, str) and v else None
