"""Related campaigns: campaigns in different languages that go together without being aliases."""

from __future__ import annotations

import polars as pl

from feedtools.campaigns.aliases import UND
from feedtools.campaigns.core import SHORTENER_DOMAINS, _cap_per_post, _loaded, _tag_rows, _tag_stats, _with_row
from feedtools.campaigns.params import DEFAULT_CAPS, DEFAULT_RELATED_PARAMS, UNSET, CampaignCaps, RelatedParams

__all__ = ["RELATED_SCHEMA", "related_campaigns"]


def _idf_table(long: pl.DataFrame, value: str, n_posts: int, floor: float) -> pl.DataFrame:
    """``value, idf`` with idf = ln(N / posts with the value), at least ``floor`` (a value in every post still
    counts a little)."""
    return (
        long.group_by(value)
        .agg(_df=pl.col("_row").n_unique())
        .select(value, idf=(pl.lit(max(n_posts, 1)) / pl.col("_df")).log().clip(lower_bound=floor))
    )


def _ordered_pairs(left: pl.DataFrame, right: pl.DataFrame, on: str) -> pl.DataFrame:
    """``left`` joined with ``right`` on ``on``, each unordered tag pair once (``a < b``)."""
    return left.join(right, on=on).filter(pl.col("a") < pl.col("b"))


def _cooccurrence(tags: pl.DataFrame) -> pl.DataFrame:
    """``a < b, shared_posts, positions``: tags used in one post."""
    return (
        _ordered_pairs(tags.select("_row", a="tag_folded"), tags.select("_row", b="tag_folded"), "_row")
        .group_by("a", "b")
        .agg(shared_posts=pl.len(), positions=pl.col("_row").sort())
    )


def _shared_values(tags: pl.DataFrame, base: pl.DataFrame, col: str, params: RelatedParams) -> pl.DataFrame:
    """``a < b, values, sim``: the values of the list column ``col`` (mentions, domains) both tags' posts carry,
    and their idf-weighted Jaccard similarity. Shortener domains are no evidence; a value shared by more than
    ``params.max_tags_per_value`` tags is no evidence for any one pair, and would make the pairs quadratic."""
    long = base.select("_row", v=pl.col(col)).explode("v").drop_nulls("v")
    if col == "domains":
        long = long.filter(~pl.col("v").is_in(SHORTENER_DOMAINS))
    idf = _idf_table(long, "v", base.height, params.idf_floor)
    tv = tags.join(long, on="_row").select("tag_folded", "v").unique().join(idf, on="v")
    tv = tv.filter(pl.len().over("v") <= params.max_tags_per_value)
    total = tv.group_by("tag_folded").agg(w=pl.col("idf").sum())
    p = _ordered_pairs(tv.select(a="tag_folded", v="v", idf="idf"), tv.select(b="tag_folded", v="v"), "v")
    agg = p.group_by("a", "b").agg(w_shared=pl.col("idf").sum(), values=pl.col("v").sort())
    agg = agg.join(total.rename({"tag_folded": "a", "w": "w_a"}), on="a").join(
        total.rename({"tag_folded": "b", "w": "w_b"}), on="b"
    )
    return agg.select("a", "b", "values", sim=pl.col("w_shared") / (pl.col("w_a") + pl.col("w_b") - pl.col("w_shared")))


def _neighbours(tags: pl.DataFrame, window: int) -> pl.DataFrame:
    """``a < b, na, nb``: posts of ``a`` with a post of ``b`` within ``window`` positions, and the reverse."""
    offsets = pl.DataFrame({"_off": [o for o in range(-window, window + 1) if o != 0]}, schema={"_off": pl.Int64})
    near = (
        tags.select(a="tag_folded", _row_a="_row", _pos=pl.col("position"))
        .join(offsets, how="cross")
        .with_columns(_pos=pl.col("_pos") + pl.col("_off"))
        .join(tags.select(b="tag_folded", _pos="position"), on="_pos")
        .filter(pl.col("a") != pl.col("b"))
    )
    near_a = near.group_by("a", "b").agg(na=pl.col("_row_a").n_unique())
    return (
        near_a.join(near_a.select(a="b", b="a", nb="na"), on=["a", "b"], how="left")
        .filter(pl.col("a") < pl.col("b"))
        .with_columns(pl.col("nb").fill_null(0))
    )


def _scored(
    cooc: pl.DataFrame,
    partners: pl.DataFrame,
    domains: pl.DataFrame,
    near: pl.DataFrame,
    stats: pl.DataFrame,
    params: RelatedParams,
) -> pl.DataFrame:
    """The candidate tag pairs (in different campaigns, dominant languages known and different) with their
    evidence and ``score`` by the weights of ``params``; pairs under ``min_score`` or with fewer than
    ``min_kinds`` kinds of evidence (one alone, a common partner or a nearby post, is too weak) dropped."""
    p = params
    info = stats.select("tag_folded", "posts", "lang", "campaign_id")
    return (
        pl.concat([d.select("a", "b") for d in (cooc, partners, domains, near)])
        .unique()
        .join(info.rename(lambda c: c + "_a" if c != "tag_folded" else "a"), on="a")
        .join(info.rename(lambda c: c + "_b" if c != "tag_folded" else "b"), on="b")
        .filter(
            (pl.col("campaign_id_a") != pl.col("campaign_id_b"))
            & (pl.col("lang_a") != UND)
            & (pl.col("lang_b") != UND)
            & (pl.col("lang_a") != pl.col("lang_b"))
        )
        .join(cooc, on=["a", "b"], how="left")
        .join(partners.rename({"values": "pv", "sim": "ps"}), on=["a", "b"], how="left")
        .join(domains.rename({"values": "dv", "sim": "ds"}), on=["a", "b"], how="left")
        .join(near, on=["a", "b"], how="left")
        .with_columns(pl.col("shared_posts", "na", "nb").fill_null(0), pl.col("ps", "ds").fill_null(0.0))
        .with_columns(
            cooc_frac=pl.col("shared_posts") / pl.min_horizontal("posts_a", "posts_b"),
            near_frac=(pl.col("na") + pl.col("nb")) / (pl.col("posts_a") + pl.col("posts_b")),
        )
        .with_columns(
            kinds=pl.sum_horizontal([(pl.col(c) > 0).cast(pl.Int32) for c in ("cooc_frac", "ps", "ds", "near_frac")]),
            score=(
                p.cooccurrence * pl.col("cooc_frac")
                + p.partners * pl.col("ps")
                + p.domains * pl.col("ds")
                + p.neighbours * pl.col("near_frac")
            ).round(4),
        )
        .filter((pl.col("kinds") >= p.min_kinds) & (pl.col("score") >= p.min_score))
    )


def _evidence(window: int) -> pl.Expr:
    """The evidence line of a scored pair (columns of :func:`_scored`)."""

    def part(cond: pl.Expr, text: pl.Expr) -> pl.Expr:
        return pl.when(cond).then(text)

    return pl.concat_str(
        [
            part(pl.col("shared_posts") > 0, pl.format("together in {} post(s)", "shared_posts")),
            part(pl.col("pv").list.len() > 0, pl.lit("shared partners: ") + pl.col("pv").list.head(5).list.join(", ")),
            part(
                pl.col("dv").list.len() > 0, pl.lit("shared link domains: ") + pl.col("dv").list.head(5).list.join(", ")
            ),
            part(
                pl.col("na") + pl.col("nb") > 0,
                pl.format(
                    "{} of {} posts within ±{} positions of the other",
                    pl.col("na") + pl.col("nb"),
                    pl.col("posts_a") + pl.col("posts_b"),
                    pl.lit(window),
                ),
            ),
        ],
        separator="; ",
        ignore_nulls=True,
    )


def _cross_language_tag_pairs(
    posts: pl.DataFrame,
    aliases: pl.DataFrame | None,
    stats: pl.DataFrame,
    params: RelatedParams,
    max_tags_per_post: int | None,
    counts: dict | None,
) -> pl.DataFrame:
    """Tags whose posts are mostly in different languages but share posts, partners, links or neighbouring posts:
    ``tag_folded_a, tag_folded_b, kind, score, evidence``. Each post's first ``max_tags_per_post`` tags count."""
    tags = _cap_per_post(_tag_rows(posts, aliases).select("_row", "position", "tag_folded"), max_tags_per_post, counts)
    base = _with_row(posts).filter(_loaded(posts))
    cand = _scored(
        _cooccurrence(tags),
        _shared_values(tags, base, "mentions", params),
        _shared_values(tags, base, "domains", params),
        _neighbours(tags, params.window),
        stats,
        params,
    )
    return cand.select(
        tag_folded_a="a",
        tag_folded_b="b",
        kind=pl.lit("cross-language"),
        score="score",
        evidence=_evidence(params.window),
    ).sort("tag_folded_a", "tag_folded_b")


RELATED_SCHEMA = pl.Schema(
    {
        "campaign_a": pl.String,
        "campaign_b": pl.String,
        "tag_a": pl.String,
        "tag_b": pl.String,
        "lang_a": pl.String,
        "lang_b": pl.String,
        "posts_a": pl.Int64,
        "posts_b": pl.Int64,
        "score": pl.Float64,
        "evidence": pl.String,
    }
)


def related_campaigns(
    posts: pl.DataFrame,
    aliases: pl.DataFrame | None = None,
    *,
    params: RelatedParams = DEFAULT_RELATED_PARAMS,
    caps: CampaignCaps = DEFAULT_CAPS,
    window: int = UNSET,
    min_score: float = UNSET,
    max_tags_per_post: int | None = UNSET,
    stats: dict | None = None,
) -> pl.DataFrame:
    """Campaigns in different languages that go together without being one cause under two names: their tags
    share posts, mentioned partners or link domains (rarer shared values weigh more), helped by posts within
    ``window`` positions of each other. Not alias suggestions (:func:`suggest_aliases` lists those).

    For each pair of tags in different campaigns whose posts are mostly in different detected languages, the
    score weighs co-occurrence, partner overlap, domain overlap and neighbouring share by the weights of
    ``params`` (:class:`~feedtools.campaigns.params.RelatedParams`, which defines them and gives the defaults);
    pairs under ``min_score``, and pairs with fewer than ``min_kinds`` kinds of evidence, are dropped; a partner
    or domain used with more than ``max_tags_per_value`` tags is ignored; only the first ``max_tags_per_post``
    tags of each post count (``caps``, :class:`~feedtools.campaigns.params.CampaignCaps`; ``stats``, a dict,
    receives the cap's figures). The keywords ``window``, ``min_score`` and ``max_tags_per_post`` override the
    fields of the same name. One row per campaign pair (its strongest tag pair).

    Output: ``campaign_a < campaign_b, tag_a, tag_b`` (commonest spellings), ``lang_a, lang_b, posts_a,
    posts_b, score, evidence``; sorted by score (descending), campaign_a, campaign_b.
    """
    params = params.but(window=window, min_score=min_score)
    cap = caps.but(max_tags_per_post=max_tags_per_post).max_tags_per_post
    counts: dict = {} if stats is None else stats
    tag_stats = _tag_stats(posts, aliases)
    if tag_stats.height < 2:
        return pl.DataFrame(schema=RELATED_SCHEMA)
    pairs = _cross_language_tag_pairs(posts, aliases, tag_stats, params, cap, counts)
    info = tag_stats.select("tag_folded", "tag", "campaign_id", "lang", "posts")
    df = pairs.join(info.rename(lambda c: c + "_a"), on="tag_folded_a").join(
        info.rename(lambda c: c + "_b"), on="tag_folded_b"
    )
    swap = pl.col("campaign_id_a") > pl.col("campaign_id_b")

    def pick(a: str, b: str) -> tuple[pl.Expr, pl.Expr]:
        return pl.when(swap).then(b).otherwise(a), pl.when(swap).then(a).otherwise(b)

    cols = {}
    for name in ("campaign_id", "tag", "lang", "posts"):
        first, second = pick(f"{name}_a", f"{name}_b")
        out = "campaign" if name == "campaign_id" else name
        cols[f"{out}_a"], cols[f"{out}_b"] = first, second
    df = df.select(**cols, score="score", evidence="evidence").sort(
        ["campaign_a", "campaign_b", "score", "tag_a", "tag_b"], descending=[False, False, True, False, False]
    )
    df = df.unique(["campaign_a", "campaign_b"], keep="first", maintain_order=True)
    return df.cast(RELATED_SCHEMA).sort(["score", "campaign_a", "campaign_b"], descending=[True, False, False])
