"""Posts -> tags -> campaigns: the long tables every analysis of :mod:`feedtools.campaigns` starts from.

A tag's campaign is its alias-table campaign, else its folded form (:func:`~feedtools.text.fold_tag`);
placeholders (reposts that never loaded) have unknown tags and no rows here.
"""

from __future__ import annotations

import polars as pl

from feedtools.campaigns.aliases import LIST_STR, UND, _aliases
from feedtools.errors import OptionError
from feedtools.text import fold_tags

__all__ = ["SHORTENER_DOMAINS", "alias_table_use", "assign_campaigns"]

#: Link-shortener domains: a shared shortener says nothing about where two links lead, so it is no evidence.
SHORTENER_DOMAINS = (
    "bit.ly",
    "buff.ly",
    "goo.gl",
    "is.gd",
    "lnkd.in",
    "ow.ly",
    "rebrand.ly",
    "shorturl.at",
    "t.co",
    "t.ly",
    "tinyurl.com",
)


def _loaded(posts: pl.DataFrame) -> pl.Expr:
    return ~pl.col("is_placeholder").fill_null(False)


def _with_row(posts: pl.DataFrame) -> pl.DataFrame:
    return posts.with_row_index("_row")


def _tag_rows(posts: pl.DataFrame, aliases: pl.DataFrame | None) -> pl.DataFrame:
    """One row per (post, distinct folded tag): ``_row, position, lang, is_repost, tag, tag_folded, campaign_id``.

    ``tag`` is the first spelling in the post. Placeholders have no rows.
    """
    al = _aliases(aliases)
    df = (
        _with_row(posts)
        .filter(_loaded(posts))
        .select(
            "_row",
            "position",
            pl.col("lang").fill_null(UND),
            pl.col("is_repost").fill_null(False),
            pl.col("hashtags").fill_null(pl.lit([], dtype=LIST_STR)).alias("tag"),
        )
        .explode("tag")
        .drop_nulls("tag")
    )
    df = df.with_columns(tag_folded=fold_tags(df["tag"])).filter(pl.col("tag_folded") != "")
    df = df.unique(["_row", "tag_folded"], keep="first", maintain_order=True)
    amap = al.select("tag_folded", _cid=pl.col("campaign_id"))
    return (
        df.join(amap, on="tag_folded", how="left", maintain_order="left")
        .with_columns(campaign_id=pl.coalesce("_cid", "tag_folded"), in_table=pl.col("_cid").is_not_null())
        .drop("_cid")
    )


def _campaign_rows(posts: pl.DataFrame, aliases: pl.DataFrame | None) -> pl.DataFrame:
    """One row per (post, campaign): ``_row, position, lang, is_repost, campaign_id`` (first occurrence order)."""
    return (
        _tag_rows(posts, aliases)
        .unique(["_row", "campaign_id"], keep="first", maintain_order=True)
        .select("_row", "position", "lang", "is_repost", "campaign_id")
    )


def _cap_per_post(rows: pl.DataFrame, cap: int | None, stats: dict | None = None, what: str = "tags") -> pl.DataFrame:
    """The first ``cap`` rows of each post (``_row``) of a long table in first-use order; None: no cap.

    When ``stats`` is a dict, records ``max_<what>_per_post`` (the cap), ``posts_over_<what>_cap`` and
    ``<what>_over_cap`` (rows left out), keeping the largest figures seen if called more than once. Raises
    :class:`~feedtools.errors.OptionError` (a ``ValueError``) for a cap under 1.
    """
    if cap is not None and cap < 1:
        raise OptionError(f"max_{what}_per_post must be at least 1, not {cap}")
    if cap is None:
        kept, over = rows, rows.clear()
    else:
        rank = pl.int_range(pl.len()).over("_row")
        kept, over = rows.filter(rank < cap), rows.filter(rank >= cap)
    if stats is not None:
        stats[f"max_{what}_per_post"] = cap
        for key, value in ((f"posts_over_{what}_cap", over["_row"].n_unique()), (f"{what}_over_cap", over.height)):
            stats[key] = max(stats.get(key, 0), int(value))
    return kept


def assign_campaigns(posts: pl.DataFrame, aliases: pl.DataFrame | None = None) -> pl.DataFrame:
    """Return ``posts`` with a ``campaigns`` list column (campaign ids in order of first tag, no repeats).

    Input: the canonical posts table (``hashtags``, ``is_placeholder``) and an alias
    frame from :func:`load_aliases` (None: folding only). Output: the same rows in
    the same order plus ``campaigns``: empty list for a loaded post without tags,
    null for a placeholder (its tags are unknown). An existing ``campaigns`` column
    is replaced.
    """
    rows = _campaign_rows(posts, aliases).group_by("_row", maintain_order=True).agg(campaigns=pl.col("campaign_id"))
    base = _with_row(posts.drop("campaigns", strict=False))
    out = base.join(rows, on="_row", how="left", maintain_order="left")
    return out.with_columns(
        campaigns=pl.when(_loaded(posts)).then(pl.col("campaigns").fill_null(pl.lit([], dtype=LIST_STR)))
    ).drop("_row")


def alias_table_use(posts: pl.DataFrame, aliases: pl.DataFrame | None) -> pl.DataFrame:
    """How much of the alias table the feed uses: one row per hashtag of ``aliases`` (from
    :func:`~feedtools.campaigns.load_aliases`; None or empty: no rows), in table order, with ``campaign_id,
    label, hashtag, tag_folded, posts`` (loaded posts of ``posts`` carrying the tag, any spelling that folds to
    it; 0 when none does)."""
    al = _aliases(aliases)
    used = _tag_rows(posts, al).filter(pl.col("in_table")).group_by("tag_folded").agg(posts=pl.len().cast(pl.Int64))
    return (
        al.select("campaign_id", "label", "hashtag", "tag_folded")
        .join(used, on="tag_folded", how="left", maintain_order="left")
        .with_columns(pl.col("posts").fill_null(0))
    )


def _labels(tag_rows: pl.DataFrame, aliases: pl.DataFrame | None) -> pl.DataFrame:
    """``campaign_id, label, in_table`` for every campaign seen: the table's label, else ``#<commonest spelling>``."""
    al = _aliases(aliases)
    seen = (
        tag_rows.group_by("campaign_id", "tag")
        .agg(n=pl.len())
        .sort(["campaign_id", "n", "tag"], descending=[False, True, False])
        .group_by("campaign_id", maintain_order=True)
        .agg(_top=pl.col("tag").first())
    )
    table = al.select("campaign_id", "label").unique("campaign_id", keep="first", maintain_order=True)
    return seen.join(table, on="campaign_id", how="left").select(
        "campaign_id", label=pl.coalesce("label", pl.lit("#") + pl.col("_top")), in_table=pl.col("label").is_not_null()
    )


def _counted(long: pl.DataFrame, key: str, value: str, name: str, top: int | None = None) -> pl.DataFrame:
    """``key, name``: per key, ``value:count`` strings, most frequent first (ties by value), at most ``top``."""
    counts = (
        long.drop_nulls(value)
        .group_by(key, value)
        .agg(_n=pl.len())
        .sort([key, "_n", value], descending=[False, True, False])
    )
    item = pl.format("{}:{}", pl.col(value), pl.col("_n"))
    return counts.group_by(key, maintain_order=True).agg((item.head(top) if top else item).alias(name))


def _tag_stats(posts: pl.DataFrame, aliases: pl.DataFrame | None) -> pl.DataFrame:
    """Per folded tag: spelling (commonest), campaign, posts, dominant detected language (``und`` if none)."""
    tags = _tag_rows(posts, aliases)
    spelling = (
        tags.group_by("tag_folded", "tag")
        .agg(n=pl.len())
        .sort(["tag_folded", "n", "tag"], descending=[False, True, False])
        .group_by("tag_folded", maintain_order=True)
        .agg(tag=pl.col("tag").first())
    )
    lang = (
        tags.filter(pl.col("lang") != UND)
        .group_by("tag_folded", "lang")
        .agg(n=pl.len())
        .sort(["tag_folded", "n", "lang"], descending=[False, True, False])
        .group_by("tag_folded", maintain_order=True)
        .agg(lang=pl.col("lang").first())
    )
    size = tags.group_by("tag_folded").agg(posts=pl.len(), campaign_id=pl.col("campaign_id").first())
    return (
        size.join(spelling, on="tag_folded")
        .join(lang, on="tag_folded", how="left")
        .with_columns(pl.col("lang").fill_null(UND))
        .sort("tag_folded")
    )
