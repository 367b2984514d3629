"""What the posts contain: rows per kind, top hashtags, mentions, domains, links, link cards and emoji,
alt-text coverage, lengths, languages and duplicates (see :mod:`feedtools.explore`)."""

from __future__ import annotations

import polars as pl

from feedtools.explore._frames import KINDS, excerpt_expr, kind_expr, lazy, loaded_posts
from feedtools.pipeline import Feed


def volume(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.DataFrame:
    """Rows per kind: columns ``kind`` (own, repost, unloaded: always all three, in that order),
    ``posts`` (count) and ``share`` (of all rows, 0-1, rounded to 3 places; null for an empty feed)."""
    counts = lazy(posts).select(kind_expr()).group_by("kind").len("posts").collect()
    out = pl.DataFrame({"kind": list(KINDS)}).join(counts, on="kind", how="left", maintain_order="left")
    out = out.with_columns(pl.col("posts").fill_null(0).cast(pl.Int64))
    total = int(out["posts"].sum())
    share = (pl.col("posts") / total).round(3) if total else pl.lit(None, dtype=pl.Float64)
    return out.with_columns(share.alias("share"))


def kind_labels(volume_df: pl.DataFrame, kind: str = "account") -> pl.DataFrame:
    """:func:`volume`'s table for display: in a collection (``kind="collection"``) the ``own`` rows are
    called ``original`` (posts written by their account, not reposts); unchanged for one account's feed."""
    if kind != "collection":
        return volume_df
    return volume_df.with_columns(pl.col("kind").replace("own", "original"))


def _top_entities(
    posts: pl.DataFrame | pl.LazyFrame | Feed, column: str, key: pl.Expr, name: str, n: int
) -> pl.DataFrame:
    """Count list-column values (after ``key``) by number of uses and of distinct posts, top ``n``."""
    lf = (
        lazy(posts)
        .select("position", pl.col(column))
        .explode(column)
        .drop_nulls(column)
        .with_columns(key.alias(name))
        .group_by(name)
        .agg(
            pl.len().alias("uses"),
            pl.col("position").n_unique().cast(pl.Int64).alias("posts"),
            pl.col(column).unique().sort().alias("spellings"),
        )
        .with_columns(pl.col("uses").cast(pl.Int64))
        .sort(["posts", "uses", name], descending=[True, True, False])
        .head(n)
        .select(name, "posts", "uses", "spellings")
    )
    return lf.collect()


def top_hashtags(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 20) -> pl.DataFrame:
    """The ``n`` hashtags used in most posts, compared case-folded (``#UCLGMeets`` = ``#uclgmeets``).

    Columns: ``hashtag`` (lower-case), ``posts`` (posts using it), ``uses`` (occurrences;
    a post can use two spellings of one tag), ``spellings`` (the distinct spellings
    seen, sorted). Sorted by posts, uses (descending), then hashtag.
    """
    return _top_entities(posts, "hashtags", pl.col("hashtags").str.to_lowercase(), "hashtag", n)


def top_mentions(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 20) -> pl.DataFrame:
    """The ``n`` handles mentioned in most posts: ``mention``, ``posts``, ``uses`` (sorted as above)."""
    return _top_entities(posts, "mentions", pl.col("mentions"), "mention", n).drop("spellings")


def top_domains(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 20) -> pl.DataFrame:
    """The ``n`` link domains (registrable domain) in most posts: ``domain``, ``posts``, ``uses``."""
    return _top_entities(posts, "domains", pl.col("domains"), "domain", n).drop("spellings")


def top_links(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 20) -> pl.DataFrame:
    """The ``n`` links in most posts, by canonical form (``urls_canonical``: the same article with and
    without tracking parameters counts once): ``url``, ``posts``, ``uses``."""
    return _top_entities(posts, "urls_canonical", pl.col("urls_canonical"), "url", n).drop("spellings")


def top_cards(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 10) -> pl.DataFrame:
    """The ``n`` link cards (``app.bsky.embed.external``) shared by most posts.

    Cards are grouped by canonical URL (:func:`feedtools.entities.canonical_urls`, each
    distinct URL normalised once). Columns: ``card`` (canonical URL), ``title`` (the first
    non-empty title seen, feed order), ``posts`` (distinct loaded posts sharing it),
    ``example`` (the web address of the first such post, null when unknown). Sorted by
    posts (descending), then card. Empty when no post carries a card.
    """
    from feedtools.entities import canonical_urls

    rows = (
        loaded_posts(posts)
        .filter(pl.col("card_url").is_not_null())
        .select("card_url", "card_title", "post_uri", "web_url")
    )
    schema = pl.Schema({"card": pl.String, "title": pl.String, "posts": pl.Int64, "example": pl.String})
    if rows.height == 0:
        return pl.DataFrame(schema=schema)
    distinct = rows["card_url"].unique().sort()
    table = pl.DataFrame({"card_url": distinct, "card": pl.Series(canonical_urls(distinct.to_list()), dtype=pl.String)})
    out = (
        rows.join(table, on="card_url", how="left", maintain_order="left")
        .group_by("card", maintain_order=True)
        .agg(
            title=pl.col("card_title").drop_nulls().first(),
            posts=pl.col("post_uri").n_unique().cast(pl.Int64),
            example=pl.col("web_url").drop_nulls().first(),
        )
        .sort(["posts", "card"], descending=[True, False])
        .head(n)
    )
    return out.select(list(schema)).cast(schema)


def alt_text_coverage(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.DataFrame:
    """How many image posts describe their images: one row.

    Columns: ``embeds_known`` (distinct loaded posts whose format records embeds: 0 for a
    profile scrape), ``image_posts`` (distinct loaded posts embedding at least one image),
    ``images`` (images in them), ``images_with_alt`` (images whose alt text is not empty),
    ``posts_all_alt`` (image posts whose every image has alt text) and ``share``
    (``posts_all_alt / image_posts``, 0-1 rounded to 3 places; null without image posts).
    """
    loaded = loaded_posts(posts)
    known = int(loaded["image_count"].is_not_null().sum())
    rows = loaded.filter(pl.col("image_count").fill_null(0) > 0)
    with_alt = pl.col("image_alts").list.eval(pl.element().str.len_chars() > 0).list.sum()
    rows = rows.select(images=pl.col("image_count"), with_alt=with_alt.fill_null(0).cast(pl.Int64))
    image_posts = rows.height
    all_alt = int((rows["with_alt"] >= rows["images"]).sum()) if image_posts else 0
    return pl.DataFrame(
        {
            "embeds_known": [known],
            "image_posts": [image_posts],
            "images": [int(rows["images"].sum()) if image_posts else 0],
            "images_with_alt": [int(rows["with_alt"].sum()) if image_posts else 0],
            "posts_all_alt": [all_alt],
            "share": [round(all_alt / image_posts, 3) if image_posts else None],
        },
        schema={
            "embeds_known": pl.Int64,
            "image_posts": pl.Int64,
            "images": pl.Int64,
            "images_with_alt": pl.Int64,
            "posts_all_alt": pl.Int64,
            "share": pl.Float64,
        },
    )


def top_emoji(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 20) -> pl.DataFrame:
    """The ``n`` emoji in most posts: ``emoji``, ``posts``, ``uses`` (repeats within a post counted)."""
    return _top_entities(posts, "emojis", pl.col("emojis"), "emoji", n).drop("spellings")


def _with_length(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.LazyFrame:
    return (
        lazy(posts)
        .filter(~pl.col("is_placeholder") & pl.col("text").is_not_null())
        .with_columns(kind_expr(), pl.col("text").str.len_chars().cast(pl.Int64).alias("chars"))
    )


def length_stats(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.DataFrame:
    """Post length in characters (of ``text``, as posted) by kind, loaded posts only.

    Columns: ``kind`` (own, repost, all), ``posts``, ``min``, ``median``, ``mean``
    (1 decimal), ``p90``, ``max``. Statistics are null where a kind has no posts.
    """
    lf = _with_length(posts)

    def stats(frame: pl.LazyFrame) -> pl.LazyFrame:
        return frame.select(
            pl.len().cast(pl.Int64).alias("posts"),
            pl.col("chars").min().alias("min"),
            pl.col("chars").median().alias("median"),
            pl.col("chars").mean().round(1).alias("mean"),
            pl.col("chars").quantile(0.9, "nearest").alias("p90"),
            pl.col("chars").max().alias("max"),
        )

    parts = [stats(lf.filter(pl.col("kind") == k)).with_columns(pl.lit(k).alias("kind")) for k in ("own", "repost")]
    parts.append(stats(lf).with_columns(pl.lit("all").alias("kind")))
    out = pl.concat(pl.collect_all(parts), how="vertical_relaxed")
    return out.select("kind", pl.exclude("kind")).with_columns(
        pl.col("min", "p90", "max").cast(pl.Int64), pl.col("median", "mean").cast(pl.Float64)
    )


def length_histogram(posts: pl.DataFrame | pl.LazyFrame | Feed, bin_width: int = 50) -> pl.DataFrame:
    """Loaded posts per length bin and kind: ``bin_start`` (characters, multiple of ``bin_width``),
    ``bin_end`` (exclusive), ``kind`` (own, repost), ``posts``. Empty bins are left out."""
    if bin_width <= 0:
        raise ValueError("bin_width must be positive")
    return (
        _with_length(posts)
        .with_columns(((pl.col("chars") // bin_width) * bin_width).alias("bin_start"))
        .group_by("bin_start", "kind")
        .len("posts")
        .with_columns((pl.col("bin_start") + bin_width).alias("bin_end"), pl.col("posts").cast(pl.Int64))
        .select("bin_start", "bin_end", "kind", "posts")
        .sort("bin_start", "kind")
        .collect()
    )


def longest_posts(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 10, excerpt: int = 80) -> pl.DataFrame:
    """The ``n`` longest loaded posts: ``position``, ``kind``, ``chars``, ``excerpt`` (first
    ``excerpt`` characters of ``text_clean``, with ``…`` when cut). Ties broken by position."""
    return (
        _with_length(posts)
        .sort(["chars", "position"], descending=[True, False])
        .head(n)
        .select(
            "position",
            "kind",
            "chars",
            excerpt_expr(excerpt),
        )
        .collect()
    )


def language_table(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.DataFrame:
    """Detected versus declared languages, one row per language code seen either way.

    Columns: ``lang`` (ISO 639-1, or ``und``), ``detected`` (loaded posts detected as
    ``lang``), ``declared`` (posts declaring ``lang``, base subtag), ``agree`` (posts
    both detected as and declaring ``lang``). Placeholders are left out (they have
    no text). Sorted by detected, declared (descending), then lang.
    """
    lf = lazy(posts).filter(~pl.col("is_placeholder"))
    detected = lf.group_by("lang").len("detected").drop_nulls("lang")
    declared = (
        lf.select("position", "lang", pl.col("langs_declared_base").list.unique().alias("declared_lang"))
        .explode("declared_lang")
        .drop_nulls("declared_lang")
        .group_by("declared_lang")
        .agg(pl.len().alias("declared"), (pl.col("lang") == pl.col("declared_lang")).sum().alias("agree"))
        .rename({"declared_lang": "lang"})
    )
    return (
        detected.join(declared, on="lang", how="full", coalesce=True)
        .with_columns(pl.col("detected", "declared", "agree").fill_null(0).cast(pl.Int64))
        .select("lang", "detected", "declared", "agree")
        .sort(["detected", "declared", "lang"], descending=[True, True, False])
        .collect()
    )


def duplicates_sample(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 10, excerpt: int = 80) -> pl.DataFrame:
    """The first ``n`` duplicate rows in source order: ``position``, ``duplicate_of``,
    ``duplicate_kind``, ``excerpt`` (of ``text_clean``). Count all of them with :func:`data_quality`."""
    return (
        lazy(posts)
        .filter(pl.col("duplicate_of").is_not_null())
        .sort("position")
        .head(n)
        .select(
            "position",
            "duplicate_of",
            "duplicate_kind",
            excerpt_expr(excerpt),
        )
        .collect()
    )
