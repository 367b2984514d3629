"""Exploration of one feed: small summary tables computed from the canonical posts table.

Every function takes the posts table (a ``pl.DataFrame`` or ``pl.LazyFrame`` in the
canonical schema, :mod:`feedtools.schema`) or a :class:`feedtools.Feed`, and returns a
small ``pl.DataFrame``: an aggregate whose size depends on the number of distinct
values shown (bounded by ``n``), never on the number of posts, so the same calls work
on a million-post feed. Rows are sorted deterministically (count descending, then
the key ascending), so printed tables and charts are stable from run to run.

Kinds of row used throughout: ``own`` (original posts, not reposts: the account's own
posts in a one-account feed), ``repost`` (reposts whose content loaded) and
``unloaded`` (placeholders: the row counts, its text is unknown).

One account's feed or a collection
----------------------------------
:func:`feedtools.pipeline.feed_kind` (recorded by ``load`` in ``feed.meta["kind"]``)
says whether a feed is one account's or a ``collection`` of many. The ``describe_*``
functions take that ``kind`` and speak of "the account's own posts" or of "original
posts (not reposts)" accordingly; :func:`accounts_table`, :func:`account_activity`,
:func:`account_languages` and :func:`amplifiers` describe the accounts of a collection
(they work on any feed: a one-account feed has one row). Every ``describe_*`` handles
zero, one and many (``1 post``, ``2 posts``) and never prints ``None`` or ``nan``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from feedtools.pipeline import Feed, account_key, feed_kind
from feedtools.prose import join_list as _listing
from feedtools.prose import pct as _pct
from feedtools.prose import plural as _n
from feedtools.readers.base import InputEntry

__all__ = [
    "KINDS",
    "account_activity",
    "account_count",
    "account_languages",
    "accounts_table",
    "alt_text_coverage",
    "amplifiers",
    "data_quality",
    "data_quality_by_source",
    "describe_accounts",
    "describe_alt_text",
    "describe_amplification",
    "describe_cards",
    "describe_feed",
    "describe_languages",
    "describe_lengths",
    "describe_quality",
    "describe_top",
    "describe_volume",
    "duplicates_sample",
    "feed_kind_of",
    "headline",
    "input_summary",
    "kind_expr",
    "kind_labels",
    "language_table",
    "length_histogram",
    "length_stats",
    "longest_posts",
    "rejects_by_reason",
    "reposter_count",
    "top_cards",
    "top_domains",
    "top_emoji",
    "top_hashtags",
    "top_links",
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


def top_links(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 20) -> pl.DataFrame:
    """The ``n`` links in most posts, by canonical form (``urls_canonical``: the same article with and
    without tracking parameters counts once): ``url``, ``posts``, ``uses``."""
    return _top_entities(posts, "urls_canonical", pl.col("urls_canonical"), "url", n).drop("spellings")


def _loaded_posts(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.DataFrame:
    """Loaded rows, one per post shown (a post reposted twice counts once), in feed order."""
    return (
        _lazy(posts)
        .filter(~pl.col("is_placeholder"))
        .sort("position")
        .with_columns(_post=pl.coalesce("post_uri", "post_id"))
        .unique("_post", keep="first", maintain_order=True)
        .drop("_post")
        .collect()
    )


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
        _loaded_posts(posts)
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
    loaded = _loaded_posts(posts)
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
    return (
        pl.when(text.str.len_chars() > chars)
        .then(text.str.slice(0, chars) + pl.lit("…"))
        .otherwise(text)
        .alias("excerpt")
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
    SHA-256, size, format and, for a scrape, the profile's display name and bio (as data); the feed's kind and,
    for one account's feed, the account's handle, DID and name where known; for several inputs, their number
    (each input's name and hash are in :func:`data_quality_by_source`)."""
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
    kind = feed_kind_of(feed)
    rows.append(("kind", "one account's feed" if kind == "account" else "collection of accounts"))
    account = meta.get("account")
    if account:
        for key, value in (("handle", account["handle"]), ("did", account["did"]), ("name", account["name"])):
            if value:
                rows.append((f"account {key}", value))
    inputs = meta.get("inputs") or []
    if len(inputs) > 1:  # one file per row would not fit here: the per-source table lists them
        rows[1] = ("sha256", "one per input (see the table by source)")
        rows[2] = ("size_bytes", str(sum(int(i.get("size_bytes") or 0) for i in inputs)))
        rows.append(("inputs", str(len(inputs))))
    return pl.DataFrame(rows, schema={"field": pl.String, "value": pl.String}, orient="row")


def data_quality(feed: Feed) -> pl.DataFrame:
    """Counts that account for every input record, with what each means.

    Columns ``check``, ``count``, ``meaning``. Rows: lines read (line-based formats
    only), records read, rows (own posts + reposts; "original posts" for a collection,
    see :func:`feed_kind_of`), own posts, reposts, unloaded placeholders, rejected, skipped by
    design, duplicates, posts with a truncated link, loaded posts with no text left,
    and ``unaccounted`` = records - rows - rejected - skipped, which must be 0.
    """
    collection = feed_kind_of(feed) == "collection"
    lf = _lazy(feed)
    c = (
        lf.select(
            pl.len().alias("rows"),
            pl.col("is_repost").sum().alias("reposts"),
            pl.col("is_placeholder").sum().alias("placeholders"),
            pl.col("duplicate_of").is_not_null().sum().alias("duplicates"),
            pl.col("url_truncated").fill_null(False).sum().alias("truncated"),
            (~pl.col("is_placeholder") & (pl.col("text_clean").fill_null("") == "")).sum().alias("empty"),
        )
        .collect()
        .row(0, named=True)
    )
    stats = feed.stats
    records = int(stats.get("records", c["rows"]))
    rejected = int(stats.get("rejected", feed.rejects.height))
    skipped = int(stats.get("skipped", 0))
    rows = []
    if "lines" in stats:
        rows.append(("lines read", int(stats["lines"]), "input lines: header, items, continuations, blank, rejected"))
    rows += [
        ("records read", records, "feed items (or records) found in the input"),
        ("rows", c["rows"], f"{_own(collection)} + reposts: rows of the posts table"),
        (
            _own(collection),
            c["rows"] - c["reposts"],
            "posts written by their accounts (not reposts)" if collection else "posts by the account itself",
        ),
        (
            "reposts",
            c["reposts"],
            "posts the accounts reposted" if collection else "other accounts' posts the account reposted",
        ),
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
    dates), ``rejected``, ``kind`` (``account`` or ``collection``) and ``accounts``
    (distinct authors of original posts).
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
        "kind": feed_kind_of(feed),
        "accounts": int(feed.meta["accounts"]) if "accounts" in feed.meta else account_count(feed),
    }


# --- Accounts: who wrote the posts, who amplified them ------------------------------------------------------------


def feed_kind_of(feed: Feed | pl.DataFrame | pl.LazyFrame) -> str:
    """``"account"`` or ``"collection"``: ``feed.meta["kind"]`` when recorded, else decided from the posts
    (:func:`feedtools.pipeline.feed_kind`)."""
    if isinstance(feed, Feed) and feed.meta.get("kind") in {"account", "collection"}:
        return feed.meta["kind"]
    return feed_kind(_lazy(feed))["kind"]


def account_count(posts: pl.DataFrame | pl.LazyFrame | Feed) -> int:
    """Number of distinct authors (DID, else handle, else name) of original (non-repost) rows."""
    return int(_originals(posts).select(account_key().drop_nulls().n_unique()).collect().item())


def _originals(posts: pl.DataFrame | pl.LazyFrame | Feed) -> pl.LazyFrame:
    return _lazy(posts).filter(~pl.col("is_repost").fill_null(False))


def _label() -> pl.Expr:
    """How an account is shown: ``@handle``, else its display name, else its DID."""
    return pl.coalesce("@" + pl.col("author_handle"), pl.col("author_name"), pl.col("author_did"))


def accounts_table(posts: pl.DataFrame | pl.LazyFrame | Feed, n: int = 20) -> pl.DataFrame:
    """The ``n`` accounts with most original posts (reposts left out).

    Columns: ``account`` (``@handle``, else display name, else DID), ``did`` (null when
    unknown), ``posts`` (original posts), ``share`` (of all original posts with a known
    author, 0-1, 3 places), ``languages`` (detected languages of its loaded posts, most
    posts first, ``und`` last, as ``en 3, es 1``), ``hashtags`` (distinct hashtags it
    used, case-folded). Sorted by posts descending, then account. Rows whose author is
    unknown are left out.
    """
    base = _originals(posts).with_columns(account_key().alias("_key")).filter(pl.col("_key").is_not_null())
    per = base.group_by("_key").agg(
        _label().drop_nulls().first().alias("account"),
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
    total = int(_originals(posts).filter(account_key().is_not_null()).select(pl.len()).collect().item())
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
        _originals(posts)
        .filter(~pl.col("is_placeholder").fill_null(False) & account_key().is_not_null())
        .with_columns(pl.coalesce(_label(), account_key()).alias("account"), pl.col("lang").fill_null("und"))
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
        _lazy(posts)
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
        _lazy(posts)
        .filter(pl.col("is_repost").fill_null(False))
        .select(pl.col("reposted_by").fill_null("").n_unique())
        .collect()
        .item()
    )


def data_quality_by_source(feed: Feed) -> pl.DataFrame:
    """Each input file's own record accounting (several inputs, or one), in input order.

    Columns: ``source`` (file name), ``format``, ``sha256`` (first 12 hex digits),
    ``records``, ``rows`` (rows it contributed), ``rejected``, ``skipped`` (of which
    ``repeated``: records already read from an earlier input or page), ``duplicates``
    (its rows marked as copies of an earlier row, in any input) and ``unaccounted`` =
    records - rows - rejected - skipped, which must be 0.
    """
    inputs: list[InputEntry] = feed.meta.get("inputs") or [
        {
            "source": feed.meta.get("source"),
            "format": feed.meta.get("format"),
            "sha256": feed.meta.get("sha256"),
            "size_bytes": feed.meta.get("size_bytes"),
            "unit": feed.meta.get("unit", "records"),
            "rows": feed.posts.height,
            "stats": dict(feed.stats),
        }
    ]
    dups = (
        dict(_lazy(feed).filter(pl.col("duplicate_of").is_not_null()).group_by("source").len().collect().iter_rows())
        if len(inputs) > 1
        else {inputs[0]["source"]: int(feed.stats.get("duplicates", 0))}
    )
    rows = []
    seen: set = set()
    for e in inputs:
        st = e.get("stats", {})
        records, rows_n = int(st.get("records", 0)), int(e.get("rows", st.get("posts", 0)))
        rejected, skipped = int(st.get("rejected", 0)), int(st.get("skipped", 0))
        first = e["source"] not in seen  # duplicates per file name: counted once when two inputs share a name
        seen.add(e["source"])
        rows.append(
            {
                "source": e.get("source"),
                "format": e.get("format"),
                "sha256": (e.get("sha256") or "")[:12] or None,
                "records": records,
                "rows": rows_n,
                "rejected": rejected,
                "skipped": skipped,
                "repeated": int(st.get("skipped_repeated", 0)),
                "duplicates": int(dups.get(e["source"], 0)) if first else 0,
                "unaccounted": records - rows_n - rejected - skipped,
            }
        )
    schema = pl.Schema(
        {
            "source": pl.String,
            "format": pl.String,
            "sha256": pl.String,
            "records": pl.Int64,
            "rows": pl.Int64,
            "rejected": pl.Int64,
            "skipped": pl.Int64,
            "repeated": pl.Int64,
            "duplicates": pl.Int64,
            "unaccounted": pl.Int64,
        }
    )
    return pl.DataFrame(rows, schema=schema)


# --- One-sentence readings of the tables, for the notebooks' prose -------------------------------------------


def _own(collection: bool) -> str:
    return "original posts" if collection else "own posts"


def describe_feed(feed: Feed) -> str:
    """One sentence saying whose feed this is: one account's (named by handle, name or DID where known) or a
    collection (how many accounts wrote its original posts, and how many input files it comes from)."""
    kind = feed_kind_of(feed)
    inputs = feed.meta.get("inputs") or []
    files = f" read from {_n(len(inputs), 'file')}" if len(inputs) > 1 else ""
    accounts = int(feed.meta["accounts"]) if "accounts" in feed.meta else account_count(feed)
    if kind == "collection":
        return (
            f"This feed is a collection{files}: its original posts were written by {_n(accounts, 'account')}, "
            "so the pages speak of original posts (not reposts) and count them per account."
        )
    account = feed.meta.get("account")
    names = [f"@{account['handle']}" if account["handle"] else None, account["name"], account["did"]] if account else []
    named = ", ".join(dict.fromkeys(n for n in names if n))
    who = f"one account's ({named})" if named else "one account's (its name is not in the data)"
    return f"This feed is {who}{files}: the pages speak of its own posts and of what it amplifies (reposts)."


def describe_accounts(accounts: pl.DataFrame, total_accounts: int, original_posts: int) -> str:
    """Sentences reading :func:`accounts_table`: how many accounts wrote the original posts, the most active
    ones and how concentrated the activity is. ``total_accounts`` counts all of them (the table holds the top)."""
    if total_accounts == 0 or accounts.height == 0:
        return f"No original post has a known author ({_n(original_posts, 'original post')})."
    first = accounts.row(0, named=True)
    if total_accounts == 1:
        if first["posts"] == 1:
            return f"The 1 original post is by one account, {first['account']}."
        return f"All {first['posts']} original posts are by one account, {first['account']}."
    top = [f"{r['account']} ({r['posts']})" for r in accounts.head(3).iter_rows(named=True)]
    singles = int((accounts["posts"] == 1).sum()) if accounts.height == total_accounts else None
    tail = (f"; {_n(singles, 'account')} wrote a single post" if singles else "") if singles is not None else ""
    return (
        f"{_n(original_posts, 'original post')} by {_n(total_accounts, 'account')}; most active: "
        f"{_listing(top)}; the most active account wrote {_pct(first['posts'], original_posts)} of them{tail}."
    )


def describe_amplification(table: pl.DataFrame, kind: str = "account", reposting_accounts: int | None = None) -> str:
    """One sentence reading :func:`amplifiers`: who reposts, how much, and how many authors they amplify.

    ``reposting_accounts``: the number of all reposting accounts (:func:`reposter_count`), when the table
    holds only the top ones; by default the table's rows.
    """
    if table.height == 0:
        return "No repost in this feed: " + (
            "the account amplifies no one here." if kind == "account" else "no account amplifies another here."
        )
    if kind == "account" and table.height == 1:
        r = table.row(0, named=True)
        by = f"by {_n(r['authors'], 'distinct author')}" if r["authors"] else "their authors are not in the data"
        return f"The account reposted {_n(r['reposts'], 'post')} ({r['loaded']} loaded); {by}."
    accounts = reposting_accounts if reposting_accounts is not None else table.height
    total = int(table["reposts"].sum())
    share = "" if accounts <= table.height else f" (the top {table.height} made {_n(total, 'repost')})"
    top = [f"{r['reposted_by']} ({r['reposts']})" for r in table.head(3).iter_rows(named=True)]
    return f"{_n(accounts, 'account')} reposted posts{share}; most reposts: {_listing(top)}."


def describe_volume(volume_df: pl.DataFrame, kind: str = "account") -> str:
    """One sentence reading :func:`volume`'s table: own posts (``kind="account"``) or original posts
    (``kind="collection"``), loaded reposts and placeholders, with shares of all rows."""
    v = dict(zip(volume_df["kind"].to_list(), volume_df["posts"].to_list(), strict=True))
    total = sum(v.values())
    if total == 0:
        return "The feed has no rows."
    own = "the account's own posts" if kind == "account" else "original posts (not reposts)"
    verb = "is" if v["own"] == 1 else "are"
    if v["own"] == 1:
        own = "the account's own post" if kind == "account" else "an original post (not a repost)"
    return (
        f"{v['own']} of {_n(total, 'row')} ({_pct(v['own'], total)}) {verb} {own}; "
        f"{v['repost']} ({_pct(v['repost'], total)}) {'is a repost' if v['repost'] == 1 else 'are reposts'} "
        f"whose content loaded and {v['unloaded']} ({_pct(v['unloaded'], total)}) "
        f"{'is a repost' if v['unloaded'] == 1 else 'are reposts'} that never loaded (text unknown)."
    )


def describe_top(top: pl.DataFrame, key: str, noun: str, loaded_posts: int) -> str:
    """One sentence naming the ``noun`` (singular, e.g. ``"hashtag"``) in most posts of a top-``n`` table."""
    if top.height == 0:
        return f"No {noun} in the {_n(loaded_posts, 'loaded post')}."
    first = top.row(0, named=True)
    tied = top.filter(pl.col("posts") == first["posts"]).height
    lead = (
        f"the {noun} in most posts is {first[key]}"
        if tied == 1
        else (f"{tied} values share the lead, {first[key]} first in order")
    )
    shown = f"the top {top.height}" if top.height > 1 else "it"
    return (
        f"Among {_n(loaded_posts, 'loaded post')}, {lead} ({_n(first['posts'], 'post')}, "
        f"{_pct(first['posts'], loaded_posts)}); the table and chart show {shown}."
    )


def describe_lengths(stats: pl.DataFrame, kind: str = "account") -> str:
    """One sentence reading :func:`length_stats` (median and longest post per kind of row)."""
    parts = []
    for row in stats.filter(pl.col("kind") != "all").iter_rows(named=True):
        if row["posts"] and row["median"] is not None:
            label = _own(kind == "collection") if row["kind"] == "own" else "reposts"
            parts.append(f"{label}: median {row['median']:.0f}, longest {_n(row['max'], 'character')}")
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
        else f"{_n(declared, 'language declaration')}, {agree} of them matching the detected language"
    )
    return f"Detected languages (posts): {listing}; {tail}."


def describe_quality(quality: pl.DataFrame) -> str:
    """One sentence reading :func:`data_quality`: whether every record is accounted for."""
    q = dict(zip(quality["check"].to_list(), quality["count"].to_list(), strict=True))
    status = (
        "every input record is accounted for"
        if q["unaccounted"] == 0
        else (f"{_n(q['unaccounted'], 'input record is', 'input records are')} NOT accounted for")
    )
    return (
        f"{_n(q['records read'], 'record')} read: {_n(q['rows'], 'row')}, {q['rejected']} rejected, "
        f"{q['skipped']} skipped, so {status}; {_n(q['unloaded placeholders'], 'placeholder')}, "
        f"{_n(q['duplicates'], 'duplicate')}, {_n(q['truncated links'], 'post')} with truncated links."
    )


def describe_cards(cards: pl.DataFrame, loaded_posts: int, embeds_known: int | None = None) -> str:
    """One sentence reading :func:`top_cards`: how many cards, which one most posts share.

    ``embeds_known``: loaded posts whose format records embeds (``alt_text_coverage``'s
    column); 0 says the format cannot show cards at all (a profile scrape).
    """
    if embeds_known == 0 and loaded_posts:
        return "This feed's format does not record link cards (a profile page scrape), so none can be counted."
    if cards.height == 0:
        return f"No link card is shared in the {_n(loaded_posts, 'loaded post')}."
    first = cards.row(0, named=True)
    name = first["title"] or ""
    title = f" ({name[:77] + '…' if len(name) > 80 else name})" if name else ""
    if cards.height == 1:
        return (
            f"One link card is shared: {first['card']}{title}, by {_n(first['posts'], 'post')} of "
            f"{_n(loaded_posts, 'loaded post')}."
        )
    tied = cards.filter(pl.col("posts") == first["posts"]).height
    lead = (
        f"the card in most posts is {first['card']}{title}"
        if tied == 1
        else f"{tied} cards share the lead, {first['card']}{title} first in order"
    )
    return (
        f"The table shows the top {cards.height} link cards; {lead}, shared by "
        f"{_n(first['posts'], 'post')} ({_pct(first['posts'], loaded_posts)} of the loaded posts)."
    )


def describe_alt_text(coverage: pl.DataFrame) -> str:
    """One sentence reading :func:`alt_text_coverage`."""
    c = coverage.row(0, named=True)
    if c["embeds_known"] == 0:
        return "No loaded post records its embeds (a profile page scrape has none), so alt-text coverage is unknown."
    if c["image_posts"] == 0:
        return "No loaded post embeds an image, so there is no alt text to measure."
    every = (
        ("it describes every image" if c["posts_all_alt"] == 1 else "it leaves an image undescribed")
        if c["image_posts"] == 1
        else (f"{c['posts_all_alt']} of them ({_pct(c['posts_all_alt'], c['image_posts'])}) describe every image")
    )
    return (
        f"{_n(c['image_posts'], 'loaded post')} embed{'s' if c['image_posts'] == 1 else ''} "
        f"{_n(c['images'], 'image')}; {every}, and {c['images_with_alt']} of the {_n(c['images'], 'image')} "
        f"have alt text ({_pct(c['images_with_alt'], c['images'])})."
    )
