"""When was each post made, and around which events? Dates for undated feeds, events, and honest windows.

:func:`build_timeline` is the entry point. It combines

* the **date evidence** in the text (:func:`feedtools.dates.extract_evidence`): each clue
  bounds the post's date (``post_min``/``post_max``);
* **timestamps** when the feed has them (``created_at``, ``reposted_at``; converted to
  ``timezone`` before taking the day), unless ``use_timestamps=False``;
* the **feed order**: dates never increase down the feed (newest first), so a post's latest
  possible day is at most that of the post above it and its earliest at least that of the
  post below it. Pinned items (``is_pinned``) are left out of the ordering;
* **events** (:func:`find_events`): runs of posts sharing campaign hashtags, event names,
  places or the same narrow dates. Inside an event, event-day ordinals (``Day 2``,
  ``4e jour``, ``first day``, ``final day``) become dates once the event's first day is
  known (from a date range such as ``1-4 de abril`` in one of its posts, or from a post
  whose own date is exact and which names its day number); so do words naming its first or
  last day (``is about to begin``, ``se clausura``), moved by a relative word in the post
  (``yesterday``: one day later).

Evidence that contradicts the feed order is not silently dropped: the fewest posts whose evidence
must go for the rest to agree with the order are set aside (copies of another post's text, then
older posts, on ties; O(m log m), see ``_order_conflicts``), and every set-aside clue is listed in
``Timeline.contradictions`` with the bounds the order allowed; a set-aside copy of another post's
text takes its original's window. Nothing is invented: a post with no evidence and no dated
neighbour keeps an open window (``date_min``/``date_max`` null) and ``date_source = 'unknown'``; a
point estimate ``date_est`` is given only when both bounds are known, by the rule in
:data:`ESTIMATE_RULES` (default: interpolated by position between posts with evidence, inside the
days of the post's event when those are known; see there for the alternatives measured).

Assumptions are parameters: ``year_hint`` (reference year for dates without one; default the feed's
most frequent explicit year), ``ordered`` (whether positions are feed order; by default decided from
``source_format``: CAR, Jetstream and post-list files are not), ``capture_date`` (no post is later
than the day the feed was captured; default unknown), ``observance_slack_days`` and
``repost_lag_days`` (see :mod:`feedtools.dates`), and the event-linking gaps of :func:`find_events`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from feedtools.dates import extract_evidence, load_observances, reference_year
from feedtools.text import EVENT_NOUNS, alternation, fold_tags, fold_text, fold_text_expr
from feedtools.usertables import line_error, read_user_table

__all__ = [
    "CONTRADICTIONS_SCHEMA",
    "EVENTS_SCHEMA",
    "TIMELINE_COLUMNS",
    "Timeline",
    "build_timeline",
    "ESTIMATE_RULES",
    "demo_dated_feed",
    "describe_estimate_error",
    "estimate_error",
    "event_spans",
    "find_events",
    "has_timestamps",
    "hidden_timestamp_error",
    "infer_windows",
    "is_feed_ordered",
    "load_event_calendar",
    "period_counts",
    "resolve_event_days",
    "window_bands",
    "window_summary",
    "with_timeline",
]

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
        "event_id": pl.String,
        "label": pl.String,
        "date_min": pl.Date,  # earliest possible day of its first post
        "date_max": pl.Date,  # latest possible day of its last post
        "event_date_min": pl.Date,  # earliest date its posts name (dates, ranges, observances), if any
        "event_date_max": pl.Date,
        "n_posts": pl.Int64,
        "positions": pl.List(pl.Int64),
        "languages": pl.List(pl.String),
        "hashtags": pl.List(pl.String),
        "partners": pl.List(pl.String),
        "keys": pl.List(pl.String),
    }
)

_BIG = 10**9
_EPOCH = dt.date(1970, 1, 1)


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
    day = lambda c: pl.col(c).dt.convert_time_zone(timezone).dt.date()  # noqa: E731
    own = pl.when(pl.col("is_repost")).then(day("reposted_at")).otherwise(day("created_at"))
    lo = pl.coalesce(own, pl.when(pl.col("is_repost")).then(day("created_at")))
    return base.select("position", ts_min=lo, ts_max=own)


# ----------------------------------------------------------------------------------------------- inference
def infer_windows(
    posts: pl.DataFrame,
    evidence: pl.DataFrame,
    *,
    use_timestamps: bool = True,
    timezone: str = "UTC",
    capture_date: dt.date | None = None,
    ordered: bool | None = None,
    event_spans: pl.DataFrame | None = None,
    estimate: str = "events",
    membership: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Date windows from evidence bounds, timestamps and feed order.

    ``event_spans``: one row per post tied to an event whose days are known (``position,
    span_min, span_max, closing``; from :func:`event_spans`): the estimate of such a post is
    inside those days when its window allows. ``estimate``: the rule for the point estimate,
    one of :data:`ESTIMATE_RULES` (see there; ``events`` is the default). ``membership``
    (``position, event_id`` from :func:`find_events`) lets a post saying ``yesterday`` or
    ``tomorrow`` be estimated from the dated post of its event next to it.

    ``ordered``: whether ``position`` is feed order (newest first). None (default) decides
    from ``source_format``: true for feeds (``scrape``, ``authorfeed``, or unknown), false for
    record collections in storage or arrival order (``car``, ``jetstream``, ``postviews``),
    where only each post's own bounds are used.

    ``posts``: canonical posts (``position``, ``post_id``; ``is_pinned``, ``is_repost``,
    ``created_at``, ``reposted_at`` used when present). ``evidence``: rows with
    ``position, post_min, post_max`` (:data:`feedtools.dates.EVIDENCE_SCHEMA`).

    Returns ``(windows, contradictions)``: ``windows`` has one row per post in feed order
    with ``date_min, date_max, date_est, date_source, window_days`` and ``own_min/own_max``
    (the post's own bounds after contradictions were set aside); ``contradictions`` follows
    :data:`CONTRADICTIONS_SCHEMA`. Raises ``ValueError`` for an unknown time zone.
    """
    _check_timezone(timezone)
    base = _base(posts)
    if ordered is None:
        ordered = is_feed_ordered(posts)
    if not ordered:  # no order to carry bounds along: every row keeps its own bounds, like a pinned item
        base = base.with_columns(is_pinned=pl.lit(True))
    ev = evidence.filter(pl.col("post_min").is_not_null() | pl.col("post_max").is_not_null())
    own = ev.group_by("position").agg(ev_min=pl.col("post_min").max(), ev_max=pl.col("post_max").min())
    ts = _timestamp_bounds(base, timezone) if use_timestamps else base.select(
        "position", ts_min=pl.lit(None, pl.Date), ts_max=pl.lit(None, pl.Date))
    df = base.join(own, on="position", how="left").join(ts, on="position", how="left")
    contradictions: list[pl.DataFrame] = []

    # 1. evidence within one post that disagrees (or disagrees with its timestamp): set the evidence aside
    inner = df.filter(
        (pl.col("ev_min") > pl.col("ev_max"))
        | (pl.col("ts_max").is_not_null() & (pl.col("ev_min") > pl.col("ts_max")))
        | (pl.col("ts_min").is_not_null() & (pl.col("ev_max") < pl.col("ts_min")))
    )["position"]
    if inner.len():
        contradictions.append(
            ev.filter(pl.col("position").is_in(inner.implode())).with_columns(
                allowed_min=pl.lit(None, pl.Date), allowed_max=pl.lit(None, pl.Date),
                reason=pl.lit("evidence in the same post disagrees (with other evidence or with its timestamp)"))
        )
    df = df.with_columns(
        ev_min=pl.when(pl.col("position").is_in(inner.implode())).then(None).otherwise("ev_min"),
        ev_max=pl.when(pl.col("position").is_in(inner.implode())).then(None).otherwise("ev_max"),
    )
    cap = pl.lit(capture_date, pl.Date) if capture_date is not None else pl.lit(None, pl.Date)
    df = df.with_columns(
        own_min=pl.max_horizontal("ev_min", "ts_min"),
        own_max=pl.min_horizontal("ev_max", "ts_max", cap),
    )

    # 2. evidence that contradicts the feed order: set aside the fewest posts that make the rest agree
    ordered = df.filter(~pl.col("is_pinned") & (pl.col("ev_min").is_not_null() | pl.col("ev_max").is_not_null()))
    if "duplicate_of" in posts.columns:  # repeated texts repeat their clues: set those aside first on ties
        copies = posts.filter(pl.col("duplicate_of").is_not_null()).select(a="position", b="duplicate_of")
        dup_pos = pl.concat([copies["a"], copies["b"].cast(pl.Int64)]).unique()
    else:
        dup_pos = pl.Series([], dtype=pl.Int64)
    ordered = ordered.with_columns(dup=pl.col("position").is_in(dup_pos.implode()))
    dropped = _order_conflicts(ordered)
    # a set-aside copy of another post keeps its original's window: after the propagation (where, its evidence
    # set aside, it bounds nothing) it takes the window of its partner (the copy whose evidence was kept)
    copy_of = pl.DataFrame(schema={"position": pl.Int64, "partner": pl.Int64})
    if dropped and "duplicate_of" in posts.columns:
        pairs = posts.filter(pl.col("duplicate_of").is_not_null()).select(a="position",
                                                                          b=pl.col("duplicate_of").cast(pl.Int64))
        both = pl.concat([pairs.select(position="a", partner="b"), pairs.select(position="b", partner="a")])
        copy_of = (both.filter(pl.col("position").is_in(dropped) & ~pl.col("partner").is_in(dropped))
                   .sort("position", "partner").unique("position", keep="first", maintain_order=True))
    if dropped:
        df = df.with_columns(
            own_min=pl.when(pl.col("position").is_in(dropped)).then(pl.max_horizontal("ts_min")).otherwise("own_min"),
            own_max=pl.when(pl.col("position").is_in(dropped)).then(pl.min_horizontal("ts_max", cap))
            .otherwise("own_max"),
        )

    # 3. propagate along the order (pinned rows keep their own bounds)
    seq = df.filter(~pl.col("is_pinned")).with_columns(
        hi=_days(pl.col("own_max")).fill_null(_BIG).cum_min(),
        lo=_days(pl.col("own_min")).fill_null(-_BIG).cum_max(reverse=True),
        # what the rest of the feed allows at each position, this post excluded
        above_hi=_days(pl.col("own_max")).fill_null(_BIG).cum_min().shift(1, fill_value=_BIG),
        below_lo=_days(pl.col("own_min")).fill_null(-_BIG).cum_max(reverse=True).shift(-1, fill_value=-_BIG),
    )
    pinned = df.filter(pl.col("is_pinned")).with_columns(
        hi=_days(pl.col("own_max")).fill_null(_BIG), lo=_days(pl.col("own_min")).fill_null(-_BIG),
        above_hi=pl.lit(_BIG, pl.Int64), below_lo=pl.lit(-_BIG, pl.Int64),
    )
    df = pl.concat([seq, pinned]).sort("position")
    if copy_of.height:
        got = copy_of.join(df.select(partner="position", p_lo="lo", p_hi="hi", p_min="own_min", p_max="own_max"),
                           on="partner")
        df = (df.join(got.select("position", "p_lo", "p_hi", "p_min", "p_max"), on="position", how="left")
              .with_columns(lo=pl.coalesce("p_lo", "lo"), hi=pl.coalesce("p_hi", "hi"),
                            copy_min=pl.col("p_min"), copy_max=pl.col("p_max"))
              .drop("p_lo", "p_hi", "p_min", "p_max"))
    else:
        df = df.with_columns(copy_min=pl.lit(None, pl.Date), copy_max=pl.lit(None, pl.Date))
    if dropped:
        allowed = df.filter(pl.col("position").is_in(dropped)).select(
            "position",
            allowed_min=pl.when(pl.col("below_lo") > -_BIG).then(pl.col("below_lo")).cast(pl.Date),
            allowed_max=pl.when(pl.col("above_hi") < _BIG).then(pl.col("above_hi")).cast(pl.Date),
        )
        contradictions.append(
            ev.filter(pl.col("position").is_in(dropped)).join(allowed, on="position").with_columns(
                reason=pl.lit("contradicts the feed order (dates never increase down the feed): set aside"))
        )
    if (df["lo"] > df["hi"]).any():  # only timestamps left that disagree with the order: report, keep them
        bad = df.filter(pl.col("lo") > pl.col("hi"))
        contradictions.append(bad.select(
            "position", "post_id", kind=pl.lit("timestamp"), text=pl.lit(None, pl.String),
            post_min=pl.col("own_min"), post_max=pl.col("own_max"),
            allowed_min=pl.col("lo").cast(pl.Date), allowed_max=pl.col("hi").cast(pl.Date),
            reason=pl.lit("timestamps out of feed order")))
        df = df.with_columns(lo=pl.min_horizontal("lo", "hi"))

    # 4. point estimate (ESTIMATE_RULES)
    df = df.with_columns(
        date_min=pl.when(pl.col("lo") > -_BIG).then(pl.col("lo")),
        date_max=pl.when(pl.col("hi") < _BIG).then(pl.col("hi")),
        has_own=pl.col("own_min").is_not_null() | pl.col("own_max").is_not_null(),
    )
    hints = _relative_hints(df, evidence, membership) if membership is not None else None
    df = _estimates(df, event_spans, estimate, hints)
    ts_exact = pl.col("ts_min").is_not_null() & (pl.col("ts_min") == pl.col("ts_max"))
    df = df.with_columns(
        date_source=pl.when(ts_exact).then(pl.lit("timestamp"))
        .when(pl.col("ev_min").is_not_null() | pl.col("ev_max").is_not_null()).then(pl.lit("evidence"))
        .when(pl.col("date_min").is_not_null() | pl.col("date_max").is_not_null()).then(pl.lit("neighbours"))
        .otherwise(pl.lit("unknown")),
    )
    # posts whose evidence was set aside do not count as dated by evidence, unless a copy's evidence dates them
    if dropped:
        copied = pl.col("copy_min").is_not_null() | pl.col("copy_max").is_not_null()
        df = df.with_columns(date_source=pl.when(pl.col("position").is_in(dropped) & ~ts_exact)
                             .then(pl.when(copied).then(pl.lit("evidence"))
                                   .when(pl.col("date_min").is_not_null() | pl.col("date_max").is_not_null())
                                   .then(pl.lit("neighbours")).otherwise(pl.lit("unknown")))
                             .otherwise("date_source"))
    windows = df.select(
        "position", "post_id",
        date_min=pl.col("date_min").cast(pl.Date), date_max=pl.col("date_max").cast(pl.Date),
        date_est=pl.col("date_est").cast(pl.Date), date_source="date_source",
        window_days=(pl.col("date_max") - pl.col("date_min") + 1),
        own_min="own_min", own_max="own_max",
    )
    contra = (
        pl.concat([c.select(list(CONTRADICTIONS_SCHEMA)).cast(dict(CONTRADICTIONS_SCHEMA)) for c in contradictions])
        .sort("position", "kind", "text") if contradictions else pl.DataFrame(schema=CONTRADICTIONS_SCHEMA)
    )
    return windows, contra


#: Rules for the point estimate ``date_est`` (given only when both window bounds are known). Measured on the
#: seed's 17 posts whose days the public record establishes (error = days from the estimate to the true days)
#: and on the synthetic dated feed (error to the true day, timestamps hidden); see the README:
#:
#: * ``midpoint``: the middle of the window. Drifts far on windows open-ended by neighbours (a post after an
#:   event estimated weeks after it).
#: * ``interpolate``: between the posts that have evidence of their own, by feed position, the value
#:   interpolated linearly between their windows' midpoints, clipped to the window (neighbour-weighted).
#: * ``events`` (default): ``interpolate``, then a post tied to an event whose days are known (first day from
#:   a range or a numbered day, last day from a range or a resolved final day, else the latest day the feed
#:   names for it) is placed inside those days, a post naming the event's final or closing day whose date
#:   the feed does not give on the day after the latest day it names (``final day`` above ``Day 4``: day 5),
#:   a post of an event saying ``yesterday`` (``tomorrow``) on the day after (before) the nearest older (newer)
#:   post of the event whose day is exact, and the other posts are kept between the estimates of the event
#:   posts around them (estimates never increase down the feed).
ESTIMATE_RULES = ("events", "interpolate", "midpoint")


def _relative_hints(df: pl.DataFrame, evidence: pl.DataFrame, membership: pl.DataFrame) -> pl.DataFrame:
    """``position, hint``: for a post of an event that says ``yesterday`` (``tomorrow``) and names no event day
    the feed dates, the day after (before) the nearest older (newer) post of the same event whose own evidence
    fixes its day exactly: the moment the post looks back (forward) to."""
    schema = {"position": pl.Int64, "hint": pl.Date}
    if evidence.height == 0 or membership.height == 0 or "offset_days" not in evidence.columns:
        return pl.DataFrame(schema=schema)
    rel = (evidence.filter((pl.col("kind") == "relative") & (pl.col("offset_days").fill_null(0) != 0))
           .group_by("position").agg(off=pl.col("offset_days").unique())
           .filter(pl.col("off").list.len() == 1).select("position", off=pl.col("off").list.first()))
    resolved = evidence.filter((pl.col("kind") == "event_day") & pl.col("date_min").is_not_null()).select("position")
    rel = rel.join(resolved.unique(), on="position", how="anti").join(membership, on="position").sort("position")
    exact = (df.filter(pl.col("own_min").is_not_null() & (pl.col("own_min") == pl.col("own_max")))
             .select("position", d="own_min").join(membership, on="position").sort("position"))
    if rel.height == 0 or exact.height == 0:
        return pl.DataFrame(schema=schema)
    parts = []
    for off, strategy in ((1, "forward"), (-1, "backward")):
        got = rel.filter(pl.col("off") == off).join_asof(exact, on="position", by="event_id", strategy=strategy,
                                                          check_sortedness=False,
                                                          allow_exact_matches=False)
        parts.append(got.select("position", hint=(pl.col("d") + pl.duration(days=off)).cast(pl.Date)))
    return pl.concat(parts).drop_nulls("hint").cast(schema)


def _estimates(df: pl.DataFrame, event_spans: pl.DataFrame | None, rule: str,
               hints: pl.DataFrame | None = None) -> pl.DataFrame:
    """``df`` (the working frame of :func:`infer_windows`, day numbers in ``lo``/``hi``, windows in
    ``date_min``/``date_max``) with ``date_est`` by ``rule`` (:data:`ESTIMATE_RULES`); ``hints``
    (``position, hint``, from :func:`_relative_hints`) are used by the ``events`` rule."""
    if rule not in ESTIMATE_RULES:
        raise ValueError(f"estimate must be one of {ESTIMATE_RULES}, got {rule!r}")
    bounded = pl.col("date_min").is_not_null() & pl.col("date_max").is_not_null()
    lo, hi = _days(pl.col("date_min")), _days(pl.col("date_max"))
    if rule == "midpoint":
        return df.with_columns(date_est=pl.when(bounded).then(((lo + hi) / 2).round(0).cast(pl.Int64)).cast(pl.Date))
    anchors = df.filter(pl.col("has_own") & bounded)
    if anchors.height:
        mid = ((_days(anchors["date_min"]) + _days(anchors["date_max"])) / 2).to_numpy()
        est = np.interp(df["position"].to_numpy().astype(float), anchors["position"].to_numpy().astype(float), mid)
        df = df.with_columns(interp=pl.Series(np.round(est).astype(np.int64)))
    else:
        df = df.with_columns(interp=pl.lit(None, pl.Int64))
    df = df.with_columns(est=pl.when(bounded).then(pl.col("interp").clip(lo, hi)))
    has_spans = event_spans is not None and event_spans.height > 0
    has_hints = hints is not None and hints.height > 0
    if rule == "events" and (has_spans or has_hints):
        sp = (event_spans.select("position", s_lo=_days(pl.col("span_min")), s_hi=_days(pl.col("span_max")),
                                 closing=pl.col("closing").fill_null(False)) if has_spans else
              pl.DataFrame(schema={"position": pl.Int64, "s_lo": pl.Int64, "s_hi": pl.Int64, "closing": pl.Boolean}))
        hn = (hints.select("position", hint=_days(pl.col("hint"))) if has_hints
              else pl.DataFrame(schema={"position": pl.Int64, "hint": pl.Int64}))
        df = df.join(sp, on="position", how="left").join(hn, on="position", how="left")
        in_lo, in_hi = pl.max_horizontal(lo, "s_lo"), pl.min_horizontal(hi, "s_hi")
        fits = bounded & pl.col("s_lo").is_not_null() & (in_lo <= in_hi)
        hinted = bounded & pl.col("hint").is_not_null() & pl.col("hint").is_between(lo, hi)
        df = df.with_columns(
            est=pl.when(hinted).then(pl.col("hint"))
            .when(fits & pl.col("closing")).then(in_hi)
            .when(fits).then(pl.col("est").clip(in_lo, in_hi)).otherwise("est"),
            fixed=fits | hinted,
        )
        # the other posts stay between the estimates of the event posts above (newer) and below (older) them
        seq = ~pl.col("is_pinned")
        fixed_est = pl.when(pl.col("fixed") & seq).then(pl.col("est"))
        df = df.sort("position").with_columns(
            up=fixed_est.fill_null(_BIG).cum_min(),
            down=fixed_est.fill_null(-_BIG).cum_max(reverse=True),
        ).with_columns(
            est=pl.when(seq & ~pl.col("fixed") & pl.col("est").is_not_null())
            .then(pl.col("est").clip(pl.col("down"), pl.col("up")).clip(lo, hi)).otherwise("est"))
        df = df.drop("s_lo", "s_hi", "closing", "hint", "fixed", "up", "down")
    return df.with_columns(date_est=pl.col("est").cast(pl.Date)).drop("est", "interp")


def _order_conflicts(ordered: pl.DataFrame) -> list[int]:
    """Positions whose evidence must be set aside so that no post below has a later minimum
    than a post above has maximum.

    Rule: keep the largest set of posts whose bounds agree with the order (set aside the
    fewest); among equally large sets, set aside posts whose text repeats another's
    (``dup``) first; then keep the newer posts (the smallest sum of kept positions).
    Timestamped posts are never set aside (when timestamps themselves disagree with the
    order, step 3 of :func:`infer_windows` reports it). A post in a conflict whose bounds are
    empty (evidence later than the capture date) fits no day and is set aside.

    A set of posts agrees with the order exactly when one day can be chosen for each, inside
    its bounds, never increasing down the feed; taking for each post the least maximum seen
    so far (newest first) is such a choice. So a dynamic programme over that running
    minimum ``h`` (one of the posts' maxima) finds the best set: a post with bounds
    ``[lo, hi]`` joins every state with ``lo <= h < hi`` (range add), and the state ``hi`` is
    reached from the best state ``>= hi`` (range max). A segment tree over the distinct
    maxima makes each step O(log m): O(m log m) in all, m = posts with evidence that is in
    some conflict (an O(m) check finds them; usually few).
    """
    if ordered.height < 2:
        return []
    pos = ordered["position"].to_numpy()
    lo = ordered.select(_days(pl.col("own_min")).fill_null(-_BIG))["own_min"].to_numpy()
    hi = ordered.select(_days(pl.col("own_max")).fill_null(_BIG))["own_max"].to_numpy()
    fixed = ordered.select(pl.col("ts_min").is_not_null() | pl.col("ts_max").is_not_null())["ts_min"].to_numpy()
    dup = ordered["dup"].to_numpy() if "dup" in ordered.columns else np.zeros(len(pos), dtype=bool)
    # only posts with a later minimum than some maximum above, or an earlier maximum than some minimum below,
    # can be in a conflict; the others agree with every post and are kept
    above_hi = np.minimum.accumulate(np.concatenate([[_BIG], hi[:-1]]))
    below_lo = np.concatenate([np.maximum.accumulate(lo[::-1])[::-1][1:], [-_BIG]])
    involved = (lo > above_hi) | (hi < below_lo)
    if not involved.any():
        return []
    pos, lo, hi, fixed, dup = pos[involved], lo[involved], hi[involved], fixed[involved], dup[involved]
    keep = _best_ordered_subset(lo, hi, _conflict_weights(pos, fixed, dup))
    return sorted(int(p) for p in pos[~keep & ~fixed])


def _conflict_weights(pos: np.ndarray, fixed: np.ndarray, dup: np.ndarray) -> list[int]:
    """Weights (Python ints, exact) that make the heaviest set the one :func:`_order_conflicts`
    describes: a timestamped post outweighs all others together; each other post counts
    ``a``, more than all the following together; a text that is not a copy adds ``b``, more
    than all the following together; a post at position ``p`` adds ``last - p`` (newer: more)."""
    m, last = len(pos), int(pos.max()) if len(pos) else 0
    b = m * (last + 1) + 1
    a = m * (b + last) + 1
    big = m * (a + b + last) + 1
    return [big if f else a + (0 if d else b) + (last - p)
            for p, f, d in zip(pos.tolist(), fixed.tolist(), dup.tolist())]


def _best_ordered_subset(lo: np.ndarray, hi: np.ndarray, weight: list[int]) -> np.ndarray:
    """Boolean mask of the heaviest subset of posts (in feed order, newest first, bounds
    ``lo <= hi`` as day numbers) for which a non-increasing choice of days inside the bounds
    exists. See :func:`_order_conflicts` for the dynamic programme; O(m log m)."""
    m = len(lo)
    empty = (lo > hi).tolist()
    states = np.unique(np.concatenate([hi, [_BIG]]))  # the running minimum of the maxima kept so far
    v = len(states)
    at_hi = np.searchsorted(states, hi).tolist()
    from_lo = np.searchsorted(states, lo, side="left").tolist()
    size = 1
    while size < v:
        size *= 2
    neg = -(1 << 512)  # unreachable state
    best = [neg] * (2 * size)  # max over the node's leaves, with the adds at the node and below it
    arg = [0] * (2 * size)  # leaf index of that max (ties: the larger state)
    lazy = [0] * (2 * size)
    for i in range(size):
        arg[size + i] = i
    best[size + v - 1] = 0  # nothing kept yet: running minimum +infinity
    for p in range(size - 1, 0, -1):
        lft, rgt = best[2 * p], best[2 * p + 1]
        best[p], arg[p] = (lft, arg[2 * p]) if lft > rgt else (rgt, arg[2 * p + 1])

    def pull(p: int) -> None:
        while p > 1:
            p //= 2
            lft, rgt = best[2 * p], best[2 * p + 1]
            best[p], arg[p] = (lft + lazy[p], arg[2 * p]) if lft > rgt else (rgt + lazy[p], arg[2 * p + 1])

    def add(l: int, r: int, w: int) -> None:  # leaves [l, r) += w
        l0, r0 = l + size, r - 1 + size
        l, r = l + size, r + size
        while l < r:
            if l & 1:
                best[l] += w
                lazy[l] += w
                l += 1
            if r & 1:
                r -= 1
                best[r] += w
                lazy[r] += w
            l //= 2
            r //= 2
        pull(l0)
        pull(r0)

    def offset(p: int) -> int:  # pending adds above node p
        s = 0
        while p > 1:
            p //= 2
            s += lazy[p]
        return s

    def query(l: int, r: int) -> tuple[int, int]:  # max and its leaf over [l, r)
        top, where = neg, -1
        l, r = l + size, r + size
        nodes = []
        while l < r:
            if l & 1:
                nodes.append(l)
                l += 1
            if r & 1:
                r -= 1
                nodes.append(r)
            l //= 2
            r //= 2
        for p in nodes:
            val = best[p] + offset(p)
            if val > top or (val == top and arg[p] > where):
                top, where = val, arg[p]
        return top, where

    def assign(i: int, val: int) -> None:
        p = i + size
        best[p] = val - offset(p)
        pull(p)

    node_post: list[int] = []  # chain nodes: the post that moved the running minimum, and the node before
    node_prev: list[int] = []
    node_of = [-1] * v  # the chain that ends in each state
    for j in range(m):
        k, w = at_hi[j], weight[j]
        if empty[j]:  # empty bounds (e.g. evidence after the capture date): no day fits, never kept
            continue
        top, where = query(k, v)
        if where != k:  # coming from a higher state is (at least as) good: a new chain ends in state hi[j]
            node_post.append(j)
            node_prev.append(node_of[where])
            node_of[k] = len(node_post) - 1
        assign(k, top + w)
        if from_lo[j] < k:
            add(from_lo[j], k, w)
    _, final = query(0, v)
    moves = []
    n = node_of[final]
    while n >= 0:
        moves.append(node_post[n])
        n = node_prev[n]
    moves = np.array(moves[::-1], dtype=np.int64)
    # the state after each post: the maximum of the last move at or above it (+infinity before the first)
    last = np.searchsorted(moves, np.arange(m), side="right") - 1
    state = np.where(last >= 0, hi[moves[np.maximum(last, 0)]] if len(moves) else _BIG, _BIG)
    return (lo <= state) & (state <= hi)


# ----------------------------------------------------------------------------------------------- events
#: Event words that link posts into one event (:data:`feedtools.text.EVENT_NOUNS`, less "week": a week names
#: a period, not a meeting).
_EVENT_WORDS = {word: kind for word, kind in EVENT_NOUNS.items() if kind != "week"}
_EVENT_ALT = "|".join(sorted(map(re.escape, _EVENT_WORDS), key=len, reverse=True))
_WORD_RE = r"(?i)(?:^|[^\p{L}])(" + _EVENT_ALT + r")(?:$|[^\p{L}])"
_PHRASE_RE = r"(?:^|[^\p{L}@.])((?:\p{Lu}[\p{L}\p{N}’'-]*\s+){0,2}(?i:" + _EVENT_ALT + r"))(?:$|[^\p{L}])"
_PLACE_RE = r"(?:^|\s)(?:in|en|à|at|a)\s+#?(\p{Lu}\p{Ll}{3,})"
_PLACE_STOP = {"this", "these", "that", "nuestro", "nuestra", "nuestras", "nuestros", "todas", "todos",
               "their", "the", "cette", "notre", "nous", "order", "partnership"}


_fold = fold_text_expr  # case and accents folded (for keys only)


def _tag_keys(tags: pl.DataFrame) -> pl.DataFrame:
    """``tags`` (column ``tag``) with ``key``: ``#`` + the hashtag's key (:func:`feedtools.text.fold_tag`, the
    key campaigns use), a trailing year dropped (``#IWD2025`` ~ ``#IWD``)."""
    return tags.with_columns(key=pl.lit("#") + fold_tags(tags["tag"]).str.replace(r"20\d\d$", ""))


def find_events(
    posts: pl.DataFrame,
    evidence: pl.DataFrame | None = None,
    *,
    tag_gap: int = 8,
    word_gap: int = 3,
    min_tag_density: float = 0.5,
    min_posts: int = 2,
    windows: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Group posts into events: runs of posts that share a key and sit close in the feed.

    Keys (compared case- and accent-folded): *campaign hashtags* (a trailing year dropped,
    so ``#IWD2025`` ~ ``#IWD``) whose uses are concentrated in the feed (uses / span of
    positions >= ``min_tag_density``; spread-out tags such as an organisation's standing
    tags do not link), linking posts at most ``tag_gap`` text posts apart; *event names*
    (retreat/retiro/séminaire, forum/foro, bureau, summit, academy, assembly, town hall,
    course...) and *places* (a capitalised name after in/en/à/at; first five letters, so
    Sevilla/Seville/Séville agree), linking posts at most ``word_gap`` apart; *close
    dates*: neighbouring posts whose own evidence windows (from ``evidence``) are at most
    two days wide and overlap. Linked posts form an event when there are ``min_posts``.

    ``posts`` needs ``position, post_id, text/text_clean, hashtags``; ``mentions`` and
    ``lang`` are used when present. ``windows`` (from :func:`infer_windows`) fills the
    events' date windows. Returns ``(events, membership)``: ``events`` follows
    :data:`EVENTS_SCHEMA` (``event_id`` ``E01``... from the oldest event, i.e. the highest
    positions, to the newest); ``membership`` has ``position, event_id`` for member posts.
    """
    text = pl.coalesce(pl.col("text_clean"), pl.col("text")) if "text_clean" in posts.columns else pl.col("text")
    p = posts.select(
        "position",
        t=text,
        tags=_col(posts, "hashtags", [], pl.List(pl.String)).fill_null([]),
        mentions=_col(posts, "mentions", [], pl.List(pl.String)).fill_null([]),
        lang=_col(posts, "lang", None, pl.String),
    ).filter(pl.col("t").is_not_null() & (pl.col("t").str.len_chars() > 0)).sort("position").with_row_index("rank")
    empty = (pl.DataFrame(schema=EVENTS_SCHEMA), pl.DataFrame(schema={"position": pl.Int64, "event_id": pl.String}))
    if p.height == 0:
        return empty
    tags = (_tag_keys(p.select("rank", "position", tag="tags").explode("tag").drop_nulls("tag"))
            .filter(pl.col("key").str.len_chars() > 1)
            .unique(subset=["rank", "key"]))
    dens = tags.group_by("key").agg(n=pl.len(), span=pl.col("rank").max() - pl.col("rank").min() + 1)
    keep = dens.filter((pl.col("n") >= 2) & (pl.col("n") / pl.col("span") >= min_tag_density))["key"]
    tag_keys = tags.filter(pl.col("key").is_in(keep.implode())).select("rank", "key", gap=pl.lit(tag_gap))
    words = (p.select("rank", w=pl.col("t").str.extract_all(_WORD_RE)).explode("w").drop_nulls("w")
             .with_columns(w=pl.col("w").str.extract(_WORD_RE, 1).str.to_lowercase())
             .select("rank", key=pl.lit("event:") + pl.col("w").replace_strict(_EVENT_WORDS, default=None)))
    tag_words = p.select("rank", tag="tags").explode("tag").drop_nulls("tag")
    folded_words = {fold_text(w): v for w, v in _EVENT_WORDS.items() if " " not in w}
    tag_words = (tag_words.with_columns(w=fold_tags(tag_words["tag"]).str.extract(f"({alternation(folded_words)})", 1))
                 .drop_nulls("w")
                 .select("rank", key=pl.lit("event:") + pl.col("w").replace_strict(folded_words, default=None)))
    words = pl.concat([words, tag_words.drop_nulls("key")])
    places = (p.select("rank", w=pl.col("t").str.extract_all(_PLACE_RE)).explode("w").drop_nulls("w")
              .with_columns(w=_fold(pl.col("w").str.extract(_PLACE_RE, 1)))
              .filter(~pl.col("w").is_in(list(_PLACE_STOP)))
              .select("rank", key=pl.lit("place:") + pl.col("w").str.slice(0, 5)))
    word_keys = pl.concat([words, places]).unique().select("rank", "key", gap=pl.lit(word_gap))
    keys = pl.concat([tag_keys, word_keys])
    edges = (keys.sort("key", "rank").with_columns(prev=pl.col("rank").shift(1).over("key"))
             .filter(pl.col("prev").is_not_null() & (pl.col("rank") - pl.col("prev") <= pl.col("gap")))
             .select(a="prev", b="rank"))
    if evidence is not None and evidence.height:
        own = (evidence.filter(pl.col("post_min").is_not_null() & pl.col("post_max").is_not_null())
               .group_by("position").agg(lo=pl.col("post_min").max(), hi=pl.col("post_max").min())
               .filter((pl.col("hi") - pl.col("lo")).dt.total_days().is_between(0, 1)))
        near = (p.select("rank", "position").join(own, on="position").sort("rank")
                .with_columns(prank=pl.col("rank").shift(1), plo=pl.col("lo").shift(1), phi=pl.col("hi").shift(1))
                .filter((pl.col("rank") - pl.col("prank") == 1) & (pl.col("lo") <= pl.col("phi"))
                        & (pl.col("plo") <= pl.col("hi")))
                .select(a="prank", b="rank"))
        edges = pl.concat([edges, near.cast(edges.schema)])
    # connected components over the (few) edges: a small union-find loop
    parent = list(range(p.height))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges.iter_rows():
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    # groups that share a key and interleave in the feed are one event (another event's posts sit between)
    for _ in range(3):
        comp = pl.Series("comp", [find(i) for i in range(p.height)], dtype=pl.Int64)
        spans = (keys.join(pl.DataFrame({"rank": pl.Series(range(p.height), dtype=pl.UInt32), "comp": comp}),
                           on="rank")
                 .join(pl.DataFrame({"comp": comp}).group_by("comp").len().filter(pl.col("len") >= 2), on="comp")
                 .group_by("key", "comp").agg(lo=pl.col("rank").min(), hi=pl.col("rank").max()))
        spans = spans.join(pl.DataFrame({"rank": pl.Series(range(p.height), dtype=pl.UInt32), "c": comp})
                           .group_by("c").agg(clo=pl.col("rank").min(), chi=pl.col("rank").max()),
                           left_on="comp", right_on="c")
        # per key, sort its groups by first rank; a group starting before the running end of the previous ones
        # interleaves with them (interval merging: linear, not pairwise)
        pairs = (spans.sort("key", "clo", "comp")
                 .with_columns(prev=pl.col("comp").shift(1).over("key"),
                               run_end=pl.col("chi").cum_max().shift(1).over("key"))
                 .filter(pl.col("prev").is_not_null() & (pl.col("clo") <= pl.col("run_end")))
                 .select(comp="prev", comp_b="comp").unique())
        if pairs.height == 0:
            break
        for a, b in pairs.iter_rows():
            ra, rb = find(int(a)), find(int(b))
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    p = p.with_columns(comp=pl.Series([find(i) for i in range(p.height)], dtype=pl.Int64))
    sizes = p.group_by("comp").agg(n=pl.len(), last=pl.col("position").max())
    sizes = sizes.filter(pl.col("n") >= min_posts).sort("last", descending=True)
    if sizes.height == 0:
        return empty
    width = max(2, len(str(sizes.height)))
    sizes = sizes.with_row_index("i").with_columns(
        event_id=pl.lit("E") + (pl.col("i") + 1).cast(pl.String).str.zfill(width))
    members = p.join(sizes.select("comp", "event_id"), on="comp")
    membership = members.select("position", "event_id").sort("position")

    keys_ev = keys.join(members.select("rank", "event_id"), on="rank")
    labels = _labels(members, keys_ev)

    def top(col: str, exclude_null=True) -> pl.DataFrame:
        x = members.select("event_id", v=pl.col(col)).explode("v") if members.schema[col] == pl.List(pl.String) \
            else members.select("event_id", v=pl.col(col))
        x = x.drop_nulls("v").filter(pl.col("v") != "und") if exclude_null else x
        return (x.group_by("event_id", "v").len().sort(["event_id", "len", "v"], descending=[False, True, False])
                .group_by("event_id", maintain_order=True).agg(pl.col("v").alias(col)))

    ev_dates = pl.DataFrame(schema={"event_id": pl.String, "event_date_min": pl.Date, "event_date_max": pl.Date})
    if evidence is not None and evidence.height:
        ev_dates = (evidence.filter(pl.col("kind").is_in(["date", "date_range", "weekday", "observance"])
                                    & pl.col("date_min").is_not_null())
                    .join(membership, on="position")
                    .group_by("event_id").agg(event_date_min=pl.col("date_min").min(),
                                              event_date_max=pl.col("date_max").max()))
    win = pl.DataFrame(schema={"event_id": pl.String, "date_min": pl.Date, "date_max": pl.Date})
    if windows is not None:
        win = (windows.join(membership, on="position").group_by("event_id")
               .agg(date_min=pl.when(pl.col("date_min").null_count() == 0).then(pl.col("date_min").min()),
                    date_max=pl.when(pl.col("date_max").null_count() == 0).then(pl.col("date_max").max())))
    events = (
        sizes.select("event_id", n_posts=pl.col("n").cast(pl.Int64))
        .join(members.group_by("event_id").agg(positions=pl.col("position").sort()), on="event_id")
        .join(top("lang"), on="event_id", how="left")
        .join(top("tags").rename({"tags": "hashtags"}), on="event_id", how="left")
        .join(top("mentions").rename({"mentions": "partners"}), on="event_id", how="left")
        .join(keys_ev.group_by("event_id").agg(keys=pl.col("key").unique().sort()), on="event_id", how="left")
        .join(labels, on="event_id", how="left")
        .join(win, on="event_id", how="left")
        .join(ev_dates, on="event_id", how="left")
        .rename({"lang": "languages"})
        .with_columns(pl.col("languages", "hashtags", "partners", "keys").fill_null([]))
        .select(list(EVENTS_SCHEMA)).cast(dict(EVENTS_SCHEMA)).sort("event_id")
    )
    return events, membership


def _labels(members: pl.DataFrame, keys_ev: pl.DataFrame) -> pl.DataFrame:
    """Label: the commonest event-name phrase, campaign hashtag and place of the event, joined by ' · '."""
    phrases = (members.select("event_id", ph=pl.col("t").str.extract_all(_PHRASE_RE)).explode("ph").drop_nulls("ph")
               .with_columns(ph=pl.col("ph").str.extract(_PHRASE_RE, 1).str.strip_chars())
               .with_columns(fold=pl.col("ph").str.to_lowercase()))
    # count each phrase and its shorter endings ("UCLG Executive Bureau" also counts for "Executive Bureau"),
    # then take the longest phrase used at least half as often as the commonest
    words = phrases.with_columns(w=pl.col("ph").str.split(" "))
    suffixes = pl.concat([
        words.filter(pl.col("w").list.len() > k).select("event_id", ph=pl.col("w").list.slice(k).list.join(" "))
        for k in range(3)
    ]).with_columns(fold=pl.col("ph").str.to_lowercase(), nw=pl.col("ph").str.count_matches(" ") + 1)
    counted = (suffixes.group_by("event_id", "fold").agg(n=pl.len(), ph=pl.col("ph").sort().first(),
                                                         nw=pl.col("nw").first())
               .with_columns(m=pl.col("n").max().over("event_id")))
    best_phrase = (counted.filter(pl.col("n") * 2 >= pl.col("m"))
                   .sort(["event_id", "nw", "n", "fold"], descending=[False, True, True, False])
                   .group_by("event_id", maintain_order=True).first().select("event_id", "ph"))
    tags = (_tag_keys(members.select("event_id", tag="tags").explode("tag").drop_nulls("tag"))
            .join(keys_ev.select("event_id", "key").unique(), on=["event_id", "key"])
            .group_by("event_id", "key").agg(n=pl.len(), tag=pl.col("tag").mode().sort().first())
            .sort(["event_id", "n", "key"], descending=[False, True, False])
            .group_by("event_id", maintain_order=True).first().select("event_id", tag=pl.lit("#") + pl.col("tag")))
    places = (members.select("event_id", w=pl.col("t").str.extract_all(_PLACE_RE)).explode("w").drop_nulls("w")
              .with_columns(w=pl.col("w").str.extract(_PLACE_RE, 1))
              .filter(~_fold(pl.col("w")).is_in(list(_PLACE_STOP)))
              .group_by("event_id", "w").len().sort(["event_id", "len", "w"], descending=[False, True, False])
              .group_by("event_id", maintain_order=True).first().select("event_id", place="w"))
    ids = members.select("event_id").unique()
    out = (ids.join(best_phrase, on="event_id", how="left").join(tags, on="event_id", how="left")
           .join(places, on="event_id", how="left"))
    return out.select("event_id", label=pl.concat_str(["ph", "tag", "place"], separator=" · ", ignore_nulls=True)
                      .fill_null(pl.lit("(unnamed)")))


def _event_starts(ev: pl.DataFrame, posts: pl.DataFrame | None) -> pl.DataFrame:
    """``event_id, start, end, src``: each event's first day (and last, when a range gives it), from the
    evidence joined to membership (``ev``); see :func:`resolve_event_days`."""
    ranges = (ev.filter(pl.col("kind").is_in(["date_range"]) & pl.col("event_id").is_not_null()
                        & pl.col("date_min").is_not_null())
              .select("event_id", start=pl.col("date_min"), end=pl.col("date_max"),
                      src=pl.format("'{}' at position {}", pl.col("text"), pl.col("position"))))
    exact = (ev.filter(~pl.col("kind").is_in(["event_day", "relative"]))
             .group_by("position").agg(lo=pl.col("post_min").max(), hi=pl.col("post_max").min())
             .filter(pl.col("lo").is_not_null() & (pl.col("lo") == pl.col("hi"))))
    numbered = (ev.filter((pl.col("kind") == "event_day") & (pl.col("day_index") > 0) & (pl.col("relation") == "on")
                          & pl.col("event_id").is_not_null()))
    if posts is not None and "is_repost" in posts.columns:
        numbered = numbered.join(posts.select("position", "is_repost"), on="position", how="left").filter(
            ~pl.col("is_repost").fill_null(False))
    from_day = (numbered.join(exact, on="position")
                .select("event_id",
                        start=(pl.col("lo") - pl.duration(days=pl.col("day_index") - 1 + pl.col("offset_days")
                                                          .fill_null(0))).cast(pl.Date),
                        end=pl.lit(None, pl.Date),
                        src=pl.format("day {} = {} at position {}", pl.col("day_index"), pl.col("lo"),
                                      pl.col("position"))))
    cands = pl.concat([ranges.with_columns(prio=pl.lit(0)), from_day.with_columns(prio=pl.lit(1))])
    empty = pl.DataFrame(schema={"event_id": pl.String, "start": pl.Date, "end": pl.Date, "src": pl.String})
    if cands.height == 0:
        return empty
    best = (cands.group_by("event_id", "start").agg(n=pl.len(), prio=pl.col("prio").min(),
                                                    end=pl.col("end").drop_nulls().first(), src=pl.col("src").first())
            .sort(["event_id", "n", "prio"], descending=[False, True, False]))
    ties = best.group_by("event_id").agg(top=pl.col("n").max(), k=(pl.col("n") == pl.col("n").max()).sum())
    return (best.join(ties, on="event_id").filter(pl.col("k") == 1)
            .group_by("event_id", maintain_order=True).first().select("event_id", "start", "end", "src"))


def resolve_event_days(evidence: pl.DataFrame, membership: pl.DataFrame, *, repost_lag_days: int | None = 30,
                       posts: pl.DataFrame | None = None) -> pl.DataFrame:
    """Give event-day ordinals (``Day 2``, ``final day``) and event moments (``the Forum begins``,
    ``comes to a close``) a date inside their event.

    An event's first day comes from a date range named in one of its posts (``1-4 de
    abril``: day 1 = 1 April, final day = 4 April), else from a post whose own evidence
    fixes its date exactly and which names its day number (``Day 4`` + ``This
    #WorldSocialJusticeDay``: day 1 = 17 February). When candidates disagree the commonest
    wins (ties: none). A day-relative word in the same post moves the post from the event day
    by ``offset_days`` (``Last night, the official opening of the Forum``: day 1 + 1).
    Returns ``evidence`` with ``date_min/date_max`` (the event day), ``post_min/post_max``
    and ``note`` filled on the resolved ``event_day`` rows; other rows unchanged.
    """
    if evidence.height == 0 or membership.height == 0:
        return evidence
    ev = evidence.join(membership, on="position", how="left")
    best = _event_starts(ev, posts)
    if best.height == 0:
        return evidence
    day = (pl.when(pl.col("day_index") > 0).then(pl.col("start") + pl.duration(days=pl.col("day_index") - 1))
           .when(pl.col("day_index") == -1).then(pl.col("end")))
    ev = ev.join(best, on="event_id", how="left").with_columns(
        resolved=pl.when((pl.col("kind") == "event_day") & pl.col("start").is_not_null()).then(day).cast(pl.Date)
    ).with_columns(
        resolved=pl.when(pl.col("end").is_not_null() & (pl.col("resolved") > pl.col("end"))).then(None)
        .otherwise("resolved"))
    rp = (ev.join(posts.select("position", rp=pl.col("is_repost").fill_null(False)), on="position", how="left")["rp"]
          if posts is not None and "is_repost" in posts.columns else pl.Series([False] * ev.height))
    ev = ev.with_columns(rp=rp.fill_null(False))
    lag = pl.duration(days=repost_lag_days) if repost_lag_days is not None else None
    rel = pl.col("relation")
    r = (pl.col("resolved") + pl.duration(days=pl.col("offset_days").fill_null(0))).cast(pl.Date)
    pmin = pl.when(rel.is_in(["on", "after"])).then(r)
    pmax = pl.when(rel.is_in(["on", "before"])).then(r)
    pmax = pl.when(pl.col("rp")).then(pmax + lag if lag is not None else None).otherwise(pmax)
    has = pl.col("resolved").is_not_null()
    shift = pl.when(pl.col("offset_days").fill_null(0) != 0).then(
        pl.format("; the post is {} day(s) from it ('{}')", pl.col("offset_days"), pl.col("cue"))).otherwise(pl.lit(""))
    ev = ev.with_columns(
        date_min=pl.when(has).then(pl.col("resolved")).otherwise("date_min"),
        date_max=pl.when(has).then(pl.col("resolved")).otherwise("date_max"),
        post_min=pl.when(has).then(pmin.cast(pl.Date)).otherwise("post_min"),
        post_max=pl.when(has).then(pmax.cast(pl.Date)).otherwise("post_max"),
        note=pl.when(has).then(pl.format("day of event {} (day 1 = {} from {}){}", pl.col("event_id"),
                                          pl.col("start"), pl.col("src"), shift)).otherwise("note"),
    )
    return ev.select(evidence.columns)


def event_spans(evidence: pl.DataFrame, membership: pl.DataFrame, posts: pl.DataFrame | None = None) -> pl.DataFrame:
    """The days of each event the feed gives, for every post tied to it.

    ``evidence``: rows after :func:`resolve_event_days`; ``membership``: ``position, event_id``
    (:func:`find_events`). An event's days are known when its first day is (see
    :func:`resolve_event_days`); they end on the last day a range gives, else on the latest
    day the feed names for it (resolved event days, dates of its posts that fall on or after
    the first day), plus one when a post names the event's final or closing day without a
    date (that day is after every day the feed names). Returns ``position, event_id,
    span_min, span_max, closing`` (``closing``: the post names the final or closing day and
    no date resolves it), one row per member post of an event with known days.
    """
    schema = {"position": pl.Int64, "event_id": pl.String, "span_min": pl.Date, "span_max": pl.Date,
              "closing": pl.Boolean}
    if evidence.height == 0 or membership.height == 0:
        return pl.DataFrame(schema=schema)
    ev = evidence.join(membership, on="position", how="inner")
    best = _event_starts(ev, posts)
    if best.height == 0:
        return pl.DataFrame(schema=schema)
    named = (ev.join(best.select("event_id", "start"), on="event_id")
             .filter(pl.col("kind").is_in(["event_day", "date", "date_range", "weekday"])
                     & pl.col("date_max").is_not_null() & (pl.col("date_max") >= pl.col("start"))
                     & (pl.col("date_max") <= pl.col("start") + pl.duration(days=31)))
             .group_by("event_id").agg(latest=pl.col("date_max").max()))
    closing = (ev.filter((pl.col("kind") == "event_day") & (pl.col("day_index") == -1) & pl.col("date_min").is_null())
               .select("position", closing=pl.lit(True)).unique())
    open_end = closing.join(membership, on="position").select("event_id").unique().with_columns(plus=pl.lit(1))
    spans = (best.join(named, on="event_id", how="left").join(open_end, on="event_id", how="left")
             .select("event_id", span_min="start",
                     span_max=pl.coalesce("end", pl.col("latest") + pl.duration(days=pl.col("plus").fill_null(0)),
                                          "start").cast(pl.Date)))
    return (membership.join(spans, on="event_id").join(closing, on="position", how="left")
            .with_columns(pl.col("closing").fill_null(False)).select(list(schema)).cast(schema).sort("position"))


# ----------------------------------------------------------------------------------------------- entry point
def build_timeline(
    posts: pl.DataFrame,
    *,
    calendar: pl.DataFrame | str | Path | None = None,
    year_hint: int | None = None,
    capture_date: dt.date | None = None,
    timezone: str = "UTC",
    use_timestamps: bool = True,
    observance_slack_days: int = 3,
    repost_lag_days: int | None = 30,
    tag_gap: int = 8,
    word_gap: int = 3,
    ordered: bool | None = None,
    estimate: str = "events",
) -> Timeline:
    """Evidence -> events -> event days -> windows, for a canonical posts table (any format).

    Returns a :class:`Timeline` (see there). Parameters are the assumptions described in
    the module docstring. Raises ``ValueError`` for a bad calendar file or time zone.
    """
    _check_timezone(timezone)
    cal = calendar if isinstance(calendar, pl.DataFrame) else load_observances(calendar)
    ref = reference_year(posts, year_hint)
    evidence = extract_evidence(posts, calendar=cal, year_hint=year_hint,
                                observance_slack_days=observance_slack_days, repost_lag_days=repost_lag_days)
    _, membership = find_events(posts, evidence, tag_gap=tag_gap, word_gap=word_gap)
    evidence = resolve_event_days(evidence, membership, repost_lag_days=repost_lag_days, posts=posts)
    spans = event_spans(evidence, membership, posts)
    windows, contradictions = infer_windows(posts, evidence, use_timestamps=use_timestamps, timezone=timezone,
                                            capture_date=capture_date, ordered=ordered, event_spans=spans,
                                            estimate=estimate, membership=membership)
    events, membership = find_events(posts, evidence, tag_gap=tag_gap, word_gap=word_gap, windows=windows)
    base = _base(posts).select("position", "is_pinned", "is_repost", "is_placeholder", "lang")
    out = (windows.join(base, on="position").join(membership, on="position", how="left")
           .select("position", "post_id", "is_pinned", "is_repost", "is_placeholder", "lang", "date_min", "date_max",
                   "date_est", "date_source", "window_days", "event_id").sort("position"))
    set_aside = contradictions.select("position", "kind", "text").with_columns(used=pl.lit(False)).unique()
    evidence = (evidence.join(set_aside, on=["position", "kind", "text"], how="left")
                .with_columns(used=pl.col("used").fill_null(True)
                              & (pl.col("post_min").is_not_null() | pl.col("post_max").is_not_null())))
    params = dict(year_hint=year_hint, capture_date=capture_date, timezone=timezone, use_timestamps=use_timestamps,
                  ordered=is_feed_ordered(posts) if ordered is None else ordered,
                  observance_slack_days=observance_slack_days, repost_lag_days=repost_lag_days, tag_gap=tag_gap,
                  word_gap=word_gap, estimate=estimate)
    return Timeline(posts=out, evidence=evidence, contradictions=contradictions, events=events,
                    reference_year=ref, params=params)


def with_timeline(posts: pl.DataFrame, timeline: Timeline) -> pl.DataFrame:
    """``posts`` plus the :data:`TIMELINE_COLUMNS` (``date_min, date_max, date_est, date_source,
    event_id``) from ``timeline``, same rows and order. The result is no longer the canonical
    schema (the columns are extra on purpose): use it for outputs, not as reader input."""
    extra = timeline.posts.select("position", *TIMELINE_COLUMNS)
    return posts.join(extra, on="position", how="left").sort("position")


# ----------------------------------------------------------------------------------------------- evaluation
def hidden_timestamp_error(posts: pl.DataFrame, *, timezone: str = "UTC", **options) -> dict:
    """How wrong is the inference on a dated feed when its timestamps are hidden?

    Runs :func:`build_timeline` with ``use_timestamps=False`` (evidence and order only) and
    compares each post's ``date_est`` and window with its true day (``created_at``, or
    ``reposted_at`` for reposts, in ``timezone``). Returns a dict: ``n_posts``, ``n_dated``
    (posts with a true day), ``n_estimated`` (with a ``date_est``), ``median_error_days``,
    ``p90_error_days`` (90th percentile, nearest rank), ``worst_error_days``, ``mean_error_days``
    (absolute, over estimated posts; None when none),
    ``coverage`` (share of dated posts whose window holds the true day, open bounds counting
    as holding), ``median_window_days``, and ``per_post`` (frame: position, true_date,
    date_min, date_max, date_est, error_days). Raises ``ValueError`` when no post has a timestamp.
    """
    _check_timezone(timezone)
    truth = _timestamp_bounds(_base(posts), timezone).select("position", true_date="ts_max")
    if truth["true_date"].null_count() == truth.height:
        raise ValueError("no post has a timestamp (created_at/reposted_at): nothing to measure against")
    tl = build_timeline(posts, timezone=timezone, use_timestamps=False, **options)
    per = (tl.posts.join(truth, on="position").filter(pl.col("true_date").is_not_null())
           .select("position", "true_date", "date_min", "date_max", "date_est", "window_days",
                   error_days=(pl.col("date_est") - pl.col("true_date")).dt.total_days().abs()))
    held = ((pl.col("date_min").is_null() | (pl.col("date_min") <= pl.col("true_date")))
            & (pl.col("date_max").is_null() | (pl.col("date_max") >= pl.col("true_date"))))
    err = per["error_days"].drop_nulls()
    return dict(
        n_posts=posts.height,
        n_dated=per.height,
        n_estimated=err.len(),
        median_error_days=float(err.median()) if err.len() else None,
        p90_error_days=float(err.quantile(0.9, "nearest")) if err.len() else None,
        worst_error_days=int(err.max()) if err.len() else None,
        mean_error_days=float(err.mean()) if err.len() else None,
        coverage=float(per.select(held.mean()).item()) if per.height else None,
        median_window_days=float(per["window_days"].drop_nulls().median()) if per["window_days"].drop_nulls().len()
        else None,
        per_post=per.drop("window_days"),
    )


def estimate_error(posts: pl.DataFrame, *, timezone: str = "UTC", **options) -> dict:
    """The measured error of the timeline's estimates for the feed at hand, for a page to show.

    When the feed is dated (some post has ``created_at``/``reposted_at``), runs
    :func:`hidden_timestamp_error` (timestamps hidden, dates inferred from evidence and order,
    compared with the true days) and returns its figures without ``per_post``, plus
    ``status``: ``'measured'`` (some post got an estimate), ``'no_estimate'`` (dated, but no
    post got a point estimate with its timestamp hidden: nothing to measure) or
    ``'undated'`` (no timestamps: the error cannot be measured on this feed; the other
    figures are then None, ``n_posts`` set). ``options`` go to :func:`build_timeline`.
    Raises ``ValueError`` for a bad time zone or option.
    """
    keys = ("n_dated", "n_estimated", "median_error_days", "p90_error_days", "worst_error_days",
            "mean_error_days", "coverage", "median_window_days")
    if not has_timestamps(posts):
        _check_timezone(timezone)
        return dict(status="undated", n_posts=posts.height, **dict.fromkeys(keys))
    r = hidden_timestamp_error(posts, timezone=timezone, **options)
    r.pop("per_post")
    return dict(status="measured" if r["n_estimated"] else "no_estimate", **r)


def describe_estimate_error(figures: dict) -> str:
    """One plain sentence for :func:`estimate_error`'s figures: the median and 90th-percentile error in days
    and the window coverage when measured, else why it cannot be measured on this feed."""
    st = figures.get("status")
    if st == "undated":
        return ("The error of these dates cannot be measured on this feed: no post has a timestamp to compare "
                "with (a dated feed, such as an author feed or a repository export, allows it).")
    if st == "no_estimate":
        cov = figures["coverage"]
        return (f"The error of the estimates cannot be measured on this feed: with its {figures['n_dated']} "
                "timestamps hidden, no post has date evidence or dated neighbours on both sides, so none gets an "
                f"estimate; the windows hold the true day for {cov:.0%} of the dated posts.")
    return (f"With timestamps hidden, {figures['n_estimated']} of {figures['n_dated']} dated posts get an estimate: "
            f"median error {figures['median_error_days']:g} days, 90th percentile {figures['p90_error_days']:g} "
            f"days, worst {figures['worst_error_days']} days; the windows hold the true day for "
            f"{figures['coverage']:.0%} of the dated posts.")


def demo_dated_feed() -> pl.DataFrame:
    """A small SYNTHETIC dated feed (canonical schema, 16 posts of a made-up city network in
    en/es/fr, newest first, ``created_at`` set) for demonstrating :func:`hidden_timestamp_error`
    and testing. It is not real data: texts are written to contain the kinds of evidence the
    seed has (observances, ranges, event days, tense), plus posts with none.
    """
    from feedtools.pipeline import enrich
    from feedtools.schema import conform

    rows = [
        ("2025-10-31T09:00:00Z", "Happy #WorldCitiesDay! Cities shape the future.", False),
        ("2025-10-30T16:00:00Z", "Thank you to all partners for a great year of work.", False),
        ("2025-10-22T10:00:00Z", "Day 2 of the Urban Forum: housing and climate finance today. #UrbanForum25", False),
        ("2025-10-21T08:30:00Z", "Day 1 of the Urban Forum starts now in Lyon! #UrbanForum25", False),
        ("2025-10-14T12:00:00Z", "Le Forum urbain aura lieu du 21 au 23 octobre à Lyon. #UrbanForum25", False),
        ("2025-10-02T09:00:00Z", "Nuevo informe sobre vivienda asequible en ciudades intermedias.", False),
        ("2025-09-21T10:00:00Z", "On this #PeaceDay we stand with cities building peace.", False),
        ("2025-09-10T15:00:00Z", "Applications for our online course are open until September 30th!", False),
        ("2025-07-15T09:00:00Z", "Today at #HLPF2025 local leaders present their reviews.", False),
        ("2025-06-20T08:00:00Z", "This #WorldRefugeeDay we renew our commitment to welcoming cities.", False),
        ("2025-06-12T11:00:00Z", "Our team visited partner municipalities this week.", False),
        ("2025-05-05T18:00:00Z", "El Foro de Ciudades ha terminado: gracias a todas. #ForoCiudades", False),
        ("2025-05-03T09:00:00Z", "¡Día 2 del Foro de Ciudades en Quito! #ForoCiudades", False),
        ("2025-05-02T09:00:00Z", "¡Empieza el Foro de Ciudades en Quito! #ForoCiudades", False),
        ("2025-04-20T10:00:00Z", "El 2 y 3 de mayo, Quito será sede del Foro de Ciudades. #ForoCiudades", False),
        ("2025-03-08T09:00:00Z", "#IWD2025: women mayors lead the way.", False),
    ]
    df = pl.DataFrame(
        {
            "position": list(range(len(rows))),
            "post_id": [f"demo:{i}" for i in range(len(rows))],
            "source": ["demo"] * len(rows),
            "source_format": ["demo"] * len(rows),
            "author_handle": ["cities.example"] * len(rows),
            "is_repost": [r[2] for r in rows],
            "is_pinned": [False] * len(rows),
            "is_placeholder": [False] * len(rows),
            "text": [r[1] for r in rows],
            "created_at": [dt.datetime.fromisoformat(r[0].replace("Z", "+00:00")) for r in rows],
            "created_at_raw": [r[0] for r in rows],
        }
    )
    return enrich(conform(df), languages=("en", "es", "fr"))


# ----------------------------------------------------------------------------------------------- aggregation
PERIODS = ("day", "week")


def _period_start(e: pl.Expr, period: str) -> pl.Expr:
    return e.dt.truncate("1w") if period == "week" else e


def period_counts(
    timeline_posts: pl.DataFrame,
    *,
    period: str = "day",
    by: str | None = None,
    posts: pl.DataFrame | None = None,
    top: int = 8,
) -> pl.DataFrame:
    """Posts per day or week, with their uncertainty: the frame the timeline charts draw.

    ``timeline_posts`` is :attr:`Timeline.posts` (``position, date_min, date_max`` and, for
    ``by='lang'``, ``lang``). ``by`` is None (all posts), ``'lang'`` or ``'hashtag'`` (the
    ``top`` commonest hashtags, case-folded; needs ``posts`` with ``hashtags``). Placeholders
    count like any post (they are posts whose text did not load).

    One row per period (and group) that any window touches: ``period_start``, ``group``
    (``'all'`` when ``by`` is None), ``n_certain`` (posts whose whole window lies in the
    period: exact counts on a dated feed), ``n_possible`` (posts whose window overlaps it),
    ``n_expected`` (each post spread evenly over the days of its window), and a last row per
    group with ``period_start`` null counting ``n_open`` posts whose window is open (not
    drawn). Computed with difference arrays over days, so the output grows with the number
    of days spanned, never with the number of posts. Raises ``ValueError`` for an unknown
    ``period`` or ``by``.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, got {period!r}")
    if by not in (None, "lang", "hashtag"):
        raise ValueError(f"by must be None, 'lang' or 'hashtag', got {by!r}")
    tp = timeline_posts.select("position", "date_min", "date_max",
                               group=pl.col("lang").fill_null("und") if by == "lang" else pl.lit("all"))
    if by == "hashtag":
        if posts is None or "hashtags" not in posts.columns:
            raise ValueError("by='hashtag' needs the posts table (with hashtags)")
        tags = posts.select("position", tag=pl.col("hashtags")).explode("tag").drop_nulls("tag")
        tags = tags.with_columns(tag=pl.lit("#") + fold_tags(tags["tag"])).filter(pl.col("tag") != "#").unique()
        keep = (tags.group_by("tag").len().sort(["len", "tag"], descending=[True, False]).head(top)["tag"])
        tp = tp.drop("group").join(tags.filter(pl.col("tag").is_in(keep.implode())), on="position").rename(
            {"tag": "group"})
    schema = {"period_start": pl.Date, "group": pl.String, "n_certain": pl.Int64, "n_possible": pl.Int64,
              "n_expected": pl.Float64, "n_open": pl.Int64}
    closed = tp.filter(pl.col("date_min").is_not_null() & pl.col("date_max").is_not_null())
    opened = tp.filter(pl.col("date_min").is_null() | pl.col("date_max").is_null()).group_by("group").agg(
        n_open=pl.len().cast(pl.Int64))
    parts = []
    if closed.height:
        c = closed.with_columns(
            w=(pl.col("date_max") - pl.col("date_min")).dt.total_days() + 1,
            ps=_period_start(pl.col("date_min"), period), pe=_period_start(pl.col("date_max"), period))
        day0, day1 = c["date_min"].min(), c["date_max"].max()
        days = pl.DataFrame({"day": pl.date_range(day0, day1 + dt.timedelta(days=1), "1d", eager=True)})
        groups = c.select("group").unique()
        grid = groups.join(days, how="cross")
        # expected: +1/w at date_min, -1/w the day after date_max, cumulative sum over days
        dens = pl.concat([
            c.select("group", day="date_min", v=1.0 / pl.col("w")),
            c.select("group", day=pl.col("date_max") + pl.duration(days=1), v=-1.0 / pl.col("w")),
        ]).group_by("group", "day").agg(pl.col("v").sum())
        daily = (grid.join(dens, on=["group", "day"], how="left").sort("group", "day")
                 .with_columns(exp=pl.col("v").fill_null(0).cum_sum().over("group"))
                 .with_columns(period_start=_period_start(pl.col("day"), period))
                 .filter(pl.col("day") <= day1)
                 .group_by("group", "period_start").agg(n_expected=pl.col("exp").sum()))
        step = pl.duration(weeks=1) if period == "week" else pl.duration(days=1)
        poss = pl.concat([
            c.select("group", period_start="ps", v=pl.lit(1, pl.Int64)),
            c.select("group", period_start=pl.col("pe") + step, v=pl.lit(-1, pl.Int64)),
        ]).group_by("group", "period_start").agg(pl.col("v").sum())
        certain = c.filter(pl.col("ps") == pl.col("pe")).group_by("group", period_start="ps").agg(
            n_certain=pl.len().cast(pl.Int64))
        out = (daily.join(poss, on=["group", "period_start"], how="left").sort("group", "period_start")
               .with_columns(n_possible=pl.col("v").fill_null(0).cum_sum().over("group"))
               .join(certain, on=["group", "period_start"], how="left")
               .with_columns(n_certain=pl.col("n_certain").fill_null(0), n_open=pl.lit(None, pl.Int64),
                             n_expected=pl.col("n_expected").round(3))
               .filter((pl.col("n_possible") > 0) | (pl.col("n_expected") > 0)))
        parts.append(out.select(list(schema)).cast(schema))
    if opened.height:
        parts.append(opened.select(period_start=pl.lit(None, pl.Date), group="group", n_certain=pl.lit(0),
                                   n_possible=pl.lit(0), n_expected=pl.lit(0.0), n_open="n_open").cast(schema))
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).sort("group", "period_start", nulls_last=True)


def window_bands(timeline_posts: pl.DataFrame, *, max_rows: int = 300) -> pl.DataFrame:
    """Posts grouped by identical window: ``date_min, date_max, date_source, n_posts,
    first_position, last_position`` (feed order), at most ``max_rows`` rows (the newest
    windows first), so a chart of windows stays small whatever the feed's size. Posts with
    an open window are left out."""
    return (timeline_posts.filter(pl.col("date_min").is_not_null() & pl.col("date_max").is_not_null())
            .group_by("date_min", "date_max", "date_source")
            .agg(n_posts=pl.len().cast(pl.Int64), first_position=pl.col("position").min(),
                 last_position=pl.col("position").max())
            .sort("first_position").head(max_rows))


def load_event_calendar(path: str | Path) -> pl.DataFrame:
    """A user's own event calendar (CSV with header ``start,end,label``; ``end`` may be empty for
    one-day events; dates ``YYYY-MM-DD``; ``#`` lines are comments) for overlays on the
    timeline charts. Returns ``start, end, label`` sorted by start. Raises ``ValueError``
    naming the line of a bad row, ``OSError`` when the file cannot be read."""
    rows = []
    for lineno, rec in read_user_table(path, columns=("start", "end", "label"), required=("start", "label")):
        try:
            start = dt.date.fromisoformat(rec["start"])
            end = dt.date.fromisoformat(rec["end"]) if rec["end"] else start
        except ValueError:
            raise line_error(path, lineno, "start/end must be dates YYYY-MM-DD") from None
        if end < start:
            raise line_error(path, lineno, f"end {end} is before start {start}")
        label = rec["label"]
        if not label:
            raise line_error(path, lineno, "empty label")
        rows.append((start, end, label))
    return pl.DataFrame(rows, schema={"start": pl.Date, "end": pl.Date, "label": pl.String}, orient="row").sort(
        "start", "label")


def has_timestamps(posts: pl.DataFrame) -> bool:
    """True when at least one post has a ``created_at`` (or ``reposted_at``) timestamp."""
    return any(c in posts.columns and posts[c].null_count() < posts.height for c in ("created_at", "reposted_at"))


def window_summary(timeline_posts: pl.DataFrame) -> pl.DataFrame:
    """How sure the dates are: one row per ``date_source`` (timestamp, evidence, neighbours,
    unknown) with ``posts``, ``share`` of the feed, ``exact_day`` (one-day windows),
    ``within_week`` (windows of at most 7 days), ``median_days`` and ``max_days`` of the
    bounded windows, and ``open`` (windows open on at least one side)."""
    order = {"timestamp": 0, "evidence": 1, "neighbours": 2, "unknown": 3}
    n = max(timeline_posts.height, 1)
    return (
        timeline_posts.group_by("date_source").agg(
            posts=pl.len().cast(pl.Int64),
            exact_day=(pl.col("window_days") == 1).sum().cast(pl.Int64),
            within_week=(pl.col("window_days") <= 7).sum().cast(pl.Int64),
            median_days=pl.col("window_days").median(),
            max_days=pl.col("window_days").max(),
            open=pl.col("window_days").is_null().sum().cast(pl.Int64),
        )
        .with_columns(share=(pl.col("posts") / n).round(3))
        .sort(pl.col("date_source").replace_strict(order, default=9, return_dtype=pl.Int64))
        .select("date_source", "posts", "share", "exact_day", "within_week", "median_days", "max_days", "open")
    )


# ==============================================================================================================
# Findings in words (describe_*): the sentences the timelines notebook prints, computed from the Timeline.
# Each returns a plain ``str`` true for THIS feed: zero, one and many said as such, unknown values as "unknown"
# or left out (never None/nan), long lists cut to the first few with "… and K more".
# ==============================================================================================================

from feedtools.prose import count_accounts, day, join_list, pct, plural, span  # noqa: E402

__all__ += [
    "describe_contradictions",
    "describe_dating",
    "describe_events",
    "describe_evidence",
    "describe_groups_over_time",
    "describe_hidden_error",
    "describe_periods",
    "describe_windows",
]


def describe_dating(posts: pl.DataFrame, timeline: Timeline, *, calendar_days: int | None = None,
                    kind: str | None = None, accounts: int | None = None) -> str:
    """How this feed is dated: the reference year for dates written without one (and where it comes from), how
    many posts carry a timestamp, and what the feed order can and cannot tell (on a collection of many accounts
    without timestamps, order-based inference is not possible across accounts). ``calendar_days``: size of the
    observance calendar, said when given. ``kind`` (``"account"``/``"collection"``, ``feed.meta["kind"]``) and
    ``accounts`` (their number): when None, computed from the posts (more than one posting account makes a
    collection)."""
    n = posts.height
    if n == 0:
        return "The feed has no posts to date."
    sentences = []
    if calendar_days is not None:
        sentences.append(f"Observance calendar: {plural(calendar_days, 'day')}.")
    ref = timeline.reference_year
    if ref is None:
        sentences.append("No reference year: the feed names no year, so a date written without one bounds no post.")
    elif timeline.params.get("year_hint") is not None:
        sentences.append(f"Reference year for dates written without one: {ref} (given).")
    else:
        sentences.append(f"Reference year for dates written without one: {ref} (the commonest year the feed names).")
    ts = pl.lit(False)
    for c in ("created_at", "reposted_at"):
        if c in posts.columns:
            ts = ts | pl.col(c).is_not_null()
    dated = int(posts.select(ts.sum()).item())
    accounts = count_accounts(posts) if accounts is None else accounts
    collection = kind == "collection" if kind in ("account", "collection") else accounts > 1
    ordered = bool(timeline.params.get("ordered", True))
    tz = timeline.params.get("timezone", "UTC")
    if dated == n:
        sentences.append(f"All {plural(n, 'post')} carry a timestamp: their windows come from the timestamps "
                         f"(days in {tz}).")
    elif dated:
        sentences.append(f"{dated} of {plural(n, 'post')} carry a timestamp (their windows come from it, days in "
                         f"{tz}); the other {n - dated} are dated from the dates their text names"
                         + (" and their neighbours in the feed order." if ordered else "."))
    else:
        sentences.append(f"No post carries a timestamp: windows come from the dates the {plural(n, 'post')} name"
                         + (" and the feed order (newest first)." if ordered else "."))
    if not ordered and dated < n:
        if collection:
            sentences.append(f"The posts come from {plural(accounts, 'account')} and are not one account's feed in order, so "
                             "order-based inference is not possible across accounts: a post without a timestamp is "
                             "dated only by its own text.")
        else:
            sentences.append("The rows are in storage or arrival order, not feed order, so neighbours do not bound "
                             "a post's date: a post without a timestamp is dated only by its own text.")
    return " ".join(sentences)


def describe_evidence(evidence: pl.DataFrame, *, limit: int = 6) -> str:
    """Sentences reading :attr:`Timeline.evidence`: how many clues in how many posts, how many bound a post's date,
    the clues by kind, and the commonest clues that name days (with the days)."""
    if evidence.height == 0:
        return "No date evidence: no post names a date, an observance day, a year or an event day."
    posts_n = evidence["position"].n_unique()
    used = int(evidence["used"].sum()) if "used" in evidence.columns else 0
    kinds = evidence.group_by("kind").len().sort(["len", "kind"], descending=[True, False])
    by_kind = join_list([f"{r['kind']} {r['len']}" for r in kinds.iter_rows(named=True)], 8)
    text = (f"{plural(evidence.height, 'clue')} in {plural(posts_n, 'post')} ({by_kind}); {used} of them bound a "
            "post's date.")
    named = (evidence.filter(pl.col("date_min").is_not_null() & (pl.col("kind") != "year"))
             .group_by("text", "date_min", "date_max")
             .agg(n=pl.len(), first=pl.col("position").min())
             .sort(["n", "first", "text"], descending=[True, False, False]))
    if named.height:
        items = []
        for r in named.iter_rows(named=True):
            times = f" ×{r['n']}" if r["n"] > 1 else ""
            days = day(r["date_min"]) if r["date_min"] == r["date_max"] else f"{day(r['date_min'])}–{day(r['date_max'])}"
            items.append(f"'{r['text']}'{times} ({days})")
        text += f" Days named: {join_list(items, limit)}."
    return text


def _span_days(first: dt.date | None, last: dt.date | None) -> str:
    if first is not None and first == last:
        return f"one day, {day(first)}"
    return span(first, last).removeprefix("from ")


def describe_windows(timeline_posts: pl.DataFrame) -> str:
    """Sentences reading :attr:`Timeline.posts` (what :func:`window_summary` tabulates): posts dated by timestamp,
    by their own evidence (how many to the exact day), by their neighbours, or not at all; the median bounded
    window, open windows, and the span the windows cover."""
    n = timeline_posts.height
    if n == 0:
        return "No post to date."
    s = window_summary(timeline_posts)
    by = {r["date_source"]: r for r in s.iter_rows(named=True)}
    what = {"timestamp": "by their timestamp", "evidence": "by their own evidence",
            "neighbours": "by their neighbours in the feed order", "unknown": "not at all (nothing bounds them)"}
    parts = []
    for src in ("timestamp", "evidence", "neighbours", "unknown"):
        if src in by:
            r = by[src]
            exact = f" ({r['exact_day']} to the exact day)" if src in ("evidence", "neighbours") else ""
            verb = ("is" if r["posts"] == 1 else "are") + " dated " if not parts else ""
            parts.append(f"{r['posts']} {verb}{what[src]}{exact}")
    text = f"Of {plural(n, 'post')}, {join_list(parts, 4)}."
    bounded = timeline_posts["window_days"].drop_nulls()
    if bounded.len():
        text += (f" The median window is {plural(round(float(bounded.median())), 'day')}; "
                 f"{bounded.len()} {'window is' if bounded.len() == 1 else 'windows are'} bounded on both sides, "
                 f"together spanning {_span_days(timeline_posts['date_min'].min(), timeline_posts['date_max'].max())}.")
    opened = n - bounded.len()
    if opened:
        text += f" {plural(opened, 'window')} {'stays' if opened == 1 else 'stay'} open on at least one side."
    return text


def describe_events(events: pl.DataFrame, *, limit: int = 8) -> str:
    """Sentences reading :attr:`Timeline.events`: how many events and, for each (oldest first), its posts,
    languages, when its posts were made and the days they name."""
    if events.height == 0:
        return ("No event: no run of posts shares a campaign hashtag used in a burst, an event name, a place or "
                "narrow dates.")
    items = []
    for r in events.iter_rows(named=True):
        langs = join_list(r["languages"] or [], 4)
        bits = [plural(r["n_posts"], "post")]
        if langs:
            bits.append(f"in {langs}")
        bits.append(f"posted {span(r['date_min'], r['date_max'])}")
        if r["event_date_min"] is not None or r["event_date_max"] is not None:
            bits.append(f"naming days {span(r['event_date_min'], r['event_date_max']).removeprefix('on ')}")
        items.append(f"{r['label']} ({', '.join(bits)})")
    return f"{plural(events.height, 'event')}: {join_list(items, limit)}."


def describe_periods(counts: pl.DataFrame, *, period: str = "week", limit: int = 4) -> str:
    """Sentences reading :func:`period_counts` (``by=None``): the periods with most posts certainly made in them,
    the busiest expected period, and the posts left out because their window is open."""
    closed = counts.filter(pl.col("period_start").is_not_null())
    opened = int(counts["n_open"].drop_nulls().sum()) if counts.height else 0
    tail = (f" {plural(opened, 'post')} with an open window {'is' if opened == 1 else 'are'} not drawn."
            if opened else "")
    if closed.height == 0:
        return f"No post has a window bounded on both sides, so none can be placed in a {period}.{tail}"
    certain = closed.filter(pl.col("n_certain") > 0).sort(["n_certain", "period_start"], descending=[True, False])
    peak = closed.sort(["n_expected", "period_start"], descending=[True, False]).row(0, named=True)
    if certain.height:
        items = [f"{day(r['period_start'])} ({r['n_certain']})" for r in certain.iter_rows(named=True)]
        text = f"Posts certainly made in one {period}, by {period} starting: {join_list(items, limit)}."
    else:
        text = f"No post can be placed in a single {period}: only ranges can be said."
    text += (f" The expected count peaks in the {period} of {day(peak['period_start'])} "
             f"({peak['n_expected']:.1f} posts).")
    return text + tail


def describe_groups_over_time(counts: pl.DataFrame, *, noun: str = "language", period: str = "week",
                              limit: int = 6) -> str:
    """Sentences reading :func:`period_counts` with ``by='lang'`` or ``by='hashtag'``: for each group (most
    expected posts first), the ``period`` where it peaks."""
    closed = counts.filter(pl.col("period_start").is_not_null() & (pl.col("n_expected") > 0))
    if counts.height == 0:
        return f"No {noun} to place in time."
    if closed.height == 0:
        return f"No post has a window bounded on both sides, so no {noun} can be placed in time."
    totals = closed.group_by("group").agg(total=pl.col("n_expected").sum()).sort(["total", "group"],
                                                                                  descending=[True, False])
    peaks = closed.sort(["n_expected", "period_start"], descending=[True, False]).unique("group", keep="first")
    peak = {r["group"]: r for r in peaks.iter_rows(named=True)}
    def name(g: str) -> str:
        return "und (undetermined)" if g == "und" and noun == "language" else g

    items = [f"{name(g)} in the {period} of {day(peak[g]['period_start'])} ({peak[g]['n_expected']:.1f} expected)"
             for g in totals["group"].to_list()]
    return f"{plural(totals.height, noun).capitalize()}; each peaks: {join_list(items, limit)}."


def describe_contradictions(contradictions: pl.DataFrame, *, limit: int = 3) -> str:
    """Sentences reading :attr:`Timeline.contradictions`: clues set aside because they contradict the feed order,
    with what they said and what the order allows."""
    if contradictions.height == 0:
        return "No clue contradicts the feed order: nothing was set aside."
    items = [f"position {r['position']} ('{r['text']}', {r['kind']}: {span(r['post_min'], r['post_max'])}, where "
             f"the order allows {span(r['allowed_min'], r['allowed_max'])})"
             for r in contradictions.iter_rows(named=True)]
    return f"{plural(contradictions.height, 'clue')} set aside: {join_list(items, limit)}."


def describe_hidden_error(measured: dict, name: str) -> str:
    """One sentence reading :func:`hidden_timestamp_error` run on the feed called ``name``."""
    if not measured.get("n_estimated"):
        return (f"{name}: {plural(measured.get('n_dated') or 0, 'dated post')}, none of which can be dated from its "
                "text and the feed order alone, so the error of the inference cannot be measured on this feed.")
    cover = measured.get("coverage")
    window = measured.get("median_window_days")
    text = (f"{name}: {plural(measured['n_dated'], 'dated post')}, {measured['n_estimated']} estimated; error of "
            f"date_est: median {measured['median_error_days']:g} days, 90th percentile "
            f"{measured['p90_error_days']:g} days, worst {measured['worst_error_days']} days")
    if cover is not None:
        text += f"; true day inside the window for {pct(cover, 1)} of posts"
    if window is not None:
        text += f"; median window {window:g} days"
    return text + "."
