"""Observance days: the calendar CSV (:func:`load_observances`), an observance's date in a year
(:func:`observance_date`), and the ``observance`` evidence rows of a chunk of posts (by hashtag or by name)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from feedtools.errors import TableError
from feedtools.paths import OBSERVANCES
from feedtools.text import fold_tags, fold_text_expr
from feedtools.usertables import read_user_table

DEFAULT_CALENDAR = OBSERVANCES

#: A hashtag right after a word saying the post is on (or just before) the day: ``This #WorldRefugeeDay``.
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
        where = f"{path}, line {lineno}"
        if not rec["key"]:
            raise TableError(f"{where}: empty key")
        if rec["key"] in seen:
            raise TableError(f"{where}: duplicate key {rec['key']!r}")
        seen.add(rec["key"])
        rows.append(_calendar_row(rec, lineno, where))
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


def _calendar_row(rec: dict[str, str], lineno: int, where: str) -> dict:
    """One calendar row (a dict with the columns of :func:`load_observances`) from the fields ``rec`` of line ``lineno`` (its key
    checked by the caller); raises :class:`~feedtools.errors.TableError` prefixed with ``where`` for a bad date
    or an observance with neither hashtags nor names."""
    key, date_s, tags, names, notes = (rec[c] for c in ("key", "date", "hashtags", "names", "notes"))
    month, day, rule = _calendar_date(date_s, where)
    tag_list = [t.strip().lstrip("#") for t in tags.split("|") if t.strip()]
    name_list = [n.strip() for n in names.split("|") if n.strip()]
    if not tag_list and not name_list:
        raise TableError(f"{where}: observance {key!r} has neither hashtags nor names")
    return {
        "key": key,
        "month": month,
        "day": day,
        "rule": rule,
        "hashtags": tag_list,
        "names": name_list,
        "notes": notes or None,
        "line": lineno,
    }


def _calendar_date(date_s: str, where: str) -> tuple[int | None, int | None, str | None]:
    """``(month, day, rule)`` of a calendar ``date`` field: ``MM-DD`` (29 February allowed) gives month and day,
    a rule ``<nth> <weekday> of <month>`` gives the rule case-folded; anything else raises
    :class:`~feedtools.errors.TableError` prefixed with ``where``."""
    m = re.fullmatch(r"(\d{2})-(\d{2})", date_s)
    if m:
        month, day = int(m.group(1)), int(m.group(2))
        try:
            dt.date(2024, month, day)  # leap year: 02-29 allowed
        except ValueError:
            raise TableError(f"{where}: date {date_s!r} is not a valid MM-DD") from None
        return month, day, None
    r = _RULE.match(date_s)
    if not r or r.group(2).lower() not in _EN_WD or r.group(3).lower() not in _EN_MONTHS:
        raise TableError(
            f"{where}: date {date_s!r} is neither MM-DD nor '<first|second|third|fourth|last> <weekday> of <month>'"
        )
    return None, None, date_s.lower()


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


# --------------------------------------------------------------------------------------------- evidence
def _tag_key(tags: pl.Series, *, strip_year: bool = True) -> pl.Series:
    """The hashtag key (:func:`feedtools.text.fold_tag`), a trailing year dropped (``IWD2025`` -> ``iwd``)."""
    key = fold_tags(tags)
    return key.str.replace(r"20\d\d$", "") if strip_year else key


def _observances(base: pl.DataFrame, cal: pl.DataFrame, ref: int | None) -> pl.DataFrame:
    """The ``observance`` evidence rows of ``base`` (the text frame of a chunk: ``position, post_id, t, tags``):
    the calendar ``cal``'s days named by hashtag or by name, one per post and observance, dated in the
    hashtag's year, else the reference year ``ref``; a hashtag after an ``on`` word (``This #Day``) says the
    post is on the day."""
    parts = [_hits_by_tag(base, cal)]
    names = cal.select("key", name="names").explode("name").drop_nulls("name")
    if names.height:
        parts.append(_hits_by_name(base, names))
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
    return (
        hits.join(_observance_dates(hits, cal), on=["key", "year"], how="left")
        .join(_on_tags(base), on=["position", "tagfold"], how="left")
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


def _hits_by_tag(base: pl.DataFrame, cal: pl.DataFrame) -> pl.DataFrame:
    """``position, post_id, key, year, text, tagfold``: the posts' hashtags that name an observance of ``cal``
    (keys compared with a trailing year dropped; ``year``: that trailing year)."""
    cal_tags = cal.select("key", tag="hashtags").explode("tag").drop_nulls("tag")
    tag_map = (
        cal_tags.with_columns(fold=_tag_key(cal_tags["tag"]))
        .select("key", "fold")
        .unique(subset=["fold"], keep="first", maintain_order=True)
    )
    post_tags = base.select("position", "post_id", tag="tags").explode("tag").drop_nulls("tag")
    return (
        post_tags.with_columns(
            year=_tag_key(post_tags["tag"], strip_year=False).str.extract(r"(20\d\d)$").cast(pl.Int64),
            fold=_tag_key(post_tags["tag"]),
        )
        .join(tag_map, on="fold", how="inner")
        .select("position", "post_id", "key", "year", text=pl.lit("#") + pl.col("tag"), tagfold="fold")
    )


def _hits_by_name(base: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """``position, post_id, key, year, text, tagfold`` (year and tagfold null): the observance names of
    ``names`` (``key, name``) in the posts' text, matched case-insensitively, longest name first."""
    name_re = "(?i)(?:" + "|".join(re.escape(n) for n in sorted(names["name"], key=len, reverse=True)) + ")"
    name_map = names.select("key", fold=fold_text_expr(pl.col("name"))).unique(
        subset=["fold"], keep="first", maintain_order=True
    )
    return (
        base.select("position", "post_id", m=pl.col("t").str.extract_all(name_re))
        .explode("m")
        .drop_nulls("m")
        .with_columns(fold=fold_text_expr(pl.col("m")))
        .join(name_map, on="fold", how="inner")
        .select("position", "post_id", "key", year=pl.lit(None, pl.Int64), text="m", tagfold=pl.lit(None, pl.String))
    )


def _observance_dates(hits: pl.DataFrame, cal: pl.DataFrame) -> pl.DataFrame:
    """``key, year, d``: the date of each observance in each year ``hits`` names it: a tiny table computed in
    Python (rules need a calendar)."""
    pairs = hits.select("key", "year").drop_nulls().unique()
    cal_rows = {r["key"]: r for r in cal.iter_rows(named=True)}
    return pl.DataFrame(
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


def _on_tags(base: pl.DataFrame) -> pl.DataFrame:
    """``position, tagfold, tag_cue``: hashtags right after an ``on`` word (``This #WorldRefugeeDay``), keyed
    like the calendar's hashtags."""
    on_tags = base.select("position", tg=pl.col("t").str.extract_all(_ON_BEFORE_TAG)).explode("tg").drop_nulls("tg")
    return on_tags.select("position", tagfold=_tag_key(on_tags["tg"].str.extract(r"#(\w+)$")), tag_cue="tg").unique(
        subset=["position", "tagfold"], maintain_order=True
    )
