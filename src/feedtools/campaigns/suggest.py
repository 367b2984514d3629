"""Alias suggestions (never applied): tags in different campaigns that may be one, by spelling or translation."""

from __future__ import annotations

import bisect
import os
import re
from pathlib import Path

import numpy as np
import polars as pl

from feedtools.campaigns.core import _cap_per_post, _tag_rows, _tag_stats
from feedtools.campaigns.params import DEFAULT_CAPS, DEFAULT_SUGGEST_PARAMS, UNSET, CampaignCaps, SuggestParams
from feedtools.errors import OptionError, TableError
from feedtools.text import fold_tag

__all__ = ["SUGGESTION_SCHEMA", "TAG_STOPWORDS", "load_vocabulary", "suggest_aliases", "tag_words"]

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


def _by_strength(df: pl.DataFrame) -> pl.DataFrame:
    """Suggestions in the documented order: score (descending), kind, then the spellings (``_ra``, ``_rb``: ranks)."""
    return df.sort(["score", "kind", "_ra", "_rb"], descending=[True, False, False, False])


class _SpellingPairs:
    """Near-identical folded spellings in different campaigns: plural, edit distance, numbered variants, prefix.

    ``stats`` is sorted by ``tag_folded``; ``rank`` ranks each row's spelling (for the documented order); the
    scores and thresholds are those of ``params`` (:class:`~feedtools.campaigns.params.SuggestParams`).
    :meth:`run` returns ``(strongest, found)``. Steps: :meth:`plural_and_prefix` (O(tags) pairs), then
    :meth:`edit_distance` block by block, then one row per pair (:meth:`best`).
    """

    SCHEMA = pl.Schema(
        {
            "_a": pl.Int64,
            "_b": pl.Int64,
            "kind": pl.String,
            "score": pl.Float64,
            "distance": pl.Float64,
            "_p": pl.Int8,
            "_ra": pl.Int64,
            "_rb": pl.Int64,
        }
    )

    def __init__(self, stats: pl.DataFrame, rank: np.ndarray, keep: int | None, params: SuggestParams) -> None:
        self.tags = stats["tag_folded"].to_list()
        self.rank, self.keep, self.p = rank, keep, params
        self.lengths = np.array([len(t) for t in self.tags], dtype=np.int64)
        self.campaign = stats["campaign_id"].cast(pl.Categorical).to_physical().to_numpy()
        # map_unique does not apply: the folded tags of ``stats`` are already distinct
        self.undigited = (
            pl.Series([re.sub(r"\d", "", t) for t in self.tags]).cast(pl.Categorical).to_physical().to_numpy()
        )

    def frame(self, i, j, kind, score, distance, priority: int) -> pl.DataFrame:
        """Candidate pairs ``i``-``j`` (rows of ``stats``) as ``_a < _b`` rows, those in one campaign dropped."""
        i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
        ok = self.campaign[i] != self.campaign[j]
        a, b = np.minimum(i, j)[ok], np.maximum(i, j)[ok]
        return pl.DataFrame(
            {
                "_a": a,
                "_b": b,
                "kind": np.asarray(kind)[ok] if np.ndim(kind) else [kind] * len(a),
                "score": np.round(np.broadcast_to(np.asarray(score, dtype=np.float64), i.shape)[ok], 4),
                "distance": np.broadcast_to(np.asarray(distance, dtype=np.float64), i.shape)[ok],
                "_p": np.full(len(a), priority, dtype=np.int8),
                "_ra": self.rank[a],
                "_rb": self.rank[b],
            },
            schema=self.SCHEMA,
        )

    @staticmethod
    def best(df: pl.DataFrame) -> pl.DataFrame:
        """One row per pair: the strongest kind (ties: plural, then edit distance, then prefix)."""
        return df.sort(["_a", "_b", "score", "_p"], descending=[False, False, True, False]).unique(
            ["_a", "_b"], keep="first", maintain_order=True
        )

    def strongest(self, df: pl.DataFrame) -> pl.DataFrame:
        return df if self.keep is None else _by_strength(df).head(self.keep)

    def plural_and_prefix(self) -> pl.DataFrame:
        """Plural (one tag is the other + s / es / x) and prefix (a is the start of a longer tag) pairs."""
        tags, p = self.tags, self.p
        index = {t: i for i, t in enumerate(tags)}
        plural = [
            (i, index[t + suffix])
            for i, t in enumerate(tags)
            if len(t) >= p.min_plural_length
            for suffix in ("s", "es", "x")
            if t + suffix in index
        ]
        pi: list[int] = []
        pj: list[int] = []
        for i, a in enumerate(tags):  # tags are sorted: the tags starting with a follow it
            if len(a) < p.min_length:
                continue
            k1 = min(bisect.bisect_left(tags, a + "\U0010ffff", i + 1), i + 1 + p.max_prefix_matches)
            pi.extend([i] * (k1 - i - 1))
            pj.extend(range(i + 1, k1))
        pi_arr, pj_arr = np.asarray(pi, dtype=np.int64), np.asarray(pj, dtype=np.int64)
        lengths = self.lengths
        return self.best(
            pl.concat(
                [
                    self.frame([q[0] for q in plural], [q[1] for q in plural], "plural", p.plural, np.nan, 0),
                    self.frame(
                        pi_arr, pj_arr, "prefix", p.prefix * lengths[pi_arr] / np.maximum(lengths[pj_arr], 1), np.nan, 2
                    ),
                ]
            )
        )

    def edit_distance(self, start: int) -> pl.DataFrame:
        """Spelling and numbered pairs of the rows ``start`` … ``start + block_rows`` against all tags (rapidfuzz,
        candidate cells filtered with numpy; each pair once, a < b)."""
        from rapidfuzz.distance import Levenshtein
        from rapidfuzz.process import cdist

        p, lengths = self.p, self.lengths
        block = self.tags[start : start + p.block_rows]
        dist = cdist(block, self.tags, scorer=Levenshtein.distance, score_cutoff=p.max_edits, dtype=np.uint8, workers=1)
        bi, j = np.nonzero(dist <= p.max_edits)
        d = dist[bi, j].astype(np.int64)
        i = bi.astype(np.int64) + start
        longest, shortest = np.maximum(lengths[i], lengths[j]), np.minimum(lengths[i], lengths[j])
        ok = (j > i) & (shortest >= p.min_length) & ~((d >= 2) & (longest < p.long_tag))
        i, j, d, longest = i[ok], j[ok], d[ok], longest[ok]
        sim = 1 - d / longest
        numbered = self.undigited[i] == self.undigited[j]
        return self.frame(
            i, j, np.where(numbered, "numbered", "spelling"), np.where(numbered, p.numbered * sim, sim), d, 1
        )

    def run(self) -> tuple[pl.DataFrame, int]:
        """``(strongest, found)``: the ``keep`` strongest pairs (None: all) as ``_a < _b`` (rows of ``stats``),
        ``kind, score, distance`` (edit distance; null for plural and prefix), ``_ra, _rb``; and the number of
        pairs found. One pair counts once, with its strongest kind. Only the strongest ``keep`` candidates are
        carried from block to block, so memory is bounded by a block, not by the pairs found."""
        other = self.plural_and_prefix()
        keys = other.select("_a", "_b")
        found, kept, overlap = 0, other.clear(), []
        for start in range(0, len(self.tags), self.p.block_rows):
            cells = self.edit_distance(start)
            overlap.append(cells.join(keys, on=["_a", "_b"], how="semi"))  # also plural or prefix: decided below
            only = cells.join(keys, on=["_a", "_b"], how="anti")
            found += only.height
            kept = self.strongest(pl.concat([kept, only]))
        merged = self.best(pl.concat([other, *overlap]))
        found += merged.height
        kept = self.strongest(pl.concat([kept, merged]))
        return kept.with_columns(distance=pl.col("distance").fill_nan(None).cast(pl.Int64)).drop("_p"), found


def _spelling_evidence() -> pl.Expr:
    """The evidence line of a spelling suggestion (columns ``kind, tag_folded_a, tag_folded_b, distance``)."""
    a, b, d = pl.col("tag_folded_a"), pl.col("tag_folded_b"), pl.col("distance")
    return (
        pl.when(pl.col("kind") == "plural")
        .then(pl.format("'{}' is '{}' + '{}' (singular/plural)", b, a, b.str.slice(a.str.len_chars())))
        .when(pl.col("kind") == "numbered")
        .then(pl.format("differ only in digits ({} edit): numbered editions of one series, or different events", d))
        .when(pl.col("kind") == "spelling")
        .then(pl.format("edit distance {} on folded forms", d))
        .when(pl.col("kind") == "prefix")
        .then(pl.format("'{}' starts with '{}'", b, a))
    )


#: Words a hashtag's meaning does not rest on (en/es/fr articles, prepositions, conjunctions).
TAG_STOPWORDS = frozenset(
    [
        "a",
        "al",
        "and",
        "at",
        "by",
        "d",
        "de",
        "del",
        "des",
        "du",
        "e",
        "el",
        "en",
        "et",
        "for",
        "in",
        "l",
        "la",
        "las",
        "le",
        "les",
        "los",
        "of",
        "on",
        "or",
        "para",
        "pour",
        "por",
        "sur",
        "the",
        "to",
        "y",
    ]
)


def load_vocabulary(path: str | Path | None = None) -> dict[str, str]:
    """Folded word -> concept from the bundled campaign vocabulary (:data:`feedtools.paths.CAMPAIGN_VOCABULARY`,
    or ``path``): a CSV of ``concept,words`` (forms separated by ``|``), ``#`` lines are comments. Raises
    :class:`~feedtools.errors.TableError` (a ``ValueError``) when the file lacks those columns or a word has two
    concepts."""
    from feedtools.paths import CAMPAIGN_VOCABULARY

    df = pl.read_csv(path or CAMPAIGN_VOCABULARY, comment_prefix="#", schema_overrides={"words": pl.String})
    if not {"concept", "words"} <= set(df.columns):
        raise TableError(f"{path or CAMPAIGN_VOCABULARY}: needs columns concept,words")
    table: dict[str, str] = {}
    for concept, words in df.select("concept", "words").iter_rows():
        for w in (words or "").split("|"):
            w = fold_tag(w.strip())
            if w and table.setdefault(w, concept) != concept:
                raise TableError(f"{path or CAMPAIGN_VOCABULARY}: {w!r} is in two concepts ({table[w]}, {concept})")
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


def _word_match(
    a: str, b: str, vocab: dict[str, str], params: SuggestParams = DEFAULT_SUGGEST_PARAMS
) -> tuple[float, str] | None:
    """How two folded words mean the same: ``(strength, how)`` or None (cognates by the ``cognate_*`` fields of
    ``params``)."""
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
    p = params
    if (prefix >= p.cognate_prefix or (prefix >= p.cognate_short_prefix and sim >= p.cognate_similarity)) and min(
        len(a), len(b)
    ) >= p.cognate_min_length:
        return sim, f"{a}~{b}"
    return None


def _same_meaning(
    wa: list[str], wb: list[str], vocab: dict[str, str], params: SuggestParams = DEFAULT_SUGGEST_PARAMS
) -> tuple[float, list[str]] | None:
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
        best = max(
            ((m, v) for v in left if (m := _word_match(w, v, vocab, params))), key=lambda x: x[0][0], default=None
        )
        if best is None:
            return None
        (strength, how), v = best
        left.remove(v)
        matches.append(how)
        total += strength
    return total / len(a), matches


def _translated_tag_pairs(
    stats: pl.DataFrame, vocab: dict[str, str], params: SuggestParams = DEFAULT_SUGGEST_PARAMS
) -> pl.DataFrame:
    """Tags in different campaigns that say the same thing word for word (:func:`_same_meaning`):
    ``tag_folded_a < tag_folded_b, kind, score, evidence``. Candidates share a blocking key (a word's vocabulary
    concept, or the first 4 letters of a word of 3 or more), keys used by more than ``params.max_tags_per_key``
    tags are skipped; each candidate is then checked word by word (a Python loop: the candidates are few); score
    ``params.translation`` × the mean word match."""
    rows = stats.select("tag_folded", "tag", "campaign_id").to_dicts()
    words = {r["tag_folded"]: tag_words(r["tag"]) for r in rows}
    keys = pl.DataFrame(
        [
            (t, _concept(w, vocab) or w[:4])
            for t, ws in words.items()
            for w in ws
            if w not in TAG_STOPWORDS and (len(w) >= 3 or _concept(w, vocab))
        ],
        schema={"t": pl.String, "k": pl.String},
        orient="row",
    ).unique()
    keys = keys.filter(pl.len().over("k") <= params.max_tags_per_key)
    campaign = stats.select("tag_folded", "campaign_id")
    cand = (
        keys.join(keys.rename({"t": "u"}), on="k")
        .filter(pl.col("t") < pl.col("u"))
        .select("t", "u")
        .unique()
        .join(campaign.rename({"tag_folded": "t", "campaign_id": "ca"}), on="t")
        .join(campaign.rename({"tag_folded": "u", "campaign_id": "cb"}), on="u")
        .filter(pl.col("ca") != pl.col("cb"))
        .sort("t", "u")
    )
    out = []
    for t, u in cand.select("t", "u").iter_rows():
        if (m := _same_meaning(words[t], words[u], vocab, params)) is not None and any(
            "~" in x or "=" in x for x in m[1]
        ):
            out.append((t, u, round(params.translation * m[0], 4), "same words across languages: " + ", ".join(m[1])))
    return pl.DataFrame(
        out,
        schema={"tag_folded_a": pl.String, "tag_folded_b": pl.String, "score": pl.Float64, "evidence": pl.String},
        orient="row",
    ).with_columns(kind=pl.lit("translation"))


def _translation_rows(
    tag_stats: pl.DataFrame, spelling: pl.DataFrame, vocab: dict[str, str], params: SuggestParams
) -> pl.DataFrame:
    """Translation suggestions as ``_a, _b`` (rows of ``tag_stats``), ``kind, score, evidence``; a pair that
    spelling explains (localgov / localgovs, climat / climate) is listed once, as spelling."""
    index = tag_stats.select("tag_folded", _k=pl.int_range(pl.len(), dtype=pl.Int64))
    return (
        _translated_tag_pairs(tag_stats, vocab, params)
        .join(index.rename({"tag_folded": "tag_folded_a", "_k": "_a"}), on="tag_folded_a")
        .join(index.rename({"tag_folded": "tag_folded_b", "_k": "_b"}), on="tag_folded_b")
        .select("_a", "_b", "kind", "score", "evidence")
        .join(spelling.select("_a", "_b"), on=["_a", "_b"], how="anti")
    )


def _with_tag_columns(df: pl.DataFrame, tag_stats: pl.DataFrame) -> pl.DataFrame:
    """The kept suggestions (``_a, _b`` rows of ``tag_stats``) with each side's spelling, campaign, language and
    size, and their evidence line: the output columns of :func:`suggest_aliases`."""

    def side(column: str, name: str) -> list[pl.Series]:
        return [tag_stats[column].gather(df[f"_{s}"]).alias(f"{name}_{s}") for s in "ab"]

    df = df.with_columns(
        *side("tag_folded", "tag_folded"),
        *side("tag", "tag"),
        *side("campaign_id", "campaign"),
        *side("lang", "lang"),
        *side("posts", "posts"),
    )
    df = df.select(
        "kind",
        "tag_a",
        "tag_b",
        "campaign_a",
        "campaign_b",
        "lang_a",
        "lang_b",
        "posts_a",
        "posts_b",
        "score",
        evidence=pl.coalesce("evidence", _spelling_evidence()),
    )
    return df.cast(SUGGESTION_SCHEMA)


def suggest_aliases(
    posts: pl.DataFrame,
    aliases: pl.DataFrame | None = None,
    *,
    vocabulary: dict[str, str] | None = None,
    params: SuggestParams = DEFAULT_SUGGEST_PARAMS,
    caps: CampaignCaps = DEFAULT_CAPS,
    max_tags_per_post: int | None = UNSET,
    max_suggestions: int | None = UNSET,
    stats: dict | None = None,
) -> pl.DataFrame:
    """Tags that may belong together, with a score (0-1, higher is stronger) and the evidence. Never applied.

    Two families, both comparing tags that the alias table and folding leave in *different* campaigns (pairs
    already merged are never suggested); every number (scores, lengths, thresholds) is a field of ``params``
    (:class:`~feedtools.campaigns.params.SuggestParams`, which gives the defaults):

    * spelling (on folded forms): ``plural`` (``localgov``/``localgovs``), ``spelling`` (a small edit
      distance; score 1 - distance/length), ``numbered`` (differ only in digits: ``csw68``/``csw69``; a
      fraction of that score: usually different editions), ``prefix`` (one starts with the other; a fraction
      of the length ratio). Tags shorter than ``min_length`` get only ``plural``.
    * ``translation``: the two tags, split into words (``#CiudadesYTerritoriosDePaz`` -> ciudades y territorios
      de paz), say the same thing word for word: each content word (articles and prepositions aside) of one is
      the same word, the same concept in the bundled en/es/fr campaign vocabulary
      (``data/campaign_vocabulary.csv``: ``paz``/``peace``, ``ods``/``sdg``), or a cognate
      (``territorios``/``territories``) of a distinct word of the other, and their numbers are equal
      (``#SDG3``/``#ODS3``). Score ``translation`` × the mean word match (1 for same word or concept, the
      cognates' similarity otherwise). Campaigns that merely co-occur, share partners or sit side by side are
      not aliases: :func:`related_campaigns` lists them.

    Only the ``max_suggestions`` strongest are returned (``caps``, :class:`~feedtools.campaigns.params.CampaignCaps`:
    :data:`MAX_SUGGESTIONS`; None: all; the keyword overrides the field, as does ``max_tags_per_post``).
    When ``stats`` is a dict it receives ``suggestions_found`` (before that cap), ``suggestions_kept``,
    ``max_suggestions`` and the per-post tag cap's figures (``max_tags_per_post``, ``posts_over_tags_cap``,
    ``tags_over_cap``: the cap counts the tags of each post; it bounds :func:`related_campaigns`, and is
    reported here for the tags read).
    ``vocabulary``: folded word -> concept (default :func:`load_vocabulary`). Raises
    :class:`~feedtools.errors.OptionError` (a ``ValueError``) for a negative ``max_suggestions`` or a
    ``max_tags_per_post`` under 1.

    Output columns: ``kind, tag_a, tag_b`` (commonest spellings), ``campaign_a, campaign_b, lang_a, lang_b``
    (dominant detected language of each tag's posts), ``posts_a, posts_b, score, evidence``; sorted by score
    (descending), kind, tag_a, tag_b.

    Steps: :func:`_ranked` (:class:`_SpellingPairs`, :func:`_translation_rows`), :func:`_with_tag_columns`.
    """
    caps = caps.but(max_tags_per_post=max_tags_per_post, max_suggestions=max_suggestions)
    most, counts = caps.max_suggestions, _suggestion_counts(caps.max_suggestions, stats)
    tag_stats = _tag_stats(posts, aliases)
    rows = (
        _tag_rows(posts, aliases).select("_row") if tag_stats.height >= 2 else pl.DataFrame(schema={"_row": pl.UInt32})
    )
    _cap_per_post(rows, caps.max_tags_per_post, counts)
    if tag_stats.height < 2:
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    df, found = _ranked(tag_stats, load_vocabulary() if vocabulary is None else vocabulary, params, most)
    df = df if most is None else df.head(most)
    counts.update(suggestions_found=found, suggestions_kept=df.height)
    return _with_tag_columns(df, tag_stats)


def _suggestion_counts(most: int | None, stats: dict | None) -> dict:
    """``stats`` (a new dict when None) with the suggestion counts at zero and ``max_suggestions``. Raises
    :class:`~feedtools.errors.OptionError` for a negative ``most``."""
    if most is not None and most < 0:
        raise OptionError(f"max_suggestions must be 0 or more, not {most}")
    counts: dict = {} if stats is None else stats
    counts.update(suggestions_found=0, suggestions_kept=0, max_suggestions=most)
    return counts


def _ranked(
    tag_stats: pl.DataFrame, vocabulary: dict[str, str], params: SuggestParams, most: int | None
) -> tuple[pl.DataFrame, int]:
    """All spelling and translation suggestions between the tags of ``tag_stats`` (:func:`_tag_stats`), strongest
    first (:func:`_by_strength`), as tag indices ``_a, _b`` with their ranks ``_ra, _rb``; and how many were
    found (the spelling pairs counted before ``most`` trimmed them)."""
    rank = tag_stats["tag"].rank("dense").cast(pl.Int64)
    spelling, found = _SpellingPairs(tag_stats, rank.to_numpy(), most, params).run()
    cross = _translation_rows(tag_stats, spelling, vocabulary, params)
    df = pl.concat(
        [
            spelling.with_columns(evidence=pl.lit(None, dtype=pl.String)),
            cross.with_columns(distance=pl.lit(None, dtype=pl.Int64)),
        ],
        how="diagonal_relaxed",
    )
    # Sorted on integers (the spellings' ranks), then only the kept rows get their strings.
    df = df.with_columns(_ra=rank.gather(df["_a"]), _rb=rank.gather(df["_b"]))
    return _by_strength(df), found + cross.height
