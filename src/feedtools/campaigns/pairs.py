"""Cross-language post pairs: posts that announce the same thing in two languages, ranked by content
(:mod:`feedtools.similarity` computes the similarity; this module adds the exact shared evidence)."""

from __future__ import annotations

import polars as pl

from feedtools.campaigns.aliases import LIST_STR, UND
from feedtools.campaigns.core import SHORTENER_DOMAINS, _campaign_rows, _loaded, _with_row
from feedtools.campaigns.params import DEFAULT_PAIR_PARAMS, UNSET, PairParams
from feedtools.entities import HASHTAG_PATTERN, MENTION_PATTERN, URL_PATTERN
from feedtools.similarity import content_pairs, date_tokens, pair_score

__all__ = ["PAIRS_SCHEMA", "cross_language_pairs"]

_KINDS = ("partners", "links", "domains", "numbers", "dates", "campaigns")
#: Columns of :func:`cross_language_pairs`.
PAIRS_SCHEMA = pl.Schema(
    {
        "position_a": pl.Int64(),
        "position_b": pl.Int64(),
        "lang_a": pl.String(),
        "lang_b": pl.String(),
        "score": pl.Float64(),
        "content": pl.Float64(),
        "distance": pl.Int64(),
        "shared_words": LIST_STR,
        **{f"shared_{k}": LIST_STR for k in _KINDS},
        "evidence": pl.String(),
        "text_a": pl.String(),
        "text_b": pl.String(),
    }
)


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
        text.str.replace_all(URL_PATTERN, " ")
        .str.replace_all(MENTION_PATTERN, " ")
        .str.replace_all(HASHTAG_PATTERN, " ")
    )
    df = base.select(
        "_row",
        "mentions",
        "domains",
        "urls",
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
    camp = _campaign_rows(posts, aliases).select(
        pl.col("_row").cast(pl.Int64), kind=pl.lit("campaign"), value=pl.col("campaign_id")
    )
    parts.append(camp.join(base.select("_row"), on="_row", how="semi"))
    return pl.concat(parts).drop_nulls("value").unique().sort("_row", "kind", "value")


def cross_language_pairs(
    posts: pl.DataFrame,
    aliases: pl.DataFrame | None = None,
    *,
    params: PairParams = DEFAULT_PAIR_PARAMS,
    window: int = UNSET,
    min_score: float = UNSET,
    max_share: float = UNSET,
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
    ``und`` are left out. ``window`` (12), ``max_share`` (0.02) and ``min_score`` (0.1) are the fields of
    ``params`` (:class:`~feedtools.campaigns.params.PairParams`); the keywords override them.

    Output: ``position_a < position_b, lang_a, lang_b, score, content, distance``, ``shared_words`` (the
    words that match: ``montevideo``, or ``sevilla~seville`` for a shared stem), one list column per exact
    evidence kind (``shared_partners, shared_links, shared_domains, shared_numbers, shared_dates,
    shared_campaigns``), ``evidence`` (one readable line), ``text_a, text_b``. Sorted by score (descending),
    position_a, position_b.
    """
    p = params.but(window=window, min_score=min_score, max_share=max_share)
    base = (
        _with_row(posts)
        .filter(_loaded(posts) & (pl.col("lang").fill_null(UND) != UND))
        .select(pl.col("_row").cast(pl.Int64), "position", "lang", "text_clean")
    )
    if base.height < 2:
        return pl.DataFrame(schema=PAIRS_SCHEMA)
    frame = base.select("_row", "position", "lang", text="text_clean")
    pairs = content_pairs(frame, window=p.window, min_similarity=0.0, max_share=p.max_share, words=True)
    info = base.select("_row", "position", "lang", "text_clean")
    agg = (
        pairs.join(
            info.rename({"_row": "_row_a", "position": "position_a", "lang": "lang_a", "text_clean": "text_a"}),
            on="_row_a",
        )
        .join(
            info.rename({"_row": "_row_b", "position": "position_b", "lang": "lang_b", "text_clean": "text_b"}),
            on="_row_b",
        )
        .with_columns(distance=pl.col("position_b") - pl.col("position_a"), content=pl.col("similarity"))
        .with_columns(score=pair_score(p.window))
        .filter(pl.col("score") >= p.min_score)
    )
    if agg.height == 0:
        return pl.DataFrame(schema=PAIRS_SCHEMA)
    agg = _with_shared_evidence(agg, _post_features(posts, aliases, pl.concat([agg["_row_a"], agg["_row_b"]]).unique()))
    return (
        agg.select(list(PAIRS_SCHEMA))
        .cast(PAIRS_SCHEMA)
        .sort(["score", "position_a", "position_b"], descending=[True, False, False])
    )


def _with_shared_evidence(agg: pl.DataFrame, feats: pl.DataFrame) -> pl.DataFrame:
    """The scored pairs ``agg`` with one list column per exact evidence kind both posts share (``feats``: see
    :func:`_post_features`) and the ``evidence`` line."""
    ev = (
        agg.select("_row_a", "_row_b")
        .join(feats.rename({"_row": "_row_a"}), on="_row_a")
        .join(feats.rename({"_row": "_row_b"}), on=["_row_b", "kind", "value"], how="semi")
        .group_by("_row_a", "_row_b")
        .agg(
            **{
                f"shared_{k}s" if k != "date" else "shared_dates": pl.col("value").filter(pl.col("kind") == k).sort()
                for k in ("partner", "link", "domain", "number", "date", "campaign")
            }
        )
    )
    agg = (
        agg.join(ev, on=["_row_a", "_row_b"], how="left")
        .rename({"words": "shared_words"})
        .with_columns(pl.col("shared_words", *[f"shared_{k}" for k in _KINDS]).fill_null(pl.lit([], dtype=LIST_STR)))
    )

    def part(col: str, what: str) -> pl.Expr:
        return pl.when(pl.col(col).list.len() > 0).then(pl.lit(what + ": ") + pl.col(col).list.join(", "))

    return agg.with_columns(
        evidence=pl.concat_str(
            [
                pl.format("content {}", pl.col("content").round(2)),
                part("shared_words", "words"),
                part("shared_partners", "partners"),
                part("shared_links", "links"),
                part("shared_domains", "domains"),
                part("shared_dates", "dates"),
                part("shared_numbers", "numbers"),
                part("shared_campaigns", "campaigns"),
                pl.format("{} positions apart", pl.col("distance")),
            ],
            separator="; ",
            ignore_nulls=True,
        )
    )
