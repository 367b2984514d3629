"""Explicit dates in text: days with a month (``October 5th``, ``3 de marzo``), ranges (``1-4 de abril``),
weekdays that choose the year (``El lunes 3 de marzo``) and years (``Retreat 2025``, ``#HLPF2025``)."""

from __future__ import annotations

import polars as pl

from feedtools.text import day_month_mentions, weekday_number

#: A cue right before a date that makes it a deadline (``until October 5th``): the post is before it.
_LOCAL_BEFORE = r"(?i)^(?:until|till|through|hasta|jusqu|deadline|before|antes|avant|by)"
YEAR_IN_TEXT = r"(?i)(?:^|[^\p{L}\p{N}/._-])(post-|pre-|pré-)?(20\d\d)(?:$|[^\p{L}\p{N}/_-])(\s*agenda)?"
#: Years around the reference year a weekday may choose, nearest first (earlier first on ties).
_WEEKDAY_YEAR_OFFSETS = [0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6, 6]


def _explicit_years(base: pl.DataFrame) -> pl.DataFrame:
    """``position, post_id, year, text, source``: the years 2000-2099 in the text of ``base`` (``Agenda 2030``,
    ``post-2030`` left out; ``source`` ``text``) and at the end of its hashtags (``#IWD2025``; ``hashtag``)."""
    text_years = (
        base.select("position", "post_id", m=pl.col("t").str.extract_all(YEAR_IN_TEXT))
        .explode("m")
        .drop_nulls("m")
        .with_columns(g=pl.col("m").str.extract_groups(YEAR_IN_TEXT))
        .unnest("g")
        .filter(pl.col("1").is_null() & pl.col("3").is_null())
        .select("position", "post_id", year=pl.col("2").cast(pl.Int64), text=pl.col("2"), source=pl.lit("text"))
    )
    tag_years = (
        base.select("position", "post_id", tag=pl.col("tags"))
        .explode("tag")
        .drop_nulls("tag")
        .with_columns(year=pl.col("tag").str.extract(r"(?:^|\D)(20\d\d)$").cast(pl.Int64))
        .drop_nulls("year")
        .select("position", "post_id", "year", text=pl.lit("#") + pl.col("tag"), source=pl.lit("hashtag"))
    )
    return pl.concat([text_years, tag_years])


def _year_rows(base: pl.DataFrame) -> pl.DataFrame:
    """The ``year`` evidence rows of ``base``: 1 January to 31 December of each year a post names, once per
    post and year."""
    return (
        _explicit_years(base)
        .select(
            "position",
            "post_id",
            kind=pl.lit("year"),
            text="text",
            date_min=pl.date("year", 1, 1),
            date_max=pl.date("year", 12, 31),
            year_source=pl.when(pl.col("source") == "hashtag").then(pl.lit("hashtag")).otherwise(pl.lit("explicit")),
        )
        .unique(subset=["position", "date_min"], keep="first", maintain_order=True)
    )


def _safe_date(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """pl.date that gives null (not an error) for impossible dates such as 30 February."""
    ok = (m.is_between(1, 12)) & (d >= 1)
    first = pl.date(pl.when(ok).then(y).otherwise(2000), pl.when(ok).then(m).otherwise(1), 1)
    dim = first.dt.month_end().dt.day().cast(pl.Int64)
    ok = ok & y.is_not_null() & (d <= dim)
    return pl.when(ok).then(
        pl.date(pl.when(ok).then(y).otherwise(2000), pl.when(ok).then(m).otherwise(1), pl.when(ok).then(d).otherwise(1))
    )


def _explicit_dates(base: pl.DataFrame, ref: int | None) -> pl.DataFrame:
    """The ``date``, ``date_range`` and ``weekday`` evidence rows of ``base`` (the text frame of a chunk), with
    ``local_cue``/``local_relation`` from a cue right before the date (``until``: before; ``since``: after).
    The year: written > chosen by the weekday (:func:`_weekday_years`) > the reference year ``ref``."""
    df = day_month_mentions(base, "t", ["position", "post_id"])
    df = df.with_columns(wdn=weekday_number(pl.col("wd")))
    df = df.with_row_index("rid").join(_weekday_years(df, ref), on="rid", how="left").drop("rid")
    df = df.with_columns(
        year=pl.coalesce("y", "wy", pl.lit(ref, pl.Int64)),
        year_source=pl.when(pl.col("y").is_not_null())
        .then(pl.lit("explicit"))
        .when(pl.col("wy").is_not_null())
        .then(pl.lit("weekday"))
        .when(pl.lit(ref).is_not_null())
        .then(pl.lit("reference")),
    ).with_columns(sy=pl.col("year") - (pl.col("sm") > pl.col("em")).cast(pl.Int64))
    df = df.with_columns(
        date_min=_safe_date(pl.col("sy"), pl.col("sm"), pl.col("sd")),
        date_max=_safe_date(pl.col("year"), pl.col("em"), pl.col("ed")),
    )
    return _date_rows(df)


def _weekday_years(df: pl.DataFrame, ref: int | None) -> pl.DataFrame:
    """``rid, wy``: for each mention of ``df`` (by row index) with a weekday and no year, the year nearest to
    ``ref`` (earlier first on ties, at most six years away) in which its first day falls on that weekday."""
    return (
        df.with_row_index("rid")
        .filter(pl.col("y").is_null() & pl.col("wdn").is_not_null())
        .select("rid", "sm", "sd", "wdn")
        .join(pl.DataFrame({"off": _WEEKDAY_YEAR_OFFSETS}), how="cross")
        .with_columns(cy=pl.lit(ref, pl.Int64) + pl.col("off"))
        .with_columns(cd=_safe_date(pl.col("cy"), pl.col("sm"), pl.col("sd")))
        .filter(pl.col("cd").dt.weekday() == pl.col("wdn"))
        .with_columns(rank=pl.col("off").abs() * 2 + (pl.col("off") > 0))
        .sort("rank")
        .group_by("rid", maintain_order=True)
        .first()
        .select("rid", wy="cy")
    )


def _date_rows(df: pl.DataFrame) -> pl.DataFrame:
    """The evidence rows of the dated mentions ``df`` (``date_min/date_max`` computed, ``pre`` the cue before the
    date): kind, relation of a cue before the date, and a note for a date that cannot be used (the dates are
    nulled when the range ends before it starts)."""
    wd_ok = pl.col("date_min").dt.weekday() == pl.col("wdn")
    return df.select(
        "position",
        "post_id",
        kind=pl.when(pl.col("wdn").is_not_null())
        .then(pl.lit("weekday"))
        .when(pl.col("date_max") > pl.col("date_min"))
        .then(pl.lit("date_range"))
        .otherwise(pl.lit("date")),
        text=pl.col("m").str.strip_chars(),
        date_min="date_min",
        date_max="date_max",
        year_source="year_source",
        local_cue=pl.col("pre"),
        local_relation=pl.when(pl.col("pre").str.contains(_LOCAL_BEFORE))
        .then(pl.lit("before"))
        .when(pl.col("pre").is_not_null())
        .then(pl.lit("after")),
        note=pl.when(pl.col("date_min").is_null() & pl.col("year").is_not_null())
        .then(pl.lit("impossible date"))
        .when(pl.col("year").is_null())
        .then(pl.lit("no year: feed names none and no year_hint given"))
        .when(pl.col("wdn").is_not_null() & ~wd_ok)
        .then(pl.lit("weekday does not match the date"))
        .when(pl.col("date_max") < pl.col("date_min"))
        .then(pl.lit("range ends before it starts")),
    ).with_columns(
        date_min=pl.when(pl.col("date_max") >= pl.col("date_min")).then("date_min"),
        date_max=pl.when(pl.col("date_max") >= pl.col("date_min")).then("date_max"),
    )
