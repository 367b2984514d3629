"""One row per campaign: size, voice, languages, co-campaigns, partners, dates; campaign × language; accounts."""

from __future__ import annotations

import polars as pl

from feedtools.campaigns.aliases import LIST_STR, UND, _aliases
from feedtools.campaigns.core import _campaign_rows, _cap_per_post, _counted, _labels, _loaded, _tag_rows, _with_row
from feedtools.campaigns.params import DEFAULT_CAPS, UNSET, CampaignCaps
from feedtools.prose import posting_account

__all__ = ["campaign_accounts", "campaign_languages", "campaign_metrics"]


def _date_column(posts: pl.DataFrame) -> str | None:
    if "date_est" in posts.columns:
        return "date_est"
    if "created_at" in posts.columns and posts["created_at"].is_not_null().any():
        return "created_at"
    return None


def campaign_languages(posts: pl.DataFrame, aliases: pl.DataFrame | None = None) -> pl.DataFrame:
    """Campaign × detected post language: ``campaign_id, label, lang, posts, share`` (share within the campaign).

    Language is the post's detected ``lang`` (``und`` when undetermined), not the
    tag's. Sorted by campaign size (descending), campaign id, then posts
    (descending) and language.
    """
    tags = _tag_rows(posts, aliases)
    rows = _campaign_rows(posts, aliases)
    out = (
        rows.group_by("campaign_id", "lang")
        .agg(posts=pl.len())
        .with_columns(
            share=(pl.col("posts") / pl.col("posts").sum().over("campaign_id")).round(4),
            _size=pl.col("posts").sum().over("campaign_id"),
        )
    )
    return (
        out.join(_labels(tags, aliases).select("campaign_id", "label"), on="campaign_id", how="left")
        .sort(["_size", "campaign_id", "posts", "lang"], descending=[True, False, True, False])
        .select("campaign_id", "label", "lang", "posts", "share")
    )


def campaign_metrics(
    posts: pl.DataFrame,
    aliases: pl.DataFrame | None = None,
    *,
    top: int = 10,
    caps: CampaignCaps = DEFAULT_CAPS,
    max_tags_per_post: int | None = UNSET,
    stats: dict | None = None,
) -> pl.DataFrame:
    """One row per campaign seen in ``posts``.

    Columns: ``campaign_id``, ``label``, ``in_table`` (from the alias table, or a
    lone folded tag), ``hashtags`` (spellings seen, ``tag:count``), ``posts``,
    ``own_posts``, ``reposts``, ``duplicates`` (rows that repeat an earlier post),
    ``share_of_feed`` (posts / loaded posts), ``n_langs`` and ``langs`` (detected
    post languages, ``und`` excluded, commonest first), ``lang_shares``
    (``lang:share`` incl. ``und``), ``multilingual`` (posts in two or more detected
    languages), ``tag_langs`` (languages of the hashtags used, from the table's
    ``lang``; ``und`` for tags not in it), ``co_campaigns``, ``partners``
    (mentioned accounts) and ``domains`` (``value:count``, at most ``top`` each,
    with ``n_partners``/``n_domains`` giving the full counts), ``first_position``,
    ``last_position``, ``first_date``, ``last_date`` (from ``date_est`` when that
    column exists, else ``created_at``; null when unknown).
    ``co_campaigns`` considers the first ``max_tags_per_post`` campaigns of each post
    (``caps.max_tags_per_post``, :class:`~feedtools.campaigns.params.CampaignCaps`; the keyword overrides it;
    None: all); what the cap left out goes into ``stats`` when a dict is given
    (see the module's notes). Sorted by posts (descending) then campaign id. Empty
    input gives no rows.
    """
    cap = caps.but(max_tags_per_post=max_tags_per_post).max_tags_per_post
    al = _aliases(aliases)
    base = _with_row(posts)
    tags = _tag_rows(posts, al)
    date_col = _date_column(posts)
    extra = ["mentions", "domains", "duplicate_of"] + ([date_col] if date_col else [])
    rows = _campaign_rows(posts, al).join(base.select("_row", *extra), on="_row", how="left")
    out = _size_columns(rows, date_col, int(base.filter(_loaded(posts)).height))
    capped = _cap_per_post(rows.select("_row", "campaign_id"), cap, stats)
    for part in (
        _labels(tags, al),
        _counted(tags, "campaign_id", "tag", "hashtags"),
        _tag_languages(tags, al),
        _language_columns(rows),
        _co_campaigns(capped, top),
        _listed(rows, "mentions", "partners", top),
        _listed(rows, "domains", "domains", top),
    ):
        out = out.join(part, on="campaign_id", how="left")
    empty = pl.lit([], dtype=LIST_STR)
    out = out.with_columns(
        pl.col("co_campaigns", "partners", "domains").fill_null(empty),
        pl.col("n_partners", "n_domains").fill_null(0),
    )
    return out.select(METRIC_COLUMNS).sort(["posts", "campaign_id"], descending=[True, False])


#: Columns of :func:`campaign_metrics`, in order.
METRIC_COLUMNS = (
    "campaign_id",
    "label",
    "in_table",
    "hashtags",
    "posts",
    "own_posts",
    "reposts",
    "duplicates",
    "share_of_feed",
    "n_langs",
    "langs",
    "lang_shares",
    "multilingual",
    "tag_langs",
    "co_campaigns",
    "partners",
    "n_partners",
    "domains",
    "n_domains",
    "first_position",
    "last_position",
    "first_date",
    "last_date",
)


def _size_columns(rows: pl.DataFrame, date_col: str | None, loaded_n: int) -> pl.DataFrame:
    """Per campaign: posts, own posts, reposts, duplicates, positions and dates, share of the loaded posts."""
    return (
        rows.group_by("campaign_id")
        .agg(
            posts=pl.len().cast(pl.Int64),
            own_posts=(~pl.col("is_repost")).sum().cast(pl.Int64),
            reposts=pl.col("is_repost").sum().cast(pl.Int64),
            duplicates=pl.col("duplicate_of").is_not_null().sum().cast(pl.Int64),
            first_position=pl.col("position").min(),
            last_position=pl.col("position").max(),
            first_date=pl.col(date_col).min() if date_col else pl.lit(None),
            last_date=pl.col(date_col).max() if date_col else pl.lit(None),
        )
        .with_columns(share_of_feed=(pl.col("posts") / max(loaded_n, 1)).round(4))
    )


def _language_columns(rows: pl.DataFrame) -> pl.DataFrame:
    """Per campaign: ``langs`` (detected, ``und`` excluded, commonest first), ``lang_shares``, ``n_langs``,
    ``multilingual``."""
    lang_long = (
        rows.group_by("campaign_id", "lang")
        .agg(n=pl.len())
        .with_columns(share=pl.col("n") / pl.col("n").sum().over("campaign_id"))
        .sort(["campaign_id", "n", "lang"], descending=[False, True, False])
    )
    return (
        lang_long.group_by("campaign_id", maintain_order=True)
        .agg(
            langs=pl.col("lang").filter(pl.col("lang") != UND),
            lang_shares=pl.col("lang") + pl.lit(":") + pl.col("share").round(3).cast(pl.String),
        )
        .with_columns(
            n_langs=pl.col("langs").list.len().cast(pl.Int64),
            multilingual=pl.col("langs").list.len() >= 2,
        )
    )


def _tag_languages(tags: pl.DataFrame, al: pl.DataFrame) -> pl.DataFrame:
    """Per campaign: ``tag_langs``, the alias table's languages of the tags used (``und`` for tags not in it)."""
    tag_lang_map = al.select("tag_folded", _tl=pl.col("lang"))
    return (
        tags.join(tag_lang_map, on="tag_folded", how="left")
        .with_columns(_tl=pl.col("_tl").fill_null(pl.lit([UND], dtype=LIST_STR)))
        .explode("_tl")
        .group_by("campaign_id")
        .agg(tag_langs=pl.col("_tl").unique().sort())
    )


def _co_campaigns(capped: pl.DataFrame, top: int) -> pl.DataFrame:
    """Per campaign: ``co_campaigns``, the other campaigns of its posts (``capped``: the first few per post)."""
    pairs = capped.join(capped.select("_row", _other=pl.col("campaign_id")), on="_row")
    return _counted(
        pairs.filter(pl.col("campaign_id") != pl.col("_other")), "campaign_id", "_other", "co_campaigns", top
    )


def _listed(rows: pl.DataFrame, column: str, name: str, top: int) -> pl.DataFrame:
    """Per campaign: ``name`` (the values of the list column ``column``, ``value:count``, at most ``top``) and
    ``n_<name>`` (distinct values)."""
    long = rows.select("campaign_id", v=pl.col(column)).explode("v").drop_nulls("v")
    return _counted(long, "campaign_id", "v", name, top).join(
        long.group_by("campaign_id").agg(pl.col("v").n_unique().cast(pl.Int64).alias(f"n_{name}")), on="campaign_id"
    )


def campaign_accounts(posts: pl.DataFrame, aliases: pl.DataFrame | None = None, *, top: int = 5) -> pl.DataFrame:
    """Which accounts push each campaign: ``campaign_id, label, n_accounts, accounts`` (``account:posts``, at most
    ``top``, most posts first), for a collection of many accounts.

    The account of a row is the one that put it in the feed (:func:`feedtools.prose.posting_account`: the
    reposter for a repost, else the author); rows whose account the source does not name are left out of
    ``accounts`` and ``n_accounts``. Sorted by ``n_accounts`` (descending), then campaign id. Empty input gives
    no rows.
    """
    base = _with_row(posts).select("_row", posting_account())
    rows = _campaign_rows(posts, aliases).select("_row", "campaign_id").join(base, on="_row", how="left")
    named = rows.drop_nulls("account")
    listed = _counted(named, "campaign_id", "account", "accounts", top)
    n = named.group_by("campaign_id").agg(n_accounts=pl.col("account").n_unique().cast(pl.Int64))
    labels = _labels(_tag_rows(posts, aliases), aliases).select("campaign_id", "label")
    out = (
        rows.select("campaign_id")
        .unique()
        .join(labels, on="campaign_id", how="left")
        .join(n, on="campaign_id", how="left")
        .join(listed, on="campaign_id", how="left")
        .with_columns(pl.col("n_accounts").fill_null(0), pl.col("accounts").fill_null(pl.lit([], dtype=LIST_STR)))
    )
    return out.select("campaign_id", "label", "n_accounts", "accounts").sort(
        ["n_accounts", "campaign_id"], descending=[True, False]
    )
