"""Exploration of one feed: small summary tables computed from the canonical posts table.

Every function takes the posts table (a ``pl.DataFrame`` or ``pl.LazyFrame`` in the
canonical schema, :mod:`feedtools.schema`) or a :class:`feedtools.Feed`, and returns a
small ``pl.DataFrame``: an aggregate whose size depends on the number of distinct
values shown (bounded by ``n``), never on the number of posts, so the same calls work
on a million-post feed. Rows are sorted deterministically (count descending, then
the key ascending), so printed tables and charts are stable from run to run.

Kinds of row used throughout: ``own`` (the account's own posts), ``repost``
(reposts whose content loaded) and ``unloaded`` (placeholders: the row counts, its
text is unknown).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from feedtools.pipeline import Feed
from feedtools.prose import pct as _pct

__all__ = [
    "KINDS",
    "data_quality",
    "describe_languages",
    "describe_lengths",
    "describe_quality",
    "describe_top",
    "describe_volume",
    "duplicates_sample",
    "headline",
    "input_summary",
    "kind_expr",
    "language_table",
    "length_histogram",
    "length_stats",
    "longest_posts",
    "rejects_by_reason",
    "top_domains",
    "top_emoji",
    "top_hashtags",
    "top_mentions",
    "volume",
]

#: Row kinds, in display order.
KINDS = ("own", "repost", "unloaded")


def _lazy(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.LazyFrame:
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


def volume(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.DataFrame:
    """Rows per kind: columns ``kind`` (own, repost, unloaded: always all three, in that order),
    ``posts`` (count) and ``share`` (of all rows, 0-1, rounded to 3 places; null for an empty feed)."""
    counts = _lazy(posts).select(kind_expr()).group_by("kind").len("posts").collect()
    out = pl.DataFrame({"kind": list(KINDS)}).join(counts, on="kind", how="left", maintain_order="left")
    out = out.with_columns(pl.col("posts").fill_null(0).cast(pl.Int64))
    total = int(out["posts"].sum())
    share = (pl.col("posts") / total).round(3) if total else pl.lit(None, dtype=pl.Float64)
    return out.with_columns(share.alias("share"))


def _top_entities(
    posts: pl.DataFrame | pl.LazyFrame | Feed, column: str, key: pl.Expr, name: str, n: int
) -> pl.DataFrame:
    """Count list-column values (after ``key``) by number of uses and of distinct posts, top ``n``."""
    lf = (
        _lazy(posts)
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


def top_emoji(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 20) -> pl.DataFrame:
    """The ``n`` emoji in most posts: ``emoji``, ``posts``, ``uses`` (repeats within a post counted)."""
    return _top_entities(posts, "emojis", pl.col("emojis"), "emoji", n).drop("spellings")


def _with_length(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.LazyFrame:
    return (
        _lazy(posts)
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


def _excerpt(chars: int) -> pl.Expr:
    """The first ``chars`` characters of ``text_clean``, with ``…`` when cut, as column ``excerpt``."""
    text = pl.col("text_clean")
    return pl.when(text.str.len_chars() > chars).then(text.str.slice(0, chars) + pl.lit("…")).otherwise(text).alias(
        "excerpt")


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
            _excerpt(excerpt),
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
    lf = _lazy(posts).filter(~pl.col("is_placeholder"))
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
        _lazy(posts)
        .filter(pl.col("duplicate_of").is_not_null())
        .sort("position")
        .head(n)
        .select(
            "position",
            "duplicate_of",
            "duplicate_kind",
            _excerpt(excerpt),
        )
        .collect()
    )


def rejects_by_reason(feed: Feed) -> pl.DataFrame:
    """Rejected records grouped by reason: ``reason``, ``records``, ``first_location``
    (where the first one is). Sorted by records descending, then reason."""
    return (
        feed.rejects.lazy()
        .with_row_index("_order")
        .group_by("reason")
        .agg(
            pl.len().cast(pl.Int64).alias("records"),
            pl.col("location").sort_by("_order").first().alias("first_location"),
        )
        .sort(["records", "reason"], descending=[True, False])
        .collect()
    )


def input_summary(feed: Feed) -> pl.DataFrame:
    """What was read: ``field``/``value`` rows for the input file name (never a path), its
    SHA-256, size, format and, for a scrape, the profile's display name and bio (as data)."""
    meta = feed.meta
    rows = [
        ("file", meta.get("source")),
        ("sha256", meta.get("sha256")),
        ("size_bytes", None if meta.get("size_bytes") is None else str(meta["size_bytes"])),
        ("format", meta.get("format")),
    ]
    for key in ("profile_name", "profile_bio"):
        if key in meta:
            rows.append((key, meta[key]))
    return pl.DataFrame(rows, schema={"field": pl.String, "value": pl.String}, orient="row")


def data_quality(feed: Feed) -> pl.DataFrame:
    """Counts that account for every input record, with what each means.

    Columns ``check``, ``count``, ``meaning``. Rows: lines read (line-based formats
    only), records read, rows (own posts +
    reposts), own posts, reposts, unloaded placeholders, rejected, skipped by
    design, duplicates, posts with a truncated link, loaded posts with no text left,
    and ``unaccounted`` = records - rows - rejected - skipped, which must be 0.
    """
    lf = _lazy(feed)
    c = lf.select(
        pl.len().alias("rows"),
        pl.col("is_repost").sum().alias("reposts"),
        pl.col("is_placeholder").sum().alias("placeholders"),
        pl.col("duplicate_of").is_not_null().sum().alias("duplicates"),
        pl.col("url_truncated").fill_null(False).sum().alias("truncated"),
        (~pl.col("is_placeholder") & (pl.col("text_clean").fill_null("") == "")).sum().alias("empty"),
    ).collect().row(0, named=True)
    stats = feed.stats
    records = int(stats.get("records", c["rows"]))
    rejected = int(stats.get("rejected", feed.rejects.height))
    skipped = int(stats.get("skipped", 0))
    rows = []
    if "lines" in stats:
        rows.append(("lines read", int(stats["lines"]), "input lines: header, items, continuations, blank, rejected"))
    rows += [
        ("records read", records, "feed items (or records) found in the input"),
        ("rows", c["rows"], "own posts + reposts: rows of the posts table"),
        ("own posts", c["rows"] - c["reposts"], "posts by the account itself"),
        ("reposts", c["reposts"], "other accounts' posts the account reposted"),
        ("unloaded placeholders", c["placeholders"], "reposts whose content never loaded (text unknown)"),
        ("rejected", rejected, "records that could not be read (see the rejects table)"),
        ("skipped", skipped, "records skipped by design (not posts)"),
        ("duplicates", c["duplicates"], "rows repeating an earlier row's text (kept, marked)"),
        ("truncated links", c["truncated"], "posts with a display-shortened link (domain kept, URL lost)"),
        ("loaded but empty", c["empty"], "loaded posts with no text left after cleaning"),
        ("unaccounted", records - c["rows"] - rejected - skipped, "records - rows - rejected - skipped: must be 0"),
    ]
    return pl.DataFrame(rows, schema={"check": pl.String, "count": pl.Int64, "meaning": pl.String}, orient="row")


def headline(feed: Feed) -> dict[str, Any]:
    """The feed's headline figures for a report's front page.

    Keys: ``source`` (file name), ``sha256`` (of the file), ``rows``, ``own`` (own posts), ``reposts`` (all reposts,
    placeholders included, as in the ``parse`` summary line), ``placeholders``,
    ``languages`` (detected languages other than ``und``, most posts first),
    ``first`` and ``last`` (``created_at`` span as ISO dates, None when the feed has no
    dates), ``rejected``.
    """
    langs = language_table(feed).filter((pl.col("lang") != "und") & (pl.col("detected") > 0))["lang"].to_list()
    c = (
        _lazy(feed)
        .select(
            pl.len().alias("rows"),
            pl.col("is_repost").sum().alias("reposts"),
            pl.col("is_placeholder").sum().alias("placeholders"),
            pl.col("created_at").min().alias("first"),
            pl.col("created_at").max().alias("last"),
        )
        .collect()
        .row(0, named=True)
    )

    def day(value: datetime | None) -> str | None:
        return None if value is None else value.date().isoformat()

    return {
        "source": feed.meta.get("source"),
        "sha256": feed.meta.get("sha256"),
        "rows": int(c["rows"]),
        "own": int(c["rows"] - c["reposts"]),
        "reposts": int(c["reposts"]),
        "placeholders": int(c["placeholders"]),
        "languages": langs,
        "first": day(c["first"]),
        "last": day(c["last"]),
        "rejected": int(feed.stats.get("rejected", feed.rejects.height)),
    }


# --- One-sentence readings of the tables, for the notebooks' prose -------------------------------------------


def describe_volume(volume_df: pl.DataFrame) -> str:
    """One sentence reading :func:`volume`'s table (own posts, loaded reposts, placeholders)."""
    v = dict(zip(volume_df["kind"].to_list(), volume_df["posts"].to_list(), strict=True))
    total = sum(v.values())
    if total == 0:
        return "The feed has no rows."
    return (
        f"{v['own']} of {total} rows ({_pct(v['own'], total)}) are the account's own posts; "
        f"{v['repost']} ({_pct(v['repost'], total)}) are reposts whose content loaded and "
        f"{v['unloaded']} ({_pct(v['unloaded'], total)}) are reposts that never loaded (text unknown)."
    )


def describe_top(top: pl.DataFrame, key: str, noun: str, loaded_posts: int) -> str:
    """One sentence naming the ``noun`` (singular, e.g. ``"hashtag"``) in most posts of a top-``n`` table."""
    if top.height == 0:
        return f"No {noun} in the {loaded_posts} loaded posts."
    first = top.row(0, named=True)
    tied = top.filter(pl.col("posts") == first["posts"]).height
    lead = f"the {noun} in most posts is {first[key]}" if tied == 1 else (
        f"{tied} values share the lead, {first[key]} first in order")
    return (
        f"Among {loaded_posts} loaded posts, {lead} ({first['posts']} posts, "
        f"{_pct(first['posts'], loaded_posts)}); the table and chart show the top {top.height}."
    )


def describe_lengths(stats: pl.DataFrame) -> str:
    """One sentence reading :func:`length_stats` (median and longest post per kind)."""
    parts = []
    for row in stats.filter(pl.col("kind") != "all").iter_rows(named=True):
        if row["posts"]:
            label = "own posts" if row["kind"] == "own" else "reposts"
            parts.append(f"{label}: median {row['median']:.0f}, longest {row['max']} characters")
    return ("; ".join(parts) + ".") if parts else "No loaded post has text."


def describe_languages(languages: pl.DataFrame) -> str:
    """One sentence reading :func:`language_table` (detected languages and declared ones)."""
    detected = languages.filter(pl.col("detected") > 0)
    if detected.height == 0:
        return "No loaded post to detect a language in."
    listing = ", ".join(f"{r['lang']} {r['detected']}" for r in detected.iter_rows(named=True))
    declared = int(languages["declared"].sum())
    agree = int(languages["agree"].sum())
    tail = (
        "no post declares its language, so detection is the only source"
        if declared == 0
        else f"{declared} language declarations, {agree} of them matching the detected language"
    )
    return f"Detected languages (posts): {listing}; {tail}."


def describe_quality(quality: pl.DataFrame) -> str:
    """One sentence reading :func:`data_quality`: whether every record is accounted for."""
    q = dict(zip(quality["check"].to_list(), quality["count"].to_list(), strict=True))
    status = "every input record is accounted for" if q["unaccounted"] == 0 else (
        f"{q['unaccounted']} input records are NOT accounted for")
    return (
        f"{q['records read']} records read: {q['rows']} rows, {q['rejected']} rejected, {q['skipped']} skipped, "
        f"so {status}; {q['unloaded placeholders']} placeholders, {q['duplicates']} duplicates, "
        f"{q['truncated links']} posts with truncated links."
    )
