"""Accounts: who wrote a feed's original posts, in which languages, and who amplified them (reposts); whether the
feed is one account's or a collection (see :mod:`feedtools.explore`)."""

from __future__ import annotations

import polars as pl

from feedtools.explore._frames import account_label, lazy, originals
from feedtools.pipeline import Feed, account_key, feed_kind


def feed_kind_of(feed: Feed | pl.DataFrame | pl.LazyFrame) -> str:
    """``"account"`` or ``"collection"``: ``feed.meta["kind"]`` when recorded, else decided from the posts
    (:func:`feedtools.pipeline.feed_kind`)."""
    if isinstance(feed, Feed) and feed.meta.get("kind") in {"account", "collection"}:
        return feed.meta["kind"]
    return feed_kind(lazy(feed))["kind"]


def account_count(posts: pl.DataFrame | pl.LazyFrame | Feed) -> int:
    """Number of distinct authors (DID, else handle, else name) of original (non-repost) rows."""
    return int(originals(posts).select(account_key().drop_nulls().n_unique()).collect().item())


def accounts_table(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 20) -> pl.DataFrame:
    """The ``n`` accounts with most original posts (reposts left out).

    Columns: ``account`` (``@handle``, else display name, else DID), ``did`` (null when
    unknown), ``posts`` (original posts), ``share`` (of all original posts with a known
    author, 0-1, 3 places), ``languages`` (detected languages of its loaded posts, most
    posts first, ``und`` last, as ``en 3, es 1``), ``hashtags`` (distinct hashtags it
    used, case-folded). Sorted by posts descending, then account. Rows whose author is
    unknown are left out.
    """
    base = originals(posts).with_columns(account_key().alias("_key")).filter(pl.col("_key").is_not_null())
    per = base.group_by("_key").agg(
        account_label().drop_nulls().first().alias("account"),
        pl.col("author_did").drop_nulls().first().alias("did"),
        pl.len().cast(pl.Int64).alias("posts"),
        pl.col("hashtags").explode().drop_nulls().str.to_lowercase().n_unique().cast(pl.Int64).alias("hashtags"),
    )
    langs = (
        base.filter(~pl.col("is_placeholder").fill_null(False) & pl.col("lang").is_not_null())
        .group_by("_key", "lang")
        .len("n")
        .sort(["_key", pl.col("lang") == "und", "n", "lang"], descending=[False, False, True, False])
        .group_by("_key", maintain_order=True)
        .agg((pl.col("lang") + " " + pl.col("n").cast(pl.String)).str.join(", ").alias("languages"))
    )
    out = (
        per.join(langs, on="_key", how="left")
        .with_columns(
            (pl.col("posts") / pl.col("posts").sum()).round(3).alias("share"),
            pl.col("account").fill_null(pl.col("_key")),
            pl.col("languages").fill_null(""),
        )
        .sort(["posts", "account", "_key"], descending=[True, False, False])
        .head(n)
        .select("account", "did", "posts", "share", "languages", "hashtags")
    )
    return out.collect()


def account_activity(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 500) -> pl.DataFrame:
    """Original posts per account, ranked, for a long-tail chart: the first ``n`` ranks.

    Columns: ``rank`` (1 = most posts), ``account``, ``posts``, ``cumulative_share``
    (share of all original posts with a known author written by the accounts up to this
    rank, 0-1, 3 places). Ties are ranked by account label.
    """
    t = accounts_table(posts, n=n)
    total = int(originals(posts).filter(account_key().is_not_null()).select(pl.len()).collect().item())
    return t.select(
        pl.int_range(1, t.height + 1, dtype=pl.Int64).alias("rank"),
        "account",
        "posts",
        (pl.col("posts").cum_sum() / total).round(3).alias("cumulative_share")
        if total
        else pl.lit(None, pl.Float64).alias("cumulative_share"),
    )


def account_languages(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 15) -> pl.DataFrame:
    """Detected languages of the loaded original posts of the ``n`` most active accounts.

    Columns: ``account``, ``lang``, ``posts``; accounts in the order of
    :func:`accounts_table`, languages by posts descending, then code.
    """
    top = accounts_table(posts, n=n).with_row_index("_order")
    rows = (
        originals(posts)
        .filter(~pl.col("is_placeholder").fill_null(False) & account_key().is_not_null())
        .with_columns(pl.coalesce(account_label(), account_key()).alias("account"), pl.col("lang").fill_null("und"))
        .group_by("account", "lang")
        .len("posts")
        .collect()
    )
    return (
        rows.join(top.select("account", "_order"), on="account", how="inner")
        .with_columns(pl.col("posts").cast(pl.Int64))
        .sort(["_order", "posts", "lang"], descending=[False, True, False])
        .select("account", "lang", "posts")
    )


def amplifiers(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 20) -> pl.DataFrame:
    """Reposts per reposting account: ``reposted_by`` (as the format names it: handle, name or DID), ``reposts``
    (placeholders included), ``loaded`` (reposts whose content loaded), ``authors`` (distinct accounts
    amplified, among loaded reposts with a known author). Top ``n`` by reposts, then name."""
    return (
        lazy(posts)
        .filter(pl.col("is_repost").fill_null(False))
        .with_columns(pl.col("reposted_by").fill_null("(unknown account)"))
        .group_by("reposted_by")
        .agg(
            pl.len().cast(pl.Int64).alias("reposts"),
            (~pl.col("is_placeholder").fill_null(False)).sum().cast(pl.Int64).alias("loaded"),
            account_key().drop_nulls().n_unique().cast(pl.Int64).alias("authors"),
        )
        .sort(["reposts", "reposted_by"], descending=[True, False])
        .head(n)
        .collect()
    )


def reposter_count(posts: pl.DataFrame | pl.LazyFrame | Feed) -> int:
    """Number of distinct reposting accounts (``reposted_by``; a repost whose reposter is unknown counts as one)."""
    return int(
        lazy(posts)
        .filter(pl.col("is_repost").fill_null(False))
        .select(pl.col("reposted_by").fill_null("").n_unique())
        .collect()
        .item()
    )
