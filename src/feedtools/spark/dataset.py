"""Writing a Spark read as the dataset folder the rest of the package reads (:mod:`feedtools.dataset`):
Parquet parts ordered by ``position`` and the manifest. Imports pyspark only when called."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from feedtools.schema import POSTS_SCHEMA
from feedtools.spark.feed import SparkFeed

__all__ = ["write"]


def write(data, path: str | Path, *, mode: str = "overwrite") -> str:
    """Write a posts DataFrame (or a :class:`SparkFeed`, whose accounting goes into the manifest) as the dataset
    folder the rest of the package reads: Parquet parts ordered by ``position`` (timestamps as
    ``TIMESTAMP_MICROS``) and the manifest :data:`feedtools.dataset.MANIFEST` (stats, rejects, meta; a bare
    DataFrame gets none, and reads back as ``accounting: not recorded``). Any Hadoop file system path works
    (local, ``dbfs:/``, ``s3a://``). Spark's ``mode`` applies (``overwrite`` replaces the folder). Returns
    the path written. Raises ``OSError`` (one line: the path and the file system's reason) when the folder
    cannot be written."""
    feed = data if isinstance(data, SparkFeed) else None
    df = feed.posts if feed is not None else data
    path = str(path)
    with _io_errors(df.sparkSession, path):
        _write_parts(df, path, mode)
        if feed is not None:
            _write_manifest(feed, df.sparkSession, path)
    return path


@contextmanager
def _io_errors(spark, path: str) -> Iterator[None]:
    """Turn a Java ``IOException`` met while writing ``path`` (found in the cause chain of the Py4J error:
    a folder that cannot be created, no permission, a full disk) into an ``OSError`` with its first line.
    Any other error is raised as it is (a failing task is not an output problem)."""
    try:
        yield
    except Exception as e:
        cause = getattr(e, "java_exception", None)  # a py4j Py4JJavaError (py4j comes with pyspark)
        jvm = spark._jvm
        if cause is None or jvm is None:
            raise
        io_error = jvm.java.lang.Class.forName("java.io.IOException")
        while cause is not None and not io_error.isInstance(cause):
            cause = cause.getCause()
        if cause is None:
            raise
        lines = str(cause.getMessage() or cause.getClass().getSimpleName()).strip().splitlines()
        raise OSError(f"{path}: cannot write the dataset folder ({lines[0] if lines else 'I/O error'})") from None


def _write_parts(df, path: str, mode: str) -> None:
    """The posts as Parquet parts (zstd), ordered by ``position``, timestamps as ``TIMESTAMP_MICROS`` (the
    session's setting is restored afterwards)."""
    spark = df.sparkSession
    old = spark.conf.get("spark.sql.parquet.outputTimestampType", None)
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    try:
        df.select(list(POSTS_SCHEMA)).orderBy("position").write.mode(mode).option("compression", "zstd").parquet(path)
    finally:
        if old is None:
            spark.conf.unset("spark.sql.parquet.outputTimestampType")
        else:
            spark.conf.set("spark.sql.parquet.outputTimestampType", old)


def _hadoop(spark, path: str):
    jvm = spark._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    return p.getFileSystem(spark._jsc.hadoopConfiguration()), p


def _write_manifest(feed: SparkFeed, spark, path: str) -> None:
    """The manifest of :func:`feedtools.dataset.manifest_doc` (the feed's accounting and the Parquet parts
    written, by name), written into the folder through Hadoop's file system."""
    from feedtools.dataset import MANIFEST, manifest_doc

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
