"""Date evidence in post text (English, Spanish, French), vectorised with polars regular expressions.

A profile scrape has no timestamps, yet its posts name dates. :func:`extract_evidence`
turns every post into zero or more *evidence rows*, one per clue:

=============  =====================================================  ======================================
kind           what is matched                                        event date it implies
=============  =====================================================  ======================================
``date``       a day and month, optional year (``October 5th``,        that day
               ``3 de marzo``, ``1er mai``, ``5º de mayo``)
``date_range`` two days (``1-4 de abril``, ``El 2 y 3 de mayo``,       first to last day
               ``30 June - 3 July 2025``, ``du 1er au 4 avril``)
``weekday``    a date with its weekday (``El lunes 3 de marzo``):     that day; the weekday picks the year
               the weekday confirms or chooses the year               (nearest to the reference year)
``year``       a year 2000-2099 in text or a hashtag (``Retreat       1 January to 31 December
               2025``, ``#HLPF2025``); ``Agenda 2030``/``post-2030``
               are not event years
``observance`` an observance day from the calendar CSV, by hashtag    that day (fixed or by rule)
               (``#WorldRefugeeDay``, ``#IWD2025``) or by name
``event_day``  an event-day ordinal (``Day 2``, ``Día 2``, ``4e        unknown alone: resolved within an
               jour``, ``first day``, ``final day``, ``dernier        event by :mod:`feedtools.timeline`
               jour``) or a word naming the event's first or last
               day (``¡Empieza el Foro…!``, ``is about to begin``,
               ``opening of the Forum``: day 1; ``comes to a
               close``, ``se clausura``, ``clôture du``: last day)
``relative``   ``today``, ``hoy``, ``aujourd'hui``, ``this morning``,  none: says the post is on, a day after
               ``last night``, ``anoche``, ``yesterday``, ``hier``,    (``offset_days`` 1) or a day before (-1)
               ``tomorrow``, ``demain``...                             the moment it describes
=============  =====================================================  ======================================

The word tables (months, weekdays, cue words, ordinals) are in :mod:`feedtools.text`.

Dates mentioned are **event** dates, not the post's date. Each row therefore also
carries ``relation``, how the post stands to the event, read from cue words:

* ``before``: future or announcement (``will``, ``we'll``, ``será``, ``daremos``,
  ``until``/``hasta``/``jusqu'au`` just before the date, ``open until``, ``register``,
  ``mark your calendars``, ``último día``...) -> the post is at most the event's last day;
* ``on``: present (``today``, ``hoy``, ``aujourd'hui``, ``this morning``, ``kicks off``,
  ``is about to begin``, ``empieza``, ``en direct``, ``se réunit``, ``This #Day``...)
  -> the post is within the event's days;
* ``after``: past (``has just finished``, ``took place``, ``was held``, ``last night``,
  ``anoche``, ``s'est réunie``, ``since``...) -> the post is on or after its first day;
* ``around``: an observance hashtag with no cue -> within ``observance_slack_days`` of it;
* ``unknown``: no cue -> the date does not bound the post (still shown, still used for events).

A cue right before the date (``until October 5th``) wins over the post's tense; among post-level
cues ``after`` wins over ``on``, which wins over ``before``. Event-day ordinals default to ``on``;
with a day-relative word in the same post (``Last night, the official opening of the Forum``) they
are ``on`` with ``offset_days`` set (the post is one day after the event day). For a repost the feed
position is the repost's time, which can be later than the post: ``on`` and ``before`` widen by
``repost_lag_days``.

The implied bounds of the post are in ``post_min``/``post_max`` (null = open).
Dates without a year take the feed's reference year (:func:`reference_year`: the
``year_hint`` if given, else the most frequent explicit year), flagged in
``year_source = 'reference'``; with no reference year such dates stay without bounds.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from feedtools.errors import TableError
from feedtools.paths import OBSERVANCES
from feedtools.text import (
    DAY_FIRST,
    EVENT_DAY_NUM,
    EVENT_DAY_ORD,
    EVENT_DAY_WORD,
    EVENT_MOMENT_CUES,
    MONTH_FIRST,
    MONTHS,
    NUMBER_WORDS,
    ORDINAL_WORDS,
    RELATIVE_CUES,
    TENSE_CUES,
    WEEKDAYS,
    cue_pattern,
    day_month_mentions,
    fold_tags,
    fold_text,
    fold_text_expr,
    weekday_number,
)
from feedtools.usertables import read_user_table

__all__ = [
    "DAY_FIRST",
    "DEFAULT_CALENDAR",
    "EVIDENCE_SCHEMA",
    "MONTHS",
    "MONTH_FIRST",
    "WEEKDAYS",
    "extract_evidence",
    "load_observances",
    "observance_date",
    "reference_year",
]

DEFAULT_CALENDAR = OBSERVANCES

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

#: Rows of the posts table :func:`extract_evidence` and :func:`reference_year` work on at a time (clues are per
#: post, so the result does not depend on it; the working memory does).
EVIDENCE_CHUNK_ROWS = 50_000

_LOCAL_BEFORE = r"(?i)^(?:until|till|through|hasta|jusqu|deadline|before|antes|avant|by)"

ON_CUES = cue_pattern(TENSE_CUES["on"])
AFTER_CUES = cue_pattern(TENSE_CUES["after"])
BEFORE_CUES = cue_pattern(TENSE_CUES["before"])
EVENT_FIRST = cue_pattern(EVENT_MOMENT_CUES["first"])
EVENT_LAST = cue_pattern(EVENT_MOMENT_CUES["last"])
_ORDINAL_WORDS = {**ORDINAL_WORDS, **{fold_text(k): v for k, v in ORDINAL_WORDS.items()}}
YEAR_IN_TEXT = r"(?i)(?:^|[^\p{L}\p{N}/._-])(post-|pre-|pré-)?(20\d\d)(?:$|[^\p{L}\p{N}/_-])(\s*agenda)?"
_ON_BEFORE_TAG = r"(?i)(?:^|[^\p{L}])(?:this|happy|today['’]s|on|este|esta|feliz|ce|cette|bonne|joyeuse|en el)\s+#(\w+)"

_RULE = re.compile(r"^(first|second|third|fourth|last)\s+(\w+)\s+of\s+(\w+)$", re.IGNORECASE)
_NTH = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_EN_WD = {n: i for i, n in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_EN_MONTHS = {
    n: i
    for i, n in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}


# --------------------------------------------------------------------------------------------- calendar
def load_observances(path: str | Path | None = None) -> pl.DataFrame:
    """Read an observance calendar CSV (default: the shipped ``data/observances.csv``).

    Columns (header required; ``#`` lines are comments): ``key`` (unique id), ``date``
    (``MM-DD`` or a rule ``<first|second|third|fourth|last> <weekday> of <month>``, English
    names), ``hashtags`` (``|``-separated, without ``#``, compared case-folded; a trailing
    year such as ``IWD2025`` is accepted), ``names`` (``|``-separated phrases matched
    case-insensitively), ``notes``.

    Returns one row per observance: ``key, month, day, rule, hashtags (list), names (list),
    notes, line``. Raises :class:`~feedtools.errors.TableError` (a ``ValueError``) naming the file and
    line for a malformed row (missing key, bad date or rule, duplicate key, wrong number of fields) and
    ``OSError`` when the file cannot be read.
    """
    path = Path(path) if path is not None else DEFAULT_CALENDAR
    rows = []
    seen: set[str] = set()
    table = read_user_table(
        path, columns=("key", "date", "hashtags", "names", "notes"), required=("key", "date", "hashtags", "names")
    )
    for lineno, rec in table:
        key, date_s, tags, names, notes = (rec[c] for c in ("key", "date", "hashtags", "names", "notes"))
        where = f"{path}, line {lineno}"
        if not key:
            raise TableError(f"{where}: empty key")
        if key in seen:
            raise TableError(f"{where}: duplicate key {key!r}")
        seen.add(key)
        month = day = None
        rule = None
        m = re.fullmatch(r"(\d{2})-(\d{2})", date_s)
        if m:
            month, day = int(m.group(1)), int(m.group(2))
            try:
                dt.date(2024, month, day)  # leap year: 02-29 allowed
            except ValueError:
                raise TableError(f"{where}: date {date_s!r} is not a valid MM-DD") from None
        else:
            r = _RULE.match(date_s)
            if not r or r.group(2).lower() not in _EN_WD or r.group(3).lower() not in _EN_MONTHS:
                raise TableError(
                    f"{where}: date {date_s!r} is neither MM-DD nor '<first|second|third|fourth|last> <weekday> "
                    "of <month>'"
                )
            rule = date_s.lower()
        tag_list = [t.strip().lstrip("#") for t in tags.split("|") if t.strip()]
        name_list = [n.strip() for n in names.split("|") if n.strip()]
        if not tag_list and not name_list:
            raise TableError(f"{where}: observance {key!r} has neither hashtags nor names")
        rows.append(
            {
                "key": key,
                "month": month,
                "day": day,
                "rule": rule,
                "hashtags": tag_list,
                "names": name_list,
                "notes": notes or None,
                "line": lineno,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "key": pl.String,
            "month": pl.Int64,
            "day": pl.Int64,
            "rule": pl.String,
            "hashtags": pl.List(pl.String),
            "names": pl.List(pl.String),
            "notes": pl.String,
            "line": pl.Int64,
        },
    )


def observance_date(month: int | None, day: int | None, rule: str | None, year: int) -> dt.date | None:
    """The date of an observance in ``year``: fixed ``month``/``day`` or a ``rule`` such as
    ``second Sunday of May``. ``None`` when the fixed day does not exist that year (29 February)."""
    if rule is None:
        if month is None or day is None:
            return None
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    m = _RULE.match(rule)
    if m is None:  # load_observances accepts only rules of this form
        raise ValueError(f"observance rule {rule!r} is not '<nth> <weekday> of <month>'")
    nth, wd, mon = _NTH[m.group(1).lower()], _EN_WD[m.group(2).lower()], _EN_MONTHS[m.group(3).lower()]
    if nth > 0:
        first = dt.date(year, mon, 1)
        return first + dt.timedelta(days=(wd - first.weekday()) % 7 + 7 * (nth - 1))
    last = (dt.date(year + (mon == 12), mon % 12 + 1, 1)) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - wd) % 7)


# --------------------------------------------------------------------------------------------- helpers
def _text_frame(posts: pl.DataFrame) -> pl.DataFrame:
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


def reference_year(posts: pl.DataFrame, year_hint: int | None = None) -> int | None:
    """The feed's reference year for dates written without one.

    ``year_hint`` when given; otherwise the most frequent explicit year (2000-2099) in
    the text or at the end of hashtags (``#IWD2025``), ``Agenda 2030``/``post-2030``
    excluded; ties go to the later year. ``None`` when the feed names no year.
    """
    if year_hint is not None:
        return int(year_hint)
    counts = [
        _explicit_years(_text_frame(chunk)).group_by("year").len() for chunk in posts.iter_slices(EVIDENCE_CHUNK_ROWS)
    ]  # per chunk: bounded working memory
    years = pl.concat(counts) if counts else pl.DataFrame(schema={"year": pl.Int64, "len": pl.UInt32})
    if years.height == 0:
        return None
    top = years.group_by("year").agg(pl.col("len").sum()).sort(["len", "year"], descending=True)
    return int(top["year"][0])


def _explicit_years(base: pl.DataFrame) -> pl.DataFrame:
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
    df = day_month_mentions(base, "t", ["position", "post_id"])
    df = df.with_columns(wdn=weekday_number(pl.col("wd")))
    # year: explicit > weekday (nearest year to the reference whose weekday matches) > reference
    cands = (
        df.with_row_index("rid")
        .filter(pl.col("y").is_null() & pl.col("wdn").is_not_null())
        .select("rid", "sm", "sd", "wdn")
        .join(pl.DataFrame({"off": [0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6, 6]}), how="cross")
        .with_columns(cy=pl.lit(ref, pl.Int64) + pl.col("off"))
        .with_columns(cd=_safe_date(pl.col("cy"), pl.col("sm"), pl.col("sd")))
        .filter(pl.col("cd").dt.weekday() == pl.col("wdn"))
        .with_columns(rank=pl.col("off").abs() * 2 + (pl.col("off") > 0))
        .sort("rank")
        .group_by("rid", maintain_order=True)
        .first()
        .select("rid", wy="cy")
    )
    df = df.with_row_index("rid").join(cands, on="rid", how="left").drop("rid")
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


def _tag_key(tags: pl.Series, *, strip_year: bool = True) -> pl.Series:
    """The hashtag key (:func:`feedtools.text.fold_tag`), a trailing year dropped (``IWD2025`` -> ``iwd``)."""
    key = fold_tags(tags)
    return key.str.replace(r"20\d\d$", "") if strip_year else key


def _observances(base: pl.DataFrame, cal: pl.DataFrame, ref: int | None) -> pl.DataFrame:
    cal_tags = cal.select("key", tag="hashtags").explode("tag").drop_nulls("tag")
    tag_map = (
        cal_tags.with_columns(fold=_tag_key(cal_tags["tag"]))
        .select("key", "fold")
        .unique(subset=["fold"], keep="first", maintain_order=True)
    )
    post_tags = base.select("position", "post_id", tag="tags").explode("tag").drop_nulls("tag")
    by_tag = (
        post_tags.with_columns(
            year=_tag_key(post_tags["tag"], strip_year=False).str.extract(r"(20\d\d)$").cast(pl.Int64),
            fold=_tag_key(post_tags["tag"]),
        )
        .join(tag_map, on="fold", how="inner")
        .select("position", "post_id", "key", "year", text=pl.lit("#") + pl.col("tag"), tagfold="fold")
    )
    names = cal.select("key", name="names").explode("name").drop_nulls("name")
    parts = [by_tag]
    if names.height:
        name_re = "(?i)(?:" + "|".join(re.escape(n) for n in sorted(names["name"], key=len, reverse=True)) + ")"
        name_map = names.select("key", fold=fold_text_expr(pl.col("name"))).unique(
            subset=["fold"], keep="first", maintain_order=True
        )
        by_name = (
            base.select("position", "post_id", m=pl.col("t").str.extract_all(name_re))
            .explode("m")
            .drop_nulls("m")
            .with_columns(fold=fold_text_expr(pl.col("m")))
            .join(name_map, on="fold", how="inner")
            .select(
                "position", "post_id", "key", year=pl.lit(None, pl.Int64), text="m", tagfold=pl.lit(None, pl.String)
            )
        )
        parts.append(by_name)
    hits = pl.concat(parts).unique(subset=["position", "key"], keep="first", maintain_order=True)
    if hits.height == 0:
        return hits
    hits = hits.with_columns(
        year_source=pl.when(pl.col("year").is_not_null())
        .then(pl.lit("hashtag"))
        .when(pl.lit(ref).is_not_null())
        .then(pl.lit("reference")),
        year=pl.coalesce("year", pl.lit(ref, pl.Int64)),
    )
    # the observance's date per (key, year): a tiny table computed in Python (rules need a calendar)
    pairs = hits.select("key", "year").drop_nulls().unique()
    cal_rows = {r["key"]: r for r in cal.iter_rows(named=True)}
    dates = pl.DataFrame(
        {
            "key": pairs["key"],
            "year": pairs["year"],
            "d": [
                observance_date(cal_rows[k]["month"], cal_rows[k]["day"], cal_rows[k]["rule"], y)
                for k, y in pairs.iter_rows()
            ],
        },
        schema={"key": pl.String, "year": pl.Int64, "d": pl.Date},
    )
    on_tags = base.select("position", tg=pl.col("t").str.extract_all(_ON_BEFORE_TAG)).explode("tg").drop_nulls("tg")
    on_tags = on_tags.select("position", tagfold=_tag_key(on_tags["tg"].str.extract(r"#(\w+)$")), tag_cue="tg").unique(
        subset=["position", "tagfold"], maintain_order=True
    )
    return (
        hits.join(dates, on=["key", "year"], how="left")
        .join(on_tags, on=["position", "tagfold"], how="left")
        .select(
            "position",
            "post_id",
            kind=pl.lit("observance"),
            text="text",
            date_min="d",
            date_max="d",
            year_source="year_source",
            observance="key",
            local_relation=pl.when(pl.col("tag_cue").is_not_null()).then(pl.lit("on")),
            local_cue="tag_cue",
            note=pl.when(pl.col("d").is_null() & pl.col("year").is_null()).then(
                pl.lit("no year: feed names none and no year_hint given")
            ),
        )
    )


def _event_days(base: pl.DataFrame) -> pl.DataFrame:
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
    days = pl.concat([num, ordn, word]).filter(pl.col("day_index").is_not_null() & (pl.col("day_index") != 0))
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


_RELATIVE = {off: cue_pattern(table) for off, table in RELATIVE_CUES.items()}


def _relatives(base: pl.DataFrame) -> pl.DataFrame:
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


# --------------------------------------------------------------------------------------------- main
def extract_evidence(
    posts: pl.DataFrame,
    *,
    calendar: pl.DataFrame | str | Path | None = None,
    year_hint: int | None = None,
    observance_slack_days: int = 3,
    repost_lag_days: int | None = 30,
) -> pl.DataFrame:
    """Date evidence for every post of ``posts`` (canonical posts table; needs ``position``,
    ``post_id`` and ``text``/``text_clean``; uses ``hashtags`` and ``is_repost`` when present).

    ``calendar`` is a frame from :func:`load_observances`, a path to such a CSV, or None for
    the shipped calendar. ``year_hint`` fixes the reference year for dates written without
    one (default: :func:`reference_year`). ``observance_slack_days`` is how far from an
    observance a post with its hashtag and no cue may be; ``repost_lag_days`` how much later
    than the reposted post a repost may be (None: no limit).

    Returns :data:`EVIDENCE_SCHEMA` rows sorted by position, kind and text: one per clue,
    several per post possible, none for posts without clues (or without text). Never
    raises on text content; raises ``ValueError``/``OSError`` for a bad calendar file.
    """
    cal = calendar if isinstance(calendar, pl.DataFrame) else load_observances(calendar)
    ref = reference_year(posts, year_hint)
    # every clue depends on its own post only (and on the feed's reference year): computed per chunk of rows, so
    # the working memory (text copies, matches) is that of a chunk, not of the whole feed
    parts = [
        _chunk_evidence(chunk, cal, ref, observance_slack_days, repost_lag_days)
        for chunk in posts.iter_slices(EVIDENCE_CHUNK_ROWS)
    ]
    parts = [part for part in parts if part.height]
    if not parts:
        return pl.DataFrame(schema=EVIDENCE_SCHEMA)
    if len(parts) == 1:
        return parts[0]
    return pl.concat(parts).sort(_EVIDENCE_ORDER, maintain_order=True)


def _chunk_evidence(
    posts: pl.DataFrame, cal: pl.DataFrame, ref: int | None, observance_slack_days: int, repost_lag_days: int | None
) -> pl.DataFrame:
    """:func:`extract_evidence` for the rows of ``posts`` (a chunk of the feed), ``ref`` the feed's reference year."""
    base = _text_frame(posts)
    if base.height == 0:
        return pl.DataFrame(schema=EVIDENCE_SCHEMA)
    cues = _cue_frame(base)
    years = (
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
    frames = [_explicit_dates(base, ref), years, _observances(base, cal, ref), _event_days(base), _relatives(base)]
    frames = [f for f in frames if f.height]
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
    ev = ev.join(cues, on="position", how="left").join(base.select("position", "rp"), on="position", how="left")
    default = (
        pl.when(pl.col("kind") == "observance")
        .then(pl.lit("around"))
        .when(pl.col("kind") == "event_day")
        .then(pl.lit("on"))
        .otherwise(pl.lit("unknown"))
    )
    ev = ev.with_columns(
        relation=pl.coalesce("local_relation", "post_relation", default),
        cue=pl.coalesce("local_cue", "post_cue"),
    )
    # an event day with a day-relative word ("Last night, the official opening of the Forum"): the post is that
    # many days from the event day, whatever the tense (one distinct non-zero offset per post, else none)
    rel_off = (
        ev.filter((pl.col("kind") == "relative") & (pl.col("offset_days") != 0))
        .group_by("position")
        .agg(off=pl.col("offset_days").unique(), rel_cue=pl.col("text").first())
        .filter(pl.col("off").list.len() == 1)
        .select("position", pl.col("off").list.first(), "rel_cue")
    )
    is_day = pl.col("kind") == "event_day"
    ev = ev.join(rel_off, on="position", how="left").with_columns(
        offset_days=pl.when(is_day).then(pl.col("off").fill_null(0)).otherwise("offset_days"),
        relation=pl.when(is_day & pl.col("off").is_not_null()).then(pl.lit("on")).otherwise("relation"),
        cue=pl.when(is_day & pl.col("off").is_not_null()).then("rel_cue").otherwise("cue"),
    )
    slack = pl.duration(days=observance_slack_days)
    lag = pl.duration(days=repost_lag_days) if repost_lag_days is not None else None
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
    if lag is None:
        pmax = pl.when(rp).then(None).otherwise(pmax)
    else:
        pmax = pl.when(rp).then(pmax + lag).otherwise(pmax)
    ev = ev.with_columns(post_min=pmin.cast(pl.Date), post_max=pmax.cast(pl.Date))
    return ev.select(list(EVIDENCE_SCHEMA)).cast(EVIDENCE_SCHEMA).sort(_EVIDENCE_ORDER)


_KIND_ORDER = {"date": 0, "date_range": 1, "weekday": 2, "observance": 3, "year": 4, "event_day": 5, "relative": 6}
_EVIDENCE_ORDER = [
    pl.col("position"),
    pl.col("kind").replace_strict(_KIND_ORDER, default=9, return_dtype=pl.Int64),
    pl.col("text"),
]
