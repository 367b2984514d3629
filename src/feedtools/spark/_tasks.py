"""What runs on Spark executors: read one input (or one byte range of a JSON Lines capture), enrich it with
the package's polars functions, and hand the rows back as Arrow batches (imports no pyspark).

Every output row has the posts columns plus helper columns: ``_rec`` (0 a post, 1 a reject, 2 a stat, 3 the
input's meta as JSON, 4 an error message), ``_input``, ``_range``, ``_idx`` (the row's position within its
range) and the duplicate keys of :func:`feedtools.clean.duplicate_keys` (hashes as signed 64-bit integers).
A reject travels as ``source``, ``source_location``, ``source_line``, ``notes`` (reason) and ``text`` (raw);
a stat as ``notes`` (name) and ``like_count`` (count).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from feedtools.schema import POSTS_SCHEMA, conform

KEY_COLUMNS = {
    "_k": pl.Int64(),
    "_e1": pl.Int64(),
    "_e2": pl.Int64(),
    "_f1": pl.Int64(),
    "_f2": pl.Int64(),
    "_elig": pl.Boolean(),
}
HELPER_COLUMNS = {"_rec": pl.Int32(), "_input": pl.Int32(), "_range": pl.Int32(), "_idx": pl.Int64(), **KEY_COLUMNS}
OUTPUT_SCHEMA = pl.Schema({**POSTS_SCHEMA, **HELPER_COLUMNS})

_ARROW: dict[Any, pa.DataType] = {
    pl.String: pa.string(),
    pl.Int64: pa.int64(),
    pl.Int32: pa.int32(),
    pl.Boolean: pa.bool_(),
    pl.Float64: pa.float64(),
}


def _arrow_type(dtype: pl.DataType) -> pa.DataType:
    if isinstance(dtype, pl.List):
        return pa.list_(pa.string())  # not large_list: mapInArrow refuses it
    if isinstance(dtype, pl.Datetime):
        return pa.timestamp("us", tz="UTC")
    return _ARROW[dtype.base_type() if hasattr(dtype, "base_type") else dtype]


#: The Arrow schema of the batches the executors yield (``string``/``list<string>``, never the large types).
ARROW_SCHEMA = pa.schema([pa.field(n, _arrow_type(t)) for n, t in OUTPUT_SCHEMA.items()])


def _to_batches(frame: pl.DataFrame) -> Iterator[pa.RecordBatch]:
    table = frame.select(list(OUTPUT_SCHEMA)).to_arrow().cast(ARROW_SCHEMA)
    yield from table.to_batches(max_chunksize=50_000)


def _helper_frame(n: int, rec: int, task: dict) -> dict:
    return {
        "_rec": pl.Series([rec] * n, dtype=pl.Int32),
        "_input": pl.Series([task["input"]] * n, dtype=pl.Int32),
        "_range": pl.Series([task["range"]] * n, dtype=pl.Int32),
    }


def _side_rows(task: dict, rejects: pl.DataFrame, stats: Counter, meta: dict, error: str | None) -> pl.DataFrame:
    """Rejects, stats, meta and an error as rows of the output schema."""
    frames = []
    if rejects.height:
        r = rejects.select(source="source", source_location="location", source_line="line", notes="reason", text="raw")
        frames.append(r.with_columns(**_helper_frame(r.height, 1, task)))
    if stats:
        keys = sorted(stats)
        s = pl.DataFrame({"notes": keys, "like_count": pl.Series([int(stats[k]) for k in keys], dtype=pl.Int64)})
        frames.append(s.with_columns(**_helper_frame(s.height, 2, task)))
    m = pl.DataFrame({"notes": [json.dumps(meta, default=str, sort_keys=True)]})
    frames.append(m.with_columns(**_helper_frame(1, 3, task)))
    if error is not None:
        e = pl.DataFrame({"notes": [error]})
        frames.append(e.with_columns(**_helper_frame(1, 4, task)))
    return pl.concat(
        [
            f.select(
                [(pl.col(c) if c in f.columns else pl.lit(None)).cast(t).alias(c) for c, t in OUTPUT_SCHEMA.items()]
            )
            for f in frames
        ],
        how="vertical",
    )


def _read_range(task: dict) -> tuple[pl.DataFrame, pl.DataFrame, Counter, dict]:
    """A byte range of a Jetstream JSON Lines capture: its lines read as
    :func:`feedtools.readers.jetstream.read_batches` reads the file
    (:meth:`~feedtools.readers.jetstream.LineRange.starting_in`; repeats within the range skipped there, across
    ranges by the driver's Spark step), line numbers from 1 in the range and the number of lines in ``_lines``.
    The first range raises :class:`FeedError` when its first batch's records were all rejected, as the reader
    refuses such a file."""
    from feedtools.readers import ReadResult
    from feedtools.readers.jetstream import LineRange, check_first_batch

    lines = LineRange.starting_in(task["path"], task["start"], task["end"])
    raw = ReadResult.combine(list(lines))
    stats = Counter(raw.stats)
    if task["range"] == 0:  # its records are the capture's first: fewer than a batch are taken as all of them
        first_reject = raw.rejects.row(0, named=True) if raw.rejects.height else None
        check_first_batch(stats["records"], lines.leading_rejects, first_reject, lines.path.name, final=True)
    stats["_lines"] = lines.lines
    return raw.posts, raw.rejects, stats, dict(raw.meta)  # a range always yields a batch: its meta is set


def _read_whole(task: dict, known_names: tuple[str, ...]) -> tuple[pl.DataFrame, pl.DataFrame, Counter, dict]:
    from feedtools.readers import ReadResult, iter_read

    parts = list(iter_read(task["path"], task["format"], known_names=known_names))
    raw = ReadResult.combine(parts)
    return raw.posts, raw.rejects, Counter(raw.stats), dict(raw.meta)


def run_task(task: dict, languages: tuple[str, ...] | None, known_names: tuple[str, ...]) -> pl.DataFrame:
    """One task's output rows (see the module's notes). A :class:`FeedError`, or an ``OSError`` met reading
    a byte range (the file gone or unreadable on this node), becomes an error row with one line for the user."""
    from feedtools.clean import duplicate_keys
    from feedtools.pipeline import BATCH_ROWS, enrich
    from feedtools.readers import FeedError

    try:
        if task["split"]:
            posts, rejects, stats, meta = _read_range(task)
        else:
            posts, rejects, stats, meta = _read_whole(task, known_names)
    except (FeedError, OSError) as e:
        from feedtools.schema import empty_rejects

        if isinstance(e, OSError):  # as feedtools.readers.iter_read words it
            e = FeedError(f"{Path(task['path']).name}: cannot read it ({e.strerror or e})")
        return _side_rows(task, empty_rejects(), Counter(), {}, str(e))
    slices = [enrich(posts.slice(i, BATCH_ROWS), languages=languages) for i in range(0, posts.height, BATCH_ROWS)]
    posts = conform(pl.concat(slices)) if slices else conform(posts)
    keys = duplicate_keys(posts).select(
        *(pl.col(c).reinterpret(signed=True).alias(c) for c in ("_k", "_e1", "_e2", "_f1", "_f2")), "_elig"
    )
    rows = pl.concat([posts, keys], how="horizontal").with_columns(
        _idx=pl.col("position"), **_helper_frame(posts.height, 0, task)
    )
    side = _side_rows(task, rejects, stats, meta, None)
    return pl.concat([rows.select(list(OUTPUT_SCHEMA)), side], how="vertical")


def read_partition(batches: Iterator[pa.RecordBatch], languages, known_names) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: every task row in ``batches`` read and enriched (see :func:`run_task`)."""
    for batch in batches:
        for task in batch.to_pylist():
            yield from _to_batches(run_task(task, languages, known_names))
