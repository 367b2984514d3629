"""Cross-language post pairs: posts that announce the same thing in two languages, ranked by content
(:mod:`feedtools.similarity` computes the similarity; this module adds the exact shared evidence)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from feedtools.campaigns.aliases import LIST_STR, UND
from feedtools.campaigns.core import SHORTENER_DOMAINS, _campaign_rows, _loaded, _with_row
from feedtools.campaigns.params import DEFAULT_PAIR_PARAMS, UNSET, PairParams
from feedtools.entities import HASHTAG_PATTERN, MENTION_PATTERN, URL_PATTERN
from feedtools.similarity import date_tokens, iter_content_pairs, pair_score

__all__ = ["PAIRS_SCHEMA", "cross_language_pairs", "describe_pair_window", "pair_basis"]

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


def _post_features(
    posts: pl.DataFrame,
    aliases: pl.DataFrame | None,
    rows: pl.Series | None = None,
    campaigns: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Long table ``_row, kind, value`` of the exact values two announcements of one thing would share (the
    evidence columns of :func:`cross_language_pairs`), for the loaded posts whose ``_row`` is in ``rows`` (all
    when None); ``_row`` is Int64. ``campaigns``: :func:`_campaign_rows` of ``posts`` when already computed."""
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
    camp = (_campaign_rows(posts, aliases) if campaigns is None else campaigns).select(
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
    time_window: dt.timedelta | None = UNSET,
    max_neighbours: int = UNSET,
) -> pl.DataFrame:
    """Pairs of loaded posts in two different detected languages that may announce the same thing, ranked by
    what they say.

    ``content`` is the cross-language content similarity of the two texts
    (:func:`feedtools.similarity.content_pairs`: accent-folded character 4-grams of words, so names and
    cognates match across English, Spanish and French, plus numbers, day-month dates, mentions, links and
    hashtags, rarer features weighing more; 0-1). Posts are compared only within a window, so the work grows
    with the feed, not with its square: when every compared post has a date (:func:`pair_basis`: ``created_at``,
    or ``reposted_at`` for a repost), posts at most ``time_window`` apart in time (and at most ``max_neighbours``
    posts apart in time order); otherwise posts within ``window`` positions. Features in more than
    ``max_share`` of the posts are ignored. ``score = content + 0.05 × (1 - gap / (window + 1))``, the gap in
    positions (or in seconds, the window then in seconds too): closeness only breaks near-ties. Pairs need
    ``score >= min_score`` and at least one shared feature. Posts whose language is ``und`` are left out. The
    pairs are found and given their evidence one chunk of the feed at a time. The thresholds are the fields of
    ``params`` (:class:`~feedtools.campaigns.params.PairParams`); the keywords override them.

    Output: ``position_a < position_b, lang_a, lang_b, score, content, distance`` (positions apart),
    ``shared_words`` (the words that match: ``montevideo``, or ``sevilla~seville`` for a shared stem), one list
    column per exact evidence kind (``shared_partners, shared_links, shared_domains, shared_numbers,
    shared_dates, shared_campaigns``), ``evidence`` (one readable line; by time it also says how far apart in
    time), ``text_a, text_b``. Sorted by score (descending), position_a, position_b.
    """
    p = params.but(window=window, min_score=min_score, max_share=max_share)
    p = p.but(time_window=time_window, max_neighbours=max_neighbours)
    base = _pair_posts(posts)
    if base.height < 2:
        return pl.DataFrame(schema=PAIRS_SCHEMA)
    by_time = pair_basis(posts, p) == "time"
    frame = base.select("_row", "position", "lang", text="text_clean", time="_time")
    evidence = _EvidenceSource(posts, aliases)
    parts = []
    for chunk in iter_content_pairs(
        frame,
        window=p.window,
        min_similarity=0.0,
        max_share=p.max_share,
        words=True,
        time_window=p.time_window if by_time else None,
        max_neighbours=p.max_neighbours,
    ):
        scored = _scored(chunk, base, p, by_time)
        if scored.height:
            parts.append(evidence.finish(scored))
    if not parts:
        return pl.DataFrame(schema=PAIRS_SCHEMA)
    return pl.concat(parts).sort(["score", "position_a", "position_b"], descending=[True, False, False])


def _pair_posts(posts: pl.DataFrame) -> pl.DataFrame:
    """The posts :func:`cross_language_pairs` compares: loaded, language known; ``_row, position, lang,
    text_clean, _time`` (:func:`_post_time`)."""
    return (
        _with_row(posts)
        .filter(_loaded(posts) & (pl.col("lang").fill_null(UND) != UND))
        .select(pl.col("_row").cast(pl.Int64), "position", "lang", "text_clean", _time=_post_time(posts))
    )


def _post_time(posts: pl.DataFrame) -> pl.Expr:
    """When a post entered the feed: ``reposted_at`` for a repost that has it, else ``created_at``; null when
    the table has neither column."""
    created = pl.col("created_at") if "created_at" in posts.columns else pl.lit(None, dtype=pl.Datetime("us", "UTC"))
    if "reposted_at" not in posts.columns:
        return created
    return (
        pl.when(pl.col("is_repost").fill_null(False) & pl.col("reposted_at").is_not_null())
        .then(pl.col("reposted_at"))
        .otherwise(created)
    )


def pair_basis(posts: pl.DataFrame, params: PairParams = DEFAULT_PAIR_PARAMS) -> str:
    """How :func:`cross_language_pairs` chooses the posts it compares on ``posts``: ``"time"`` when
    ``params.time_window`` is set and every post it compares (loaded, language known) has a date (``created_at``,
    or ``reposted_at`` for a repost), else ``"position"`` (an undated feed, or one where some posts lack a date:
    feed order is the one order they all have)."""
    if params.time_window is None:
        return "position"
    base = _pair_posts(posts)
    return "time" if base.height and base["_time"].null_count() == 0 else "position"


def describe_pair_window(posts: pl.DataFrame, params: PairParams = DEFAULT_PAIR_PARAMS) -> str:
    """One sentence for a report: which posts :func:`cross_language_pairs` compares on ``posts`` (by time or by
    position, :func:`pair_basis`) and why."""
    if pair_basis(posts, params) == "time" and params.time_window is not None:
        return (
            f"Every compared post has a date, so posts at most {params.time_window / dt.timedelta(hours=1):g} "
            f"hours apart are compared (and at most {params.max_neighbours} posts apart in time order)."
        )
    times = _pair_posts(posts)["_time"]
    if params.time_window is None:
        why = "no time window is set"
    elif times.null_count() < times.len():
        missing = times.null_count()
        why = f"{missing} of the {times.len()} compared posts {'has' if missing == 1 else 'have'} no date"
    else:
        why = "the posts have no dates"
    return f"Posts at most {params.window} positions apart in the feed are compared ({why})."


def _scored(pairs: pl.DataFrame, base: pl.DataFrame, p: PairParams, by_time: bool) -> pl.DataFrame:
    """Content pairs (``_row_a, _row_b, similarity, words``) with the posts' positions, languages and texts,
    ``distance``, ``content`` and ``score`` (:func:`pair_score`), those under ``p.min_score`` dropped; by time,
    ``_gap`` is the time between the posts in seconds."""
    info = base.select("_row", "position", "lang", "text_clean", "_time")

    def side(x: str) -> pl.DataFrame:
        return info.rename({c: f"{c}_{x}" if c != "text_clean" else f"text_{x}" for c in info.columns})

    out = (
        pairs.join(side("a"), on="_row_a")
        .join(side("b"), on="_row_b")
        .with_columns(distance=pl.col("position_b") - pl.col("position_a"), content=pl.col("similarity"))
    )
    if by_time and p.time_window is not None:
        out = out.with_columns(_gap=(pl.col("_time_b") - pl.col("_time_a")).dt.total_microseconds().abs() / 1e6)
        score = pair_score(p.time_window.total_seconds(), gap="_gap")
    else:
        out, score = out.with_columns(_gap=pl.lit(None, dtype=pl.Float64)), pair_score(p.window)
    return out.with_columns(score=score).filter(pl.col("score") >= p.min_score)


class _EvidenceSource:
    """The exact evidence of :func:`cross_language_pairs`, computed chunk by chunk: the feed's campaign rows are
    read once; each chunk's pairs get the features of their own posts only."""

    def __init__(self, posts: pl.DataFrame, aliases: pl.DataFrame | None) -> None:
        self.posts, self.aliases = posts, aliases
        self.campaigns = _campaign_rows(posts, aliases)

    def finish(self, scored: pl.DataFrame) -> pl.DataFrame:
        """Pairs from :func:`_scored` as rows of :data:`PAIRS_SCHEMA`."""
        rows = pl.concat([scored["_row_a"], scored["_row_b"]]).unique()
        feats = _post_features(self.posts, self.aliases, rows, self.campaigns)
        return _with_shared_evidence(scored, feats).select(list(PAIRS_SCHEMA)).cast(PAIRS_SCHEMA)


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

    _positions = pl.format("{} position", pl.col("distance")) + pl.when(pl.col("distance") == 1).then(
        pl.lit("")
    ).otherwise(pl.lit("s"))
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
                pl.when(pl.col("_gap").is_null())
                .then(pl.format("{} apart", _positions))
                .otherwise(pl.format("{} and {} apart", _positions, _gap_words(pl.col("_gap")))),
            ],
            separator="; ",
            ignore_nulls=True,
        )
    )


def _gap_words(seconds: pl.Expr) -> pl.Expr:
    """A time gap in seconds in words: ``"40 min"`` under an hour, else ``"5.5 h"``."""
    return (
        pl.when(seconds < 3600)
        .then(pl.format("{} min", (seconds / 60).round(0).cast(pl.Int64)))
        .otherwise(pl.format("{} h", (seconds / 3600).round(1)))
    )
