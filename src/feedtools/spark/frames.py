"""Between polars and Spark on the driver: the Spark schema of a polars schema, and small Spark results
collected as polars tables (times as UTC, whatever the session's zone). Imports pyspark only when called."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from feedtools.schema import POSTS_SCHEMA

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["arrow_frame", "collect_polars", "spark_schema", "to_polars"]


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


def arrow_frame(data: pa.Table | pa.RecordBatch) -> pl.DataFrame:
    """``pl.from_arrow`` of an Arrow table or record batch: always a DataFrame (polars types the result as
    ``DataFrame | Series``). Raises ``TypeError`` otherwise."""
    frame = pl.from_arrow(data)
    if not isinstance(frame, pl.DataFrame):
        raise TypeError(f"expected a table from Arrow, got {type(frame).__name__}")
    return frame


def collect_polars(df, schema: pl.Schema = POSTS_SCHEMA) -> pl.DataFrame:
    """A (small) Spark DataFrame collected as polars with the given schema (times as UTC)."""
    table = df.toArrow()
    frame = arrow_frame(table) if table.num_rows else pl.DataFrame(schema=schema)
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
    (for small results and tests; a large feed belongs in :func:`feedtools.spark.write`)."""
    return collect_polars(df.orderBy("position")).sort("position")
