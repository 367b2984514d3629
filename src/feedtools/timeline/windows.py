"""Date windows: each post's earliest and latest possible day, from its evidence, its timestamps and the feed
order (:func:`infer_windows`), and a point estimate inside the window (:data:`ESTIMATE_RULES`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
import polars as pl

from feedtools.timeline.core import (
    _BIG,
    CONTRADICTIONS_SCHEMA,
    _base,
    _check_timezone,
    _days,
    _timestamp_bounds,
    is_feed_ordered,
)
from feedtools.timeline.ordering import order_conflicts


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
    df, ev = _own_bounds(
        posts,
        evidence,
        use_timestamps=use_timestamps,
        timezone=timezone,
        ordered=is_feed_ordered(posts) if ordered is None else ordered,
    )
    cap = pl.lit(capture_date, pl.Date) if capture_date is not None else pl.lit(None, pl.Date)
    df, contradictions = _set_aside_inner(df, ev, cap)
    dropped, copy_of = _set_aside_order(df, posts)
    df = _propagate(_without_evidence(df, dropped, cap), copy_of)
    df, found = _order_contradictions(df, ev, dropped)
    df = _date_source(_point_estimates(df, evidence, event_spans, estimate, membership), dropped)
    return _window_columns(df), _contradictions_table(contradictions + found)


def _window_columns(df: pl.DataFrame) -> pl.DataFrame:
    """The windows table of :func:`infer_windows` from its working frame ``df``."""
    return df.select(
        "position",
        "post_id",
        date_min=pl.col("date_min").cast(pl.Date),
        date_max=pl.col("date_max").cast(pl.Date),
        date_est=pl.col("date_est").cast(pl.Date),
        date_source="date_source",
        window_days=(pl.col("date_max") - pl.col("date_min") + 1),
        own_min="own_min",
        own_max="own_max",
    )


def _without_evidence(df: pl.DataFrame, dropped: list[int], cap: pl.Expr) -> pl.DataFrame:
    """``df`` with the own bounds of the ``dropped`` posts (their evidence set aside) from their timestamps and
    the capture date ``cap`` only."""
    if not dropped:
        return df
    return df.with_columns(
        own_min=pl.when(pl.col("position").is_in(dropped)).then(pl.max_horizontal("ts_min")).otherwise("own_min"),
        own_max=pl.when(pl.col("position").is_in(dropped)).then(pl.min_horizontal("ts_max", cap)).otherwise("own_max"),
    )


def _contradictions_table(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The contradiction ``frames`` as one :data:`CONTRADICTIONS_SCHEMA` table sorted by position, kind and
    text."""
    if not frames:
        return pl.DataFrame(schema=CONTRADICTIONS_SCHEMA)
    return pl.concat([c.select(list(CONTRADICTIONS_SCHEMA)).cast(CONTRADICTIONS_SCHEMA) for c in frames]).sort(
        "position", "kind", "text"
    )


def _own_bounds(
    posts: pl.DataFrame, evidence: pl.DataFrame, *, use_timestamps: bool, timezone: str, ordered: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(df, ev)``: the working frame, one row per post in feed order with its base columns
    (:func:`~feedtools.timeline.core._base`; every row counted as pinned when the positions are not feed order:
    no order to carry bounds along), ``ev_min/ev_max`` (the bounds its evidence gives) and ``ts_min/ts_max``
    (its timestamps' days, null when ``use_timestamps`` is false); ``ev``: the evidence rows that bound a date."""
    base = _base(posts)
    if not ordered:
        base = base.with_columns(is_pinned=pl.lit(True))
    ev = evidence.filter(pl.col("post_min").is_not_null() | pl.col("post_max").is_not_null())
    own = ev.group_by("position").agg(ev_min=pl.col("post_min").max(), ev_max=pl.col("post_max").min())
    ts = (
        _timestamp_bounds(base, timezone)
        if use_timestamps
        else base.select("position", ts_min=pl.lit(None, pl.Date), ts_max=pl.lit(None, pl.Date))
    )
    return base.join(own, on="position", how="left").join(ts, on="position", how="left"), ev


def _set_aside_inner(df: pl.DataFrame, ev: pl.DataFrame, cap: pl.Expr) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Step 1: evidence within one post that disagrees (or disagrees with its timestamp) is set aside. Returns
    ``df`` with ``own_min/own_max`` (evidence, timestamps and the capture date ``cap`` together) and the list
    of contradiction frames so far."""
    inner = df.filter(
        (pl.col("ev_min") > pl.col("ev_max"))
        | (pl.col("ts_max").is_not_null() & (pl.col("ev_min") > pl.col("ts_max")))
        | (pl.col("ts_min").is_not_null() & (pl.col("ev_max") < pl.col("ts_min")))
    )["position"]
    contradictions: list[pl.DataFrame] = []
    if inner.len():
        contradictions.append(
            ev.filter(pl.col("position").is_in(inner.implode())).with_columns(
                allowed_min=pl.lit(None, pl.Date),
                allowed_max=pl.lit(None, pl.Date),
                reason=pl.lit("evidence in the same post disagrees (with other evidence or with its timestamp)"),
            )
        )
    df = df.with_columns(
        ev_min=pl.when(pl.col("position").is_in(inner.implode())).then(None).otherwise("ev_min"),
        ev_max=pl.when(pl.col("position").is_in(inner.implode())).then(None).otherwise("ev_max"),
    )
    return df.with_columns(
        own_min=pl.max_horizontal("ev_min", "ts_min"),
        own_max=pl.min_horizontal("ev_max", "ts_max", cap),
    ), contradictions


def _set_aside_order(df: pl.DataFrame, posts: pl.DataFrame) -> tuple[list[int], pl.DataFrame]:
    """Step 2: evidence that contradicts the feed order; the fewest posts that make the rest agree are set
    aside (:func:`~feedtools.timeline.ordering.order_conflicts`; copies of another post's text first on ties).
    Returns ``(dropped, copy_of)``: the set-aside positions, and ``position, partner`` for each set-aside copy
    whose partner (a copy of the same text whose evidence was kept) lends it its window."""
    ordered = df.filter(~pl.col("is_pinned") & (pl.col("ev_min").is_not_null() | pl.col("ev_max").is_not_null()))
    if "duplicate_of" in posts.columns:  # repeated texts repeat their clues: set those aside first on ties
        copies = (
            posts.select("position", "duplicate_of")
            .filter(pl.col("duplicate_of").is_not_null())
            .select(a="position", b="duplicate_of")
        )
        dup_pos = pl.concat([copies["a"], copies["b"].cast(pl.Int64)]).unique()
    else:
        dup_pos = pl.Series([], dtype=pl.Int64)
    dropped = order_conflicts(ordered.with_columns(dup=pl.col("position").is_in(dup_pos.implode())))
    copy_of = pl.DataFrame(schema={"position": pl.Int64, "partner": pl.Int64})
    if dropped and "duplicate_of" in posts.columns:
        pairs = (
            posts.select("position", "duplicate_of")
            .filter(pl.col("duplicate_of").is_not_null())
            .select(a="position", b=pl.col("duplicate_of").cast(pl.Int64))
        )
        both = pl.concat([pairs.select(position="a", partner="b"), pairs.select(position="b", partner="a")])
        copy_of = (
            both.filter(pl.col("position").is_in(dropped) & ~pl.col("partner").is_in(dropped))
            .sort("position", "partner")
            .unique("position", keep="first", maintain_order=True)
        )
    return dropped, copy_of


def _propagate(df: pl.DataFrame, copy_of: pl.DataFrame) -> pl.DataFrame:
    """Step 3: carry the bounds along the order (pinned rows keep their own): ``lo``/``hi`` (day numbers,
    sentinels for open), ``above_hi``/``below_lo`` (what the rest of the feed allows, this post excluded), and
    for a set-aside copy its partner's window (``copy_min/copy_max``: its partner's own bounds)."""
    seq = df.filter(~pl.col("is_pinned")).with_columns(
        hi=_days(pl.col("own_max")).fill_null(_BIG).cum_min(),
        lo=_days(pl.col("own_min")).fill_null(-_BIG).cum_max(reverse=True),
        above_hi=_days(pl.col("own_max")).fill_null(_BIG).cum_min().shift(1, fill_value=_BIG),
        below_lo=_days(pl.col("own_min")).fill_null(-_BIG).cum_max(reverse=True).shift(-1, fill_value=-_BIG),
    )
    pinned = df.filter(pl.col("is_pinned")).with_columns(
        hi=_days(pl.col("own_max")).fill_null(_BIG),
        lo=_days(pl.col("own_min")).fill_null(-_BIG),
        above_hi=pl.lit(_BIG, pl.Int64),
        below_lo=pl.lit(-_BIG, pl.Int64),
    )
    df = pl.concat([seq, pinned]).sort("position")
    if copy_of.height == 0:
        return df.with_columns(copy_min=pl.lit(None, pl.Date), copy_max=pl.lit(None, pl.Date))
    got = copy_of.join(
        df.select(partner="position", p_lo="lo", p_hi="hi", p_min="own_min", p_max="own_max"), on="partner"
    )
    return (
        df.join(got.select("position", "p_lo", "p_hi", "p_min", "p_max"), on="position", how="left")
        .with_columns(
            lo=pl.coalesce("p_lo", "lo"),
            hi=pl.coalesce("p_hi", "hi"),
            copy_min=pl.col("p_min"),
            copy_max=pl.col("p_max"),
        )
        .drop("p_lo", "p_hi", "p_min", "p_max")
    )


def _order_contradictions(
    df: pl.DataFrame, ev: pl.DataFrame, dropped: list[int]
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """The contradiction frames of step 2 and 3: the set-aside evidence (``ev`` rows of the ``dropped`` posts)
    with what the rest of the feed allows at their positions, and timestamps that disagree with the order
    (reported and kept: ``lo`` is lowered to ``hi`` there). Returns ``(df, frames)``."""
    contradictions: list[pl.DataFrame] = []
    if dropped:
        allowed = df.filter(pl.col("position").is_in(dropped)).select(
            "position",
            allowed_min=pl.when(pl.col("below_lo") > -_BIG).then(pl.col("below_lo")).cast(pl.Date),
            allowed_max=pl.when(pl.col("above_hi") < _BIG).then(pl.col("above_hi")).cast(pl.Date),
        )
        contradictions.append(
            ev.filter(pl.col("position").is_in(dropped))
            .join(allowed, on="position")
            .with_columns(reason=pl.lit("contradicts the feed order (dates never increase down the feed): set aside"))
        )
    if (df["lo"] > df["hi"]).any():  # only timestamps left that disagree with the order: report, keep them
        bad = df.filter(pl.col("lo") > pl.col("hi"))
        contradictions.append(
            bad.select(
                "position",
                "post_id",
                kind=pl.lit("timestamp"),
                text=pl.lit(None, pl.String),
                post_min=pl.col("own_min"),
                post_max=pl.col("own_max"),
                allowed_min=pl.col("lo").cast(pl.Date),
                allowed_max=pl.col("hi").cast(pl.Date),
                reason=pl.lit("timestamps out of feed order"),
            )
        )
        df = df.with_columns(lo=pl.min_horizontal("lo", "hi"))
    return df, contradictions


def _point_estimates(
    df: pl.DataFrame,
    evidence: pl.DataFrame,
    event_spans: pl.DataFrame | None,
    estimate: str,
    membership: pl.DataFrame | None,
) -> pl.DataFrame:
    """Step 4: ``date_min/date_max`` from ``lo``/``hi`` and ``date_est`` by the rule ``estimate``
    (:data:`ESTIMATE_RULES`)."""
    df = df.with_columns(
        date_min=pl.when(pl.col("lo") > -_BIG).then(pl.col("lo")),
        date_max=pl.when(pl.col("hi") < _BIG).then(pl.col("hi")),
        has_own=pl.col("own_min").is_not_null() | pl.col("own_max").is_not_null(),
    )
    hints = _relative_hints(df, evidence, membership) if membership is not None else None
    return _estimates(df, event_spans, estimate, hints)


def _date_source(df: pl.DataFrame, dropped: list[int]) -> pl.DataFrame:
    """``date_source``: timestamp (an exact one), evidence, neighbours or unknown. Posts whose evidence was set
    aside do not count as dated by evidence, unless a copy's evidence dates them."""
    ts_exact = pl.col("ts_min").is_not_null() & (pl.col("ts_min") == pl.col("ts_max"))
    df = df.with_columns(
        date_source=pl.when(ts_exact)
        .then(pl.lit("timestamp"))
        .when(pl.col("ev_min").is_not_null() | pl.col("ev_max").is_not_null())
        .then(pl.lit("evidence"))
        .when(pl.col("date_min").is_not_null() | pl.col("date_max").is_not_null())
        .then(pl.lit("neighbours"))
        .otherwise(pl.lit("unknown")),
    )
    if not dropped:
        return df
    copied = pl.col("copy_min").is_not_null() | pl.col("copy_max").is_not_null()
    return df.with_columns(
        date_source=pl.when(pl.col("position").is_in(dropped) & ~ts_exact)
        .then(
            pl.when(copied)
            .then(pl.lit("evidence"))
            .when(pl.col("date_min").is_not_null() | pl.col("date_max").is_not_null())
            .then(pl.lit("neighbours"))
            .otherwise(pl.lit("unknown"))
        )
        .otherwise("date_source")
    )


#: Rules for the point estimate ``date_est`` (given only when both window bounds are known). Measured on the
#: seed's 17 posts whose days the public record establishes (error = days from the estimate to the true days)
#: and on the synthetic dated feed (error to the true day, timestamps hidden); see docs/timelines.md:
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
    schema = pl.Schema({"position": pl.Int64, "hint": pl.Date})
    if evidence.height == 0 or membership.height == 0 or "offset_days" not in evidence.columns:
        return pl.DataFrame(schema=schema)
    rel = (
        evidence.filter((pl.col("kind") == "relative") & (pl.col("offset_days").fill_null(0) != 0))
        .group_by("position")
        .agg(off=pl.col("offset_days").unique())
        .filter(pl.col("off").list.len() == 1)
        .select("position", off=pl.col("off").list.first())
    )
    resolved = evidence.filter((pl.col("kind") == "event_day") & pl.col("date_min").is_not_null()).select("position")
    rel = rel.join(resolved.unique(), on="position", how="anti").join(membership, on="position").sort("position")
    exact = (
        df.filter(pl.col("own_min").is_not_null() & (pl.col("own_min") == pl.col("own_max")))
        .select("position", d="own_min")
        .join(membership, on="position")
        .sort("position")
    )
    if rel.height == 0 or exact.height == 0:
        return pl.DataFrame(schema=schema)
    parts = []
    directions: tuple[tuple[int, Literal["forward", "backward"]], ...] = ((1, "forward"), (-1, "backward"))
    for off, strategy in directions:
        got = rel.filter(pl.col("off") == off).join_asof(
            exact, on="position", by="event_id", strategy=strategy, check_sortedness=False, allow_exact_matches=False
        )
        parts.append(got.select("position", hint=(pl.col("d") + pl.duration(days=off)).cast(pl.Date)))
    return pl.concat(parts).drop_nulls("hint").cast(schema)


def _estimates(
    df: pl.DataFrame, event_spans: pl.DataFrame | None, rule: str, hints: pl.DataFrame | None = None
) -> pl.DataFrame:
    """``df`` (the working frame of :func:`infer_windows`, day numbers in ``lo``/``hi``, windows in
    ``date_min``/``date_max``) with ``date_est`` by ``rule`` (:data:`ESTIMATE_RULES`); ``hints``
    (``position, hint``, from :func:`_relative_hints`) are used by the ``events`` rule."""
    if rule not in ESTIMATE_RULES:
        raise ValueError(f"estimate must be one of {ESTIMATE_RULES}, got {rule!r}")
    bounded, lo, hi = _window_days()
    if rule == "midpoint":
        return df.with_columns(date_est=pl.when(bounded).then(((lo + hi) / 2).round(0).cast(pl.Int64)).cast(pl.Date))
    df = _interpolated(df).with_columns(est=pl.when(bounded).then(pl.col("interp").clip(lo, hi)))
    has_spans = event_spans is not None and event_spans.height > 0
    has_hints = hints is not None and hints.height > 0
    if rule == "events" and (has_spans or has_hints):
        sp = (
            event_spans.select(
                "position",
                s_lo=_days(pl.col("span_min")),
                s_hi=_days(pl.col("span_max")),
                closing=pl.col("closing").fill_null(False),
            )
            if event_spans is not None and has_spans
            else pl.DataFrame(schema={"position": pl.Int64, "s_lo": pl.Int64, "s_hi": pl.Int64, "closing": pl.Boolean})
        )
        hn = (
            hints.select("position", hint=_days(pl.col("hint")))
            if hints is not None and has_hints
            else pl.DataFrame(schema={"position": pl.Int64, "hint": pl.Int64})
        )
        df = _between_event_posts(
            _in_event_days(df.join(sp, on="position", how="left").join(hn, on="position", how="left"))
        )
        df = df.drop("s_lo", "s_hi", "closing", "hint", "fixed", "up", "down")
    return df.with_columns(date_est=pl.col("est").cast(pl.Date)).drop("est", "interp")


def _window_days() -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """``(bounded, lo, hi)``: whether a window is bounded on both sides, and its first and last day numbers."""
    bounded = pl.col("date_min").is_not_null() & pl.col("date_max").is_not_null()
    return bounded, _days(pl.col("date_min")), _days(pl.col("date_max"))


def _interpolated(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with ``interp`` (a day number): linear interpolation by position between the midpoints of the
    windows of the posts with evidence of their own (``has_own``) and a bounded window (null without any)."""
    bounded, _, _ = _window_days()
    anchors = df.filter(pl.col("has_own") & bounded)
    if anchors.height == 0:
        return df.with_columns(interp=pl.lit(None, pl.Int64))
    mid = anchors.select((_days(pl.col("date_min")) + _days(pl.col("date_max"))) / 2).to_series().to_numpy()
    est = np.interp(df["position"].to_numpy().astype(float), anchors["position"].to_numpy().astype(float), mid)
    return df.with_columns(interp=pl.Series(np.round(est).astype(np.int64)))


def _in_event_days(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` (with the event days ``s_lo, s_hi, closing`` and the ``hint`` of its posts) with ``est`` moved to
    the hint when the window allows it, else inside the event's days (their last for a closing-day post), and
    ``fixed`` set on the posts so placed."""
    bounded, lo, hi = _window_days()
    in_lo, in_hi = pl.max_horizontal(lo, "s_lo"), pl.min_horizontal(hi, "s_hi")
    fits = bounded & pl.col("s_lo").is_not_null() & (in_lo <= in_hi)
    hinted = bounded & pl.col("hint").is_not_null() & pl.col("hint").is_between(lo, hi)
    return df.with_columns(
        est=pl.when(hinted)
        .then(pl.col("hint"))
        .when(fits & pl.col("closing"))
        .then(in_hi)
        .when(fits)
        .then(pl.col("est").clip(in_lo, in_hi))
        .otherwise("est"),
        fixed=fits | hinted,
    )


def _between_event_posts(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` sorted by position, the estimates of the posts not ``fixed`` kept between the estimates of the
    fixed posts above (newer: ``up``) and below (older: ``down``) them, and inside their windows (pinned posts
    left as they are)."""
    _, lo, hi = _window_days()
    seq = ~pl.col("is_pinned")
    fixed_est = pl.when(pl.col("fixed") & seq).then(pl.col("est"))
    return (
        df.sort("position")
        .with_columns(
            up=fixed_est.fill_null(_BIG).cum_min(),
            down=fixed_est.fill_null(-_BIG).cum_max(reverse=True),
        )
        .with_columns(
            est=pl.when(seq & ~pl.col("fixed") & pl.col("est").is_not_null())
            .then(pl.col("est").clip(pl.col("down"), pl.col("up")).clip(lo, hi))
            .otherwise("est")
        )
    )
