"""Reading raw feeds on Spark: :func:`read_feed` (posts and accounting) and :func:`read` (posts only).

The steps, in order: the inputs checked and planned as tasks, the tasks run on the executors
(:mod:`feedtools.spark.driver`), the whole-feed steps on the posts (:mod:`feedtools.spark.steps`), the
accounting collected on the driver (:mod:`feedtools.spark.accounting`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from feedtools.readers.base import FeedMeta
from feedtools.schema import empty_rejects
from feedtools.spark import accounting, driver, steps

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkDataFrame

__all__ = ["SPLIT_BYTES", "SparkFeed", "read", "read_feed"]

#: A Jetstream JSON Lines capture larger than this is read in byte ranges of about this size.
SPLIT_BYTES = 64 << 20


@dataclass
class SparkFeed:
    """A feed read on Spark: ``posts`` (a Spark DataFrame, canonical schema, in no particular order), and the
    small accounting collected on the driver: ``rejects`` (polars), ``stats``, ``meta`` (as :class:`Feed`)."""

    posts: SparkDataFrame
    rejects: pl.DataFrame = field(default_factory=empty_rejects)
    stats: Counter[str] = field(default_factory=Counter)
    meta: FeedMeta = field(default_factory=lambda: FeedMeta())


def read_feed(
    spark,
    paths: str | Path | Sequence[str | Path],
    *,
    format: str = "auto",
    languages: Sequence[str] | None = None,
    known_names: Sequence[str] = (),
    split_bytes: int = SPLIT_BYTES,
) -> SparkFeed:
    """Read raw feed files on Spark into a :class:`SparkFeed` (posts as a Spark DataFrame, accounting collected).

    ``paths``: one path or a list (a folder of feed files or a glob is expanded as on the command line); the
    rows are those of :func:`feedtools.read` on the same list (positions continue across inputs, a post
    repeated from an earlier input is skipped and counted, duplicates resolved across all). Raises
    :class:`feedtools.readers.FeedError` (one line) for an input that cannot be read at all (on the driver
    before any job, or as reported by the executor that met it), also for a parsed Parquet input or an
    unknown ``format``; :class:`feedtools.errors.OptionError` for a ``split_bytes`` below 1.
    """
    _check_split(split_bytes)
    from pyspark.sql import functions as F

    files = driver.input_files(paths)
    tasks = driver.plan_tasks(files, format, split_bytes)
    langs = tuple(languages) if languages else None
    raw = driver.run_tasks(spark, tasks, langs, tuple(known_names))
    side = driver.collect_side(raw, tasks)
    offsets = steps.line_offsets(tasks, side.stats)
    posts = steps.shift_lines(spark, raw.filter(F.col("_rec") == 0), offsets)
    posts = steps.drop_range_repeats(posts, steps.split_inputs(tasks), side.stats)
    posts = steps.number_positions(spark, posts, list(side.stats))
    posts, repeats = steps.drop_input_repeats(posts, len(files))
    posts = steps.mark_duplicates(posts)
    inputs = accounting.input_accounts(files, side.stats, side.metas, repeats)
    return SparkFeed(
        posts=posts,
        rejects=steps.rejects_table(side.rejects, offsets),
        stats=accounting.feed_stats(inputs, posts),
        meta=accounting.feed_meta(inputs, posts),
    )


def _check_split(split_bytes: int) -> None:
    """Raise :class:`OptionError` for a ``split_bytes`` that is not a whole number of bytes, at least 1 (checked
    before Spark runs anything: 0 would divide by zero, a negative size would plan no task for a capture)."""
    from feedtools.errors import OptionError

    if isinstance(split_bytes, bool) or not isinstance(split_bytes, int) or split_bytes < 1:
        raise OptionError(f"split_bytes must be a whole number of bytes, at least 1, not {split_bytes!r}")


def read(spark, paths: str | Path | Sequence[str | Path], **options) -> SparkDataFrame:
    """The canonical posts table of ``paths`` as a Spark DataFrame (see :func:`read_feed` for options and
    errors). Row for row and value for value what :func:`feedtools.read` gives; order rows by ``position``."""
    return read_feed(spark, paths, **options).posts
