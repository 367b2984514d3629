"""The days of each event the feed gives: an event's first (and last) day from the dates its posts name
(:func:`_event_starts`), event-day ordinals and moments dated inside their event (:func:`resolve_event_days`),
and the days of each event for every post tied to it (:func:`event_spans`)."""

from __future__ import annotations

import polars as pl

from feedtools.timeline.params import DEFAULT_EVENT_PARAMS, EventParams


def _event_starts(ev: pl.DataFrame, posts: pl.DataFrame | None) -> pl.DataFrame:
    """``event_id, start, end, src``: each event's first day (and last, when a range gives it), from the
    evidence joined to membership (``ev``); see :func:`resolve_event_days`."""
    ranges = ev.filter(
        pl.col("kind").is_in(["date_range"]) & pl.col("event_id").is_not_null() & pl.col("date_min").is_not_null()
    ).select(
        "event_id",
        start=pl.col("date_min"),
        end=pl.col("date_max"),
        src=pl.format("'{}' at position {}", pl.col("text"), pl.col("position")),
    )
    exact = (
        ev.filter(~pl.col("kind").is_in(["event_day", "relative"]))
        .group_by("position")
        .agg(lo=pl.col("post_min").max(), hi=pl.col("post_max").min())
        .filter(pl.col("lo").is_not_null() & (pl.col("lo") == pl.col("hi")))
    )
    numbered = ev.filter(
        (pl.col("kind") == "event_day")
        & (pl.col("day_index") > 0)
        & (pl.col("relation") == "on")
        & pl.col("event_id").is_not_null()
    )
    if posts is not None and "is_repost" in posts.columns:
        numbered = numbered.join(posts.select("position", "is_repost"), on="position", how="left").filter(
            ~pl.col("is_repost").fill_null(False)
        )
    from_day = numbered.join(exact, on="position").select(
        "event_id",
        start=(pl.col("lo") - pl.duration(days=pl.col("day_index") - 1 + pl.col("offset_days").fill_null(0))).cast(
            pl.Date
        ),
        end=pl.lit(None, pl.Date),
        src=pl.format("day {} = {} at position {}", pl.col("day_index"), pl.col("lo"), pl.col("position")),
    )
    cands = pl.concat([ranges.with_columns(prio=pl.lit(0)), from_day.with_columns(prio=pl.lit(1))])
    empty = pl.DataFrame(schema={"event_id": pl.String, "start": pl.Date, "end": pl.Date, "src": pl.String})
    if cands.height == 0:
        return empty
    best = (
        cands.group_by("event_id", "start")
        .agg(n=pl.len(), prio=pl.col("prio").min(), end=pl.col("end").drop_nulls().first(), src=pl.col("src").first())
        .sort(["event_id", "n", "prio"], descending=[False, True, False])
    )
    ties = best.group_by("event_id").agg(top=pl.col("n").max(), k=(pl.col("n") == pl.col("n").max()).sum())
    return (
        best.join(ties, on="event_id")
        .filter(pl.col("k") == 1)
        .group_by("event_id", maintain_order=True)
        .first()
        .select("event_id", "start", "end", "src")
    )


def resolve_event_days(
    evidence: pl.DataFrame,
    membership: pl.DataFrame,
    *,
    repost_lag_days: int | None = 30,
    posts: pl.DataFrame | None = None,
) -> pl.DataFrame:
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
    ev = _resolved_days(ev, best)
    ev = ev.with_columns(rp=_repost_flags(ev, posts).fill_null(False))
    return _fill_resolved(ev, repost_lag_days).select(evidence.columns)


def _resolved_days(ev: pl.DataFrame, best: pl.DataFrame) -> pl.DataFrame:
    """``ev`` (evidence with ``event_id``) joined to its event's ``start, end, src`` (``best``, from
    :func:`_event_starts`), with ``resolved``: the day an ``event_day`` row names (day n: start + n - 1; the final
    day: the end), null when unknown or after the event's last day."""
    day = (
        pl.when(pl.col("day_index") > 0)
        .then(pl.col("start") + pl.duration(days=pl.col("day_index") - 1))
        .when(pl.col("day_index") == -1)
        .then(pl.col("end"))
    )
    return (
        ev.join(best, on="event_id", how="left")
        .with_columns(
            resolved=pl.when((pl.col("kind") == "event_day") & pl.col("start").is_not_null()).then(day).cast(pl.Date)
        )
        .with_columns(
            resolved=pl.when(pl.col("end").is_not_null() & (pl.col("resolved") > pl.col("end")))
            .then(None)
            .otherwise("resolved")
        )
    )


def _repost_flags(ev: pl.DataFrame, posts: pl.DataFrame | None) -> pl.Series:
    """Whether the post of each row of ``ev`` is a repost (``is_repost`` of ``posts``; false without it)."""
    if posts is not None and "is_repost" in posts.columns:
        return ev.join(posts.select("position", rp=pl.col("is_repost").fill_null(False)), on="position", how="left")[
            "rp"
        ]
    return pl.Series([False] * ev.height)


def _fill_resolved(ev: pl.DataFrame, repost_lag_days: int | None) -> pl.DataFrame:
    """``ev`` with ``date_min/date_max`` (the ``resolved`` day), ``post_min/post_max`` (by the relation, moved by
    ``offset_days``; a repost's upper bound ``repost_lag_days`` later, None: open) and ``note`` filled on the
    rows whose day is resolved; other rows unchanged."""
    lag = pl.duration(days=repost_lag_days) if repost_lag_days is not None else None
    rel = pl.col("relation")
    r = (pl.col("resolved") + pl.duration(days=pl.col("offset_days").fill_null(0))).cast(pl.Date)
    pmin = pl.when(rel.is_in(["on", "after"])).then(r)
    pmax: pl.Expr = pl.when(rel.is_in(["on", "before"])).then(r)
    pmax = pl.when(pl.col("rp")).then(pmax + lag if lag is not None else None).otherwise(pmax)
    has = pl.col("resolved").is_not_null()
    shift = (
        pl.when(pl.col("offset_days").fill_null(0) != 0)
        .then(pl.format("; the post is {} day(s) from it ('{}')", pl.col("offset_days"), pl.col("cue")))
        .otherwise(pl.lit(""))
    )
    return ev.with_columns(
        date_min=pl.when(has).then(pl.col("resolved")).otherwise("date_min"),
        date_max=pl.when(has).then(pl.col("resolved")).otherwise("date_max"),
        post_min=pl.when(has).then(pmin.cast(pl.Date)).otherwise("post_min"),
        post_max=pl.when(has).then(pmax.cast(pl.Date)).otherwise("post_max"),
        note=pl.when(has)
        .then(
            pl.format(
                "day of event {} (day 1 = {} from {}){}", pl.col("event_id"), pl.col("start"), pl.col("src"), shift
            )
        )
        .otherwise("note"),
    )


_SPANS_SCHEMA = pl.Schema(
    {"position": pl.Int64, "event_id": pl.String, "span_min": pl.Date, "span_max": pl.Date, "closing": pl.Boolean}
)


def event_spans(
    evidence: pl.DataFrame,
    membership: pl.DataFrame,
    posts: pl.DataFrame | None = None,
    *,
    params: EventParams = DEFAULT_EVENT_PARAMS,
) -> pl.DataFrame:
    """The days of each event the feed gives, for every post tied to it.

    ``evidence``: rows after :func:`resolve_event_days`; ``membership``: ``position, event_id``
    (:func:`~feedtools.timeline.events.find_events`). An event's days are known when its first day is (see
    :func:`resolve_event_days`); they end on the last day a range gives, else on the latest
    day the feed names for it (resolved event days, dates of its posts that fall on or after
    the first day and at most ``params.span_horizon_days`` after it, :class:`EventParams`), plus one when a post names the event's final or closing day without a
    date (that day is after every day the feed names). Returns ``position, event_id,
    span_min, span_max, closing`` (``closing``: the post names the final or closing day and
    no date resolves it), one row per member post of an event with known days.
    """
    if evidence.height == 0 or membership.height == 0:
        return pl.DataFrame(schema=_SPANS_SCHEMA)
    ev = evidence.join(membership, on="position", how="inner")
    best = _event_starts(ev, posts)
    if best.height == 0:
        return pl.DataFrame(schema=_SPANS_SCHEMA)
    closing = (
        ev.filter((pl.col("kind") == "event_day") & (pl.col("day_index") == -1) & pl.col("date_min").is_null())
        .select("position", closing=pl.lit(True))
        .unique()
    )
    open_end = closing.join(membership, on="position").select("event_id").unique().with_columns(plus=pl.lit(1))
    spans = (
        best.join(_latest_named(ev, best, params), on="event_id", how="left")
        .join(open_end, on="event_id", how="left")
        .select(
            "event_id",
            span_min="start",
            span_max=pl.coalesce("end", pl.col("latest") + pl.duration(days=pl.col("plus").fill_null(0)), "start").cast(
                pl.Date
            ),
        )
    )
    return (
        membership.join(spans, on="event_id")
        .join(closing, on="position", how="left")
        .with_columns(pl.col("closing").fill_null(False))
        .select(list(_SPANS_SCHEMA))
        .cast(_SPANS_SCHEMA)
        .sort("position")
    )


def _latest_named(ev: pl.DataFrame, best: pl.DataFrame, params: EventParams) -> pl.DataFrame:
    """``event_id, latest``: the latest day the evidence ``ev`` of each event names (resolved event days and
    dates) on or after its first day (``best``) and at most ``params.span_horizon_days`` after it."""
    return (
        ev.join(best.select("event_id", "start"), on="event_id")
        .filter(
            pl.col("kind").is_in(["event_day", "date", "date_range", "weekday"])
            & pl.col("date_max").is_not_null()
            & (pl.col("date_max") >= pl.col("start"))
            & (pl.col("date_max") <= pl.col("start") + pl.duration(days=params.span_horizon_days))
        )
        .group_by("event_id")
        .agg(latest=pl.col("date_max").max())
    )
