"""Small aggregations for the charts, computed in Spark and collected as the polars tables of
:mod:`feedtools.spark.local` (same columns). Imports pyspark only when called."""

from __future__ import annotations

import polars as pl

from feedtools.spark.frames import arrow_frame, spark_schema

__all__ = ["campaign_day_counts", "daily_counts"]


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
    out = arrow_frame(table) if table.num_rows else pl.DataFrame(schema=schema)
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
            posts = arrow_frame(batch)
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
    out = arrow_frame(table) if table.num_rows else pl.DataFrame(schema=schema)
    return out.cast(schema).sort("campaign_id", "day", nulls_last=True)
