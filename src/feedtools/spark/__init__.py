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

Modules: :mod:`~feedtools.spark.feed` (``read_feed``, ``read``) runs :mod:`~feedtools.spark.driver` (inputs,
tasks, side output), :mod:`~feedtools.spark._tasks` (what the executors run), :mod:`~feedtools.spark.steps`
(the whole-feed Spark steps) and :mod:`~feedtools.spark.accounting`; :mod:`~feedtools.spark.dataset`
(``write``), :mod:`~feedtools.spark.counts` (the aggregations), :mod:`~feedtools.spark.frames` (schemas and
collecting to polars), :mod:`~feedtools.spark.local` (the polars side of the aggregations).
"""

from __future__ import annotations

import os

from feedtools.spark.counts import campaign_day_counts, daily_counts
from feedtools.spark.dataset import write
from feedtools.spark.feed import SPLIT_BYTES, SparkFeed, read, read_feed
from feedtools.spark.frames import spark_schema, to_polars

__all__ = [
    "SPLIT_BYTES",
    "SparkFeed",
    "campaign_day_counts",
    "daily_counts",
    "read",
    "read_feed",
    "spark_schema",
    "to_polars",
    "write",
]


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
