"""What every part of the timeline shares: the output schemas, :class:`Timeline`, and the helpers that read a
posts table (its base columns, timestamps as days, whether its positions are feed order)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

#: Columns :func:`with_timeline` adds to a posts table (beyond the canonical schema).
TIMELINE_COLUMNS = {
    "date_min": pl.Date,  # earliest possible day of the post (null = open)
    "date_max": pl.Date,  # latest possible day (null = open)
    "date_est": pl.Date,  # point estimate, null unless both bounds are known
    "date_source": pl.String,  # timestamp | evidence | neighbours | unknown
    "event_id": pl.String,  # event the post belongs to (find_events), null when none
}

CONTRADICTIONS_SCHEMA = pl.Schema(
    {
        "position": pl.Int64,
        "post_id": pl.String,
        "kind": pl.String,
        "text": pl.String,
        "post_min": pl.Date,  # what the evidence said about the post
        "post_max": pl.Date,
        "allowed_min": pl.Date,  # what the rest of the feed allows at this position
        "allowed_max": pl.Date,
        "reason": pl.String,
    }
)

EVENTS_SCHEMA = pl.Schema(
    {
        "event_id": pl.String(),
        "label": pl.String(),
        "date_min": pl.Date(),  # earliest possible day of its first post
        "date_max": pl.Date(),  # latest possible day of its last post
        "event_date_min": pl.Date(),  # earliest date its posts name (dates, ranges, observances), if any
        "event_date_max": pl.Date(),
        "n_posts": pl.Int64(),
        "positions": pl.List(pl.Int64),
        "languages": pl.List(pl.String),
        "hashtags": pl.List(pl.String),
        "partners": pl.List(pl.String),
        "keys": pl.List(pl.String),
    }
)

_BIG = 10**9


@dataclass
class Timeline:
    """The result of :func:`build_timeline`.

    ``posts``: one row per input post, in feed order: ``position, post_id, is_pinned,
    is_repost, is_placeholder, lang, date_min, date_max, date_est, date_source, window_days,
    event_id``. ``evidence``: the evidence rows (event days resolved, ``used`` = kept in the
    inference). ``contradictions``: evidence set aside, with reasons. ``events``: see
    :data:`EVENTS_SCHEMA`. ``reference_year`` and ``params`` record the assumptions.
    """

    posts: pl.DataFrame
    evidence: pl.DataFrame
    contradictions: pl.DataFrame
    events: pl.DataFrame
    reference_year: int | None
    params: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------- helpers
def _days(d: pl.Expr) -> pl.Expr:
    return d.cast(pl.Int64)  # pl.Date is days since 1970-01-01


def _col(posts: pl.DataFrame, name: str, default, dtype) -> pl.Expr:
    return (pl.col(name) if name in posts.columns else pl.lit(default, dtype)).alias(name)


def _base(posts: pl.DataFrame) -> pl.DataFrame:
    return posts.select(
        "position",
        "post_id",
        _col(posts, "is_pinned", False, pl.Boolean).fill_null(False),
        _col(posts, "is_repost", False, pl.Boolean).fill_null(False),
        _col(posts, "is_placeholder", False, pl.Boolean).fill_null(False),
        _col(posts, "lang", None, pl.String),
        _col(posts, "created_at", None, pl.Datetime("us", "UTC")),
        _col(posts, "reposted_at", None, pl.Datetime("us", "UTC")),
    ).sort("position")


UNORDERED_FORMATS = ("car", "jetstream", "postviews")


def is_feed_ordered(posts: pl.DataFrame) -> bool:
    """True when ``position`` is feed order (newest first): no row comes from a format whose
    records are in storage or arrival order (:data:`UNORDERED_FORMATS`)."""
    if "source_format" not in posts.columns or posts.height == 0:
        return True
    return not posts["source_format"].is_in(list(UNORDERED_FORMATS)).any()


def _check_timezone(timezone: str) -> None:
    """Raise ``ValueError`` unless both Python and polars know ``timezone`` (``posix/UTC`` is a file that
    ``zoneinfo`` reads but polars does not)."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(timezone)
        pl.Series([dt.datetime(2000, 1, 1)]).dt.replace_time_zone("UTC").dt.convert_time_zone(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, pl.exceptions.PolarsError):
        raise ValueError(f"unknown time zone {timezone!r} (use an IANA name such as UTC or Europe/Madrid)") from None


def _timestamp_bounds(base: pl.DataFrame, timezone: str) -> pl.DataFrame:
    """Bounds from timestamps: the feed sits at the repost's time for reposts (created_at is the post's)."""
    day = lambda c: pl.col(c).dt.convert_time_zone(timezone).dt.date()
    own = pl.when(pl.col("is_repost")).then(day("reposted_at")).otherwise(day("created_at"))
    lo = pl.coalesce(own, pl.when(pl.col("is_repost")).then(day("created_at")))
    return base.select("position", ts_min=lo, ts_max=own)


def has_timestamps(posts: pl.DataFrame) -> bool:
    """True when at least one post has a ``created_at`` (or ``reposted_at``) timestamp."""
    return any(c in posts.columns and posts[c].null_count() < posts.height for c in ("created_at", "reposted_at"))
