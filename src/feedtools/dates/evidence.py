"""Evidence per chunk of posts: every kind of clue of :mod:`feedtools.dates` put together in
:data:`EVIDENCE_SCHEMA` rows, with the post's relation to the event and the bounds it implies for the post."""

from __future__ import annotations

import polars as pl

from feedtools.dates.cues import _cue_frame, _event_days, _relatives
from feedtools.dates.explicit import _explicit_dates, _year_rows
from feedtools.dates.observances import _observances

EVIDENCE_SCHEMA = pl.Schema(
    {
        "position": pl.Int64,  # the post's position in the feed
        "post_id": pl.String,
        "kind": pl.String,  # date | date_range | weekday | year | observance | event_day | relative
        "text": pl.String,  # the text matched
        "date_min": pl.Date,  # first day of the EVENT the evidence names (null = not known from this row)
        "date_max": pl.Date,  # last day of that event
        "year_source": pl.String,  # explicit | weekday | hashtag | reference | null
        "relation": pl.String,  # before | on | after | around | unknown: the post relative to the event
        "cue": pl.String,  # the cue words that set the relation (null = default)
        "day_index": pl.Int64,  # event_day: 1, 2, ... or -1 for the final day
        "observance": pl.String,  # observance key from the calendar
        "post_min": pl.Date,  # bounds this row implies for the POST's date (null = open)
        "post_max": pl.Date,
        "note": pl.String,
        "offset_days": pl.Int64,  # relative: days from the moment described to the post (today 0, yesterday 1,
        # tomorrow -1); event_day: the same, taken from the post's relative word (0 without one)
    }
)

_KIND_ORDER = {"date": 0, "date_range": 1, "weekday": 2, "observance": 3, "year": 4, "event_day": 5, "relative": 6}
_EVIDENCE_ORDER = [
    pl.col("position"),
    pl.col("kind").replace_strict(_KIND_ORDER, default=9, return_dtype=pl.Int64),
    pl.col("text"),
]


def _text_frame(posts: pl.DataFrame) -> pl.DataFrame:
    """``position, post_id, t, rp, tags``: the posts with text (``text_clean``, else ``text``), whether each is
    a repost and its hashtags (empty when the table has none)."""
    text = pl.col("text_clean") if "text_clean" in posts.columns else pl.col("text")
    if "text_clean" in posts.columns and "text" in posts.columns:
        text = pl.coalesce(pl.col("text_clean"), pl.col("text"))
    cols = [
        pl.col("position"),
        pl.col("post_id"),
        text.alias("t"),
        (pl.col("is_repost") if "is_repost" in posts.columns else pl.lit(False)).fill_null(False).alias("rp"),
        (pl.col("hashtags") if "hashtags" in posts.columns else pl.lit([], pl.List(pl.String))).alias("tags"),
    ]
    return posts.select(cols).filter(pl.col("t").is_not_null())


def _chunk_evidence(
    posts: pl.DataFrame, cal: pl.DataFrame, ref: int | None, observance_slack_days: int, repost_lag_days: int | None
) -> pl.DataFrame:
    """:func:`~feedtools.dates.extract_evidence` for the rows of ``posts`` (a chunk of the feed), ``ref`` the
    feed's reference year: the clues of every kind, their relations and the post bounds they imply."""
    base = _text_frame(posts)
    if base.height == 0:
        return pl.DataFrame(schema=EVIDENCE_SCHEMA)
    frames = [_explicit_dates(base, ref), _year_rows(base), _observances(base, cal, ref), _event_days(base)]
    frames = [f for f in [*frames, _relatives(base)] if f.height]
    if not frames:
        return pl.DataFrame(schema=EVIDENCE_SCHEMA)
    ev = pl.concat(frames, how="diagonal_relaxed")
    if ev.height == 0:
        return pl.DataFrame(schema=EVIDENCE_SCHEMA)
    for col, dtype in EVIDENCE_SCHEMA.items():
        if col not in ev.columns:
            ev = ev.with_columns(pl.lit(None, dtype).alias(col))
    for col in ("local_relation", "local_cue"):
        if col not in ev.columns:
            ev = ev.with_columns(pl.lit(None, pl.String).alias(col))
    ev = _event_day_offsets(_relations(ev, base))
    ev = _post_bounds(ev, observance_slack_days, repost_lag_days)
    return ev.select(list(EVIDENCE_SCHEMA)).cast(EVIDENCE_SCHEMA).sort(_EVIDENCE_ORDER)


def _relations(ev: pl.DataFrame, base: pl.DataFrame) -> pl.DataFrame:
    """``ev`` with ``relation`` and ``cue``: a cue right at the clue (``local_*``), else the post's tense
    (:func:`~feedtools.dates.cues._cue_frame`), else the kind's default (an observance: around, an event day:
    on, others unknown); and ``rp`` (the post is a repost) from ``base``."""
    ev = ev.join(_cue_frame(base), on="position", how="left").join(
        base.select("position", "rp"), on="position", how="left"
    )
    default = (
        pl.when(pl.col("kind") == "observance")
        .then(pl.lit("around"))
        .when(pl.col("kind") == "event_day")
        .then(pl.lit("on"))
        .otherwise(pl.lit("unknown"))
    )
    return ev.with_columns(
        relation=pl.coalesce("local_relation", "post_relation", default),
        cue=pl.coalesce("local_cue", "post_cue"),
    )


def _event_day_offsets(ev: pl.DataFrame) -> pl.DataFrame:
    """``ev`` with the event days' ``offset_days``: an event day with a day-relative word (``Last night, the
    official opening of the Forum``) has the post that many days from the event day, whatever the tense (one
    distinct non-zero offset per post, else none; 0 without one); such a row is ``on``, its cue the word."""
    rel_off = (
        ev.filter((pl.col("kind") == "relative") & (pl.col("offset_days") != 0))
        .group_by("position")
        .agg(off=pl.col("offset_days").unique(), rel_cue=pl.col("text").first())
        .filter(pl.col("off").list.len() == 1)
        .select("position", pl.col("off").list.first(), "rel_cue")
    )
    is_day = pl.col("kind") == "event_day"
    return ev.join(rel_off, on="position", how="left").with_columns(
        offset_days=pl.when(is_day).then(pl.col("off").fill_null(0)).otherwise("offset_days"),
        relation=pl.when(is_day & pl.col("off").is_not_null()).then(pl.lit("on")).otherwise("relation"),
        cue=pl.when(is_day & pl.col("off").is_not_null()).then("rel_cue").otherwise("cue"),
    )


def _post_bounds(ev: pl.DataFrame, observance_slack_days: int, repost_lag_days: int | None) -> pl.DataFrame:
    """``ev`` with ``post_min/post_max``, the bounds each clue implies for the post by its relation: on or after
    the event's first day (``on``, ``after``), on or before its last (``on``, ``before``), within
    ``observance_slack_days`` of it (``around``); a repost's upper bound later by ``repost_lag_days`` (None:
    open)."""
    slack = pl.duration(days=observance_slack_days)
    rel, rp = pl.col("relation"), pl.col("rp")
    pmin = (
        pl.when(rel.is_in(["on", "after"]))
        .then(pl.col("date_min"))
        .when(rel == "around")
        .then(pl.col("date_min") - slack)
    )
    pmax: pl.Expr = (
        pl.when(rel.is_in(["on", "before"]))
        .then(pl.col("date_max"))
        .when(rel == "around")
        .then(pl.col("date_max") + slack)
    )
    if repost_lag_days is None:
        pmax = pl.when(rp).then(None).otherwise(pmax)
    else:
        pmax = pl.when(rp).then(pmax + pl.duration(days=repost_lag_days)).otherwise(pmax)
    return ev.with_columns(post_min=pmin.cast(pl.Date), post_max=pmax.cast(pl.Date))
