"""Rows to a canonical posts table: :class:`RowBuffer` (column lists, one DataFrame per batch, every
time column parsed in one vectorised pass), :func:`read_item_batches` (:func:`read_items`: one batch)
and the totals every reader reports."""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterator
from itertools import chain, compress, repeat
from typing import Any, cast

import numpy as np
import polars as pl
import pyarrow as pa

from feedtools.errors import RecordError
from feedtools.readers.atproto.embeds import EMBED_COLUMNS
from feedtools.readers.atproto.jsonload import BadItem, raw_json
from feedtools.readers.atproto.lexicon import HANDLE_RE
from feedtools.readers.atproto.times import parse_time_series
from feedtools.readers.base import FeedError, ReadResult, posts_frame, rejects_frame
from feedtools.schema import conform

__all__ = [
    "BATCH_SIZE",
    "ROW_COLUMNS",
    "RowBuffer",
    "check_readable",
    "finish_stats",
    "read_item_batches",
    "read_items",
    "web_url_expr",
]

#: Reader columns collected per row, plus helper columns used while building the frame (each once: ``quote_of``
#: is among :data:`EMBED_COLUMNS`).
ROW_COLUMNS = (
    "post_id",
    "post_uri",
    "source_line",
    "source_location",
    "author_handle",
    "author_did",
    "author_name",
    "is_repost",
    "reposted_by",
    "is_pinned",
    "is_placeholder",
    "text",
    "langs_declared",
    "hashtags",
    "mentions",
    "urls",
    "created_at_raw",
    "reply_to",
    "reply_root",
    "like_count",
    "repost_count",
    "reply_count",
    "quote_count",
    "facets_invalid",
    "notes",
    "cid",
    "mention_dids",
    "reply_parent_author",
    "reply_root_author",
    "reply_parent_handle",
    "reply_root_handle",
    *EMBED_COLUMNS,
    "_ref_raw",
    "_ref_us",
    "_reposted_raw",
)
_HELPERS_SCHEMA = {
    "source_line": pl.Int64,
    "is_repost": pl.Boolean,
    "is_pinned": pl.Boolean,
    "is_placeholder": pl.Boolean,
    "langs_declared": pl.List(pl.String),
    "hashtags": pl.List(pl.String),
    "mentions": pl.List(pl.String),
    "urls": pl.List(pl.String),
    "like_count": pl.Int64,
    "repost_count": pl.Int64,
    "reply_count": pl.Int64,
    "quote_count": pl.Int64,
    "facets_invalid": pl.Int64,
    "_ref_us": pl.Int64,
    "mention_dids": pl.List(pl.String),
    "image_count": pl.Int64,
    "image_alts": pl.List(pl.String),
    "has_video": pl.Boolean,
}
#: A post's AT-URI split into repository and record key, for its web address (``web_url``).
_POST_URI_RE = r"^at://(did:[a-z]+:[A-Za-z0-9._:%-]+)/app\.bsky\.feed\.post/([A-Za-z0-9._:~-]{1,512})$"


def web_url_expr() -> pl.Expr:
    """``https://bsky.app/profile/<handle or DID>/post/<rkey>`` from ``post_uri`` and ``author_handle``.

    The handle is used only when it is a valid handle (else the URI's DID); null when
    ``post_uri`` is not a well-formed post URI, so the address never carries odd characters.
    """
    parts = pl.col("post_uri").str.extract_groups(_POST_URI_RE)
    handle = pl.col("author_handle")
    who = pl.when(handle.str.contains(HANDLE_RE.pattern)).then(handle).otherwise(parts.struct.field("1"))
    return pl.concat_str([pl.lit("https://bsky.app/profile/"), who, pl.lit("/post/"), parts.struct.field("2")])


def _series(name: str, values: list, dtype: pl.DataType) -> pl.Series:
    """A column from Python values; list columns go through pyarrow (about 15x faster than polars here)."""
    n = len(values)
    nulls = values.count(None) if n and values[0] is None else 0  # a filled first row: not a column of nulls
    if nulls == n:  # a column no row fills (most of a Jetstream batch's): no Python pass
        return pl.repeat(None, n, dtype=dtype, eager=True).alias(name)
    if isinstance(dtype, pl.List):
        column = _string_lists(name, values)
        if column is not None:
            return column
        try:
            return pl.Series(name, pa.array(values, type=pa.list_(pa.string())), dtype=dtype)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            pass
    return pl.Series(name, values, dtype=dtype, strict=False)


_LIST_TYPES = {tuple, list, type(None)}


def _string_lists(name: str, values: list) -> pl.Series | None:
    """A ``List(String)`` column from tuples or lists of strings (None: a null), or None for any other value.

    The same column as ``pa.array(values, type=pa.list_(pa.string()))``, built from the strings, the list
    offsets and the null mask, each in one pass of C code: ``pa.array`` on Python objects imports pandas
    (half a CPU-second, once per process).
    """
    if not set(map(type, values)) <= _LIST_TYPES:
        return None
    flat = list(chain.from_iterable(filter(None, values)))
    if not set(map(type, flat)) <= {str}:
        return None
    arrow_offsets = _list_offsets(values)
    items = pl.Series(name, flat, dtype=pl.String).to_arrow()
    mask = pl.Series(list(map(operator.is_, values, repeat(None)))).to_arrow() if None in values else None
    lists = pa.LargeListArray.from_arrays(arrow_offsets, items, mask=mask)
    return pl.Series(name, lists, dtype=pl.List(pl.String))


def _list_offsets(values: list) -> pa.Int64Array:
    """The offsets of a list array of ``values`` (tuples, lists or None: no items), in C passes over ``values``
    (a list column is mostly empty lists and nulls): each non-empty value's length put after its position,
    then summed up."""
    ends = np.zeros(len(values) + 1, dtype=np.int64)
    filled = np.fromiter(compress(range(1, len(values) + 1), values), dtype=np.int64)
    ends[filled] = np.fromiter(map(len, filter(None, values)), dtype=np.int64, count=len(filled))
    np.cumsum(ends, out=ends)
    return cast(pa.Int64Array, pa.Array.from_buffers(pa.int64(), len(ends), [None, pa.py_buffer(ends.data)]))


class RowBuffer:
    """Rows collected as column lists; :meth:`frame` builds one canonical DataFrame.

    ``append`` takes a dict with any of :data:`ROW_COLUMNS` (missing ones are null).
    Helper columns: ``_ref_raw`` (``indexedAt`` string) or ``_ref_us`` (Int64
    microseconds, e.g. Jetstream's ``time_us``) — when the record was seen, used to
    flag implausible ``createdAt`` — and ``_reposted_raw`` (the repost's own time).
    ``indexed_at`` is ``_ref_raw`` parsed (a post view's ``indexedAt``); ``web_url`` is
    built from ``post_uri`` (:func:`web_url_expr`). With ``stats``, rows whose embed is
    not a standard type are counted there as ``embeds_nonstandard``.
    """

    def __init__(self, stats: Counter | None = None) -> None:
        self.cols: dict[str, list] = {c: [] for c in ROW_COLUMNS}
        self.stats = stats

    @classmethod
    def from_rows(cls, rows: list[dict], stats: Counter | None = None) -> RowBuffer:
        """A buffer holding ``rows`` (dicts as :meth:`append` takes them), built column by column at once.

        The same buffer as appending each row, with less Python per row: a column no row fills is one
        shared list of nulls (read only). Non-standard embeds are counted in ``stats`` as :meth:`append` does.
        """
        buf = cls(stats)
        present: set[str] = set().union(*rows) if rows else set()
        nones = [None] * len(rows)
        buf.cols = {c: [r.get(c) for r in rows] if c in present else nones for c in buf.cols}
        odd = sum(r.get("embed_other") is not None for r in rows)
        if stats is not None and odd:
            stats["embeds_nonstandard"] += odd
        return buf

    @classmethod
    def from_tuples(cls, rows: list[tuple], stats: Counter | None = None) -> RowBuffer:
        """A buffer holding ``rows``: tuples of the values of :data:`ROW_COLUMNS`, in that order.

        ``rows`` is emptied once its values are in columns (the row tuples go before the frame is built).
        Non-standard embeds are counted in ``stats`` as :meth:`append` does. Raises ``ValueError`` for a
        tuple of another length.
        """
        buf = cls(stats)
        if rows:
            buf.cols = {c: list(values) for c, values in zip(ROW_COLUMNS, zip(*rows, strict=True), strict=True)}
            rows.clear()
            odd = sum(v is not None for v in buf.cols["embed_other"])
            if stats is not None and odd:
                stats["embeds_nonstandard"] += odd
        return buf

    def __len__(self) -> int:
        return len(self.cols["post_id"])

    def append(self, row: dict) -> None:
        for name, values in self.cols.items():
            values.append(row.get(name))
        if self.stats is not None and row.get("embed_other") is not None:
            self.stats["embeds_nonstandard"] += 1

    def frame(self, *, source: str, source_format: str, first_position: int = 0) -> pl.DataFrame:
        """The rows as a canonical posts table; ``position`` counts on from ``first_position``."""
        n = len(self)
        if n == 0:
            return posts_frame([])
        schema: dict[str, Any] = {c: _HELPERS_SCHEMA.get(c, pl.String) for c in ROW_COLUMNS}
        df = pl.DataFrame([_series(c, v, schema[c]) for c, v in self.cols.items()])
        ref_from_raw = parse_time_series(df["_ref_raw"])["t"].cast(pl.Int64)
        ref = df.select(pl.coalesce(pl.col("_ref_us"), ref_from_raw))["_ref_us"]
        created, reposted = _created_and_reposted(df["created_at_raw"], df["_reposted_raw"], ref)
        df = df.with_columns(
            position=pl.int_range(first_position, first_position + n, dtype=pl.Int64),
            source=pl.lit(source),
            source_format=pl.lit(source_format),
            created_at=created["t"],
            created_at_flag=created["f"],
            reposted_at=reposted,
            indexed_at=ref_from_raw.cast(pl.Datetime("us", "UTC")),
            web_url=web_url_expr(),
            notes=pl.concat_str([pl.col("notes"), created["n"]], separator="; ", ignore_nulls=True),
        ).drop("_ref_raw", "_ref_us", "_reposted_raw")
        return conform(df)


def _created_and_reposted(created: pl.Series, reposted: pl.Series, ref_us: pl.Series) -> tuple[pl.DataFrame, pl.Series]:
    """``createdAt`` parsed (time, flag and note; ``ref_us``: when each row was seen) and the repost's own time.

    When no row holds both (a Jetstream batch: posts have the one, reposts the other), both are parsed in one
    pass over the two columns merged, each output then kept only where its own column is set: the time and
    note of a value do not depend on ``ref_us``, and a flag is kept only for ``createdAt``. The same values as
    two passes of :func:`parse_time_series`.
    """
    has_created, has_reposted = created.is_not_null(), reposted.is_not_null()
    if not has_created.any() or not has_reposted.any() or (has_created & has_reposted).any():
        return parse_time_series(created, ref_us), parse_time_series(reposted)["t"]
    both = parse_time_series(created.fill_null(reposted), ref_us)
    kept = both.select(pl.when(has_created).then(pl.all()))
    return kept, both["t"].to_frame().select(pl.when(has_reposted).then(pl.col("t")))["t"]


def finish_stats(stats: Counter, posts: int, rejected: int) -> Counter:
    """Set the totals every reader reports: ``posts``, ``rejected`` and ``skipped`` (the sum of the
    ``skipped_<kind>`` counts), so that ``records == posts + rejected + skipped``."""
    stats["posts"] = posts
    stats["rejected"] = rejected
    stats["skipped"] = sum(v for k, v in stats.items() if k.startswith("skipped_"))
    return stats


def check_readable(stats, rejects: list[dict], source: str, fmt: str) -> None:
    """Raise :class:`FeedError` when records were read but every one was rejected (wrong format forced,
    or not a feed at all): one line with the first reason, instead of a table of rejects and no rows."""
    if stats["records"] and len(rejects) == stats["records"]:
        raise FeedError(
            f"{source}: no record could be read as {fmt} ({rejects[0]['location']}: {rejects[0]['reason']})"
        )


#: Items of a post list read per batch. The batch's working set (its rows as Python values, then its cleaning
#: and enrichment) is about 8 KB a row, so on a 100k-postView list (155 MB) the peak of ``feedtools parse`` was
#: 404 MB with 10 000 items, 364 MB with 5 000 and 345 MB with 2 000 (11.1, 11.5, 12.4 CPU-s). Below
#: :data:`feedtools.pipeline.PARALLEL_MIN_ROWS`, so each batch is enriched in the calling process: 25 000-item
#: batches (enriched by workers) peaked at 576 MB in the main process alone (docs/performance.md).
BATCH_SIZE = 5_000


def read_items(items, *, source: str, fmt: str, to_row) -> ReadResult:
    """Turn ``(location, line, item)`` triples into one :class:`ReadResult` (all items in one batch).

    The same contract as :func:`read_item_batches`, for inputs that are read whole (a fetch folder's pages).
    Raises :class:`FeedError` when every record was rejected.
    """
    return next(read_item_batches(items, source=source, fmt=fmt, to_row=to_row, batch_size=None))


def read_item_batches(
    items, *, source: str, fmt: str, to_row, batch_size: int | None = BATCH_SIZE
) -> Iterator[ReadResult]:
    """Turn ``(location, line, item)`` triples into :class:`ReadResult` batches of about ``batch_size`` records.

    ``to_row(item) -> dict`` builds a row or raises :class:`RecordError`; a
    :class:`BadItem` or a :class:`RecordError` becomes a reject with its location.
    The same ``post_id`` seen again (repeated pages, a pinned post reappearing) is
    kept once and counted as ``skipped_repeated``, across batches. Only the current
    batch's rows are held; positions continue across batches. While every record
    read so far was rejected, no batch is cut (rejects only are held), so that
    :class:`FeedError` is raised, before anything is yielded, when every record of
    the input was rejected. ``batch_size`` None: one batch (always exactly one
    result, possibly empty).
    """
    size = max(1, int(batch_size)) if batch_size else None
    position = 0
    stats: Counter = Counter()
    buf = RowBuffer(stats)
    rejects: list[dict] = []
    seen: set[str] = set()
    all_rejected = True  # every record read so far was rejected
    for location, line, item in items:
        if size is not None and stats["records"] >= size and not all_rejected:
            yield _item_batch(buf, rejects, stats, source=source, fmt=fmt, position=position)
            position += len(buf)
            stats = Counter()
            buf, rejects = RowBuffer(stats), []
        stats["records"] += 1
        if isinstance(item, BadItem):
            rejects.append(
                {"source": source, "location": location, "line": line, "reason": item.reason, "raw": item.raw}
            )
            continue
        try:
            row = to_row(item)
        except RecordError as e:
            rejects.append(
                {"source": source, "location": location, "line": line, "reason": str(e), "raw": raw_json(item)}
            )
            continue
        all_rejected = False
        if row["post_id"] in seen:
            stats["skipped_repeated"] += 1
            continue
        seen.add(row["post_id"])
        row["source_location"] = location
        row["source_line"] = line
        buf.append(row)
    if all_rejected:  # nothing was cut: ``stats`` and ``rejects`` hold the whole input
        check_readable(stats, rejects, source, fmt)
    yield _item_batch(buf, rejects, stats, source=source, fmt=fmt, position=position)


def _item_batch(
    buf: RowBuffer, rejects: list[dict], stats: Counter, *, source: str, fmt: str, position: int
) -> ReadResult:
    """One batch as a :class:`ReadResult` whose posts count on from ``position`` (totals by :func:`finish_stats`)."""
    finish_stats(stats, len(buf), len(rejects))
    return ReadResult(
        posts=buf.frame(source=source, source_format=fmt, first_position=position),
        rejects=rejects_frame(rejects),
        stats=stats,
        meta={"format": fmt, "source": source, "unit": "records"},
    )
