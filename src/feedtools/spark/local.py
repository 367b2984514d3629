"""The polars side of the Spark aggregations: the same small tables from a posts table in memory (imports no
pyspark). :func:`campaign_rows` is row-local, so Spark runs it per partition."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

__all__ = ["CAMPAIGN_DAY_SCHEMA", "CAMPAIGN_ROWS_SCHEMA", "campaign_day_counts", "campaign_rows", "daily_counts"]

CAMPAIGN_ROWS_SCHEMA = pl.Schema({"campaign_id": pl.String, "day": pl.Date, "is_repost": pl.Boolean})
_ROWS_FIELDS: list[tuple[str, pa.DataType]] = [
    ("campaign_id", pa.string()),
    ("day", pa.date32()),
    ("is_repost", pa.bool_()),
]
CAMPAIGN_ROWS_ARROW = pa.schema(_ROWS_FIELDS)
CAMPAIGN_DAY_SCHEMA = pl.Schema({"campaign_id": pl.String, "day": pl.Date, "n_posts": pl.Int64, "n_reposts": pl.Int64})


def campaign_rows(posts: pl.DataFrame, aliases: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per (post, campaign) of :func:`feedtools.campaigns.assign_campaigns`: ``campaign_id``, ``day``
    (UTC date of ``created_at``), ``is_repost``. Placeholders have none. Row-local."""
    from feedtools.campaigns import assign_campaigns

    if posts.height == 0:
        return pl.DataFrame(schema=CAMPAIGN_ROWS_SCHEMA)
    tz = getattr(posts.schema["created_at"], "time_zone", None)
    created = pl.col("created_at")
    utc = created.dt.replace_time_zone("UTC") if tz is None else created.dt.convert_time_zone("UTC")
    posts = posts.with_columns(utc)
    out = (
        assign_campaigns(posts, aliases)
        .select(
            pl.col("campaigns").alias("campaign_id"),
            day=pl.col("created_at").dt.date(),
            is_repost=pl.col("is_repost").fill_null(False),
        )
        .explode("campaign_id")
        .drop_nulls("campaign_id")
    )
    return out.cast(CAMPAIGN_ROWS_SCHEMA)


def campaign_day_counts(posts: pl.DataFrame, aliases: pl.DataFrame | None = None) -> pl.DataFrame:
    """Posts per campaign and UTC day: ``campaign_id``, ``day`` (null when the post has no date), ``n_posts``
    (own posts), ``n_reposts``; sorted by campaign and day (undated last)."""
    rows = campaign_rows(posts, aliases)
    out = rows.group_by("campaign_id", "day").agg(
        n_posts=(~pl.col("is_repost")).sum().cast(pl.Int64), n_reposts=pl.col("is_repost").sum().cast(pl.Int64)
    )
    return out.cast(CAMPAIGN_DAY_SCHEMA).sort("campaign_id", "day", nulls_last=True)


def daily_counts(posts: pl.DataFrame) -> pl.DataFrame:
    """Rows per UTC day of ``created_at``: ``day``, ``n_posts`` (own posts), ``n_reposts``; sorted by day
    (rows without a date left out)."""
    rep = pl.col("is_repost").fill_null(False)
    return (
        posts.filter(pl.col("created_at").is_not_null())
        .group_by(day=pl.col("created_at").dt.date())
        .agg(n_posts=(~rep).sum().cast(pl.Int64), n_reposts=rep.sum().cast(pl.Int64))
        .cast({"day": pl.Date, "n_posts": pl.Int64, "n_reposts": pl.Int64})
        .sort("day")
    )
