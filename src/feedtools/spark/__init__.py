"""The feedtools pipeline on Spark: the same readers and polars functions, run per partition.

Install with ``pip install "feedtools[spark]"`` (PySpark 4, pandas >= 2.2; Java 17).

* :func:`read` (``read_feed`` for the accounting too) returns a Spark DataFrame in the canonical posts schema,
  row for row what :func:`feedtools.read` gives for the same inputs. Inputs are split by file, and a Jetstream
  JSON Lines capture larger than ``split_bytes`` by byte ranges aligned to line ends, so one big capture
  spreads over the cluster. Each task runs the package's reader and the row-local steps
  (:func:`feedtools.pipeline.enrich`, :func:`feedtools.clean.duplicate_keys`) through ``mapInArrow``; the
  whole-feed steps (repeats across ranges and inputs, positions, duplicates) are Spark aggregations mirroring
  :func:`feedtools.clean.resolve_duplicates`.
* :func:`write` writes the dataset folder the rest of the package reads (``feedtools.load(DIR)``, every
  command), with the manifest of :mod:`feedtools.dataset`.
* :func:`campaign_day_counts` counts posts per campaign and day in Spark and returns the small polars table
  :func:`feedtools.spark.local.campaign_day_counts` gives (same columns), for the same charts;
  :func:`daily_counts` likewise for posts per day.

Input files are opened with Python on the executors: on a cluster they must be on a file system every node
mounts (NFS, Databricks ``/dbfs/`` or ``/Volumes/``). ``python -m feedtools.spark parse INPUTS -o DIR`` is
the ``spark-submit`` entry point.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

import polars as pl

from feedtools.readers.base import FeedMeta, InputEntry
from feedtools.schema import POSTS_SCHEMA, empty_rejects

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame as SparkDataFrame

__all__ = [
    "SPLIT_BYTES",
    "SparkFeed",
    "campaign_day_counts",
    "daily_counts",
    "read",
    "read_feed",
    "spark_schema",
    "write",
]

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


def spark_schema(schema: pl.Schema = POSTS_SCHEMA):
    """The Spark ``StructType`` of a polars schema (strings, 64-bit integers, lists of strings, UTC times)."""
    from pyspark.sql import types as T

    def conv(dtype):
        if isinstance(dtype, pl.List):
            return T.ArrayType(T.StringType())
        if isinstance(dtype, pl.Datetime):
            return T.TimestampType()
        return {
            pl.String: T.StringType(),
            pl.Int64: T.LongType(),
            pl.Int32: T.IntegerType(),
            pl.Boolean: T.BooleanType(),
            pl.Float64: T.DoubleType(),
            pl.Date: T.DateType(),
        }[dtype.base_type()]

    return T.StructType([T.StructField(n, conv(t), True) for n, t in schema.items()])


def _plan(paths: list[Path], format: str, split_bytes: int) -> list[dict]:
    from feedtools.readers import FeedError, detect_format
    from feedtools.readers.atproto import first_byte

    tasks = []
    for i, path in enumerate(paths):
        from feedtools.dataset import is_dataset
        from feedtools.pipeline import is_parquet

        if is_parquet(path) or is_dataset(path):
            raise FeedError(f"{path.name}: already parsed; read it with spark.read.parquet")
        fmt = detect_format(path) if format == "auto" else format
        size = path.stat().st_size if path.is_file() else 0
        if fmt == "jetstream" and path.is_file() and size > split_bytes and first_byte(path) != b"[":
            n = -(-size // split_bytes)
            for r in range(n):
                tasks.append(
                    {
                        "input": i,
                        "range": r,
                        "path": str(path),
                        "format": fmt,
                        "start": r * split_bytes,
                        "end": min(size, (r + 1) * split_bytes),
                        "split": True,
                    }
                )
        else:
            tasks.append(
                {"input": i, "range": 0, "path": str(path), "format": fmt, "start": 0, "end": size, "split": False}
            )
    return tasks


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
    before any job, or as reported by the executor that met it), also for a parsed Parquet input.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from feedtools.dataset import expand_inputs
    from feedtools.readers import FeedError
    from feedtools.spark import _tasks as tasks_mod

    given = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not given:
        raise FeedError("no input given")
    files = expand_inputs(given)
    for p in files:
        if not p.exists():
            raise FeedError(f"{p.name}: no such file")
    tasks = _plan(files, format, split_bytes)
    langs = tuple(languages) if languages else None
    names = tuple(known_names)

    from pyspark.sql import types as T

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
    rdd = spark.sparkContext.parallelize([tuple(t.values()) for t in tasks], len(tasks))
    task_df = spark.createDataFrame(rdd, task_schema)

    def fn(batches):
        return tasks_mod.read_partition(batches, langs, names)

    raw = task_df.mapInArrow(fn, spark_schema(tasks_mod.OUTPUT_SCHEMA)).persist()
    side = _arrow_frame(
        raw.filter(F.col("_rec") != 0)
        .select("_rec", "_input", "_range", "source", "source_location", "source_line", "notes", "text", "like_count")
        .toArrow()
    )
    errors = side.filter(pl.col("_rec") == 4).sort("_input", "_range")
    if errors.height:
        raw.unpersist()
        raise FeedError(errors["notes"][0])
    stats_rows = side.filter(pl.col("_rec") == 2)
    per_range: dict[tuple[int, int], Counter[str]] = {
        (i, r): Counter() for i, r in {(t["input"], t["range"]) for t in tasks}
    }
    for i, r, k, v in stats_rows.select("_input", "_range", "notes", "like_count").iter_rows():
        per_range[(i, r)][k] += v
    metas = {
        (i, r): json.loads(m)
        for i, r, m in side.filter(pl.col("_rec") == 3).select("_input", "_range", "notes").iter_rows()
    }

    posts = raw.filter(F.col("_rec") == 0)
    # Line numbers of byte ranges: add the lines of the earlier ranges of the same file.
    split_inputs = sorted({t["input"] for t in tasks if t["split"]})
    line_off = []
    for i in split_inputs:
        acc = 0
        for r in sorted(r for (j, r) in per_range if j == i):
            line_off.append((i, r, acc))
            acc += per_range[(i, r)].pop("_lines", 0)
    for c in per_range.values():
        c.pop("_lines", None)
    rejects = side.filter(pl.col("_rec") == 1)
    if line_off:
        off = spark.createDataFrame(line_off, "_input int, _range int, _loff long")
        posts = (
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
        lo = pl.DataFrame(line_off, schema={"_input": pl.Int32, "_range": pl.Int32, "_loff": pl.Int64}, orient="row")
        rejects = rejects.join(lo, on=["_input", "_range"], how="left").with_columns(
            source_line=pl.col("source_line") + pl.col("_loff").fill_null(0)
        )
        rejects = rejects.with_columns(
            source_location=pl.when(pl.col("_loff").is_not_null())
            .then(pl.lit("line ") + pl.col("source_line").cast(pl.String))
            .otherwise(pl.col("source_location"))
        )
    rejects = (
        rejects.sort("_input", "_range", "source_line", maintain_order=True)
        .select(source="source", location="source_location", line="source_line", reason="notes", raw="text")
        .cast(empty_rejects().schema)
    )

    # Repeats across the byte ranges of one capture: the first range's row is kept (as the reader does).
    if split_inputs:
        w = Window.partitionBy("_input", "post_id")
        posts = posts.withColumn("_first", F.min("_range").over(w))
        later = posts.filter(F.col("_input").isin(split_inputs) & (F.col("_range") > F.col("_first")))
        skip_kind = (
            F.when(F.col("notes").startswith("edited (update event)"), F.lit("skipped_update"))
            .otherwise(F.lit("skipped_repeated"))
            .alias("_kind")
        )
        for i, kind, n in later.groupBy("_input", skip_kind).count().collect():
            c = per_range[(i, 0)]
            c[kind] += n
            c["skipped"] += n
            c["posts"] -= n
        posts = posts.filter(~(F.col("_input").isin(split_inputs) & (F.col("_range") > F.col("_first")))).drop("_first")
    # Positions: rows of earlier ranges and inputs come first.
    counts = {(i, r): n for i, r, n in posts.groupBy("_input", "_range").count().collect()}
    offsets, acc = [], 0
    for key in sorted(per_range):
        offsets.append((key[0], key[1], acc))
        acc += counts.get(key, 0)
    off = spark.createDataFrame(offsets, "_input int, _range int, _poff long")
    rn = F.row_number().over(Window.partitionBy("_input", "_range").orderBy("_idx"))
    posts = (
        posts.join(F.broadcast(off), ["_input", "_range"], "left")
        .withColumn("position", F.col("_poff") + rn - 1)
        .drop("_poff")
    )
    # A post already read from an earlier input is skipped and counted in its own input.
    first_input = F.min("_input").over(Window.partitionBy("post_id"))
    repeated = F.col("post_id").isNotNull() & (F.col("_input") > first_input)
    posts = posts.withColumn("_rep", repeated)
    repeats = {i: n for i, n in posts.filter("_rep").groupBy("_input").count().collect()} if len(files) > 1 else {}
    posts = posts.filter(~F.col("_rep")).drop("_rep")
    # Duplicates, as feedtools.clean.resolve_duplicates.
    pos = F.when(F.col("_elig"), F.col("position"))
    first_exact = F.when(F.col("_elig"), F.min(pos).over(Window.partitionBy("_k", "_e1", "_e2")))
    first_norm = F.when(F.col("_elig"), F.min(pos).over(Window.partitionBy("_k", "_f1", "_f2")))
    posts = posts.withColumn("_fe", first_exact).withColumn("_fn", first_norm)
    is_exact = F.col("_fe") < F.col("position")
    is_norm = F.col("_fn") < F.col("position")
    posts = posts.withColumn(
        "duplicate_of", F.when(is_exact, F.col("_fe")).when(is_norm, F.col("_fn")).cast("long")
    ).withColumn("duplicate_kind", F.when(is_exact, F.lit("exact")).when(is_norm, F.lit("normalised")))
    posts = posts.select(list(POSTS_SCHEMA))

    # The accounting, as feedtools.load gives it.
    from feedtools.pipeline import _count_repeats, _input_entry
    from feedtools.readers.base import file_sha256, input_size

    inputs: list[tuple[InputEntry, FeedMeta]] = []
    stats: Counter[str] = Counter()
    for i, path in enumerate(files):
        st: Counter[str] = Counter()
        meta: FeedMeta = {}
        for (j, r), c in sorted(per_range.items()):
            if j == i:
                st.update(c)
                meta.update(metas.get((j, r), {}))
        meta.update({"source": path.name, "sha256": file_sha256(path), "size_bytes": input_size(path)})
        entry = _input_entry(meta, st, int(st.get("posts", 0)))
        entry["stats"] = dict(entry["stats"])
        if repeats.get(i):
            _count_repeats(entry, repeats[i])
        inputs.append((entry, meta))
        stats.update({k: v for k, v in entry["stats"].items() if k != "duplicates"})
    stats["duplicates"] = posts.filter(F.col("duplicate_of").isNotNull()).count()
    if len(files) == 1:
        meta = inputs[0][1].copy()
    else:
        formats = sorted({str(e["format"]) for e, _ in inputs})
        meta = {
            "format": formats[0] if len(formats) == 1 else "mixed",
            "source": ", ".join(str(e["source"]) for e, _ in inputs),
            "unit": "lines" if all(e.get("unit") == "lines" for e, _ in inputs) else "records",
        }
        shared: dict[str, object] = {}
        for name, value in inputs[0][1].items():
            if name not in {"format", "source", "unit", "sha256", "size_bytes"} and all(
                m.get(name) == value for _, m in inputs
            ):
                shared[name] = value
        meta.update(cast(FeedMeta, shared))  # keys and values taken from the inputs' own FeedMeta
    meta["inputs"] = [e for e, _ in inputs]
    kind_cols = posts.select("is_repost", "reposted_by", "author_did", "author_handle", "author_name").distinct()
    from feedtools.pipeline import feed_kind

    meta = {**meta, **feed_kind(_to_polars(kind_cols, pl.Schema({c: POSTS_SCHEMA[c] for c in kind_cols.columns})))}
    return SparkFeed(posts=posts, rejects=rejects, stats=stats, meta=meta)


def read(spark, paths: str | Path | Sequence[str | Path], **options):
    """The canonical posts table of ``paths`` as a Spark DataFrame (see :func:`read_feed` for options and
    errors). Row for row and value for value what :func:`feedtools.read` gives; order rows by ``position``."""
    return read_feed(spark, paths, **options).posts


def _to_polars(df, schema: pl.Schema = POSTS_SCHEMA) -> pl.DataFrame:
    """A (small) Spark DataFrame collected as polars with the given schema (times as UTC)."""
    table = df.toArrow()
    frame = _arrow_frame(table) if table.num_rows else pl.DataFrame(schema=schema)
    return frame.select(
        [_utc(frame, c) if isinstance(t, pl.Datetime) else pl.col(c).cast(t) for c, t in schema.items()]
    )


def _utc(frame: pl.DataFrame, col: str) -> pl.Expr:
    """A timestamp column as ``Datetime("us", "UTC")`` (Spark labels Arrow times with its session's zone)."""
    dtype = frame.schema[col]
    e = pl.col(col).cast(pl.Datetime("us", getattr(dtype, "time_zone", None)))
    if getattr(dtype, "time_zone", None) is None:
        return e.dt.replace_time_zone("UTC")
    return e.dt.convert_time_zone("UTC")


def to_polars(df) -> pl.DataFrame:
    """A Spark posts DataFrame collected to the driver as a canonical polars table, ordered by ``position``
    (for small results and tests; a large feed belongs in :func:`write`)."""
    return _to_polars(df.orderBy("position")).sort("position")


def _hadoop(spark, path: str):
    jvm = spark._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    return p.getFileSystem(spark._jsc.hadoopConfiguration()), p


def write(data, path: str | Path, *, mode: str = "overwrite") -> str:
    """Write a posts DataFrame (or a :class:`SparkFeed`, whose accounting goes into the manifest) as the dataset
    folder the rest of the package reads: Parquet parts ordered by ``position`` (timestamps as
    ``TIMESTAMP_MICROS``) and the manifest :data:`feedtools.dataset.MANIFEST` (stats, rejects, meta; a bare
    DataFrame gets none, and reads back as ``accounting: not recorded``). Any Hadoop file system path works
    (local, ``dbfs:/``, ``s3a://``). Spark's ``mode`` applies (``overwrite`` replaces the folder). Returns
    the path written."""
    from feedtools.dataset import MANIFEST, manifest_doc

    feed = data if isinstance(data, SparkFeed) else None
    df = feed.posts if feed is not None else data
    spark = df.sparkSession
    path = str(path)
    old = spark.conf.get("spark.sql.parquet.outputTimestampType", None)
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    try:
        df.select(list(POSTS_SCHEMA)).orderBy("position").write.mode(mode).option("compression", "zstd").parquet(path)
    finally:
        if old is None:
            spark.conf.unset("spark.sql.parquet.outputTimestampType")
        else:
            spark.conf.set("spark.sql.parquet.outputTimestampType", old)
    if feed is not None:
        fs, root = _hadoop(spark, path)
        parts = []
        for st in sorted(fs.listStatus(root), key=lambda s: s.getPath().getName()):
            name = st.getPath().getName()
            if name.endswith(".parquet") and not name.startswith(("_", ".")):
                parts.append({"file": name, "bytes": int(st.getLen())})
        doc = manifest_doc(feed.stats, feed.meta, feed.rejects, parts)
        jvm = spark._jvm  # a driver session always has its JVM gateway (pyspark types it as optional)
        if jvm is None:
            raise RuntimeError("the Spark session has no JVM gateway: write() runs on the driver only")
        out = fs.create(jvm.org.apache.hadoop.fs.Path(root, MANIFEST), True)
        try:
            data_bytes = (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1, default=str) + "\n").encode()
            out.write(bytearray(data_bytes))
        finally:
            out.close()
    return path


# --- small aggregations for the charts -----------------------------------------------------------------------------


def _utc_day(col: str):
    """The UTC calendar day of a timestamp column, whatever the session's time zone."""
    from pyspark.sql import functions as F

    return F.expr(f"date_from_unix_date(CAST(floor(unix_micros({col}) / 86400000000) AS INT))")


def daily_counts(df) -> pl.DataFrame:
    """Rows per UTC day of ``created_at`` computed in Spark, collected as the polars table
    :func:`feedtools.spark.local.daily_counts` gives: ``day`` (Date), ``n_posts`` (own posts), ``n_reposts``,
    sorted by day (rows without a date are left out)."""
    from pyspark.sql import functions as F

    agg = (
        df.filter(F.col("created_at").isNotNull())
        .groupBy(_utc_day("created_at").alias("day"))
        .agg(
            F.sum(F.when(~F.coalesce(F.col("is_repost"), F.lit(False)), 1).otherwise(0)).cast("long").alias("n_posts"),
            F.sum(F.when(F.coalesce(F.col("is_repost"), F.lit(False)), 1).otherwise(0)).cast("long").alias("n_reposts"),
        )
    )
    schema = pl.Schema({"day": pl.Date, "n_posts": pl.Int64, "n_reposts": pl.Int64})
    table = agg.toArrow()
    out = _arrow_frame(table) if table.num_rows else pl.DataFrame(schema=schema)
    return out.cast(schema).sort("day")


def campaign_day_counts(df, aliases: pl.DataFrame | None = None) -> pl.DataFrame:
    """Posts per campaign and UTC day of ``created_at``, computed in Spark: each partition maps its posts to
    (post, campaign) rows with the package's campaign assignment (:func:`feedtools.campaigns.assign_campaigns`:
    folded hashtags and the alias table), then Spark counts. Returns the polars table
    :func:`feedtools.spark.local.campaign_day_counts` gives: ``campaign_id``, ``day`` (Date, null when the
    post has no date), ``n_posts``, ``n_reposts``, sorted by campaign and day."""
    from pyspark.sql import functions as F

    from feedtools.spark import local

    al = aliases

    def fn(batches):
        for batch in batches:
            posts = _arrow_frame(batch)
            rows = local.campaign_rows(posts, al)
            yield from rows.to_arrow().cast(local.CAMPAIGN_ROWS_ARROW).to_batches()

    cols = ["hashtags", "is_placeholder", "is_repost", "created_at", "lang", "position"]
    rows = df.select(*cols).mapInArrow(fn, spark_schema(local.CAMPAIGN_ROWS_SCHEMA))
    agg = rows.groupBy("campaign_id", "day").agg(
        F.sum(F.when(~F.col("is_repost"), 1).otherwise(0)).cast("long").alias("n_posts"),
        F.sum(F.when(F.col("is_repost"), 1).otherwise(0)).cast("long").alias("n_reposts"),
    )
    table = agg.toArrow()
    schema = local.CAMPAIGN_DAY_SCHEMA
    out = _arrow_frame(table) if table.num_rows else pl.DataFrame(schema=schema)
    return out.cast(schema).sort("campaign_id", "day", nulls_last=True)


def _env_check() -> str | None:
    """Why Spark cannot run here (no pyspark, no Java), or None."""
    import shutil

    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'feedtools[spark]')"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "no Java runtime (install OpenJDK 17)"
    return None


def _arrow_frame(data: pa.Table | pa.RecordBatch) -> pl.DataFrame:
    """``pl.from_arrow`` of an Arrow table or record batch: always a DataFrame (polars types the result as
    ``DataFrame | Series``). Raises ``TypeError`` otherwise."""
    frame = pl.from_arrow(data)
    if not isinstance(frame, pl.DataFrame):
        raise TypeError(f"expected a table from Arrow, got {type(frame).__name__}")
    return frame
