"""Cue words in text: the post's tense (:func:`_cue_frame`), event-day ordinals and words naming an event's
first or last day (:func:`_event_days`), and relative days (:func:`_relatives`). The word tables are in
:mod:`feedtools.text`."""

from __future__ import annotations

import polars as pl

from feedtools.text import (
    EVENT_DAY_NUM,
    EVENT_DAY_ORD,
    EVENT_DAY_WORD,
    EVENT_MOMENT_CUES,
    NUMBER_WORDS,
    ORDINAL_WORDS,
    RELATIVE_CUES,
    TENSE_CUES,
    cue_pattern,
    fold_text,
)

ON_CUES = cue_pattern(TENSE_CUES["on"])
AFTER_CUES = cue_pattern(TENSE_CUES["after"])
BEFORE_CUES = cue_pattern(TENSE_CUES["before"])
EVENT_FIRST = cue_pattern(EVENT_MOMENT_CUES["first"])
EVENT_LAST = cue_pattern(EVENT_MOMENT_CUES["last"])
_ORDINAL_WORDS = {**ORDINAL_WORDS, **{fold_text(k): v for k, v in ORDINAL_WORDS.items()}}
_RELATIVE = {off: cue_pattern(table) for off, table in RELATIVE_CUES.items()}


def _cue_frame(base: pl.DataFrame) -> pl.DataFrame:
    """Post-level cues: the first on/after/before cue in each post and the resulting relation."""
    return base.select(
        "position",
        on=pl.col("t").str.extract(ON_CUES, 1),
        after=pl.col("t").str.extract(AFTER_CUES, 1),
        before=pl.col("t").str.extract(BEFORE_CUES, 1),
    ).with_columns(
        post_relation=pl.when(pl.col("after").is_not_null())
        .then(pl.lit("after"))
        .when(pl.col("on").is_not_null())
        .then(pl.lit("on"))
        .when(pl.col("before").is_not_null())
        .then(pl.lit("before")),
        post_cue=pl.coalesce("after", "on", "before"),
    )


def _event_days(base: pl.DataFrame) -> pl.DataFrame:
    """The ``event_day`` evidence rows of ``base`` (the text frame of a chunk): ordinals (``Day 2``, ``4e jour``,
    ``final day``: ``day_index`` 2, 4, -1) and, in posts that give no day number, words naming the event's first
    (1) or last (-1) day; one row per post and day index."""
    days = _day_numbers(base)
    # words naming the event's beginning or end, in posts that give no day number
    moments = pl.concat(
        [
            base.select(
                "position", "post_id", m=pl.col("t").str.extract(regex, 1), day_index=pl.lit(index, pl.Int64)
            ).drop_nulls("m")
            for regex, index in ((EVENT_FIRST, 1), (EVENT_LAST, -1))
        ]
    ).join(days.select("position").unique(), on="position", how="anti")
    return (
        pl.concat([days, moments])
        .select(
            "position",
            "post_id",
            kind=pl.lit("event_day"),
            text=pl.col("m").str.strip_chars(" \t#¡!¿?"),
            day_index="day_index",
        )
        .unique(subset=["position", "day_index"], keep="first", maintain_order=True)
    )


def _day_numbers(base: pl.DataFrame) -> pl.DataFrame:
    """``position, post_id, m, day_index``: the event-day ordinals of ``base`` in figures or words (``Day 2``,
    ``Día dos``), as ordinals (``4e jour``) and as ordinal words (``first day``, ``final day``: -1); a day 0 or
    an ordinal word naming a deadline (``último día de solicitudes``) is left out."""
    num = (
        base.select("position", "post_id", m=pl.col("t").str.extract_all(EVENT_DAY_NUM))
        .explode("m")
        .drop_nulls("m")
        .with_columns(n=pl.col("m").str.extract(EVENT_DAY_NUM, 1).str.to_lowercase())
        .with_columns(
            day_index=pl.col("n")
            .replace_strict(NUMBER_WORDS, default=None, return_dtype=pl.Int64)
            .fill_null(pl.col("n").cast(pl.Int64, strict=False))
        )
        .select("position", "post_id", "m", "day_index")
    )
    ordn = (
        base.select("position", "post_id", m=pl.col("t").str.extract_all(EVENT_DAY_ORD))
        .explode("m")
        .drop_nulls("m")
        .select("position", "post_id", "m", day_index=pl.col("m").str.extract(EVENT_DAY_ORD, 1).cast(pl.Int64))
    )
    word = (
        base.select("position", "post_id", m=pl.col("t").str.extract_all(EVENT_DAY_WORD))
        .explode("m")
        .drop_nulls("m")
        .with_columns(g=pl.col("m").str.extract_groups(EVENT_DAY_WORD))
        .unnest("g")
        .filter(pl.col("2").is_null())  # "último día de solicitudes" is a deadline, not an event day
        .select(
            "position",
            "post_id",
            "m",
            day_index=pl.col("1")
            .str.to_lowercase()
            .replace_strict(_ORDINAL_WORDS, default=None, return_dtype=pl.Int64),
        )
    )
    return pl.concat([num, ordn, word]).filter(pl.col("day_index").is_not_null() & (pl.col("day_index") != 0))


def _relatives(base: pl.DataFrame) -> pl.DataFrame:
    """The ``relative`` evidence rows of ``base``: ``today`` (``offset_days`` 0, on), ``yesterday``/``last night``
    (1: the post is a day after the moment it describes), ``tomorrow`` (-1: a day before)."""
    out = []
    for off, regex in _RELATIVE.items():
        rel, what = {0: ("on", "on"), 1: ("after", "a day after"), -1: ("before", "a day before")}[off]
        out.append(
            base.select("position", "post_id", m=pl.col("t").str.extract_all(regex))
            .explode("m")
            .drop_nulls("m")
            .select(
                "position",
                "post_id",
                kind=pl.lit("relative"),
                text=pl.col("m").str.strip_chars(),
                local_relation=pl.lit(rel),
                local_cue=pl.col("m").str.strip_chars(),
                offset_days=pl.lit(off, pl.Int64),
                note=pl.lit(f"the post is {what} the moment it describes"),
            )
        )
    return pl.concat(out)
