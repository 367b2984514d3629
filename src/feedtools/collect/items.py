"""Author-feed items as the fetch sees them: their identity across pages and runs, and when the server saw
them (never the client's ``createdAt``); and the ``since`` bound read from a date."""

from __future__ import annotations

import datetime as dt

from feedtools.errors import FetchError

__all__ = ["REASON_PIN", "REASON_REPOST", "item_key", "item_time", "parse_time", "reason_type", "since_time"]

REASON_REPOST = "app.bsky.feed.defs#reasonRepost"
REASON_PIN = "app.bsky.feed.defs#reasonPin"


def parse_time(value) -> dt.datetime | None:
    """An ISO 8601 string as an aware datetime (UTC when it names no zone); None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def reason_type(item: dict) -> str | None:
    """The ``$type`` of an item's ``reason`` (a repost, a pin), None when it has none."""
    reason = item.get("reason")
    t = reason.get("$type") if isinstance(reason, dict) else None
    return t if isinstance(t, str) else None


def item_key(item) -> str | None:
    """The identity of a feed item across pages and runs: reason (repost or not) plus the post's URI."""
    post = item.get("post") if isinstance(item, dict) else None
    uri = post.get("uri") if isinstance(post, dict) else None
    if not isinstance(uri, str):
        return None
    return ("repost " if reason_type(item) == REASON_REPOST else "post ") + uri


def item_time(item) -> dt.datetime | None:
    """When the server saw an item: a repost's ``indexedAt``, else the post's (never the client's ``createdAt``,
    which may be anything); None for a pinned item, which sits out of order."""
    reason = reason_type(item)
    if reason == REASON_PIN:
        return None
    if reason == REASON_REPOST:
        return parse_time(item["reason"].get("indexedAt"))
    post = item.get("post") if isinstance(item, dict) else None
    return parse_time(post.get("indexedAt")) if isinstance(post, dict) else None


def since_time(value) -> dt.datetime | None:
    """The ``since`` option (a date, a datetime, an ISO string or None) as an aware datetime (UTC midnight for
    a date). Raises :class:`FetchError` for a string that is not a date."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    t = parse_time(str(value))
    if t is None:
        raise FetchError(f"since: not a date (YYYY-MM-DD): {value!r}")
    return t
