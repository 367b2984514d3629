"""The driver's side of a Spark read: the inputs checked, split into tasks (a file, or a byte range of a large
Jetstream JSON Lines capture), run on the executors (:mod:`feedtools.spark._tasks` through ``mapInArrow``),
and the small side output (stats, metas, rejects, errors) collected back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from feedtools.errors import FeedError
from feedtools.readers.base import FeedMeta
from feedtools.spark.frames import arrow_frame, spark_schema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkDataFrame

__all__ = ["RangeKey", "SideOutput", "collect_side", "input_files", "plan_tasks", "run_tasks"]

#: ``(input index, byte-range index)``: one task's output.
RangeKey = tuple[int, int]

#: The columns of a task row, in the order of :func:`plan_tasks`'s dicts.
TASK_COLUMNS = ("input", "range", "path", "format", "start", "end", "split")
#: The side columns collected to the driver (a reject, a stat, a meta or an error message per row).
SIDE_COLUMNS = ("_rec", "_input", "_range", "source", "source_location", "source_line", "notes", "text", "like_count")


def input_files(paths: str | Path | Sequence[str | Path]) -> list[Path]:
    """The files to read, as given on a command line (folders and globs expanded by
    :func:`feedtools.dataset.expand_inputs`). Raises :class:`FeedError` when none is given or one is missing."""
    from feedtools.dataset import expand_inputs

    given = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not given:
        raise FeedError("no input given")
    files = expand_inputs(given)
    for p in files:
        if not p.exists():
            raise FeedError(f"{p.name}: no such file")
    return files


def _task(i: int, r: int, path: Path, fmt: str, start: int, end: int, split: bool) -> dict:
    return {"input": i, "range": r, "path": str(path), "format": fmt, "start": start, "end": end, "split": split}


def plan_tasks(paths: list[Path], format: str, split_bytes: int) -> list[dict]:
    """One task per input, or per byte range of about ``split_bytes`` for a Jetstream JSON Lines capture (not a
    JSON array) larger than that. Raises :class:`FeedError` for a parsed Parquet file or dataset folder (read it
    with ``spark.read.parquet``) and for an input in no known format (``format="auto"``)."""
    from feedtools.dataset import is_dataset
    from feedtools.pipeline import is_parquet
    from feedtools.readers import detect_format
    from feedtools.readers.atproto import first_byte

    tasks = []
    for i, path in enumerate(paths):
        if is_parquet(path) or is_dataset(path):
            raise FeedError(f"{path.name}: already parsed; read it with spark.read.parquet")
        fmt = detect_format(path) if format == "auto" else format
        size = path.stat().st_size if path.is_file() else 0
        if fmt == "jetstream" and path.is_file() and size > split_bytes and first_byte(path) != b"[":
            n = -(-size // split_bytes)
            for r in range(n):
                tasks.append(_task(i, r, path, fmt, r * split_bytes, min(size, (r + 1) * split_bytes), True))
        else:
            tasks.append(_task(i, 0, path, fmt, 0, size, False))
    return tasks


def run_tasks(spark, tasks: list[dict], languages: tuple[str, ...] | None, known_names: tuple[str, ...]):
    """The executors' output rows for ``tasks`` (one partition each): a persisted Spark DataFrame in the schema
    :data:`feedtools.spark._tasks.OUTPUT_SCHEMA`. Lazy: nothing runs until an action."""
    from pyspark.sql import types as T

    from feedtools.spark import _tasks as tasks_mod

    task_schema = T.StructType(
        [
            T.StructField("input", T.IntegerType()),
            T.StructField("range", T.IntegerType()),
            T.StructField("path", T.StringType()),
            T.StructField("format", T.StringType()),
            T.StructField("start", T.LongType()),
            T.StructField("end", T.LongType()),
            T.StructField("split", T.BooleanType()),
        ]
    )
    rdd = spark.sparkContext.parallelize([tuple(t[c] for c in TASK_COLUMNS) for t in tasks], len(tasks))
    task_df = spark.createDataFrame(rdd, task_schema)

    def fn(batches):
        return tasks_mod.read_partition(batches, languages, known_names)

    return task_df.mapInArrow(fn, spark_schema(tasks_mod.OUTPUT_SCHEMA)).persist()


@dataclass
class SideOutput:
    """What the tasks said besides their posts: ``stats`` and ``metas`` per range (``stats`` still holds the
    ``_lines`` count of each byte range) and the ``rejects`` rows (side columns, line numbers local to their
    range)."""

    stats: dict[RangeKey, Counter[str]]
    metas: dict[RangeKey, FeedMeta]
    rejects: pl.DataFrame


def collect_side(raw: SparkDataFrame, tasks: list[dict]) -> SideOutput:
    """Collect the side rows of ``raw`` (the output of :func:`run_tasks`) to the driver. Raises
    :class:`FeedError` with the message of the first task (by input, then range) that could not read its input,
    after un-persisting ``raw``."""
    import json

    from pyspark.sql import functions as F

    side = arrow_frame(raw.filter(F.col("_rec") != 0).select(*SIDE_COLUMNS).toArrow())
    errors = side.filter(pl.col("_rec") == 4).sort("_input", "_range")
    if errors.height:
        raw.unpersist()
        raise FeedError(errors["notes"][0])
    stats: dict[RangeKey, Counter[str]] = {(i, r): Counter() for i, r in {(t["input"], t["range"]) for t in tasks}}
    for i, r, k, v in side.filter(pl.col("_rec") == 2).select("_input", "_range", "notes", "like_count").iter_rows():
        stats[(i, r)][k] += v
    metas: dict[RangeKey, FeedMeta] = {
        (i, r): json.loads(m)
        for i, r, m in side.filter(pl.col("_rec") == 3).select("_input", "_range", "notes").iter_rows()
    }
    return SideOutput(stats=stats, metas=metas, rejects=side.filter(pl.col("_rec") == 1))
