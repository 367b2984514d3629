"""Voice versus amplification: own posts against reposts, and which accounts the feed amplifies."""

from __future__ import annotations

import polars as pl

from feedtools.campaigns.aliases import UND
from feedtools.campaigns.core import _campaign_rows, _labels, _loaded, _tag_rows

__all__ = ["KINDS", "amplified_accounts", "voice_by_campaign", "voice_by_language", "voice_summary"]

_KIND = (
    pl.when(~pl.col("is_repost").fill_null(False))
    .then(pl.lit("own post"))
    .when(pl.col("is_placeholder").fill_null(False))
    .then(pl.lit("repost not loaded"))
    .otherwise(pl.lit("repost"))
)
KINDS = ("own post", "repost", "repost not loaded")


def voice_summary(posts: pl.DataFrame, kind: str = "account") -> pl.DataFrame:
    """Own posts against reposts for the whole feed: ``kind, posts, share`` with the three kinds
    ``own post``, ``repost`` (loaded) and ``repost not loaded`` (placeholder slots), always all three, in that order.
    ``kind="collection"`` (a feed of many accounts) names the first ``original post``.
    """
    n = max(posts.height, 1)
    counts = posts.select(kind=_KIND).group_by("kind").agg(posts=pl.len())
    out = (
        pl.DataFrame({"kind": list(KINDS)})
        .join(counts, on="kind", how="left", maintain_order="left")
        .with_columns(pl.col("posts").fill_null(0).cast(pl.Int64))
        .with_columns(share=(pl.col("posts") / n).round(4))
    )
    if kind == "collection":
        out = out.with_columns(pl.col("kind").replace("own post", "original post"))
    return out


def _voice_wide(df: pl.DataFrame, key: str) -> pl.DataFrame:
    return (
        df.group_by(key)
        .agg(
            own_posts=(pl.col("kind") == "own post").sum().cast(pl.Int64),
            reposts=(pl.col("kind") == "repost").sum().cast(pl.Int64),
            reposts_not_loaded=(pl.col("kind") == "repost not loaded").sum().cast(pl.Int64),
            posts=pl.len().cast(pl.Int64),
        )
        .with_columns(repost_share=((pl.col("reposts") + pl.col("reposts_not_loaded")) / pl.col("posts")).round(4))
        .sort(["posts", key], descending=[True, False])
    )


def voice_by_language(posts: pl.DataFrame) -> pl.DataFrame:
    """Own posts and reposts per detected language: ``lang, own_posts, reposts, reposts_not_loaded, posts,
    repost_share``. Placeholders have no text, so their language is ``und``. Sorted by posts, then language."""
    return _voice_wide(posts.select(pl.col("lang").fill_null(UND), kind=_KIND), "lang")


def voice_by_campaign(posts: pl.DataFrame, aliases: pl.DataFrame | None = None) -> pl.DataFrame:
    """Own posts and reposts per campaign: ``campaign_id, label, own_posts, reposts, reposts_not_loaded (always 0:
    placeholders have no tags), posts, repost_share``. Sorted by posts, then campaign id."""
    rows = _campaign_rows(posts, aliases).with_columns(
        kind=pl.when(pl.col("is_repost")).then(pl.lit("repost")).otherwise(pl.lit("own post"))
    )
    out = _voice_wide(rows, "campaign_id")
    labels = _labels(_tag_rows(posts, aliases), aliases).select("campaign_id", "label")
    return out.join(labels, on="campaign_id", how="left", maintain_order="left").select(
        "campaign_id", "label", "own_posts", "reposts", "reposts_not_loaded", "posts", "repost_share"
    )


def amplified_accounts(posts: pl.DataFrame) -> pl.DataFrame:
    """Which accounts the feed amplifies: ``role, account, reposts, share_of_reposts``.

    Roles: ``author`` (author of the reposted post: handle, else display name, else
    ``(unknown)`` — a profile scrape never names them; placeholders count here as
    unknown), ``reposted_by`` (the reposting account as the source names it), and
    ``mentioned`` (accounts mentioned in loaded reposts: whom the amplified posts
    are about or addressed to). Shares are over all repost rows. Sorted by role,
    reposts (descending), account.
    """
    rp = posts.filter(pl.col("is_repost").fill_null(False))
    n = max(rp.height, 1)
    author = rp.select(role=pl.lit("author"), account=pl.coalesce("author_handle", "author_name", pl.lit("(unknown)")))
    by = rp.select(role=pl.lit("reposted_by"), account=pl.col("reposted_by").fill_null("(unknown)"))
    mentioned = (
        rp.filter(_loaded(rp))
        .select(role=pl.lit("mentioned"), account=pl.col("mentions"))
        .explode("account")
        .drop_nulls("account")
    )
    return (
        pl.concat([author, by, mentioned])
        .group_by("role", "account")
        .agg(reposts=pl.len())
        .with_columns(reposts=pl.col("reposts").cast(pl.Int64), share_of_reposts=(pl.col("reposts") / n).round(4))
        .sort(["role", "reposts", "account"], descending=[False, True, False])
    )
