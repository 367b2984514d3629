"""Content similarity across English, Spanish and French posts: offline, deterministic, plain polars.

What carries across the three languages in campaign posts is spelled alike: proper names (``Sevilla`` /
``Seville``, ``Montevideo``, people's names), cognates and shared stems (``Executive Bureau`` / ``Bureau
Ejecutivo``, ``Séminaire`` / ``Seminar``), numbers, dates, links, mentions and hashtags (split into words:
``#CiudadesYTerritoriosDePaz`` -> ``ciudades y territorios de paz``). Each post becomes a set of features:

* ``g:`` character 4-grams of every accent-folded word of 4+ letters, padded with a space at both ends
  (``sevilla`` -> `` sev, sevi, evil, vill, illa, lla ``: 4 of its 6 grams are in ``seville``);
* ``n:`` numbers outside links, mentions and tags (leading zeros dropped), ``d:`` day-month dates named in
  English, Spanish or French (:func:`date_tokens`), ``@`` mentions, ``u:`` links, ``h:`` hashtags.

Features are weighted by rarity, ``idf = ln(N / df)`` (a name in two posts weighs far more than ``tion``),
multiplied by :data:`KIND_WEIGHTS` (a shared link or date is worth more than one shared 4-gram); each post's
vector is L2-normalised and two posts' similarity is the cosine, 0-1. Features in more than
``max_share`` of the posts (and in more than
:data:`MIN_DF_CAP` posts) are dropped (they say nothing, and would make the joins quadratic).

A multilingual sentence-embedding model was considered and not used: no installed package ships one (the
environment has no torch, onnxruntime or sentence-transformers; fasttext here only identifies languages),
and the project downloads nothing at run time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import polars as pl

from feedtools.entities import HASHTAG_PATTERN, MENTION_PATTERN, URL_PATTERN
from feedtools.errors import OptionError, TableError
from feedtools.text import day_month_mentions, fold_text_expr

__all__ = [
    "KIND_WEIGHTS",
    "MAX_NEIGHBOURS",
    "PROXIMITY_WEIGHT",
    "content_pairs",
    "date_tokens",
    "iter_content_pairs",
    "measure_labelled",
    "pair_score",
    "post_features",
    "ranking_quality",
    "shared_words",
]

KIND_WEIGHTS = {"g": 1.0, "n": 2.0, "d": 3.0, "@": 2.0, "u": 3.0, "h": 0.5}
GRAM = 4
MIN_DF_CAP = 30  # in a small feed a feature is dropped only when in more than this many posts
_MIN_WORD = 4


def date_tokens(frame: pl.DataFrame) -> pl.DataFrame:
    """``_row, value`` rows: the ``MM-DD`` days named in column ``_s`` of ``frame`` (read by
    :func:`feedtools.text.day_month_mentions`, as the timeline reads them), ranges of at most 14 days expanded."""
    d = day_month_mentions(frame, "_s", ["_row"])
    first = pl.date(2024, pl.col("sm"), 1)  # a leap year: 29 February exists
    ok = (
        pl.col("sm").is_not_null()
        & pl.col("em").is_not_null()
        & pl.col("sd").is_between(1, 31)
        & pl.col("ed").is_between(1, 31)
    )
    d = d.filter(ok).with_columns(
        start=pl.date(2024, pl.col("sm"), 1).dt.offset_by(pl.format("{}d", pl.col("sd") - 1)),
        end=pl.date(2024, pl.col("em"), 1).dt.offset_by(pl.format("{}d", pl.col("ed") - 1)),
        bad=(pl.col("sd") > first.dt.month_end().dt.day())
        | (pl.col("ed") > pl.date(2024, pl.col("em"), 1).dt.month_end().dt.day()),
    )
    d = d.with_columns(
        end=pl.when(pl.col("end") < pl.col("start")).then(pl.col("end").dt.offset_by("1y")).otherwise("end")
    )
    d = d.filter(~pl.col("bad") & ((pl.col("end") - pl.col("start")).dt.total_days() <= 14))
    return (
        d.select("_row", day=pl.date_ranges("start", "end", "1d"))
        .explode("day")
        .select("_row", value=pl.col("day").dt.strftime("%m-%d"))
    )


def _split_camel(e: pl.Expr) -> pl.Expr:
    """``CiudadesYTerritoriosDePaz`` -> ``Ciudades Y Territorios De Paz`` (lower-to-upper and letter-digit seams,
    a one-letter word before a capitalised one; a run of capitals stays whole: ``UCLGMeets`` -> ``UCLGMeets``, so it matches ``UCLGmeets``)."""
    return (
        e.str.replace_all(r"(\p{Ll})(\p{Lu})", "$1 $2")
        .str.replace_all(r"(^|\P{L})(\p{Lu})(\p{Lu}\p{Ll})", "$1$2 $3")
        .str.replace_all(r"(\p{L})(\p{N})", "$1 $2")
    )


def post_words(frame: pl.DataFrame) -> pl.DataFrame:
    """``_row, word``: the accent-folded words (4+ letters) of each post's ``text`` (a column of ``frame``
    with ``_row``), hashtags split into their words, links and mentions left out. Duplicates within a post
    are kept once."""
    text = pl.col("text").fill_null("")
    body = text.str.replace_all(URL_PATTERN, " ").str.replace_all(MENTION_PATTERN, " ")
    body = fold_text_expr(_split_camel(body.str.replace_all(r"[#＃]", " ")))
    # deduplicated and sorted within each post's list (no global sort or unique over the feed's strings)
    words = (
        body.str.extract_all(r"\p{L}+")
        .list.eval(pl.element().filter(pl.element().str.len_chars() >= _MIN_WORD))
        .list.unique()
        .list.sort()
    )
    return frame.select("_row", word=words).explode("word").drop_nulls("word")


def _grams(words: pl.DataFrame) -> pl.DataFrame:
    """``_row, word, gram``: the :data:`GRAM`-character grams of each word padded with a space at both ends."""
    padded = pl.lit(" ") + pl.col("word") + pl.lit(" ")
    return (
        words.with_columns(_i=pl.int_ranges(0, pl.col("word").str.len_chars() + 3 - GRAM))
        .explode("_i")
        .select("_row", "word", gram=padded.str.slice(pl.col("_i"), GRAM))
    )


def _feature_parts(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(values, word_grams)`` of the posts of ``frame`` (``_row``, ``text``): ``values`` is ``_row, feature``
    for the numbers, mentions, links, tags and dates (prefixed by kind, duplicates possible); ``word_grams`` is
    ``_row, word, gram`` (:func:`_grams` of :func:`post_words`)."""
    text = pl.col("text").fill_null("")
    stripped = (
        text.str.replace_all(URL_PATTERN, " ")
        .str.replace_all(MENTION_PATTERN, " ")
        .str.replace_all(HASHTAG_PATTERN, " ")
    )
    wg = _grams(post_words(frame))
    base = frame.select(
        "_row",
        n=stripped.str.extract_all(r"\d+").list.eval(pl.element().str.replace(r"^0+(\d)", "$1")),
        m=text.str.extract_all(MENTION_PATTERN).list.eval(pl.element().str.replace(r"^[^@]*@", "").str.to_lowercase()),
        u=text.str.extract_all(URL_PATTERN).list.eval(
            pl.element()
            .str.strip_chars()
            .str.replace(r"^https?://", "")
            .str.replace(r"^www\.", "")
            .str.strip_chars_end("./…")
            .str.to_lowercase()
        ),
        h=text.str.extract_all(HASHTAG_PATTERN).list.eval(fold_text_expr(pl.element().str.replace(r"^.*?[#＃]", ""))),
        _s=stripped,
    )
    parts = []
    for kind, col in (("n", "n"), ("@", "m"), ("u", "u"), ("h", "h")):
        parts.append(
            base.select("_row", feature=pl.col(col))
            .explode("feature")
            .drop_nulls()
            .filter(pl.col("feature") != "")
            .select("_row", feature=pl.lit(kind + ":") + pl.col("feature"))
        )
    parts.append(date_tokens(base.select("_row", "_s")).select("_row", feature=pl.lit("d:") + pl.col("value")))
    return pl.concat(parts), wg


def post_features(frame: pl.DataFrame) -> pl.DataFrame:
    """Long table ``_row, feature`` (unique per post) of the features described in the module docstring.

    ``frame`` needs ``_row`` (any unique integer) and ``text`` (the post's text; null is empty). Mentions,
    links and hashtags are read from the text itself, so a frame of two columns is enough.
    """
    values, wg = _feature_parts(frame)
    grams = wg.select("_row", feature=pl.lit("g:") + pl.col("gram"))
    return pl.concat([grams, values]).unique().sort("_row", "feature")


def _kind_weight(feature: pl.Expr) -> pl.Expr:
    return feature.str.slice(0, 1).replace_strict(KIND_WEIGHTS, default=1.0, return_dtype=pl.Float64)


def _hashed(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(features, word_grams)`` with features as 64-bit hashes (cheaper to deduplicate and join than strings):
    ``_row, f, k`` (``k``: the kind weight) unique per post, and ``_row, word, f`` (``f``: the gram's feature
    hash, equal to the hash of its ``g:`` feature)."""
    values, wg = _feature_parts(frame)
    wg = wg.select("_row", "word", f=(pl.lit("g:") + pl.col("gram")).hash())
    feats = pl.concat(
        [
            wg.select("_row", "f", k=pl.lit(KIND_WEIGHTS["g"])),
            values.select("_row", f=pl.col("feature").hash(), k=_kind_weight(pl.col("feature"))),
        ]
    ).unique(["_row", "f"])
    return feats, wg


def _document_frequency(frame: pl.DataFrame, chunk: int) -> pl.DataFrame:
    """``f, _df``: in how many posts of ``frame`` each feature hash occurs, read ``chunk`` posts at a time."""
    counts: list[pl.DataFrame] = []
    for i in range(0, frame.height, chunk):
        counts.append(_hashed(frame.slice(i, chunk))[0].group_by("f").agg(_df=pl.len().cast(pl.Int64)))
        if len(counts) >= 8:  # fold the partial counts, so they stay one table of distinct features
            counts = [pl.concat(counts).group_by("f").agg(pl.col("_df").sum())]
    return pl.concat(counts).group_by("f").agg(pl.col("_df").sum())


#: Posts each post is compared with at most, on each side in time order, when pairing within a time window
#: (:func:`content_pairs` with ``time_window``): the bound that keeps the work linear on a dense feed.
MAX_NEIGHBOURS = 200


def _check_window(window: int, chunk: int, time_window: dt.timedelta | None, max_neighbours: int) -> None:
    """Raise :class:`~feedtools.errors.OptionError` for a window :func:`content_pairs` cannot use."""
    if window < 0 or chunk < 1:
        raise OptionError(f"window must be 0 or more and chunk 1 or more (got {window}, {chunk})")
    if time_window is not None and (time_window < dt.timedelta(0) or max_neighbours < 1):
        raise OptionError(
            f"time window must be 0 or more and max_neighbours 1 or more (got {time_window}, {max_neighbours})"
        )


def _ordered(
    frame: pl.DataFrame, window: int, time_window: dt.timedelta | None, max_neighbours: int
) -> tuple[pl.DataFrame, int, int]:
    """``(posts, span, reach)``: the posts of ``frame`` in order (``_row, position, lang, text, _axis, _rank``) and
    the bounds of a pair: at most ``span`` posts apart in that order and at most ``reach`` apart on ``_axis``.

    By position (``time_window`` None): ``_axis`` is the position, ``reach = span = window`` (with unique positions,
    posts ``window`` positions apart are at most ``window`` posts apart). By time: ``_axis`` is ``time`` in
    microseconds (posts with no time left out), ``reach`` the window in microseconds, ``span = max_neighbours``."""
    cols: list[pl.Expr | str] = [pl.col("_row").cast(pl.Int64), pl.col("position").cast(pl.Int64), "lang", "text"]
    if time_window is None:
        posts, span, reach = frame.select(*cols, _axis=pl.col("position").cast(pl.Int64)), window, window
    else:
        micros = pl.col("time").dt.epoch("us")
        posts = frame.filter(pl.col("time").is_not_null()).select(*cols, _axis=micros)
        span, reach = max_neighbours, time_window // dt.timedelta(microseconds=1)
    posts = posts.sort("_axis", "position", "_row").with_columns(_rank=pl.int_range(pl.len(), dtype=pl.Int64))
    return posts, span, reach


def _weighted(feats: pl.DataFrame, df: pl.DataFrame, cap: int, n: int) -> pl.DataFrame:
    """``_row, f, w``: the hashed features of some posts (``_row, f, k``) that occur in 2 to ``cap`` of the ``n``
    posts (``df``: :func:`_document_frequency`), weighted ``k × ln(n / df)`` and L2-normalised per post."""
    logn = pl.lit(float(max(n, 2))).log()
    return (
        feats.join(df, on="f")
        .filter(pl.col("_df").is_between(2, cap))
        .with_columns(w=pl.col("k") * (logn - pl.col("_df").cast(pl.Float64).log()))
        .select("_row", "f", w=pl.col("w") / pl.col("w").pow(2).sum().over("_row").sqrt())
    )


def _chunk_pairs(sub: pl.DataFrame, feats: pl.DataFrame, first: int, last: int, span: int, reach: int) -> pl.DataFrame:
    """``_row, _row_b, similarity`` (unrounded), ``_row`` earlier in feed order: the pairs whose earlier post in
    the order of :func:`_ordered` has rank ``first`` to ``last - 1``, among the posts ``sub`` (ranks ``first`` to
    ``last - 1 + span``) with weighted features ``feats`` (:func:`_weighted`)."""
    info = sub.select("_row", "position", "lang", "_axis", "_rank")
    feats = feats.join(info, on="_row").with_columns(_blk=pl.col("_rank") // (span + 1))
    left = feats.filter(pl.col("_rank") < last)
    right = feats.filter(pl.col("_rank") > first)
    # blocks of span + 1 posts: a post's partners are in its own block or the next one, so the join pairs a
    # feature's posts block by block (never all the chunk's posts with each other)
    right = pl.concat([right, right.with_columns(_blk=pl.col("_blk") - 1)])
    pairs = (
        left.join(right, on=["f", "_blk"], suffix="_b")
        .filter(
            (pl.col("_rank_b") > pl.col("_rank"))
            & (pl.col("_rank_b") - pl.col("_rank") <= span)
            & (pl.col("_axis_b") - pl.col("_axis") <= reach)
            & (pl.col("lang") != pl.col("lang_b"))
        )
        .group_by("_row", "_row_b")
        .agg(
            similarity=(pl.col("w") * pl.col("w_b")).sum(),
            _swap=pl.col("position").first() > pl.col("position_b").first(),
        )
    )
    return pairs.select(
        _row=pl.when("_swap").then("_row_b").otherwise("_row"),
        _row_b=pl.when("_swap").then("_row").otherwise("_row_b"),
        similarity="similarity",
    )


def iter_content_pairs(
    frame: pl.DataFrame,
    *,
    window: int = 12,
    min_similarity: float = 0.05,
    max_share: float = 0.02,
    chunk: int = 20_000,
    words: bool = False,
    word_limit: int = 6,
    time_window: dt.timedelta | None = None,
    max_neighbours: int = MAX_NEIGHBOURS,
) -> Iterator[pl.DataFrame]:
    """:func:`content_pairs` one chunk at a time: a frame of its columns per ``chunk`` posts (the pairs whose
    earlier post in the comparison order is in that chunk, sorted by ``_row_a, _row_b``; some may be empty), so a
    caller can finish and keep each chunk's pairs without holding the work of the whole feed. Arguments, columns
    and errors as for :func:`content_pairs`."""
    _check_window(window, chunk, time_window, max_neighbours)
    schema = _pairs_schema(words)
    posts, span, reach = _ordered(frame, window, time_window, max_neighbours)
    n = posts.height
    if n < 2:
        return
    df = _document_frequency(posts.select("_row", "text"), chunk)
    cap = max(MIN_DF_CAP, int(max_share * n))
    idf = df.select("f", idf=pl.lit(float(max(n, 2))).log() - pl.col("_df").cast(pl.Float64).log()) if words else None
    for first in range(0, n, chunk):
        sub = posts.slice(first, chunk + span)
        feats, wg = _hashed(sub.select("_row", "text"))
        pairs = (
            _chunk_pairs(sub, _weighted(feats, df, cap, n), first, first + chunk, span, reach)
            .filter(pl.col("similarity") >= min_similarity)
            .select(_row_a="_row", _row_b="_row_b", similarity=pl.col("similarity").round(4))
        )
        if idf is not None and pairs.height:
            pairs = pairs.join(
                _shared_words_of(wg.join(idf, on="f"), pairs.select("_row_a", "_row_b"), word_limit),
                on=["_row_a", "_row_b"],
            )
        elif idf is not None:
            pairs = pairs.with_columns(words=pl.lit([], dtype=pl.List(pl.String)))
        yield pairs.cast(schema).select(list(schema)).sort("_row_a", "_row_b")


def _pairs_schema(words: bool) -> pl.Schema:
    """Columns of :func:`content_pairs`."""
    schema = pl.Schema({"_row_a": pl.Int64, "_row_b": pl.Int64, "similarity": pl.Float64})
    if words:
        schema["words"] = pl.List(pl.String)
    return schema


def content_pairs(
    frame: pl.DataFrame,
    *,
    window: int = 12,
    min_similarity: float = 0.05,
    max_share: float = 0.02,
    chunk: int = 20_000,
    words: bool = False,
    word_limit: int = 6,
    time_window: dt.timedelta | None = None,
    max_neighbours: int = MAX_NEIGHBOURS,
) -> pl.DataFrame:
    """Cosine content similarity of post pairs in different languages within a window of the feed or of time.

    ``frame``: ``_row`` (unique int), ``position`` (int, feed order, unique), ``lang`` (string), ``text``, and
    ``time`` (datetime) when ``time_window`` is given. Two posts are compared when ``lang`` differs and, by
    default, ``|position_a - position_b| <= window``; with ``time_window`` (a ``timedelta``), when their times are
    at most ``time_window`` apart and at most ``max_neighbours`` posts apart in time order (a bound on the work
    for a dense feed: 200 by default; posts with no time are not compared). The feed is read twice, ``chunk``
    posts at a time: once to count in how many posts each feature occurs (features kept as 64-bit hashes), once
    to pair each chunk's posts with the next ones in order (:func:`iter_content_pairs`); so memory follows the
    chunk, the window and the number of distinct features, not the feed. Returns ``_row_a, _row_b, similarity``
    (0-1, rounded to 4 places; ``_row_a`` is the post earlier in feed order; only pairs sharing at least one
    feature and ``>= min_similarity``), plus ``words`` (:func:`shared_words`, at most ``word_limit``) when
    ``words`` is true; sorted by ``_row_a, _row_b``. ``max_share``: features in more than this share of the posts
    are dropped (and those in one post). Raises :class:`~feedtools.errors.OptionError` (a ``ValueError``) for a
    negative window, a chunk or ``max_neighbours`` under 1.
    """
    parts = list(
        iter_content_pairs(
            frame,
            window=window,
            min_similarity=min_similarity,
            max_share=max_share,
            chunk=chunk,
            words=words,
            word_limit=word_limit,
            time_window=time_window,
            max_neighbours=max_neighbours,
        )
    )
    schema = _pairs_schema(words)
    return pl.concat(parts).sort("_row_a", "_row_b") if parts else pl.DataFrame(schema=schema)


def shared_words(frame: pl.DataFrame, pairs: pl.DataFrame, *, limit: int = 6) -> pl.DataFrame:
    """The words that make two posts alike: ``_row_a, _row_b, words`` (list of ``word`` when both posts use it,
    ``word_a~word_b`` when they share a rare 4-gram stem, such as ``sevilla~seville``), strongest first, at
    most ``limit``. ``frame`` as for :func:`content_pairs`; ``pairs`` has ``_row_a, _row_b``. (For a large
    feed, :func:`content_pairs` with ``words=True`` reads them chunk by chunk.)"""
    n = frame.height
    _, wg = _hashed(frame.select(pl.col("_row").cast(pl.Int64), "text"))
    df = wg.select("_row", "f").unique().group_by("f").agg(_df=pl.len())
    wg = wg.join(df, on="f").with_columns(idf=(pl.lit(float(max(n, 2))) / pl.col("_df")).log())
    p = pairs.select(pl.col("_row_a").cast(pl.Int64), pl.col("_row_b").cast(pl.Int64))
    return _shared_words_of(wg, p, limit)


def _shared_words_of(wg: pl.DataFrame, p: pl.DataFrame, limit: int) -> pl.DataFrame:
    """:func:`shared_words` for the pairs ``p`` given the word-gram table ``wg`` (``_row, word, f, idf``)."""
    wg = wg.unique(["_row", "word", "f"])
    a = p.join(wg.rename({"_row": "_row_a", "word": "word_a"}), on="_row_a")
    ab = a.join(wg.select(_row_b="_row", word_b="word", f="f"), on=["_row_b", "f"])
    per = ab.group_by("_row_a", "_row_b", "word_a", "word_b").agg(s=pl.col("idf").sum(), k=pl.len())
    # a pair of words counts when they share a third of the grams of the shorter one (executive / ejecutivo
    # share ecut, cuti, utiv: 3 of 8), and at least 3 (one or two shared grams, such as a -tion ending, are chance)
    shorter = pl.min_horizontal(pl.col("word_a").str.len_chars(), pl.col("word_b").str.len_chars()) + 2 - GRAM + 1
    per = per.filter(pl.col("k") >= pl.max_horizontal(0.35 * shorter, 3))
    per = per.with_columns(
        label=pl.when(pl.col("word_a") == pl.col("word_b"))
        .then("word_a")
        .otherwise(pl.col("word_a") + "~" + pl.col("word_b"))
    )
    # each word used once per side, strongest first
    per = per.sort(["_row_a", "_row_b", "s", "label"], descending=[False, False, True, False])
    per = per.unique(["_row_a", "_row_b", "word_a"], keep="first", maintain_order=True).unique(
        ["_row_a", "_row_b", "word_b"], keep="first", maintain_order=True
    )
    agg = per.group_by("_row_a", "_row_b", maintain_order=True).agg(words=pl.col("label").head(limit))
    return p.join(agg, on=["_row_a", "_row_b"], how="left").with_columns(
        pl.col("words").fill_null(pl.lit([], dtype=pl.List(pl.String)))
    )


#: Weight of closeness in feed order in a pair's score: enough to break near-ties, never to outrank content.
PROXIMITY_WEIGHT = 0.05


def pair_score(window: float, gap: str = "distance") -> pl.Expr:
    """``content + PROXIMITY_WEIGHT × (1 - gap / (window + 1))`` over columns ``content`` and ``gap`` (by default
    ``distance``, positions apart, with ``window`` in positions; or a time gap and window in one unit), rounded to
    4 places: the ranking score of a cross-language pair."""
    return (pl.col("content") + PROXIMITY_WEIGHT * (1 - pl.col(gap) / (window + 1))).round(4)


def ranking_quality(ranked: list[tuple[int, int]], labelled: set[tuple[int, int]], *, k: int = 10) -> dict:
    """How well a ranked list of pairs finds the labelled ones: ``precision_at_k`` (labelled pairs among the
    first ``k`` ranked, over ``min(k, len(ranked))``; 0 when nothing is ranked), ``recall`` (labelled pairs ranked
    anywhere, over all labelled; 0 when none is labelled), ``found``, ``labelled``, ``k``."""
    top = ranked[:k]
    found = len(set(ranked) & labelled)
    return {
        "precision_at_k": sum(p in labelled for p in top) / len(top) if top else 0.0,
        "recall": found / len(labelled) if labelled else 0.0,
        "found": found,
        "labelled": len(labelled),
        "k": k,
    }


def measure_labelled(path: str | None = None, *, window: int = 12, min_score: float = 0.1, k: int = 10) -> dict:
    """Precision at ``k`` and recall of the content ranking (:func:`content_pairs`, scored by :func:`pair_score`,
    as :func:`feedtools.campaigns.cross_language_pairs` ranks) on a labelled set of parallel posts: by default
    the bundled hand-made ``data/parallel_announcements.csv`` (``announcement, lang, text`` in feed order; rows
    sharing a non-empty announcement are labelled pairs when their languages differ). Returns
    :func:`ranking_quality`'s dict plus ``posts`` and ``path``. Raises :class:`~feedtools.errors.TableError` (a
    ``ValueError``) when the file lacks those columns (and polars' errors for an unreadable file)."""
    from feedtools.paths import DATA

    src = path or str(DATA / "parallel_announcements.csv")
    df = pl.read_csv(
        src, comment_prefix="#", schema_overrides={"announcement": pl.String, "lang": pl.String, "text": pl.String}
    )
    if not {"announcement", "lang", "text"} <= set(df.columns):
        raise TableError(f"{src}: needs columns announcement,lang,text")
    df = df.with_columns(_row=pl.int_range(pl.len(), dtype=pl.Int64), position=pl.int_range(pl.len(), dtype=pl.Int64))
    lab = df.filter(pl.col("announcement").is_not_null()).select("position", "announcement", "lang")
    labelled = {
        (a, b)
        for a, b in lab.join(lab, on="announcement", suffix="_b")
        .filter((pl.col("position") < pl.col("position_b")) & (pl.col("lang") != pl.col("lang_b")))
        .select("position", "position_b")
        .iter_rows()
    }
    pairs = (
        content_pairs(df.select("_row", "position", "lang", "text"), window=window, min_similarity=0.0)
        .select(a="_row_a", b="_row_b", content="similarity")  # _row is the position here
        .with_columns(distance=pl.col("b") - pl.col("a"))
        .with_columns(score=pair_score(window))
        .filter(pl.col("score") >= min_score)
        .sort(["score", "a", "b"], descending=[True, False, False])
    )
    ranked = list(zip(pairs["a"].to_list(), pairs["b"].to_list(), strict=True))
    return {**ranking_quality(ranked, labelled, k=k), "posts": df.height, "path": src}


def describe_quality(quality: dict) -> str:
    """One sentence reading :func:`measure_labelled`'s dict: the ranking's precision at k and recall on the
    labelled set it was measured on."""
    return (
        f"Measured on {quality['posts']} hand-labelled posts of parallel announcements "
        f"({quality['labelled']} labelled cross-language pairs, {quality['path'].rsplit('/', 1)[-1]}): precision "
        f"at {quality['k']} {quality['precision_at_k']:.2f}, recall {quality['recall']:.2f} "
        f"({quality['found']} of {quality['labelled']} labelled pairs ranked)."
    )
