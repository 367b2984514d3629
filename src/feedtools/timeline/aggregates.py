"""Timelines in aggregate: posts per day or week with their uncertainty (:func:`period_counts`), windows grouped
for a chart (:func:`window_bands`), how sure the dates are (:func:`window_summary`), and a user's own event
calendar for overlays (:func:`load_event_calendar`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from feedtools.text import fold_tags
from feedtools.usertables import line_error, read_user_table

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
    tp = _grouped(timeline_posts, by, posts, top)
    closed = tp.filter(pl.col("date_min").is_not_null() & pl.col("date_max").is_not_null())
    opened = (
        tp.filter(pl.col("date_min").is_null() | pl.col("date_max").is_null())
        .group_by("group")
        .agg(n_open=pl.len().cast(pl.Int64))
    )
    parts = []
    if closed.height:
        parts.append(_closed_counts(closed, period).select(list(_COUNTS_SCHEMA)).cast(_COUNTS_SCHEMA))
    if opened.height:
        parts.append(
            opened.select(
                period_start=pl.lit(None, pl.Date),
                group="group",
                n_certain=pl.lit(0),
                n_possible=pl.lit(0),
                n_expected=pl.lit(0.0),
                n_open="n_open",
            ).cast(_COUNTS_SCHEMA)
        )
    if not parts:
        return pl.DataFrame(schema=_COUNTS_SCHEMA)
    return pl.concat(parts).sort("group", "period_start", nulls_last=True)


_COUNTS_SCHEMA = pl.Schema(
    {
        "period_start": pl.Date,
        "group": pl.String,
        "n_certain": pl.Int64,
        "n_possible": pl.Int64,
        "n_expected": pl.Float64,
        "n_open": pl.Int64,
    }
)


def _grouped(timeline_posts: pl.DataFrame, by: str | None, posts: pl.DataFrame | None, top: int) -> pl.DataFrame:
    """``position, date_min, date_max, group`` for :func:`period_counts`: one row per post (``group`` ``'all'``
    or its language), or per post and one of the ``top`` commonest hashtags (case-folded) it carries."""
    tp = timeline_posts.select(
        "position", "date_min", "date_max", group=pl.col("lang").fill_null("und") if by == "lang" else pl.lit("all")
    )
    if by != "hashtag":
        return tp
    if posts is None or "hashtags" not in posts.columns:
        raise ValueError("by='hashtag' needs the posts table (with hashtags)")
    tags = posts.select("position", tag=pl.col("hashtags")).explode("tag").drop_nulls("tag")
    tags = tags.with_columns(tag=pl.lit("#") + fold_tags(tags["tag"])).filter(pl.col("tag") != "#").unique()
    keep = tags.group_by("tag").len().sort(["len", "tag"], descending=[True, False]).head(top)["tag"]
    return (
        tp.drop("group").join(tags.filter(pl.col("tag").is_in(keep.implode())), on="position").rename({"tag": "group"})
    )


def _closed_counts(closed: pl.DataFrame, period: str) -> pl.DataFrame:
    """The rows of :func:`period_counts` for posts whose window is bounded on both sides (``closed``:
    ``group, date_min, date_max``): difference arrays over the days spanned, summed per period."""
    c = closed.with_columns(
        w=(pl.col("date_max") - pl.col("date_min")).dt.total_days() + 1,
        ps=_period_start(pl.col("date_min"), period),
        pe=_period_start(pl.col("date_max"), period),
    )
    day0, day1 = c.select(pl.col("date_min").min(), pl.col("date_max").max()).row(0)
    days = pl.DataFrame({"day": pl.date_range(day0, day1 + dt.timedelta(days=1), "1d", eager=True)})
    groups = c.select("group").unique()
    grid = groups.join(days, how="cross")
    # expected: +1/w at date_min, -1/w the day after date_max, cumulative sum over days
    dens = (
        pl.concat(
            [
                c.select("group", day="date_min", v=1.0 / pl.col("w")),
                c.select("group", day=pl.col("date_max") + pl.duration(days=1), v=-1.0 / pl.col("w")),
            ]
        )
        .group_by("group", "day")
        .agg(pl.col("v").sum())
    )
    daily = (
        grid.join(dens, on=["group", "day"], how="left")
        .sort("group", "day")
        .with_columns(exp=pl.col("v").fill_null(0).cum_sum().over("group"))
        .with_columns(period_start=_period_start(pl.col("day"), period))
        .filter(pl.col("day") <= day1)
        .group_by("group", "period_start")
        .agg(n_expected=pl.col("exp").sum())
    )
    step = pl.duration(weeks=1) if period == "week" else pl.duration(days=1)
    poss = (
        pl.concat(
            [
                c.select("group", period_start="ps", v=pl.lit(1, pl.Int64)),
                c.select("group", period_start=pl.col("pe") + step, v=pl.lit(-1, pl.Int64)),
            ]
        )
        .group_by("group", "period_start")
        .agg(pl.col("v").sum())
    )
    certain = (
        c.filter(pl.col("ps") == pl.col("pe"))
        .group_by("group", period_start="ps")
        .agg(n_certain=pl.len().cast(pl.Int64))
    )
    return (
        daily.join(poss, on=["group", "period_start"], how="left")
        .sort("group", "period_start")
        .with_columns(n_possible=pl.col("v").fill_null(0).cum_sum().over("group"))
        .join(certain, on=["group", "period_start"], how="left")
        .with_columns(
            n_certain=pl.col("n_certain").fill_null(0),
            n_open=pl.lit(None, pl.Int64),
            n_expected=pl.col("n_expected").round(3),
        )
        .filter((pl.col("n_possible") > 0) | (pl.col("n_expected") > 0))
    )


def window_bands(timeline_posts: pl.DataFrame, *, max_rows: int = 300) -> pl.DataFrame:
    """Posts grouped by identical window: ``date_min, date_max, date_source, n_posts,
    first_position, last_position`` (feed order), at most ``max_rows`` rows (the newest
    windows first), so a chart of windows stays small whatever the feed's size. Posts with
    an open window are left out."""
    return (
        timeline_posts.filter(pl.col("date_min").is_not_null() & pl.col("date_max").is_not_null())
        .group_by("date_min", "date_max", "date_source")
        .agg(
            n_posts=pl.len().cast(pl.Int64),
            first_position=pl.col("position").min(),
            last_position=pl.col("position").max(),
        )
        .sort("first_position")
        .head(max_rows)
    )


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
        "start", "label"
    )


def window_summary(timeline_posts: pl.DataFrame) -> pl.DataFrame:
    """How sure the dates are: one row per ``date_source`` (timestamp, evidence, neighbours,
    unknown) with ``posts``, ``share`` of the feed, ``exact_day`` (one-day windows),
    ``within_week`` (windows of at most 7 days), ``median_days`` and ``max_days`` of the
    bounded windows, and ``open`` (windows open on at least one side)."""
    order = {"timestamp": 0, "evidence": 1, "neighbours": 2, "unknown": 3}
    n = max(timeline_posts.height, 1)
    return (
        timeline_posts.group_by("date_source")
        .agg(
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
