"""Series markers: leading emoji, hashtags and ``Label:`` openers that recur; the per-post check table."""

from __future__ import annotations

import polars as pl

from feedtools.campaigns.aliases import LIST_STR, UND
from feedtools.campaigns.core import _counted, _loaded, assign_campaigns
from feedtools.entities import emoji_pattern
from feedtools.text import fold_tags

__all__ = ["posts_with_campaigns", "series_markers"]


def _leading_tag(df: pl.DataFrame) -> pl.Series:
    """The key (:func:`fold_tag`) of the hashtag a post's text opens with, null when it opens otherwise."""
    text = df["text_clean"].fill_null("").str.strip_chars_start()
    return fold_tags(text.str.extract("^[#＃]([\\p{L}\\p{N}_-]+)", 1)).alias("_lead_tag")


def _opener_expr() -> pl.Expr:
    """A post's opener: its leading emoji (variation selectors dropped), else a leading ``#tag`` (its key, as
    ``#key``; needs the ``_lead_tag`` column from :func:`_leading_tag`), else a leading label ending in ``:``
    or ``|`` (up to 3 words, lower-cased); null when none."""
    text = pl.col("text_clean").fill_null("").str.strip_chars_start()
    emoji = text.str.extract("^(" + emoji_pattern() + ")", 1).str.replace_all("\ufe0f", "")
    tag = pl.when(pl.col("_lead_tag") != "").then(pl.lit("#") + pl.col("_lead_tag"))
    label = text.str.extract(r"^((?:[\p{L}\p{N}]+\s?){1,3})\s*[:|]", 1).str.strip_chars().str.to_lowercase()
    label = pl.lit("") + label + pl.lit(":")
    return pl.coalesce(emoji, tag, label)


def series_markers(
    posts: pl.DataFrame,
    aliases: pl.DataFrame | None = None,
    *,
    min_posts: int = 2,
    include_reposts: bool = False,
    top: int = 5,
    max_positions: int = 20,
) -> pl.DataFrame:
    """Recurring openers that mark a series: leading emoji, leading hashtags, leading ``Label:`` openers.

    By default only the account's own posts count (reposts open with their
    authors' markers); openers used by fewer than ``min_posts`` posts are dropped.
    Columns: ``marker``, ``kind`` (``emoji``/``hashtag``/``label``), ``posts``,
    ``first_position``, ``last_position``, ``span`` (positions covered),
    ``positions`` (the first ``max_positions``, sorted: the table stays small on a big
    feed; ``posts`` has the full count), ``campaigns``, ``partners`` and ``langs``
    (``value:count``, at most ``top``), ``untagged`` (posts with no campaign).
    Sorted by posts (descending), then marker.
    """
    df = assign_campaigns(posts, aliases).filter(_loaded(posts))
    if not include_reposts:
        df = df.filter(~pl.col("is_repost").fill_null(False))
    df = df.with_columns(_leading_tag(df)).with_columns(marker=_opener_expr()).drop_nulls("marker")
    out = (
        df.group_by("marker")
        .agg(
            posts=pl.len(),
            first_position=pl.col("position").min(),
            last_position=pl.col("position").max(),
            positions=pl.col("position").sort().head(max_positions),
            untagged=(pl.col("campaigns").list.len() == 0).sum().cast(pl.Int64),
        )
        .filter(pl.col("posts") >= min_posts)
    )
    return (
        _with_marker_counts(out, df, top)
        .with_columns(
            kind=_marker_kind(),
            posts=pl.col("posts").cast(pl.Int64),
            span=pl.col("last_position") - pl.col("first_position") + 1,
        )
        .select(_MARKER_COLUMNS)
        .sort(["posts", "marker"], descending=[True, False])
    )


_MARKER_COLUMNS = (
    "marker",
    "kind",
    "posts",
    "first_position",
    "last_position",
    "span",
    "positions",
    "campaigns",
    "partners",
    "langs",
    "untagged",
)


def _marker_kind() -> pl.Expr:
    """``hashtag`` (a ``#key`` marker), ``label`` (ends with ``:``) or ``emoji``."""
    return (
        pl.when(pl.col("marker").str.starts_with("#"))
        .then(pl.lit("hashtag"))
        .when(pl.col("marker").str.ends_with(":"))
        .then(pl.lit("label"))
        .otherwise(pl.lit("emoji"))
    )


def _with_marker_counts(out: pl.DataFrame, df: pl.DataFrame, top: int) -> pl.DataFrame:
    """``out`` (one row per marker) with the ``campaigns``, ``partners`` and ``langs`` (``value:count``, at most
    ``top``) of the marked posts ``df``; empty lists where there are none."""
    for name, col in (("campaigns", "campaigns"), ("partners", "mentions")):
        long = df.select("marker", v=pl.col(col)).explode("v")
        out = out.join(_counted(long, "marker", "v", name, top), on="marker", how="left")
    out = out.join(
        _counted(df.select("marker", v=pl.col("lang").fill_null(UND)), "marker", "v", "langs", top),
        on="marker",
        how="left",
    )
    return out.with_columns(pl.col("campaigns", "partners", "langs").fill_null(pl.lit([], dtype=LIST_STR)))


def posts_with_campaigns(posts: pl.DataFrame, aliases: pl.DataFrame | None = None) -> pl.DataFrame:
    """A compact per-post table for checking campaigns by eye (the CLI's ``--posts`` output).

    Columns: ``position, post_id, source_location, is_repost, is_placeholder,
    duplicate_of, lang, series_marker, hashtags, campaigns, mentions, domains,
    text_clean``; one row per input row, in position order.
    """
    out = assign_campaigns(posts, aliases)
    out = out.with_columns(_leading_tag(out)).with_columns(series_marker=_opener_expr())
    return out.select(
        "position",
        "post_id",
        "source_location",
        "is_repost",
        "is_placeholder",
        "duplicate_of",
        "lang",
        "series_marker",
        "hashtags",
        "campaigns",
        "mentions",
        "domains",
        "text_clean",
    ).sort("position", maintain_order=True)
