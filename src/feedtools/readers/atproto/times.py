"""Times of AT Protocol records: tolerant vectorised ISO-8601 parsing (:func:`parse_times`) and TIDs."""

from __future__ import annotations

import polars as pl

__all__ = ["FUTURE_SLACK_US", "PLAUSIBLE_FROM_US", "parse_time_series", "parse_times", "tid_micros"]

#: createdAt values before this are implausible (Bluesky launched in 2023; the lexicon allows any year).
PLAUSIBLE_FROM_US = 946_684_800_000_000  # 2000-01-01T00:00:00Z
#: createdAt more than this after the time the post was indexed/seen is implausible.
FUTURE_SLACK_US = 86_400_000_000  # one day
_YEAR_1_US = -62_135_596_800_000_000  # 0001-01-01T00:00:00Z

_TIME_RE = (
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?\s*$"
)
_TIME_FIELDS = ["y", "mo", "d", "h", "mi", "s", "frac", "z", "sign", "oh", "om"]


def parse_times(raw: pl.Expr, ref_us: pl.Expr | None = None) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Vectorised tolerant ISO-8601 parsing to UTC microseconds, as three expressions.

    ``raw``: a string expression (``…Z``, ``.123Z``, microseconds, 8+ fractional
    digits — cut to microseconds —, ``+00:00``/``-0500`` offsets, any year from
    0000, date only). ``ref_us``: when the record was indexed/seen (Int64
    microseconds, may be null). Returns the time as ``Datetime("us", "UTC")`` (null
    when unparseable, and for year 0, which Python's ``datetime`` cannot hold), the
    flag (``unparseable``; ``implausible`` before 2000 or more than a day after
    ``ref_us``; else null) and a note (``createdAt has no time zone: read as UTC``)
    or null. Never raises on bad values. (On Series, :func:`parse_time_series` does the
    same work once for all three outputs.)
    """
    parsed = pl.struct(_r=raw.cast(pl.String), _ref=(ref_us if ref_us is not None else pl.lit(None)).cast(pl.Int64))
    parsed = parsed.map_batches(_parse_struct, return_dtype=_PARSED_DTYPE)
    return parsed.struct.field("t"), parsed.struct.field("f"), parsed.struct.field("n")


def parse_time_series(raw: pl.Series, ref_us: pl.Series | None = None) -> pl.DataFrame:
    """:func:`parse_times` on Series: a DataFrame with columns ``t`` (time), ``f`` (flag) and ``n`` (note).
    All null when ``raw`` is (a Jetstream batch's ``_ref_raw``, a batch without reposts' repost times), without
    the passes of the parse."""
    if raw.null_count() == raw.len():
        return pl.DataFrame(
            [pl.repeat(None, raw.len(), dtype=d, eager=True).alias(c) for c, d in _PARSED_FIELDS.items()]
        )
    ref = ref_us if ref_us is not None else pl.Series([None] * len(raw), dtype=pl.Int64)
    s = pl.DataFrame({"_r": raw.cast(pl.String), "_ref": ref.cast(pl.Int64)}).to_struct("p")
    return _parse_struct(s).struct.unnest()


_PARSED_FIELDS: dict[str, pl.DataType] = {"t": pl.Datetime("us", "UTC"), "f": pl.String(), "n": pl.String()}
_PARSED_DTYPE = pl.Struct(_PARSED_FIELDS)


def _parse_struct(s: pl.Series) -> pl.Series:
    """Parse a struct Series ``{_r: raw string, _ref: Int64 µs}`` step by step (each step materialised once)."""
    df = s.struct.unnest()
    g = df.select(pl.col("_r").str.extract_groups(_TIME_RE).alias("g")).unnest("g")
    g.columns = _TIME_FIELDS
    ints = g.select(
        *[pl.col(k).cast(pl.Int64, strict=False) for k in ("y", "mo", "d", "h", "mi", "s", "oh", "om")],
        frac=pl.col("frac").str.slice(0, 6).str.pad_end(6, "0").cast(pl.Int64, strict=False).fill_null(0),
        no_zone=pl.col("z").is_null() & pl.col("sign").is_null(),
        neg=pl.col("sign") == "-",
    ).with_columns(pl.col("h", "mi", "s", "oh", "om").fill_null(0))
    y, mo, d = pl.col("y"), pl.col("mo"), pl.col("d")
    leap = ((y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))).cast(pl.Int64)
    dim = pl.when(mo == 2).then(28 + leap).when(mo.is_in([4, 6, 9, 11])).then(30).otherwise(31)
    valid = (
        y.is_not_null()
        & mo.is_between(1, 12)
        & (d >= 1)
        & (d <= dim)
        & pl.col("h").is_between(0, 23)
        & pl.col("mi").is_between(0, 59)
        & pl.col("s").is_between(0, 60)
        & pl.col("oh").is_between(0, 23)
        & pl.col("om").is_between(0, 59)
    )
    # days from civil (proleptic Gregorian; H. Hinnant's algorithm), valid for years >= 0
    yy = y - (mo <= 2).cast(pl.Int64)
    era = yy // 400
    yoe = yy - era * 400
    mp = pl.when(mo > 2).then(mo - 3).otherwise(mo + 9)
    doy = (153 * mp + 2) // 5 + d - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    offset_min = pl.when(pl.col("neg")).then(-1).otherwise(1) * (pl.col("oh") * 60 + pl.col("om"))
    secs = days * 86400 + pl.col("h") * 3600 + pl.col("mi") * 60 + pl.col("s") - offset_min * 60
    ints = ints.with_columns(valid=valid.fill_null(False), secs=secs)
    ints = ints.with_columns(us=pl.when("valid").then(pl.col("secs") * 1_000_000 + pl.col("frac")))
    ints = ints.with_columns(_r=df["_r"], _ref=df["_ref"])
    us = pl.col("us")
    late = (us > pl.col("_ref") + FUTURE_SLACK_US).fill_null(False)
    out = ints.select(
        # Year 0 parses, but Python's datetime cannot hold it (row access, to_dicts() would fail): keep it null.
        t=pl.when(us >= _YEAR_1_US).then(us).cast(pl.Datetime("us", "UTC")),
        f=pl.when(pl.col("_r").is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(us.is_null())
        .then(pl.lit("unparseable"))
        .when((us < PLAUSIBLE_FROM_US) | late)
        .then(pl.lit("implausible")),
        n=pl.when(us.is_not_null() & pl.col("no_zone")).then(pl.lit("createdAt has no time zone: read as UTC")),
    )
    return out.to_struct(s.name)


_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def tid_micros(tid: str | None) -> int | None:
    """The microsecond timestamp in an AT Protocol TID (a repo ``rev`` or record key), None if not a TID."""
    if not isinstance(tid, str) or len(tid) != 13:
        return None
    v = 0
    for ch in tid:
        i = _TID_ALPHABET.find(ch)
        if i < 0:
            return None
        v = (v << 5) | i
    if v >> 64:
        return None
    return v >> 10
