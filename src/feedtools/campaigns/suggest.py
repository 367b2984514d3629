"""Multilingual campaign analysis: which causes a feed pushes, in which languages, with whom.

A **campaign** is a set of hashtags that stand for one cause. Hashtags are joined
into campaigns in two ways, and only these two:

1. **folding** (:func:`fold_tag`, from :mod:`feedtools.text`, the key timelines and
   observances use too): case, accents, ``_``/``-`` and other punctuation are ignored,
   so ``#UCLGMeets`` and ``#UCLGmeets`` are one tag;
2. the **alias table** (:func:`load_aliases`), a CSV a researcher edits
   (``data/campaigns.csv``; format in ``data/README.md``): one row per hashtag,
   ``campaign_id,label,lang,hashtag[,note]``. A tag not in the table is its own
   campaign, keyed by its folded form (``#LocalGovs`` -> ``localgovs``).

Everything else is a **suggestion** (:func:`suggest_aliases`): computed, scored,
shown with its evidence, never applied. Pairs the table already merges are not
suggested.

:func:`load_aliases` validates a table (``ValueError`` naming the file and line);
:func:`aliases_from` also says which table was used (notebooks print it).

Analyses (each a plain function over the canonical posts table plus the alias
frame; none modifies its input):

* :func:`assign_campaigns` — the per-post ``campaigns`` list column;
* :func:`campaign_metrics` — one row per campaign (size, voice, languages, partners…);
* :func:`campaign_languages` — campaign × detected language counts (heatmap input);
* :func:`voice_summary`, :func:`voice_by_campaign`, :func:`voice_by_language`,
  :func:`amplified_accounts` — own posts versus reposts;
* :func:`suggest_aliases` — tags that may be one campaign (spelling variants, translations);
* :func:`related_campaigns` — campaigns in different languages that go together (never aliases);
* :func:`cross_language_pairs` — posts that announce the same thing in two languages, ranked by content
  (:mod:`feedtools.similarity`);
* :func:`series_markers` — leading emoji and other recurring openers;
* :func:`partner_graph`, :func:`graph_layout`, :func:`write_graph` — accounts and
  campaigns as a network (GEXF / GraphML).

Bounds on hostile input: work that grows with the square of a post's tags (campaign
co-occurrence, partner-graph edges, tag pairs for suggestions) considers at most
``max_tags_per_post`` distinct tags of each post (:data:`MAX_TAGS_PER_POST`, in order
of first use; ``max_mentions_per_post`` mentions for co-mention edges), and
:func:`suggest_aliases` keeps the ``max_suggestions`` strongest suggestions
(:data:`MAX_SUGGESTIONS`). Membership and counts (posts per campaign…) always use every
tag. Pass ``stats={}`` to these functions to learn what a cap left out:
``posts_over_tag_cap``, ``tags_over_cap``, ``suggestions_found``, ``suggestions_kept``….

Conventions: placeholders (reposts that never loaded) have unknown hashtags, so
their ``campaigns`` is null and they are in no campaign; "share of the feed" is
over loaded posts. Positions are feed order (newest first in a profile feed).
Every output table is sorted deterministically.
"""

from __future__ import annotations

import bisect
import os
import re
from pathlib import Path

import numpy as np
import polars as pl

from feedtools.entities import HASHTAG_PATTERN, MENTION_PATTERN, URL_PATTERN, emoji_pattern
from feedtools.paths import CAMPAIGN_ALIASES
from feedtools.safeio import atomic_open, atomic_path
from feedtools.similarity import PROXIMITY_WEIGHT, content_pairs, date_tokens, pair_score  # noqa: F401 (re-exported)
from feedtools.text import fold_tag, fold_tags
from feedtools.usertables import line_error, read_user_table

__all__ = [
    "ALIAS_COLUMNS",
    "MAX_MENTIONS_PER_POST",
    "MAX_SUGGESTIONS",
    "MAX_TAGS_PER_POST",
    "REQUIRED_ALIAS_COLUMNS",
    "SHORTENER_DOMAINS",
    "aliases_from",
    "amplified_accounts",
    "assign_campaigns",
    "campaign_languages",
    "campaign_metrics",
    "cross_language_pairs",
    "default_aliases_path",
    "empty_aliases",
    "fold_tag",
    "fold_tags",
    "graph_layout",
    "load_aliases",
    "load_vocabulary",
    "partner_graph",
    "posts_with_campaigns",
    "related_campaigns",
    "series_markers",
    "suggest_aliases",
    "tag_words",
    "voice_by_campaign",
    "voice_by_language",
    "voice_summary",
    "write_graph",
]

#: Columns an alias table may have, in the documented order.
ALIAS_COLUMNS = ("campaign_id", "label", "lang", "hashtag", "note")
#: Columns it must have.
REQUIRED_ALIAS_COLUMNS = ("campaign_id", "hashtag")
UND = "und"
#: Link-shortener domains: a shared shortener says nothing about where two links lead, so it is no evidence.
SHORTENER_DOMAINS = ("bit.ly", "buff.ly", "goo.gl", "is.gd", "lnkd.in", "ow.ly", "rebrand.ly", "shorturl.at",
                     "t.co", "t.ly", "tinyurl.com")
LIST_STR = pl.List(pl.String)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_BAD_TAG_RE = re.compile(r"[\s#＃,|]")
#: Distinct tags (and so campaigns) of one post considered for co-occurrence: campaign pairs in
#: :func:`campaign_metrics`, edges in :func:`partner_graph`, tag pairs in :func:`suggest_aliases`. A real post
#: has a handful (Bluesky allows 300 characters and 8 extra tags); one with 2,000 would make ~2M pairs.
MAX_TAGS_PER_POST = 30
#: Mentions of one post considered for the partner graph's edges (co-mention pairs, campaign-mention edges).
MAX_MENTIONS_PER_POST = 30
#: Suggestions :func:`suggest_aliases` returns: the strongest; the total found is counted in ``stats``.
MAX_SUGGESTIONS = 1000
_MAX_PREFIX_MATCHES = 50  # longer tags compared with one prefix (in alphabetical order): a stem of more is generic
_MAX_TAGS_PER_VALUE = 50  # partners/domains used with more tags than this are ignored by cross-language suggestions
_CDIST_BLOCK = 512  # rows of the edit-distance matrix computed at once (512 × 20k tags = 10 MB)

ALIASES_SCHEMA = pl.Schema(
    {
        "campaign_id": pl.String,
        "label": pl.String,
        "lang": LIST_STR,
        "hashtag": pl.String,
        "tag_folded": pl.String,
        "note": pl.String,
        "line": pl.Int64,
    }
)


# --------------------------------------------------------------------------------------------------------------
# Folding and the alias table
# --------------------------------------------------------------------------------------------------------------


def empty_aliases() -> pl.DataFrame:
    """An alias frame with no rows (campaigns from folding only)."""
    return pl.DataFrame(schema=ALIASES_SCHEMA)


def default_aliases_path() -> Path | None:
    """The shipped alias table (``data/campaigns.csv`` of the source tree), or None when it is not there."""
    path = CAMPAIGN_ALIASES
    return path if path.is_file() else None


def load_aliases(path: str | Path) -> pl.DataFrame:
    """Read and validate an alias table (CSV, UTF-8; format in ``data/README.md``).

    Output columns: ``campaign_id``, ``label`` (the campaign's label on every row;
    the first hashtag when the table gives none), ``lang`` (list of codes, ``["und"]``
    when empty), ``hashtag`` (as written, without ``#``), ``tag_folded``, ``note``,
    ``line`` (1-based line in the file), in file order.

    Lines starting with ``#`` are comments and blank lines are skipped; the first
    other line is the header. Raises ``ValueError`` naming the file and line for:
    a missing/unknown/repeated column, a row with the wrong number of fields, an
    empty or malformed ``campaign_id`` or ``hashtag``, a malformed language code,
    two labels for one campaign, and a hashtag listed twice (same folded form),
    in one campaign or two. ``OSError`` when the file cannot be read.
    """
    rows: list[dict] = []
    seen_tags: dict[str, tuple[str, int]] = {}
    labels: dict[str, tuple[str, int]] = {}

    def fail(line: int, msg: str) -> ValueError:
        return line_error(path, line, msg)

    for lineno, rec in read_user_table(path, columns=ALIAS_COLUMNS, required=REQUIRED_ALIAS_COLUMNS):
        cid = rec["campaign_id"]
        tag = rec["hashtag"].lstrip("#＃").strip()
        if not cid:
            raise fail(lineno, "empty campaign_id")
        if not _ID_RE.match(cid):
            raise fail(lineno, f"campaign_id {cid!r} must be lower-case letters, digits, '-' or '_'")
        if not tag:
            raise fail(lineno, "empty hashtag")
        if _BAD_TAG_RE.search(tag):
            raise fail(lineno, f"hashtag {rec['hashtag']!r} is not one hashtag (no spaces, commas, '|' or inner '#')")
        folded = fold_tag(tag)
        if not folded:
            raise fail(lineno, f"hashtag {rec['hashtag']!r} has no letters or digits")
        if folded in seen_tags:
            other, other_line = seen_tags[folded]
            where = "this campaign" if other == cid else f"campaign {other!r}"
            raise fail(lineno, f"hashtag {tag!r} is already listed in {where} (line {other_line}); "
                               "tags are compared case- and accent-folded, list each once")
        seen_tags[folded] = (cid, lineno)
        langs = [c.strip() for c in re.split(r"[|\s]+", rec.get("lang", "")) if c.strip()] or [UND]
        for code in langs:
            if code != UND and not _LANG_RE.match(code):
                raise fail(lineno, f"language {code!r} is not an ISO 639 code such as 'en' or 'pt-BR'")
        label = rec.get("label", "")
        if label:
            if cid in labels and labels[cid][0] != label:
                raise fail(lineno, f"campaign {cid!r} has label {labels[cid][0]!r} on line {labels[cid][1]}; "
                                   "give a label once or repeat it exactly")
            labels.setdefault(cid, (label, lineno))
        rows.append({"campaign_id": cid, "hashtag": tag, "lang": langs, "tag_folded": folded,
                     "note": rec.get("note") or None, "line": lineno})
    if not rows:
        return empty_aliases()
    first_tag: dict[str, str] = {}
    for r in rows:
        first_tag.setdefault(r["campaign_id"], "#" + r["hashtag"])
    for r in rows:
        r["label"] = labels[r["campaign_id"]][0] if r["campaign_id"] in labels else first_tag[r["campaign_id"]]
    return pl.DataFrame(rows, schema=ALIASES_SCHEMA)


def aliases_from(path: str | Path | None) -> tuple[pl.DataFrame, str]:
    """Load the alias table at ``path`` and say which file was used: ``(aliases, description)``.

    The shipped table (:func:`default_aliases_path`) is used when ``path`` is None,
    when it is that file, and when it does not exist but names a file called like
    the shipped one (the notebooks' default ``../data/campaigns.csv`` seen from
    another folder, e.g. a report build); the description then says "shipped". A
    missing file with another name also falls back to the shipped table, and the
    description says it was not found. No shipped table either: no aliases
    (folding only), said likewise. A malformed file raises ``ValueError`` (see
    :func:`load_aliases`).
    """
    default = default_aliases_path()

    def describe(table: pl.DataFrame, name: str) -> str:
        return f"alias table {name}: {table.height} hashtags in {table['campaign_id'].n_unique()} campaigns"

    if path is not None and Path(path).is_file() and (default is None or Path(path).resolve() != default):
        table = load_aliases(path)
        return table, describe(table, Path(path).name)
    if default is None:
        return empty_aliases(), "no alias table found: folding only, no aliases"
    table = load_aliases(default)
    note = describe(table, f"{default.name} (shipped with feedtools)")
    if path is not None and not Path(path).is_file() and Path(path).name != default.name:
        note = f"{Path(path).name} not found; {note}"
    return table, note


def _aliases(aliases: pl.DataFrame | None) -> pl.DataFrame:
    if aliases is None:
        return empty_aliases()
    missing = [c for c in ("campaign_id", "tag_folded") if c not in aliases.columns]
    if missing:
        raise ValueError(f"alias frame lacks {missing}; build it with load_aliases()")
    return aliases


# --------------------------------------------------------------------------------------------------------------
# Posts -> tags -> campaigns
# --------------------------------------------------------------------------------------------------------------


def _loaded(posts: pl.DataFrame) -> pl.Expr:
    return ~pl.col("is_placeholder").fill_null(False)


def _with_row(posts: pl.DataFrame) -> pl.DataFrame:
    return posts.with_row_index("_row")


def _tag_rows(posts: pl.DataFrame, aliases: pl.DataFrame | None) -> pl.DataFrame:
    """One row per (post, distinct folded tag): ``_row, position, lang, is_repost, tag, tag_folded, campaign_id``.

    ``tag`` is the first spelling in the post. Placeholders have no rows.
    """
    al = _aliases(aliases)
    df = _with_row(posts).filter(_loaded(posts)).select(
        "_row", "position", pl.col("lang").fill_null(UND), pl.col("is_repost").fill_null(False),
        pl.col("hashtags").fill_null(pl.lit([], dtype=LIST_STR)).alias("tag"),
    ).explode("tag").drop_nulls("tag")
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
    return _tag_rows(posts, aliases).unique(["_row", "campaign_id"], keep="first", maintain_order=True).select(
        "_row", "position", "lang", "is_repost", "campaign_id"
    )


def _cap_per_post(rows: pl.DataFrame, cap: int | None, stats: dict | None = None, what: str = "tags") -> pl.DataFrame:
    """The first ``cap`` rows of each post (``_row``) of a long table in first-use order; None: no cap.

    When ``stats`` is a dict, records ``max_<what>_per_post`` (the cap), ``posts_over_<what>_cap`` and
    ``<what>_over_cap`` (rows left out), keeping the largest figures seen if called more than once.
    """
    if cap is not None and cap < 1:
        raise ValueError(f"max_{what}_per_post must be at least 1, not {cap}")
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


def _labels(tag_rows: pl.DataFrame, aliases: pl.DataFrame | None) -> pl.DataFrame:
    """``campaign_id, label, in_table`` for every campaign seen: the table's label, else ``#<commonest spelling>``."""
    al = _aliases(aliases)
    seen = (
        tag_rows.group_by("campaign_id", "tag").agg(n=pl.len())
        .sort(["campaign_id", "n", "tag"], descending=[False, True, False])
        .group_by("campaign_id", maintain_order=True).agg(_top=pl.col("tag").first())
    )
    table = al.select("campaign_id", "label").unique("campaign_id", keep="first", maintain_order=True)
    return seen.join(table, on="campaign_id", how="left").select(
        "campaign_id", label=pl.coalesce("label", pl.lit("#") + pl.col("_top")), in_table=pl.col("label").is_not_null()
    )


def posts_with_campaigns(posts: pl.DataFrame, aliases: pl.DataFrame | None = None) -> pl.DataFrame:
    """A compact per-post table for checking campaigns by eye (the CLI's ``--posts`` output).

    Columns: ``position, post_id, source_location, is_repost, is_placeholder,
    duplicate_of, lang, series_marker, hashtags, campaigns, mentions, domains,
    text_clean``; one row per input row, in position order.
    """
    out = assign_campaigns(posts, aliases)
    out = out.with_columns(_leading_tag(out)).with_columns(series_marker=_opener_expr())
    return out.select(
        "position", "post_id", "source_location", "is_repost", "is_placeholder", "duplicate_of", "lang",
        "series_marker", "hashtags", "campaigns", "mentions", "domains", "text_clean",
    ).sort("position", maintain_order=True)


# --------------------------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------------------------


def _counted(long: pl.DataFrame, key: str, value: str, name: str, top: int | None = None) -> pl.DataFrame:
    """``key, name``: per key, ``value:count`` strings, most frequent first (ties by value), at most ``top``."""
    counts = (
        long.drop_nulls(value).group_by(key, value).agg(_n=pl.len())
        .sort([key, "_n", value], descending=[False, True, False])
    )
    item = pl.format("{}:{}", pl.col(value), pl.col("_n"))
    return counts.group_by(key, maintain_order=True).agg((item.head(top) if top else item).alias(name))


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
    out = rows.group_by("campaign_id", "lang").agg(posts=pl.len()).with_columns(
        share=(pl.col("posts") / pl.col("posts").sum().over("campaign_id")).round(4),
        _size=pl.col("posts").sum().over("campaign_id"),
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
    max_tags_per_post: int | None = MAX_TAGS_PER_POST,
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
    (None: all); what the cap left out goes into ``stats`` when a dict is given
    (see the module's notes). Sorted by posts (descending) then campaign id. Empty
    input gives no rows.
    """
    al = _aliases(aliases)
    base = _with_row(posts)
    loaded_n = int(base.filter(_loaded(posts)).height)
    tags = _tag_rows(posts, al)
    rows = _campaign_rows(posts, al)
    date_col = _date_column(posts)
    extra = ["mentions", "domains", "duplicate_of"] + ([date_col] if date_col else [])
    rows = rows.join(base.select("_row", *extra), on="_row", how="left")
    main = rows.group_by("campaign_id").agg(
        posts=pl.len().cast(pl.Int64),
        own_posts=(~pl.col("is_repost")).sum().cast(pl.Int64),
        reposts=pl.col("is_repost").sum().cast(pl.Int64),
        duplicates=pl.col("duplicate_of").is_not_null().sum().cast(pl.Int64),
        first_position=pl.col("position").min(),
        last_position=pl.col("position").max(),
        first_date=pl.col(date_col).min() if date_col else pl.lit(None),
        last_date=pl.col(date_col).max() if date_col else pl.lit(None),
    ).with_columns(share_of_feed=(pl.col("posts") / max(loaded_n, 1)).round(4))
    lang_long = rows.group_by("campaign_id", "lang").agg(n=pl.len()).with_columns(
        share=pl.col("n") / pl.col("n").sum().over("campaign_id")
    ).sort(["campaign_id", "n", "lang"], descending=[False, True, False])
    langs = lang_long.group_by("campaign_id", maintain_order=True).agg(
        langs=pl.col("lang").filter(pl.col("lang") != UND),
        lang_shares=pl.col("lang") + pl.lit(":") + pl.col("share").round(3).cast(pl.String),
    ).with_columns(
        n_langs=pl.col("langs").list.len().cast(pl.Int64),
        multilingual=pl.col("langs").list.len() >= 2,
    )
    tag_lang_map = al.select("tag_folded", _tl=pl.col("lang"))
    tag_langs = (
        tags.join(tag_lang_map, on="tag_folded", how="left")
        .with_columns(_tl=pl.col("_tl").fill_null(pl.lit([UND], dtype=LIST_STR)))
        .explode("_tl").group_by("campaign_id").agg(tag_langs=pl.col("_tl").unique().sort())
    )
    spellings = _counted(tags, "campaign_id", "tag", "hashtags")
    capped = _cap_per_post(rows.select("_row", "campaign_id"), max_tags_per_post, stats)
    pairs = capped.join(capped.select("_row", _other=pl.col("campaign_id")), on="_row")
    co = _counted(pairs.filter(pl.col("campaign_id") != pl.col("_other")), "campaign_id", "_other", "co_campaigns",
                  top)
    ments = rows.select("campaign_id", m=pl.col("mentions")).explode("m").drop_nulls("m")
    partners = _counted(ments, "campaign_id", "m", "partners", top).join(
        ments.group_by("campaign_id").agg(n_partners=pl.col("m").n_unique().cast(pl.Int64)), on="campaign_id")
    doms = rows.select("campaign_id", d=pl.col("domains")).explode("d").drop_nulls("d")
    domains = _counted(doms, "campaign_id", "d", "domains", top).join(
        doms.group_by("campaign_id").agg(n_domains=pl.col("d").n_unique().cast(pl.Int64)), on="campaign_id")
    out = main
    for part in (_labels(tags, al), spellings, tag_langs, langs, co, partners, domains):
        out = out.join(part, on="campaign_id", how="left")
    empty = pl.lit([], dtype=LIST_STR)
    out = out.with_columns(
        pl.col("co_campaigns", "partners", "domains").fill_null(empty),
        pl.col("n_partners", "n_domains").fill_null(0),
    )
    return out.select(
        "campaign_id", "label", "in_table", "hashtags", "posts", "own_posts", "reposts", "duplicates",
        "share_of_feed", "n_langs", "langs", "lang_shares", "multilingual", "tag_langs", "co_campaigns",
        "partners", "n_partners", "domains", "n_domains", "first_position", "last_position", "first_date",
        "last_date",
    ).sort(["posts", "campaign_id"], descending=[True, False])


# --------------------------------------------------------------------------------------------------------------
# Voice versus amplification
# --------------------------------------------------------------------------------------------------------------

_KIND = (
    pl.when(~pl.col("is_repost").fill_null(False)).then(pl.lit("own post"))
    .when(pl.col("is_placeholder").fill_null(False)).then(pl.lit("repost not loaded"))
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
        df.group_by(key).agg(
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
    author = rp.select(role=pl.lit("author"), account=pl.coalesce("author_handle", "author_name",
                                                                  pl.lit("(unknown)")))
    by = rp.select(role=pl.lit("reposted_by"), account=pl.col("reposted_by").fill_null("(unknown)"))
    mentioned = rp.filter(_loaded(rp)).select(role=pl.lit("mentioned"), account=pl.col("mentions")).explode(
        "account").drop_nulls("account")
    return (
        pl.concat([author, by, mentioned])
        .group_by("role", "account").agg(reposts=pl.len())
        .with_columns(reposts=pl.col("reposts").cast(pl.Int64), share_of_reposts=(pl.col("reposts") / n).round(4))
        .sort(["role", "reposts", "account"], descending=[False, True, False])
    )


# --------------------------------------------------------------------------------------------------------------
# Suggestions (never applied)
# --------------------------------------------------------------------------------------------------------------

SUGGESTION_SCHEMA = pl.Schema(
    {
        "kind": pl.String,
        "tag_a": pl.String,
        "tag_b": pl.String,
        "campaign_a": pl.String,
        "campaign_b": pl.String,
        "lang_a": pl.String,
        "lang_b": pl.String,
        "posts_a": pl.Int64,
        "posts_b": pl.Int64,
        "score": pl.Float64,
        "evidence": pl.String,
    }
)


def _idf_table(long: pl.DataFrame, value: str, n_posts: int) -> pl.DataFrame:
    """``value, idf`` with idf = ln(N / posts with the value), floored at 0.1 (a value in every post still counts a
    little)."""
    return long.group_by(value).agg(_df=pl.col("_row").n_unique()).select(
        value, idf=(pl.lit(max(n_posts, 1)) / pl.col("_df")).log().clip(lower_bound=0.1)
    )


def _tag_stats(posts: pl.DataFrame, aliases: pl.DataFrame | None) -> pl.DataFrame:
    """Per folded tag: spelling (commonest), campaign, posts, dominant detected language (``und`` if none)."""
    tags = _tag_rows(posts, aliases)
    spelling = (
        tags.group_by("tag_folded", "tag").agg(n=pl.len())
        .sort(["tag_folded", "n", "tag"], descending=[False, True, False])
        .group_by("tag_folded", maintain_order=True).agg(tag=pl.col("tag").first())
    )
    lang = (
        tags.filter(pl.col("lang") != UND).group_by("tag_folded", "lang").agg(n=pl.len())
        .sort(["tag_folded", "n", "lang"], descending=[False, True, False])
        .group_by("tag_folded", maintain_order=True).agg(lang=pl.col("lang").first())
    )
    size = tags.group_by("tag_folded").agg(posts=pl.len(), campaign_id=pl.col("campaign_id").first())
    return (
        size.join(spelling, on="tag_folded").join(lang, on="tag_folded", how="left")
        .with_columns(pl.col("lang").fill_null(UND)).sort("tag_folded")
    )


def _by_strength(df: pl.DataFrame) -> pl.DataFrame:
    """Suggestions in the documented order: score (descending), kind, then the spellings (``_ra``, ``_rb``: ranks)."""
    return df.sort(["score", "kind", "_ra", "_rb"], descending=[True, False, False, False])


def _spelling_pairs(stats: pl.DataFrame, rank: np.ndarray, keep: int | None) -> tuple[pl.DataFrame, int]:
    """Near-identical folded spellings in different campaigns: plural, edit distance, numbered variants, prefix.

    ``stats`` is sorted by ``tag_folded``; ``rank`` ranks each row's spelling (for the documented order).
    Returns ``(strongest, found)``: the ``keep`` strongest pairs (None: all) as ``_a < _b`` (rows of
    ``stats``), ``kind, score, distance`` (edit distance; null for plural and prefix), ``_ra, _rb``; and the
    number of pairs found. One pair counts once, with its strongest kind (ties: plural, then edit distance,
    then prefix). The edit-distance matrix is computed in blocks of rows and only the strongest ``keep``
    candidates are carried from block to block, so memory is bounded by a block, not by the pairs found; a
    prefix is compared with at most :data:`_MAX_PREFIX_MATCHES` longer tags.
    """
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist

    tags = stats["tag_folded"].to_list()
    n = len(tags)
    index = {t: i for i, t in enumerate(tags)}
    lengths = np.array([len(t) for t in tags], dtype=np.int64)
    campaign = stats["campaign_id"].cast(pl.Categorical).to_physical().to_numpy()
    undigited = pl.Series([re.sub(r"\d", "", t) for t in tags]).cast(pl.Categorical).to_physical().to_numpy()

    def frame(i, j, kind, score, distance, priority: int) -> pl.DataFrame:
        i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
        ok = campaign[i] != campaign[j]
        a, b = np.minimum(i, j)[ok], np.maximum(i, j)[ok]
        return pl.DataFrame({
            "_a": a, "_b": b, "kind": np.asarray(kind)[ok] if np.ndim(kind) else [kind] * len(a),
            "score": np.round(np.broadcast_to(np.asarray(score, dtype=np.float64), i.shape)[ok], 4),
            "distance": np.broadcast_to(np.asarray(distance, dtype=np.float64), i.shape)[ok],
            "_p": np.full(len(a), priority, dtype=np.int8), "_ra": rank[a], "_rb": rank[b],
        }, schema={"_a": pl.Int64, "_b": pl.Int64, "kind": pl.String, "score": pl.Float64, "distance": pl.Float64,
                   "_p": pl.Int8, "_ra": pl.Int64, "_rb": pl.Int64})

    def best(df: pl.DataFrame) -> pl.DataFrame:  # one row per pair: the strongest kind
        return df.sort(["_a", "_b", "score", "_p"], descending=[False, False, True, False]).unique(
            ["_a", "_b"], keep="first", maintain_order=True)

    def strongest(df: pl.DataFrame) -> pl.DataFrame:
        return df if keep is None else _by_strength(df).head(keep)

    # plural (one tag is the other + s / es / x) and prefix (a is the start of a longer tag): O(tags) pairs
    plural = [(i, index[t + suffix]) for i, t in enumerate(tags) if len(t) >= 3 for suffix in ("s", "es", "x")
              if t + suffix in index]
    pi, pj = [], []
    for i, a in enumerate(tags):  # tags are sorted: the tags starting with a follow it
        if len(a) < 4:
            continue
        k1 = min(bisect.bisect_left(tags, a + "\U0010ffff", i + 1), i + 1 + _MAX_PREFIX_MATCHES)
        pi.extend([i] * (k1 - i - 1))
        pj.extend(range(i + 1, k1))
    pi_arr, pj_arr = np.asarray(pi, dtype=np.int64), np.asarray(pj, dtype=np.int64)
    other = best(pl.concat([
        frame([p[0] for p in plural], [p[1] for p in plural], "plural", 0.95, np.nan, 0),
        frame(pi_arr, pj_arr, "prefix", 0.5 * lengths[pi_arr] / np.maximum(lengths[pj_arr], 1), np.nan, 2),
    ]))
    keys = other.select("_a", "_b")
    # edit distance: rapidfuzz in blocks of rows, candidate cells filtered with numpy; each pair once (a < b)
    found, kept, overlap = 0, other.clear(), []
    for start in range(0, n, _CDIST_BLOCK):
        block = tags[start:start + _CDIST_BLOCK]
        dist = cdist(block, tags, scorer=Levenshtein.distance, score_cutoff=2, dtype=np.uint8, workers=1)
        bi, j = np.nonzero(dist <= 2)
        d = dist[bi, j].astype(np.int64)
        i = bi.astype(np.int64) + start
        longest, shortest = np.maximum(lengths[i], lengths[j]), np.minimum(lengths[i], lengths[j])
        ok = (j > i) & (shortest >= 4) & ~((d == 2) & (longest < 8))
        i, j, d, longest = i[ok], j[ok], d[ok], longest[ok]
        sim = 1 - d / longest
        numbered = undigited[i] == undigited[j]
        cells = frame(i, j, np.where(numbered, "numbered", "spelling"), np.where(numbered, 0.5 * sim, sim), d, 1)
        overlap.append(cells.join(keys, on=["_a", "_b"], how="semi"))  # also plural or prefix: decided below
        only = cells.join(keys, on=["_a", "_b"], how="anti")
        found += only.height
        kept = strongest(pl.concat([kept, only]))
    merged = best(pl.concat([other, *overlap]))
    found += merged.height
    kept = strongest(pl.concat([kept, merged]))
    return kept.with_columns(distance=pl.col("distance").fill_nan(None).cast(pl.Int64)).drop("_p"), found


def _spelling_evidence() -> pl.Expr:
    """The evidence line of a spelling suggestion (columns ``kind, tag_folded_a, tag_folded_b, distance``)."""
    a, b, d = pl.col("tag_folded_a"), pl.col("tag_folded_b"), pl.col("distance")
    return (
        pl.when(pl.col("kind") == "plural").then(
            pl.format("'{}' is '{}' + '{}' (singular/plural)", b, a, b.str.slice(a.str.len_chars())))
        .when(pl.col("kind") == "numbered").then(
            pl.format("differ only in digits ({} edit): numbered editions of one series, or different events", d))
        .when(pl.col("kind") == "spelling").then(pl.format("edit distance {} on folded forms", d))
        .when(pl.col("kind") == "prefix").then(pl.format("'{}' starts with '{}'", b, a))
    )


def _cross_language_tag_pairs(posts: pl.DataFrame, aliases: pl.DataFrame | None, stats: pl.DataFrame,
                              window: int, min_score: float, max_tags_per_post: int | None,
                              counts: dict | None) -> pl.DataFrame:
    """Tags whose posts are mostly in different languages but share posts, partners, links or neighbouring posts:
    ``tag_folded_a, tag_folded_b, kind, score, evidence``. Each post's first ``max_tags_per_post`` tags count."""
    tags = _cap_per_post(_tag_rows(posts, aliases).select("_row", "position", "tag_folded"), max_tags_per_post,
                         counts)
    base = _with_row(posts).filter(_loaded(posts))
    n = base.height

    def pairs(left: pl.DataFrame, right: pl.DataFrame, on: str) -> pl.DataFrame:
        return left.join(right, on=on).filter(pl.col("a") < pl.col("b"))

    cooc = pairs(tags.select("_row", a="tag_folded"), tags.select("_row", b="tag_folded"), "_row").group_by(
        "a", "b").agg(shared_posts=pl.len(), positions=pl.col("_row").sort())

    def shared(col: str) -> pl.DataFrame:
        long = base.select("_row", v=pl.col(col)).explode("v").drop_nulls("v")
        if col == "domains":
            long = long.filter(~pl.col("v").is_in(SHORTENER_DOMAINS))
        idf = _idf_table(long, "v", n)
        tv = tags.join(long, on="_row").select("tag_folded", "v").unique().join(idf, on="v")
        # a value shared by very many tags is no evidence for any one pair, and would make the pairs quadratic
        tv = tv.filter(pl.len().over("v") <= _MAX_TAGS_PER_VALUE)
        total = tv.group_by("tag_folded").agg(w=pl.col("idf").sum())
        p = pairs(tv.select(a="tag_folded", v="v", idf="idf"), tv.select(b="tag_folded", v="v"), "v")
        agg = p.group_by("a", "b").agg(w_shared=pl.col("idf").sum(), values=pl.col("v").sort())
        agg = agg.join(total.rename({"tag_folded": "a", "w": "w_a"}), on="a").join(
            total.rename({"tag_folded": "b", "w": "w_b"}), on="b")
        return agg.select("a", "b", "values",
                          sim=pl.col("w_shared") / (pl.col("w_a") + pl.col("w_b") - pl.col("w_shared")))

    partners, domains = shared("mentions"), shared("domains")
    offsets = pl.DataFrame({"_off": [o for o in range(-window, window + 1) if o != 0]}, schema={"_off": pl.Int64})
    near = (
        tags.select(a="tag_folded", _row_a="_row", _pos=pl.col("position")).join(offsets, how="cross")
        .with_columns(_pos=pl.col("_pos") + pl.col("_off"))
        .join(tags.select(b="tag_folded", _pos="position"), on="_pos")
        .filter(pl.col("a") != pl.col("b"))
    )
    near_a = near.group_by("a", "b").agg(na=pl.col("_row_a").n_unique())
    near_both = near_a.join(near_a.select(a="b", b="a", nb="na"), on=["a", "b"], how="left").filter(
        pl.col("a") < pl.col("b")).with_columns(pl.col("nb").fill_null(0))
    info = stats.select("tag_folded", "posts", "lang", "campaign_id")
    cand = (
        pl.concat([d.select("a", "b") for d in (cooc, partners, domains, near_both)]).unique()
        .join(info.rename(lambda c: c + "_a" if c != "tag_folded" else "a"), on="a")
        .join(info.rename(lambda c: c + "_b" if c != "tag_folded" else "b"), on="b")
        .filter((pl.col("campaign_id_a") != pl.col("campaign_id_b")) & (pl.col("lang_a") != UND)
                & (pl.col("lang_b") != UND) & (pl.col("lang_a") != pl.col("lang_b")))
        .join(cooc, on=["a", "b"], how="left")
        .join(partners.rename({"values": "pv", "sim": "ps"}), on=["a", "b"], how="left")
        .join(domains.rename({"values": "dv", "sim": "ds"}), on=["a", "b"], how="left")
        .join(near_both, on=["a", "b"], how="left")
        .with_columns(pl.col("shared_posts", "na", "nb").fill_null(0), pl.col("ps", "ds").fill_null(0.0))
        .with_columns(
            cooc_frac=pl.col("shared_posts") / pl.min_horizontal("posts_a", "posts_b"),
            near_frac=(pl.col("na") + pl.col("nb")) / (pl.col("posts_a") + pl.col("posts_b")),
        )
        .with_columns(
            kinds=pl.sum_horizontal([(pl.col(c) > 0).cast(pl.Int32) for c in ("cooc_frac", "ps", "ds", "near_frac")]),
            score=(0.35 * pl.col("cooc_frac") + 0.3 * pl.col("ps") + 0.15 * pl.col("ds")
                   + 0.2 * pl.col("near_frac")).round(4),
        )
        # one kind of evidence alone (a common partner, a nearby post) is too weak
        .filter((pl.col("kinds") >= 2) & (pl.col("score") >= min_score))
    )

    def part(cond: pl.Expr, text: pl.Expr) -> pl.Expr:
        return pl.when(cond).then(text)

    evidence = pl.concat_str(
        [
            part(pl.col("shared_posts") > 0, pl.format("together in {} post(s)", "shared_posts")),
            part(pl.col("pv").list.len() > 0, pl.lit("shared partners: ") + pl.col("pv").list.head(5).list.join(", ")),
            part(pl.col("dv").list.len() > 0,
                 pl.lit("shared link domains: ") + pl.col("dv").list.head(5).list.join(", ")),
            part(pl.col("na") + pl.col("nb") > 0,
                 pl.format("{} of {} posts within ±{} positions of the other", pl.col("na") + pl.col("nb"),
                           pl.col("posts_a") + pl.col("posts_b"), pl.lit(window))),
        ],
        separator="; ", ignore_nulls=True,
    )
    return cand.select(tag_folded_a="a", tag_folded_b="b", kind=pl.lit("cross-language"), score="score",
                       evidence=evidence).sort("tag_folded_a", "tag_folded_b")


# --------------------------------------------------------------------------------------------------------------
# Translated tags and related campaigns
# --------------------------------------------------------------------------------------------------------------

#: Words a hashtag's meaning does not rest on (en/es/fr articles, prepositions, conjunctions).
TAG_STOPWORDS = frozenset(
    ["a", "al", "and", "at", "by", "d", "de", "del", "des", "du", "e", "el", "en", "et", "for", "in", "l", "la", "las", "le", "les", "los", "of", "on", "or", "para", "pour", "por", "sur", "the", "to", "y"])
_MIN_COGNATE_PREFIX = 5  # territories / territorios, justice / justicia share 5+ first letters


def load_vocabulary(path: str | Path | None = None) -> dict[str, str]:
    """Folded word -> concept from the bundled campaign vocabulary (:data:`feedtools.paths.CAMPAIGN_VOCABULARY`,
    or ``path``): a CSV of ``concept,words`` (forms separated by ``|``), ``#`` lines are comments. Raises
    ``ValueError`` when the file lacks those columns or a word has two concepts."""
    from feedtools.paths import CAMPAIGN_VOCABULARY

    df = pl.read_csv(path or CAMPAIGN_VOCABULARY, comment_prefix="#", schema_overrides={"words": pl.String})
    if not {"concept", "words"} <= set(df.columns):
        raise ValueError(f"{path or CAMPAIGN_VOCABULARY}: needs columns concept,words")
    table: dict[str, str] = {}
    for concept, words in df.select("concept", "words").iter_rows():
        for w in (words or "").split("|"):
            w = fold_tag(w.strip())
            if w and table.setdefault(w, concept) != concept:
                raise ValueError(f"vocabulary: {w!r} is in two concepts ({table[w]}, {concept})")
    return table


def tag_words(tag: str) -> list[str]:
    """A hashtag split into folded words at case and letter/digit seams: ``#CiudadesYTerritoriosDePaz`` ->
    ``['ciudades', 'y', 'territorios', 'de', 'paz']``, ``SDG3`` -> ``['sdg', '3']``; an all-lower or all-upper tag
    stays one word (``uclgmeets``)."""
    t = re.sub(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])", " ", tag.lstrip("#＃"))
    t = re.sub(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])", " ", t)
    t = re.sub(r"(?:^|(?<=[^A-Za-zÀ-ÿ]))([A-ZÀ-Þ])(?=[A-ZÀ-Þ][a-zà-ÿ])", r"\1 ", t)
    return [fold_tag(w) for w in re.split(r"[\W_]+", t) if w and fold_tag(w)]


def _concept(word: str, vocab: dict[str, str]) -> str | None:
    for form in (word, word[:-1] if word.endswith("s") else None, word[:-2] if word.endswith("es") else None):
        if form and form in vocab:
            return "=" + vocab[form]
    return None


def _word_match(a: str, b: str, vocab: dict[str, str]) -> tuple[float, str] | None:
    """How two folded words mean the same: ``(strength, how)`` or None."""
    if a == b:
        return 1.0, a
    ca, cb = _concept(a, vocab), _concept(b, vocab)
    if ca and ca == cb:
        return 1.0, f"{a}={b}"
    if a.isdigit() or b.isdigit():
        return None
    from rapidfuzz.distance import Indel

    prefix = len(os.path.commonprefix([a, b]))
    sim = Indel.normalized_similarity(a, b)
    if (prefix >= _MIN_COGNATE_PREFIX or (prefix >= 3 and sim >= 0.75)) and min(len(a), len(b)) >= 4:
        return sim, f"{a}~{b}"
    return None


def _same_meaning(wa: list[str], wb: list[str], vocab: dict[str, str]) -> tuple[float, list[str]] | None:
    """Every content word of one tag matched by a distinct word of the other (same word, same vocabulary concept,
    or cognate), numbers equal: ``(mean strength, matches)``; None otherwise."""
    a = [w for w in wa if w not in TAG_STOPWORDS]
    b = [w for w in wb if w not in TAG_STOPWORDS]
    if not a or not b or len(a) != len(b):
        return None
    if sorted(w for w in a if w.isdigit()) != sorted(w for w in b if w.isdigit()):
        return None
    left, matches, total = list(b), [], 0.0
    for w in a:
        best = max(((m, v) for v in left if (m := _word_match(w, v, vocab))), key=lambda x: x[0][0], default=None)
        if best is None:
            return None
        (strength, how), v = best
        left.remove(v)
        matches.append(how)
        total += strength
    return total / len(a), matches


def _translated_tag_pairs(stats: pl.DataFrame, vocab: dict[str, str]) -> pl.DataFrame:
    """Tags in different campaigns that say the same thing word for word (:func:`_same_meaning`):
    ``tag_folded_a < tag_folded_b, kind, score, evidence``. Candidates share a blocking key (a word's vocabulary
    concept, or its first 4 letters), keys used by more than :data:`_MAX_TAGS_PER_VALUE` tags are skipped; each
    candidate is then checked word by word (a Python loop: the candidates are few)."""
    rows = stats.select("tag_folded", "tag", "campaign_id").to_dicts()
    words = {r["tag_folded"]: tag_words(r["tag"]) for r in rows}
    keys = pl.DataFrame(
        [(t, _concept(w, vocab) or w[:4]) for t, ws in words.items() for w in ws
         if w not in TAG_STOPWORDS and (len(w) >= 3 or _concept(w, vocab))],
        schema={"t": pl.String, "k": pl.String}, orient="row").unique()
    keys = keys.filter(pl.len().over("k") <= _MAX_TAGS_PER_VALUE)
    campaign = stats.select("tag_folded", "campaign_id")
    cand = (keys.join(keys.rename({"t": "u"}), on="k").filter(pl.col("t") < pl.col("u")).select("t", "u").unique()
            .join(campaign.rename({"tag_folded": "t", "campaign_id": "ca"}), on="t")
            .join(campaign.rename({"tag_folded": "u", "campaign_id": "cb"}), on="u")
            .filter(pl.col("ca") != pl.col("cb")).sort("t", "u"))
    out = []
    for t, u in cand.select("t", "u").iter_rows():
        if (m := _same_meaning(words[t], words[u], vocab)) is not None and any("~" in x or "=" in x for x in m[1]):
            out.append((t, u, round(0.9 * m[0], 4), "same words across languages: " + ", ".join(m[1])))
    return pl.DataFrame(out, schema={"tag_folded_a": pl.String, "tag_folded_b": pl.String, "score": pl.Float64,
                                     "evidence": pl.String}, orient="row").with_columns(kind=pl.lit("translation"))


def suggest_aliases(
    posts: pl.DataFrame,
    aliases: pl.DataFrame | None = None,
    *,
    vocabulary: dict[str, str] | None = None,
    max_tags_per_post: int | None = MAX_TAGS_PER_POST,
    max_suggestions: int | None = MAX_SUGGESTIONS,
    stats: dict | None = None,
) -> pl.DataFrame:
    """Tags that may belong together, with a score (0-1, higher is stronger) and the evidence. Never applied.

    Two families, both comparing tags that the alias table and folding leave in
    *different* campaigns (pairs already merged are never suggested):

    * spelling (on folded forms): ``plural`` (``localgov``/``localgovs``, 0.95),
      ``spelling`` (edit distance 1, or 2 for tags of 8+ characters; score
      1 - distance/length), ``numbered`` (differ only in digits: ``csw68``/``csw69``;
      half that score: usually different editions), ``prefix`` (one starts with the
      other; 0.5 × length ratio; a prefix is compared with at most 50 longer tags).
      Tags shorter than 4 characters get only ``plural``.
    * ``translation``: the two tags, split into words (``#CiudadesYTerritoriosDePaz`` ->
      ciudades y territorios de paz), say the same thing word for word: each content
      word (articles and prepositions aside) of one is the same word, the same concept
      in the bundled en/es/fr campaign vocabulary (``data/campaign_vocabulary.csv``:
      ``paz``/``peace``, ``ods``/``sdg``), or a cognate (same first 5 letters, or
      first 3 and 75% alike: ``territorios``/``territories``) of a distinct word of the
      other, and their numbers are equal (``#SDG3``/``#ODS3``). Score 0.9 × the mean
      word match (1 for same word or concept, the cognates' similarity otherwise).
      Campaigns that merely co-occur, share partners or sit side by side are not
      aliases: :func:`related_campaigns` lists them.

    Only the ``max_suggestions`` strongest are returned (:data:`MAX_SUGGESTIONS`; None:
    all). When ``stats`` is a dict it receives ``suggestions_found`` (before that cap),
    ``suggestions_kept``, ``max_suggestions`` and the per-post tag cap's figures
    (``max_tags_per_post``, ``posts_over_tags_cap``, ``tags_over_cap``: the cap counts the tags of
    each post; it bounds :func:`related_campaigns`, and is reported here for the tags read).
    ``vocabulary``: folded word -> concept (default :func:`load_vocabulary`).

    Output columns: ``kind, tag_a, tag_b`` (commonest spellings), ``campaign_a,
    campaign_b, lang_a, lang_b`` (dominant detected language of each tag's posts),
    ``posts_a, posts_b, score, evidence``; sorted by score (descending), kind,
    tag_a, tag_b.
    """
    if max_suggestions is not None and max_suggestions < 0:
        raise ValueError(f"max_suggestions must be 0 or more, not {max_suggestions}")
    counts: dict = {} if stats is None else stats
    counts.update(suggestions_found=0, suggestions_kept=0, max_suggestions=max_suggestions)
    tag_stats = _tag_stats(posts, aliases)
    if tag_stats.height < 2:
        _cap_per_post(pl.DataFrame(schema={"_row": pl.UInt32}), max_tags_per_post, counts)
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    rank = tag_stats["tag"].rank("dense").cast(pl.Int64)
    spelling, found = _spelling_pairs(tag_stats, rank.to_numpy(), max_suggestions)
    index = tag_stats.select("tag_folded", _k=pl.int_range(pl.len(), dtype=pl.Int64))
    _cap_per_post(_tag_rows(posts, aliases).select("_row", "position", "tag_folded"), max_tags_per_post, counts)
    vocab = load_vocabulary() if vocabulary is None else vocabulary
    cross = (
        _translated_tag_pairs(tag_stats, vocab)
        .join(index.rename({"tag_folded": "tag_folded_a", "_k": "_a"}), on="tag_folded_a")
        .join(index.rename({"tag_folded": "tag_folded_b", "_k": "_b"}), on="tag_folded_b")
        .select("_a", "_b", "kind", "score", "evidence")
        # a pair that spelling explains (localgov / localgovs, climat / climate) is listed once, as spelling
        .join(spelling.select("_a", "_b"), on=["_a", "_b"], how="anti")
    )
    df = pl.concat([spelling.with_columns(evidence=pl.lit(None, dtype=pl.String)),
                    cross.with_columns(distance=pl.lit(None, dtype=pl.Int64))], how="diagonal_relaxed")
    # Sorted on integers (the spellings' ranks), then only the kept rows get their strings.
    df = df.with_columns(_ra=rank.gather(df["_a"]), _rb=rank.gather(df["_b"]))
    df = _by_strength(df)
    counts["suggestions_found"] = found + cross.height
    if max_suggestions is not None:
        df = df.head(max_suggestions)
    counts["suggestions_kept"] = df.height

    def side(column: str, name: str) -> list[pl.Series]:
        return [tag_stats[column].gather(df[f"_{s}"]).alias(f"{name}_{s}") for s in "ab"]

    df = df.with_columns(*side("tag_folded", "tag_folded"), *side("tag", "tag"), *side("campaign_id", "campaign"),
                         *side("lang", "lang"), *side("posts", "posts"))
    df = df.select(
        "kind", "tag_a", "tag_b", "campaign_a", "campaign_b", "lang_a", "lang_b", "posts_a", "posts_b", "score",
        evidence=pl.coalesce("evidence", _spelling_evidence()),
    )
    return df.cast(dict(SUGGESTION_SCHEMA))


RELATED_SCHEMA = pl.Schema({
    "campaign_a": pl.String, "campaign_b": pl.String, "tag_a": pl.String, "tag_b": pl.String, "lang_a": pl.String,
    "lang_b": pl.String, "posts_a": pl.Int64, "posts_b": pl.Int64, "score": pl.Float64, "evidence": pl.String,
})


def related_campaigns(
    posts: pl.DataFrame,
    aliases: pl.DataFrame | None = None,
    *,
    window: int = 3,
    min_score: float = 0.15,
    max_tags_per_post: int | None = MAX_TAGS_PER_POST,
    stats: dict | None = None,
) -> pl.DataFrame:
    """Campaigns in different languages that go together without being one cause under two names: their tags
    share posts, mentioned partners or link domains (rarer shared values weigh more), helped by posts within
    ``window`` positions of each other. Not alias suggestions (:func:`suggest_aliases` lists those).

    For each pair of tags in different campaigns whose posts are mostly in different detected languages:
    score = 0.35 × co-occurrence + 0.3 × partner overlap + 0.15 × domain overlap + 0.2 × neighbouring share;
    pairs under ``min_score``, and pairs with only one kind of evidence, are dropped; a partner or domain used
    with more than 50 tags is ignored; only the first ``max_tags_per_post`` tags of each post count (``stats``,
    a dict, receives the cap's figures). One row per campaign pair (its strongest tag pair).

    Output: ``campaign_a < campaign_b, tag_a, tag_b`` (commonest spellings), ``lang_a, lang_b, posts_a,
    posts_b, score, evidence``; sorted by score (descending), campaign_a, campaign_b.
    """
    counts: dict = {} if stats is None else stats
    tag_stats = _tag_stats(posts, aliases)
    if tag_stats.height < 2:
        return pl.DataFrame(schema=RELATED_SCHEMA)
    pairs = _cross_language_tag_pairs(posts, aliases, tag_stats, window, min_score, max_tags_per_post, counts)
    info = tag_stats.select("tag_folded", "tag", "campaign_id", "lang", "posts")
    df = (pairs.join(info.rename(lambda c: c + "_a"), on="tag_folded_a")
          .join(info.rename(lambda c: c + "_b"), on="tag_folded_b"))
    swap = pl.col("campaign_id_a") > pl.col("campaign_id_b")

    def pick(a: str, b: str) -> tuple[pl.Expr, pl.Expr]:
        return pl.when(swap).then(b).otherwise(a), pl.when(swap).then(a).otherwise(b)

    cols = {}
    for name in ("campaign_id", "tag", "lang", "posts"):
        first, second = pick(f"{name}_a", f"{name}_b")
        out = "campaign" if name == "campaign_id" else name
        cols[f"{out}_a"], cols[f"{out}_b"] = first, second
    df = df.select(**cols, score="score", evidence="evidence").sort(
        ["campaign_a", "campaign_b", "score", "tag_a", "tag_b"], descending=[False, False, True, False, False])
    df = df.unique(["campaign_a", "campaign_b"], keep="first", maintain_order=True)
    return df.cast(dict(RELATED_SCHEMA)).sort(["score", "campaign_a", "campaign_b"], descending=[True, False, False])


# --------------------------------------------------------------------------------------------------------------
# Cross-language post pairs
# --------------------------------------------------------------------------------------------------------------



def _date_tokens(frame: pl.DataFrame) -> pl.DataFrame:
    """Alias of :func:`feedtools.similarity.date_tokens` (``_row, value``: ``MM-DD`` days named in ``_s``)."""
    return date_tokens(frame)


def _post_features(posts: pl.DataFrame, aliases: pl.DataFrame | None, rows: pl.Series | None = None) -> pl.DataFrame:
    """Long table ``_row, kind, value`` of the exact values two announcements of one thing would share (the
    evidence columns of :func:`cross_language_pairs`), for the loaded posts whose ``_row`` is in ``rows`` (all
    when None); ``_row`` is Int64."""
    base = _with_row(posts).with_columns(pl.col("_row").cast(pl.Int64)).filter(_loaded(posts))
    if rows is not None:
        base = base.join(rows.cast(pl.Int64).alias("_row").to_frame(), on="_row", how="semi")
    text = pl.col("text_clean").fill_null("")
    stripped = (
        text.str.replace_all(URL_PATTERN, " ").str.replace_all(MENTION_PATTERN, " ")
        .str.replace_all(HASHTAG_PATTERN, " ")
    )
    df = base.select(
        "_row", "mentions", "domains", "urls",
        _num=stripped.str.extract_all(r"\d+").list.eval(pl.element().str.replace(r"^0+(\d)", "$1")),
        _s=stripped,
    )
    parts = []
    for kind, col in (("partner", "mentions"), ("domain", "domains"), ("link", "urls"), ("number", "_num")):
        part = df.select("_row", kind=pl.lit(kind), value=pl.col(col)).explode("value")
        if kind == "domain":
            part = part.filter(~pl.col("value").is_in(SHORTENER_DOMAINS))
        parts.append(part)
    parts.append(_date_tokens(df.select("_row", "_s")).select("_row", kind=pl.lit("date"), value="value"))
    camp = _campaign_rows(posts, aliases).select(pl.col("_row").cast(pl.Int64), kind=pl.lit("campaign"),
                                                 value=pl.col("campaign_id"))
    parts.append(camp.join(base.select("_row"), on="_row", how="semi"))
    return pl.concat(parts).drop_nulls("value").unique().sort("_row", "kind", "value")


def cross_language_pairs(
    posts: pl.DataFrame,
    aliases: pl.DataFrame | None = None,
    *,
    window: int = 12,
    min_score: float = 0.1,
    max_share: float = 0.02,
) -> pl.DataFrame:
    """Pairs of loaded posts in two different detected languages that may announce the same thing, ranked by
    what they say.

    ``content`` is the cross-language content similarity of the two texts
    (:func:`feedtools.similarity.content_pairs`: accent-folded character 4-grams of words, so names and
    cognates match across English, Spanish and French, plus numbers, day-month dates, mentions, links and
    hashtags, rarer features weighing more; 0-1). Posts are compared only within ``window`` positions of each
    other (so the work grows with the feed, not with its square); features in more than ``max_share`` of
    the posts are ignored. ``score = content + 0.05 × (1 - distance / (window + 1))``: position only breaks
    near-ties. Pairs need ``score >= min_score`` and at least one shared feature. Posts whose language is
    ``und`` are left out.

    Output: ``position_a < position_b, lang_a, lang_b, score, content, distance``, ``shared_words`` (the
    words that match: ``montevideo``, or ``sevilla~seville`` for a shared stem), one list column per exact
    evidence kind (``shared_partners, shared_links, shared_domains, shared_numbers, shared_dates,
    shared_campaigns``), ``evidence`` (one readable line), ``text_a, text_b``. Sorted by score (descending),
    position_a, position_b.
    """
    base = _with_row(posts).filter(_loaded(posts) & (pl.col("lang").fill_null(UND) != UND)).select(
        pl.col("_row").cast(pl.Int64), "position", "lang", "text_clean")
    kinds = ("partners", "links", "domains", "numbers", "dates", "campaigns")
    schema = {"position_a": pl.Int64, "position_b": pl.Int64, "lang_a": pl.String, "lang_b": pl.String,
              "score": pl.Float64, "content": pl.Float64, "distance": pl.Int64, "shared_words": LIST_STR,
              **{f"shared_{k}": LIST_STR for k in kinds},
              "evidence": pl.String, "text_a": pl.String, "text_b": pl.String}
    if base.height < 2:
        return pl.DataFrame(schema=schema)
    frame = base.select("_row", "position", "lang", text="text_clean")
    pairs = content_pairs(frame, window=window, min_similarity=0.0, max_share=max_share, words=True)
    info = base.select("_row", "position", "lang", "text_clean")
    agg = (
        pairs.join(info.rename({"_row": "_row_a", "position": "position_a", "lang": "lang_a", "text_clean": "text_a"}),
                   on="_row_a")
        .join(info.rename({"_row": "_row_b", "position": "position_b", "lang": "lang_b", "text_clean": "text_b"}),
              on="_row_b")
        .with_columns(distance=pl.col("position_b") - pl.col("position_a"), content=pl.col("similarity"))
        .with_columns(score=pair_score(window))
        .filter(pl.col("score") >= min_score)
    )
    if agg.height == 0:
        return pl.DataFrame(schema=schema)
    feats = _post_features(posts, aliases, pl.concat([agg["_row_a"], agg["_row_b"]]).unique())
    ev = (
        agg.select("_row_a", "_row_b").join(feats.rename({"_row": "_row_a"}), on="_row_a")
        .join(feats.rename({"_row": "_row_b"}), on=["_row_b", "kind", "value"], how="semi")
        .group_by("_row_a", "_row_b").agg(
            **{f"shared_{k}s" if k != "date" else "shared_dates": pl.col("value").filter(pl.col("kind") == k).sort()
               for k in ("partner", "link", "domain", "number", "date", "campaign")})
    )
    agg = (agg.join(ev, on=["_row_a", "_row_b"], how="left").rename({"words": "shared_words"})
           .with_columns(pl.col("shared_words", *[f"shared_{k}" for k in kinds]).fill_null(
               pl.lit([], dtype=LIST_STR))))

    def part(col: str, what: str) -> pl.Expr:
        return pl.when(pl.col(col).list.len() > 0).then(pl.lit(what + ": ") + pl.col(col).list.join(", "))

    agg = agg.with_columns(
        evidence=pl.concat_str(
            [pl.format("content {}", pl.col("content").round(2)), part("shared_words", "words"),
             part("shared_partners", "partners"), part("shared_links", "links"), part("shared_domains", "domains"),
             part("shared_dates", "dates"), part("shared_numbers", "numbers"),
             part("shared_campaigns", "campaigns"),
             pl.format("{} positions apart", pl.col("distance"))],
            separator="; ", ignore_nulls=True,
        )
    )
    return agg.select(list(schema)).cast(schema).sort(["score", "position_a", "position_b"],
                                                      descending=[True, False, False])


# --------------------------------------------------------------------------------------------------------------
# Series markers
# --------------------------------------------------------------------------------------------------------------


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
    kind = (
        pl.when(pl.col("marker").str.starts_with("#")).then(pl.lit("hashtag"))
        .when(pl.col("marker").str.ends_with(":")).then(pl.lit("label")).otherwise(pl.lit("emoji"))
    )
    out = df.group_by("marker").agg(
        posts=pl.len(),
        first_position=pl.col("position").min(),
        last_position=pl.col("position").max(),
        positions=pl.col("position").sort().head(max_positions),
        untagged=(pl.col("campaigns").list.len() == 0).sum().cast(pl.Int64),
    ).filter(pl.col("posts") >= min_posts)
    for name, col in (("campaigns", "campaigns"), ("partners", "mentions")):
        long = df.select("marker", v=pl.col(col)).explode("v")
        out = out.join(_counted(long, "marker", "v", name, top), on="marker", how="left")
    out = out.join(_counted(df.select("marker", v=pl.col("lang").fill_null(UND)), "marker", "v", "langs", top),
                   on="marker", how="left")
    out = out.with_columns(pl.col("campaigns", "partners", "langs").fill_null(pl.lit([], dtype=LIST_STR)))
    return out.with_columns(
        kind=kind, posts=pl.col("posts").cast(pl.Int64),
        span=pl.col("last_position") - pl.col("first_position") + 1,
    ).select(
        "marker", "kind", "posts", "first_position", "last_position", "span", "positions", "campaigns", "partners",
        "langs", "untagged",
    ).sort(["posts", "marker"], descending=[True, False])


# --------------------------------------------------------------------------------------------------------------
# Partner network
# --------------------------------------------------------------------------------------------------------------


def partner_graph(
    posts: pl.DataFrame,
    aliases: pl.DataFrame | None = None,
    *,
    max_tags_per_post: int | None = MAX_TAGS_PER_POST,
    max_mentions_per_post: int | None = MAX_MENTIONS_PER_POST,
    stats: dict | None = None,
):
    """Accounts and campaigns as an undirected weighted ``networkx.Graph``.

    Nodes: ``campaign:<id>`` (attributes ``kind="campaign"``, ``label``, ``posts``,
    ``langs`` joined with ``|``) and ``account:<handle>`` (``kind="account"``,
    ``label`` = handle, ``posts`` = posts mentioning it). Edges (attribute ``kind``,
    ``weight`` = number of posts): ``mention`` (a campaign's posts mention the
    account), ``cooccurrence`` (two campaigns in one post), ``comention`` (two
    accounts mentioned in one post). Only loaded posts count; nodes and edges are
    added in sorted order so exports are byte-for-byte reproducible.
    Edges consider the first ``max_tags_per_post`` campaigns and the first
    ``max_mentions_per_post`` mentions of each post (None: all), so one post with
    thousands of tags cannot make millions of edges; node ``posts`` counts use every
    tag and mention. ``stats`` (a dict) receives what the caps left out
    (``posts_over_tags_cap``, ``tags_over_cap``, ``posts_over_mentions_cap``, ``mentions_over_cap``).
    """
    import networkx as nx

    base = _with_row(posts).filter(_loaded(posts))
    rows = _campaign_rows(posts, aliases).select("_row", "campaign_id")
    ment = base.select("_row", m=pl.col("mentions")).explode("m").drop_nulls("m").unique(maintain_order=True)
    rows_e = _cap_per_post(rows, max_tags_per_post, stats)
    ment_e = _cap_per_post(ment, max_mentions_per_post, stats, "mentions")
    labels = _labels(_tag_rows(posts, aliases), aliases)
    camp_nodes = (
        rows.join(base.select("_row", "lang"), on="_row").group_by("campaign_id").agg(
            posts=pl.len(), langs=pl.col("lang").filter(pl.col("lang") != UND).unique().sort().str.join("|"))
        .join(labels, on="campaign_id").sort("campaign_id")
    )
    acc_nodes = ment.group_by("m").agg(posts=pl.len()).sort("m")
    mention = rows_e.join(ment_e, on="_row").group_by("campaign_id", "m").agg(weight=pl.len()).sort("campaign_id", "m")
    cooc = rows_e.join(rows_e.rename({"campaign_id": "c2"}), on="_row").filter(pl.col("campaign_id") < pl.col("c2"))
    cooc = cooc.group_by("campaign_id", "c2").agg(weight=pl.len()).sort("campaign_id", "c2")
    comen = ment_e.join(ment_e.rename({"m": "m2"}), on="_row").filter(pl.col("m") < pl.col("m2"))
    comen = comen.group_by("m", "m2").agg(weight=pl.len()).sort("m", "m2")
    g = nx.Graph(name="feedtools partner network")
    for r in camp_nodes.iter_rows(named=True):
        g.add_node(f"campaign:{r['campaign_id']}", kind="campaign", label=r["label"], posts=int(r["posts"]),
                   langs=r["langs"] or "")
    for r in acc_nodes.iter_rows(named=True):
        g.add_node(f"account:{r['m']}", kind="account", label=r["m"], posts=int(r["posts"]), langs="")
    for r in mention.iter_rows(named=True):
        g.add_edge(f"campaign:{r['campaign_id']}", f"account:{r['m']}", kind="mention", weight=int(r["weight"]))
    for r in cooc.iter_rows(named=True):
        g.add_edge(f"campaign:{r['campaign_id']}", f"campaign:{r['c2']}", kind="cooccurrence",
                   weight=int(r["weight"]))
    for r in comen.iter_rows(named=True):
        g.add_edge(f"account:{r['m']}", f"account:{r['m2']}", kind="comention", weight=int(r["weight"]))
    return g


def graph_layout(graph, *, max_nodes: int = 40, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Positions for drawing: ``(nodes, edges)`` frames for the ``max_nodes`` nodes with most weighted degree.

    Only the largest connected part of those nodes is laid out: a spring layout
    pushes isolated nodes and small separate parts to the edges of the drawing
    (the exported graph keeps everything). ``nodes``: ``id, name`` (id without its ``campaign:``/``account:``
    prefix), ``kind, label, posts, degree, x, y``; ``edges``: ``source, target,
    kind, weight, x, y, x2, y2``. Layout: ``networkx.spring_layout`` with a fixed
    seed on the kept subgraph (deterministic), rounded to 4 decimals.
    """
    import networkx as nx

    deg = dict(graph.degree(weight="weight"))
    keep = sorted((v for v in graph.nodes if deg[v] > 0), key=lambda v: (-deg[v], v))[:max_nodes]
    sub = graph.subgraph(sorted(keep))
    if sub.number_of_nodes():
        parts = sorted(nx.connected_components(sub), key=lambda c: (-len(c), min(c)))
        sub = sub.subgraph(sorted(parts[0]))
    h = nx.Graph()
    h.add_nodes_from(sorted(sub.nodes(data=True)))
    h.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in sub.edges(data=True)))
    pos = nx.spring_layout(h, seed=seed, weight="weight") if h.number_of_nodes() else {}
    nodes = pl.DataFrame(
        [{"id": v, "name": v.split(":", 1)[1], "kind": d["kind"], "label": d["label"], "posts": d["posts"],
          "degree": deg[v], "x": round(float(pos[v][0]), 4), "y": round(float(pos[v][1]), 4)}
         for v, d in h.nodes(data=True)],
        schema={"id": pl.String, "name": pl.String, "kind": pl.String, "label": pl.String, "posts": pl.Int64,
                "degree": pl.Int64, "x": pl.Float64, "y": pl.Float64},
    )
    edges = pl.DataFrame(
        [{"source": u, "target": v, "kind": d["kind"], "weight": d["weight"],
          "x": round(float(pos[u][0]), 4), "y": round(float(pos[u][1]), 4),
          "x2": round(float(pos[v][0]), 4), "y2": round(float(pos[v][1]), 4)} for u, v, d in h.edges(data=True)],
        schema={"source": pl.String, "target": pl.String, "kind": pl.String, "weight": pl.Int64, "x": pl.Float64,
                "y": pl.Float64, "x2": pl.Float64, "y2": pl.Float64},
    )
    return nodes.sort("id"), edges.sort("source", "target")


GRAPH_SUFFIXES = (".gexf", ".graphml")


def write_graph(graph, path: str | Path) -> str:
    """Write ``graph`` as GEXF (``.gexf``) or GraphML (``.graphml``), chosen by suffix; return the format name.

    The output is deterministic: GEXF's ``lastmodifieddate`` (today's date, which
    networkx writes) is removed. The file appears whole or not at all
    (:func:`feedtools.safeio.atomic_path`). Raises ``ValueError`` for another suffix.
    """
    import networkx as nx
    from networkx.readwrite.gexf import GEXFWriter

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in GRAPH_SUFFIXES:
        raise ValueError(f"unknown graph type {path.suffix or '(none)'!r} for {path.name}; use .gexf or .graphml")
    if suffix == ".graphml":
        with atomic_path(path) as tmp:
            nx.write_graphml(graph, tmp)
        return "graphml"
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
    writer.add_graph(graph)
    with atomic_open(path, "wb") as fh:
        writer.write(fh)
    return "gexf"


# ==============================================================================================================
# Findings in words (describe_*): the sentences the campaigns notebook prints, computed from the tables above.
# Each takes the table the notebook already has and returns a plain ``str`` true for THIS feed: zero, one and
# many are said as such, unknown values as "unknown" (never None/nan), long lists cut to the first few.
# ==============================================================================================================

from feedtools.prose import count_accounts, counted, join_list, pct, plural, posting_account, span

__all__ += [
    "campaign_accounts",
    "describe_amplified",
    "describe_campaign_accounts",
    "describe_campaign_dates",
    "describe_campaign_languages",
    "describe_campaigns",
    "describe_network",
    "describe_pairs",
    "describe_series",
    "describe_suggestions",
    "describe_voice",
]


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
        rows.select("campaign_id").unique()
        .join(labels, on="campaign_id", how="left")
        .join(n, on="campaign_id", how="left")
        .join(listed, on="campaign_id", how="left")
        .with_columns(pl.col("n_accounts").fill_null(0), pl.col("accounts").fill_null(pl.lit([], dtype=LIST_STR)))
    )
    return out.select("campaign_id", "label", "n_accounts", "accounts").sort(
        ["n_accounts", "campaign_id"], descending=[True, False])


def _lang_counts(campaign_langs: pl.DataFrame, campaign_id: str) -> str:
    rows = campaign_langs.filter(pl.col("campaign_id") == campaign_id)
    return join_list([f"{'undetermined' if r['lang'] == UND else r['lang']} {r['posts']}"
                      for r in rows.iter_rows(named=True)], 6)


def describe_campaigns(metrics: pl.DataFrame, *, limit: int = 5) -> str:
    """Sentences reading :func:`campaign_metrics`: how many campaigns, how many the alias table names, how many run
    in several languages, the largest ones, and those that join several spellings or languages of a tag."""
    if metrics.height == 0:
        return "No campaign: no loaded post carries a hashtag."
    n = metrics.height
    in_table = int(metrics["in_table"].sum())
    multi = int(metrics["multilingual"].sum())
    largest = join_list([f"{r['label']} ({plural(r['posts'], 'post')})" for r in metrics.iter_rows(named=True)],
                        limit)
    text = (
        f"{plural(n, 'campaign')} ({in_table} from the alias table, {n - in_table} single tags); "
        f"{plural(multi, 'campaign')} {'runs' if multi == 1 else 'run'} in more than one detected language. "
        f"Largest: {largest}."
    )
    joined = metrics.filter(pl.col("hashtags").list.len() > 1)
    if joined.height:
        items = [f"{r['campaign_id']} ({counted(r['hashtags'], 4)})" for r in joined.iter_rows(named=True)]
        text += f" {plural(joined.height, 'campaign')} {'joins' if joined.height == 1 else 'join'} several " \
                f"spellings or languages of a tag: {join_list(items, limit)}."
    return text


def describe_campaign_dates(metrics: pl.DataFrame, *, estimated: bool, limit: int = 5) -> str:
    """When the largest campaigns ran, from the ``first_date``/``last_date`` of :func:`campaign_metrics`
    (``estimated``: the dates are the timeline's estimates, the feed having no timestamps)."""
    if metrics.height == 0:
        return "No campaign, so no campaign dates."
    dated = metrics.filter(pl.col("first_date").is_not_null() | pl.col("last_date").is_not_null())
    what = "estimated dates" if estimated else "dates"
    if dated.height == 0:
        return f"No campaign post has a known date ({'no date could be estimated' if estimated else 'no timestamps'})."
    items = [f"{r['label']} {span(r['first_date'], r['last_date'])}" for r in metrics.head(limit).iter_rows(named=True)]
    rest = metrics.height - min(limit, metrics.height)
    more = f"; {plural(rest, 'smaller campaign')} in the table" if rest else ""
    return f"Largest campaigns by {what}: {'; '.join(items)}{more}."


def describe_campaign_languages(campaign_langs: pl.DataFrame, *, limit: int = 6) -> str:
    """Sentences reading :func:`campaign_languages`: campaigns in one detected language against several, with the
    posts per language of the multilingual ones (largest first)."""
    if campaign_langs.height == 0:
        return "No campaign, so no campaign languages."
    known_langs = campaign_langs.filter(pl.col("lang") != UND)
    per = known_langs.group_by("campaign_id", maintain_order=True).agg(n=pl.len())
    total = campaign_langs["campaign_id"].n_unique()
    multi = per.filter(pl.col("n") >= 2)["campaign_id"].to_list()
    single = per.filter(pl.col("n") == 1).height
    text = (f"{single} of {plural(total, 'campaign')} {'has' if single == 1 else 'have'} posts in a single detected "
            f"language; {len(multi)} {'runs' if len(multi) == 1 else 'run'} in several")
    if not multi:
        return text + "."
    labels = dict(campaign_langs.select("campaign_id", "label").unique("campaign_id").iter_rows())
    items = [f"{labels.get(c) or c} ({_lang_counts(campaign_langs, c)})" for c in multi]
    return text + f": {join_list(items, limit)}."


def _is_collection(n_accounts: int, kind: str | None) -> bool:
    return kind == "collection" if kind in ("account", "collection") else n_accounts > 1


def describe_campaign_accounts(accounts: pl.DataFrame, n_accounts: int, *, kind: str | None = None,
                               limit: int = 5) -> str:
    """Which accounts push the campaigns, reading :func:`campaign_accounts`. ``n_accounts``: the feed's number of
    accounts; ``kind``: ``"account"`` or ``"collection"`` (``feed.meta["kind"]``; when None, a collection is a feed
    of more than one account). On one account's feed, says so."""
    if not _is_collection(n_accounts, kind):
        return ("The rows come from one account, so every campaign is pushed by it; own posts against reposts are "
                "counted under 'Voice and amplification'.")
    if accounts.height == 0:
        return f"A collection of {plural(n_accounts, 'account')}, but no loaded post carries a hashtag: no campaign."
    shared = accounts.filter(pl.col("n_accounts") >= 2)
    text = (f"A collection of {plural(n_accounts, 'account')}; {plural(shared.height, 'campaign')} of "
            f"{accounts.height} {'is' if shared.height == 1 else 'are'} posted or reposted by two or more accounts")
    if shared.height == 0:
        return text + ": each campaign is one account's."
    items = [f"{r['label']} ({r['n_accounts']} accounts: {counted(r['accounts'], 3)})"
             for r in shared.iter_rows(named=True)]
    return text + f". Widest: {join_list(items, limit)}."


def _voice_terms(collection: bool) -> tuple[str, str]:
    if collection:
        return "original posts (not reposts)", "original posts"
    return "the account's own posts", "the account's own posts"


def describe_voice(summary: pl.DataFrame, by_language: pl.DataFrame, n_accounts: int, *,
                   kind: str | None = None) -> str:
    """Sentences reading :func:`voice_summary` and :func:`voice_by_language`: own (or, on a collection of
    ``n_accounts`` accounts, original) posts against loaded and unloaded reposts, and the languages used only
    in one voice. ``kind`` as in :func:`describe_campaign_accounts`."""
    v = dict(zip(summary["kind"].to_list(), summary["posts"].to_list(), strict=True))
    if "original post" in v:  # voice_summary of a collection
        v["own post"] = v.pop("original post")
    total = sum(v.values())
    if total == 0:
        return "The feed has no rows."
    collection = _is_collection(n_accounts, kind)
    own_long, own_short = _voice_terms(collection)
    who = f"In this collection of {plural(n_accounts, 'account')}, " if collection else ""
    text = (f"{who}{v['own post']} of {plural(total, 'row')} ({pct(v['own post'], total)}) "
            f"{'is' if v['own post'] == 1 else 'are'} {own_long}; "
            f"{v['repost']} ({pct(v['repost'], total)}) {'is a repost' if v['repost'] == 1 else 'are reposts'} "
            "whose content loaded and "
            f"{v['repost not loaded']} ({pct(v['repost not loaded'], total)}) reposts that never loaded "
            "(text, language and tags unknown).")
    langs = by_language.filter(pl.col("lang") != UND)
    only_own = langs.filter((pl.col("own_posts") > 0) & (pl.col("reposts") == 0))["lang"].to_list()
    only_rep = langs.filter((pl.col("own_posts") == 0) & (pl.col("reposts") > 0))["lang"].to_list()
    if v["repost"] and only_own:
        text += f" Used only in {own_short}: {join_list(only_own, 6)}."
    if v["own post"] and only_rep:
        text += f" Used only in reposts: {join_list(only_rep, 6)}."
    return text


def describe_amplified(amplified: pl.DataFrame, summary: pl.DataFrame, n_accounts: int, *, kind: str | None = None,
                       limit: int = 5) -> str:
    """Sentences reading :func:`amplified_accounts` (with :func:`voice_summary` for the number of reposts whose
    content loaded): whose posts are reposted (when the source names them), who reposts (on a collection of
    ``n_accounts`` accounts; ``kind`` as in :func:`describe_campaign_accounts`) and whom the loaded reposts
    mention."""
    authors = amplified.filter(pl.col("role") == "author")
    total = int(authors["reposts"].sum()) if authors.height else 0
    if total == 0:
        return "No repost in this feed: nothing is amplified."
    unknown = int(authors.filter(pl.col("account") == "(unknown)")["reposts"].sum())
    named = authors.filter(pl.col("account") != "(unknown)")
    if named.height == 0:
        text = f"The source names no author of the {plural(total, 'repost')}."
    else:
        items = [f"{r['account']} ({r['reposts']})" for r in named.iter_rows(named=True)]
        text = f"Authors reposted most: {join_list(items, limit)}"
        text += f"; {unknown} of {total} reposts have no named author." if unknown else "."
    if _is_collection(n_accounts, kind):
        by = amplified.filter((pl.col("role") == "reposted_by") & (pl.col("account") != "(unknown)"))
        if by.height:
            items = [f"{r['account']} ({r['reposts']})" for r in by.iter_rows(named=True)]
            text += f" Reposting accounts: {join_list(items, limit)}."
    mentioned = amplified.filter(pl.col("role") == "mentioned")
    if int(summary.filter(pl.col("kind") == "repost")["posts"].sum()) == 0:
        return text + " No repost loaded, so whom they mention is unknown."
    if mentioned.height:
        items = [f"{r['account']} ({r['reposts']} of {total})" for r in mentioned.iter_rows(named=True)]
        text += f" Accounts mentioned most in the reposts: {join_list(items, limit)}."
    else:
        text += " The loaded reposts mention no account."
    return text


def describe_suggestions(suggestions: pl.DataFrame, *, limit: int = 4) -> str:
    """Sentences reading :func:`suggest_aliases`: how many suggestions of each kind and the strongest ones."""
    if suggestions.height == 0:
        return "No alias suggestion: no two tags in different campaigns look alike or say the same in two languages."
    kinds = suggestions.group_by("kind").len().sort(["len", "kind"], descending=[True, False])
    by_kind = join_list([f"{r['kind']} {r['len']}" for r in kinds.iter_rows(named=True)], 6)
    items = [f"#{r['tag_a']} / #{r['tag_b']} ({r['kind']}, score {r['score']:.2f})"
             for r in suggestions.iter_rows(named=True)]
    text = f"{plural(suggestions.height, 'suggestion')} ({by_kind}). Strongest: {join_list(items, limit)}."
    numbered = suggestions.filter(pl.col("kind") == "numbered")
    if numbered.height:
        r = numbered.row(0, named=True)
        text += (f" Numbered pairs such as #{r['tag_a']} / #{r['tag_b']} are usually different editions of one "
                 "series rather than one tag.")
    return text


def describe_related(related: pl.DataFrame, *, limit: int = 4) -> str:
    """Sentences reading :func:`related_campaigns`: how many related campaign pairs and the strongest ones."""
    if related.height == 0:
        return "No related campaigns: no two campaigns in different languages share posts, partners or neighbours."
    items = [f"{r['campaign_a']} ({r['lang_a']}) / {r['campaign_b']} ({r['lang_b']}), score {r['score']:.2f} "
             f"({r['evidence']})" for r in related.iter_rows(named=True)]
    return f"{plural(related.height, 'related campaign pair')}. Strongest: {join_list(items, limit)}."


def describe_pairs(pairs: pl.DataFrame, *, limit: int = 3) -> str:
    """Sentences reading :func:`cross_language_pairs`: how many candidate pairs and the strongest ones with their
    evidence."""
    if pairs.height == 0:
        return "No candidate pair: no two posts in different languages share enough evidence."
    items = [f"positions {r['position_a']} ({r['lang_a']}) and {r['position_b']} ({r['lang_b']}), score "
             f"{r['score']:.2f} ({r['evidence']})" for r in pairs.iter_rows(named=True)]
    top = pairs.head(10)
    exact = pl.sum_horizontal([pl.col(c).list.len() for c in ("shared_words", "shared_partners", "shared_links",
                                                                "shared_dates", "shared_numbers")]) > 0
    backed = int(top.select(exact).to_series().sum()) if "shared_words" in top.columns else top.height
    return (f"{plural(pairs.height, 'candidate pair')}; {backed} of the top {top.height} share words or exact "
            f"partners, links, dates or numbers, not only a place in the feed. Strongest: {join_list(items, limit)}.")


def describe_series(markers: pl.DataFrame, *, limit: int = 4) -> str:
    """Sentences reading :func:`series_markers`: how many recurring openers and, for the commonest, the posts
    they open with their campaigns, partners and languages."""
    if markers.height == 0:
        return "No recurring opener: no leading emoji, hashtag or label opens two or more posts."
    items = []
    for r in markers.head(limit).iter_rows(named=True):
        parts = [f"{r['marker']} opens {plural(r['posts'], 'post')}"]
        if r["campaigns"]:
            parts.append(f"campaigns {counted(r['campaigns'], 3)}")
        if r["partners"]:
            parts.append(f"partners {counted(r['partners'], 3)}")
        if r["langs"]:
            parts.append(f"languages {counted(r['langs'], 4)}")
        items.append(", ".join(parts))
    rest = markers.height - min(limit, markers.height)
    more = f"; and {plural(rest, 'other opener')} in the table" if rest else ""
    return f"{plural(markers.height, 'recurring opener')}: {'; '.join(items)}{more}."


def describe_network(graph, *, limit: int = 5) -> str:
    """Sentences reading :func:`partner_graph`: nodes of each kind, edges, connected parts and the best-connected
    nodes (weighted degree)."""
    import networkx as nx

    n = graph.number_of_nodes()
    if n == 0:
        return "No network: no loaded post carries a hashtag or mentions an account."
    kinds = [d.get("kind") for _, d in graph.nodes(data=True)]
    camps, accs = kinds.count("campaign"), kinds.count("account")
    parts = sorted((len(c) for c in nx.connected_components(graph)), reverse=True)
    deg = dict(graph.degree(weight="weight"))
    best = sorted(graph.nodes, key=lambda v: (-deg[v], v))[:limit]
    items = [f"{graph.nodes[v].get('label') or v} ({graph.nodes[v].get('kind')}, {deg[v]})" for v in best
             if deg[v] > 0]
    text = (f"{plural(n, 'node')} ({plural(camps, 'campaign')}, {plural(accs, 'account')}) and "
            f"{plural(graph.number_of_edges(), 'line')} in {plural(len(parts), 'connected part')}; the largest part "
            f"has {plural(parts[0], 'node')}.")
    if items:
        text += f" Best-connected (weighted degree): {join_list(items, limit)}."
    return text


def feed_accounts(posts: pl.DataFrame) -> int:
    """Number of accounts that put rows in the feed (:func:`feedtools.prose.count_accounts`: authors of original
    posts and reposting accounts), the accounts :func:`campaign_accounts` lists. Whether the feed is one account's
    or a collection is ``feed.meta["kind"]`` (:func:`feedtools.pipeline.feed_kind`); the describe functions take it
    as ``kind`` and fall back on this count (more than one account) when it is not given."""
    return count_accounts(posts)


__all__ += ["feed_accounts"]
