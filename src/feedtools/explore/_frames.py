"""Shared pieces of the exploration tables: the posts as a lazy frame, row kinds, loaded posts, excerpts,
original posts and how an account is named.

Leaf module of :mod:`feedtools.explore` (imports nothing else of it).
"""

from __future__ import annotations

import polars as pl

from feedtools.pipeline import Feed

#: Row kinds, in display order.
KINDS = ("own", "repost", "unloaded")


def lazy(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.LazyFrame:
    """The posts table of ``posts`` (a frame or a :class:`~feedtools.Feed`) as a ``LazyFrame``."""
    if isinstance(posts, Feed):
        posts = posts.posts
    return posts.lazy()


def kind_expr() -> pl.Expr:
    """Expression naming each row's kind: ``unloaded`` for placeholders, else ``repost`` or ``own``."""
    return (
        pl.when(pl.col("is_placeholder"))
        .then(pl.lit("unloaded"))
        .when(pl.col("is_repost"))
        .then(pl.lit("repost"))
        .otherwise(pl.lit("own"))
        .alias("kind")
    )


def loaded_posts(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.DataFrame:
    """Loaded rows, one per post shown (a post reposted twice counts once), in feed order."""
    return (
        lazy(posts)
        .filter(~pl.col("is_placeholder"))
        .sort("position")
        .with_columns(_post=pl.coalesce("post_uri", "post_id"))
        .unique("_post", keep="first", maintain_order=True)
        .drop("_post")
        .collect()
    )


def excerpt_expr(chars: int) -> pl.Expr:
    """The first ``chars`` characters of ``text_clean``, with ``…`` when cut, as column ``excerpt``."""
    text = pl.col("text_clean")
    return (
        pl.when(text.str.len_chars() > chars)
        .then(text.str.slice(0, chars) + pl.lit("…"))
        .otherwise(text)
        .alias("excerpt")
    )


def originals(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.LazyFrame:
    """The original (non-repost) rows, lazily."""
    return lazy(posts).filter(~pl.col("is_repost").fill_null(False))


def account_label() -> pl.Expr:
    """How an account is shown: ``@handle``, else its display name, else its DID."""
    return pl.coalesce("@" + pl.col("author_handle"), pl.col("author_name"), pl.col("author_did"))


def own_noun(collection: bool) -> str:
    """What a feed's non-repost rows are called: "original posts" in a collection, else "own posts"."""
    return "original posts" if collection else "own posts"
