"""The whole-feed steps of a Spark read, on the posts the executors returned (Spark DataFrames with the helper
columns of :mod:`feedtools.spark._tasks`): file line numbers across byte ranges, repeats across ranges and
inputs, positions, and duplicates as :func:`feedtools.clean.resolve_duplicates` marks them. Each mirrors what
:func:`feedtools.read` does on one machine. Imports pyspark only when called."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import polars as pl

from feedtools.schema import POSTS_SCHEMA, empty_rejects
from feedtools.spark.driver import RangeKey

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkDataFrame

__all__ = [
    "drop_input_repeats",
    "drop_range_repeats",
    "line_offsets",
    "mark_duplicates",
    "number_positions",
    "rejects_table",
    "shift_lines",
    "split_inputs",
]

LineOffset = tuple[int, int, int]


def split_inputs(tasks: list[dict]) -> list[int]:
    """The inputs read in byte ranges, sorted."""
    return sorted({t["input"] for t in tasks if t["split"]})


def line_offsets(tasks: list[dict], stats: dict[RangeKey, Counter[str]]) -> list[LineOffset]:
    """``(input, range, lines before the range)`` for every byte range of a split input. Takes the ``_lines``
    counts out of ``stats`` (every range's), so that only the reader's stats are left."""
    offsets = []
    for i in split_inputs(tasks):
        acc = 0
        for r in sorted(r for (j, r) in stats if j == i):
            offsets.append((i, r, acc))
            acc += stats[(i, r)].pop("_lines", 0)
    for c in stats.values():
        c.pop("_lines", None)
    return offsets


def shift_lines(spark, posts: SparkDataFrame, offsets: list[LineOffset]) -> SparkDataFrame:
    """Posts with the line numbers (``source_line``, ``source_location``) of byte ranges made the file's."""
    from pyspark.sql import functions as F

    if not offsets:
        return posts
    off = spark.createDataFrame(offsets, "_input int, _range int, _loff long")
    return (
        posts.join(F.broadcast(off), ["_input", "_range"], "left")
        .withColumn("source_line", F.col("source_line") + F.coalesce(F.col("_loff"), F.lit(0)))
        .withColumn(
            "source_location",
            F.when(F.col("_loff").isNotNull(), F.concat(F.lit("line "), F.col("source_line"))).otherwise(
                F.col("source_location")
            ),
        )
        .drop("_loff")
    )


def rejects_table(rejects: pl.DataFrame, offsets: list[LineOffset]) -> pl.DataFrame:
    """The rejects table (:func:`feedtools.schema.empty_rejects`) from the reject side rows, with the line
    numbers of byte ranges made the file's, in reading order."""
    if offsets:
        lo = pl.DataFrame(offsets, schema={"_input": pl.Int32, "_range": pl.Int32, "_loff": pl.Int64}, orient="row")
        rejects = rejects.join(lo, on=["_input", "_range"], how="left").with_columns(
            source_line=pl.col("source_line") + pl.col("_loff").fill_null(0)
        )
        rejects = rejects.with_columns(
            source_location=pl.when(pl.col("_loff").is_not_null())
            .then(pl.lit("line ") + pl.col("source_line").cast(pl.String))
            .otherwise(pl.col("source_location"))
        )
    return (
        rejects.sort("_input", "_range", "source_line", maintain_order=True)
        .select(source="source", location="source_location", line="source_line", reason="notes", raw="text")
        .cast(empty_rejects().schema)
    )


def drop_range_repeats(posts: SparkDataFrame, split: list[int], stats: dict[RangeKey, Counter[str]]) -> SparkDataFrame:
    """Posts without the repeats across the byte ranges of one capture: the first range's row is kept (as the
    reader does), the later ones counted as skipped in the input's first range (``stats``, updated)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from feedtools.readers.jetstream import UPDATE_NOTE

    if not split:
        return posts
    w = Window.partitionBy("_input", "post_id")
    posts = posts.withColumn("_first", F.min("_range").over(w))
    is_later = F.col("_input").isin(split) & (F.col("_range") > F.col("_first"))
    skip_kind = (
        F.when(F.col("notes").startswith(UPDATE_NOTE), F.lit("skipped_update"))
        .otherwise(F.lit("skipped_repeated"))
        .alias("_kind")
    )
    for i, kind, n in posts.filter(is_later).groupBy("_input", skip_kind).count().collect():
        c = stats[(i, 0)]
        c[kind] += n
        c["skipped"] += n
        c["posts"] -= n
    return posts.filter(~is_later).drop("_first")


def number_positions(spark, posts: SparkDataFrame, ranges: list[RangeKey]) -> SparkDataFrame:
    """Posts with ``position``: the rows of earlier inputs and ranges (``ranges``, all of them) come first,
    then the order within the range (``_idx``)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    counts = {(i, r): n for i, r, n in posts.groupBy("_input", "_range").count().collect()}
    offsets, acc = [], 0
    for key in sorted(ranges):
        offsets.append((key[0], key[1], acc))
        acc += counts.get(key, 0)
    off = spark.createDataFrame(offsets, "_input int, _range int, _poff long")
    rn = F.row_number().over(Window.partitionBy("_input", "_range").orderBy("_idx"))
    return (
        posts.join(F.broadcast(off), ["_input", "_range"], "left")
        .withColumn("position", F.col("_poff") + rn - 1)
        .drop("_poff")
    )


def drop_input_repeats(posts: SparkDataFrame, n_inputs: int) -> tuple[SparkDataFrame, dict[int, int]]:
    """Posts without those already read from an earlier input, and how many each input had (counted only when
    there are several inputs)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    first_input = F.min("_input").over(Window.partitionBy("post_id"))
    repeated = F.col("post_id").isNotNull() & (F.col("_input") > first_input)
    posts = posts.withColumn("_rep", repeated)
    repeats = {i: n for i, n in posts.filter("_rep").groupBy("_input").count().collect()} if n_inputs > 1 else {}
    return posts.filter(~F.col("_rep")).drop("_rep"), repeats


def mark_duplicates(posts: SparkDataFrame) -> SparkDataFrame:
    """The posts table (canonical columns only) with ``duplicate_of`` and ``duplicate_kind`` set from the
    duplicate keys, as :func:`feedtools.clean.resolve_duplicates` sets them."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    pos = F.when(F.col("_elig"), F.col("position"))
    first_exact = F.when(F.col("_elig"), F.min(pos).over(Window.partitionBy("_k", "_e1", "_e2")))
    first_norm = F.when(F.col("_elig"), F.min(pos).over(Window.partitionBy("_k", "_f1", "_f2")))
    posts = posts.withColumn("_fe", first_exact).withColumn("_fn", first_norm)
    is_exact = F.col("_fe") < F.col("position")
    is_norm = F.col("_fn") < F.col("position")
    posts = posts.withColumn(
        "duplicate_of", F.when(is_exact, F.col("_fe")).when(is_norm, F.col("_fn")).cast("long")
    ).withColumn("duplicate_kind", F.when(is_exact, F.lit("exact")).when(is_norm, F.lit("normalised")))
    return posts.select(list(POSTS_SCHEMA))
