"""Cleaning: Unicode normalisation and whitespace (row-local), and duplicates (whole feed).

``add_text_clean`` works row by row and can run on any batch or partition;
``mark_duplicates`` needs the whole feed (it compares rows with each other).
"""

from __future__ import annotations

import unicodedata
from typing import Literal, cast

import polars as pl

from feedtools.series import map_unique

__all__ = [
    "DuplicatesSoFar",
    "add_text_clean",
    "duplicate_keys",
    "fold_expr",
    "mark_duplicates",
    "normalize_unique",
    "resolve_duplicates",
]

#: Invisible characters removed from ``text_clean`` (ZWJ U+200D is kept: it binds emoji sequences).
_INVISIBLE = r"[\x{200B}\x{200C}\x{200E}\x{200F}\x{2060}\x{FEFF}\x{00AD}]"
#: Whitespace or a control character (C0 and C1 controls; ``\x0b``, ``\x0c`` are whitespace already).
_SPACE_OR_CONTROL = r"[\s\x00-\x08\x0e-\x1f\x7f-\x9f]"
#: One pass for "control characters become spaces, then runs of whitespace become one space": a run of two or
#: more spaces/controls, or a single one that is not a plain space (a lone space is left as it is).
_SPACES = _SPACE_OR_CONTROL + "{2,}|[" + _SPACE_OR_CONTROL + r"--\x20]"


def normalize_unique(s: pl.Series, form: Literal["NFC", "NFD", "NFKC", "NFKD"] = "NFKC") -> pl.Series:
    """Unicode-normalise a string Series, computing each distinct value once.

    A Python loop over distinct values (``unicodedata``) is faster than polars'
    ``str.normalize`` on this kind of data (docs/design.md, "Toolchain facts") and feeds repeat
    texts often. Nulls stay null.
    """
    return map_unique(s, lambda t: unicodedata.normalize(form, t))


#: Texts normalised in Python at a time: the strings of one slice are made and let go before the next.
_NFKC_SLICE = 16_384


def _nfkc(texts: pl.Series) -> pl.Series:
    """``texts`` NFKC-normalised (``unicodedata``; nulls stay null), slice by slice."""
    parts = [
        pl.Series([None if t is None else unicodedata.normalize("NFKC", t) for t in part.to_list()], dtype=pl.String)
        for part in (texts.slice(i, _NFKC_SLICE) for i in range(0, texts.len(), _NFKC_SLICE))
    ]
    return pl.concat(parts) if parts else pl.Series([], dtype=pl.String)


def add_text_clean(posts: pl.DataFrame) -> pl.DataFrame:
    """Add ``text_clean``: ``text`` NFKC-normalised, invisible/control characters removed, whitespace collapsed.

    Input: a frame with a ``text`` column (String, nulls allowed). Output: the same
    frame with ``text_clean`` set (null where ``text`` is null). Row-local.
    """
    # Each distinct text is cleaned once and joined back (feeds repeat texts); when none repeats, in place.
    texts = posts["text"]
    uniq = texts.drop_nulls().unique()
    in_place = uniq.len() == texts.len() - texts.null_count()
    values = texts if in_place else uniq
    nfkc = _nfkc(values)
    cleaned = nfkc.str.replace_all(_INVISIBLE, "").str.replace_all(_SPACES, " ").str.strip_chars()
    if not in_place:
        table = pl.DataFrame({"text": uniq, "text_clean": cleaned})
        cleaned = posts.select("text").join(table, on="text", how="left", maintain_order="left")["text_clean"]
    return posts.with_columns(text_clean=cleaned)


def fold_expr(col: str | pl.Expr) -> pl.Expr:
    """Case-, accent-, whitespace- and punctuation-folded text (for near-duplicate and tag comparison)."""
    e = pl.col(col) if isinstance(col, str) else col
    return (
        e.str.to_lowercase()
        .str.normalize("NFD")
        .str.replace_all(r"[\p{Mn}\p{P}\p{S}\s]+", "")  # marks, punctuation, symbols, space: one pass, by runs
    )


def duplicate_keys(posts: pl.DataFrame) -> pl.DataFrame:
    """What duplicate detection compares, per row (row-local: can run per batch or partition).

    Input: posts with ``position``, ``author_name``, ``author_handle``, ``is_repost``,
    ``reposted_by``, ``is_placeholder``, ``text`` and ``text_clean``. Output: one row
    per input row, same order: ``position``, ``_elig`` (may be a copy: has text, not a
    placeholder) and 64-bit hashes of the author/kind key (``_k``), of the exact text
    (``_e1``, ``_e2``) and of the folded text (``_f1``, ``_f2``; two seeds each, so a
    false match needs a 128-bit collision). The folding runs once per distinct text.
    Hashes are only compared within one run (polars' hash is not stable across versions).
    """
    key = [
        pl.col("author_name").fill_null(""),
        pl.col("author_handle").fill_null(""),
        pl.col("is_repost").cast(pl.String),
        pl.col("reposted_by").fill_null(""),
    ]
    keys = posts.select(
        "position",
        _elig=~pl.col("is_placeholder").fill_null(False) & pl.col("text_clean").is_not_null(),
        _k=pl.concat_str(key, separator="\x1f").hash(0),
        _e1=pl.col("text").hash(0),
        _e2=pl.col("text").hash(1),
    )
    texts = posts["text_clean"]
    distinct = texts.drop_nulls().unique()
    if distinct.len() == texts.len() - texts.null_count():  # every text its own: folded in place, no join
        return keys.with_columns(_fold_hashes(texts).drop("text_clean"))
    return (
        keys.with_columns(texts)
        .join(_fold_hashes(distinct), on="text_clean", how="left", maintain_order="left")
        .drop("text_clean")
    )


def _fold_hashes(texts: pl.Series) -> pl.DataFrame:
    """``text_clean`` (``texts``), ``_f1``, ``_f2``: two 64-bit hashes of each folded text (of the text itself
    when folding leaves nothing; null for a null text). The folding runs once per value of ``texts``."""
    # Folded once (an eager frame runs no common-subexpression elimination: naming the fold twice runs it twice).
    frame = texts.to_frame("text_clean").with_columns(_fold=fold_expr("text_clean"))
    frame = frame.with_columns(_fold=pl.when(pl.col("_fold") != "").then("_fold").otherwise("text_clean"))
    present = pl.col("text_clean").is_not_null()
    return frame.select(
        "text_clean",
        _f1=pl.when(present).then(pl.col("_fold").hash(0)),
        _f2=pl.when(present).then(pl.col("_fold").hash(1)),
    )


def resolve_duplicates(keys: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Whole-feed step: ``duplicate_of`` and ``duplicate_kind`` from the keys of *every* row of a feed.

    Input: the concatenated :func:`duplicate_keys` of all batches (any order). Output:
    ``position``, ``duplicate_of``, ``duplicate_kind`` for every input row, in input
    order. Needs only the key columns in memory (about 50 bytes a row), not the posts.
    """
    pos = pl.when(pl.col("_elig")).then(pl.col("position"))
    first_exact = pl.when(pl.col("_elig")).then(pos.min().over(["_k", "_e1", "_e2"]))
    first_norm = pl.when(pl.col("_elig")).then(pos.min().over(["_k", "_f1", "_f2"]))
    # Exact copies of an earlier row win over normalised ones; a normalised copy points at the earliest match.
    is_exact = first_exact < pl.col("position")
    is_norm = first_norm < pl.col("position")
    out = keys.lazy().select(
        "position",
        duplicate_of=pl.when(is_exact).then(first_exact).when(is_norm).then(first_norm).cast(pl.Int64),
        duplicate_kind=pl.when(is_exact).then(pl.lit("exact")).when(is_norm).then(pl.lit("normalised")),
    )
    return out.collect()


#: The key columns of an exact copy and of a normalised one (:func:`duplicate_keys`).
_EXACT, _FOLDED = ("_k", "_e1", "_e2"), ("_k", "_f1", "_f2")
#: A row's position when it may be a copy (null otherwise: a placeholder, or no text).
_ELIGIBLE_POSITION = pl.when(pl.col("_elig")).then(pl.col("position"))


def _lookup_hash(cols: tuple[str, ...]) -> pl.Expr:
    """One 64-bit hash of the key columns ``cols``, to look keys up by (equal keys, equal hashes)."""
    return pl.struct(cols).hash()


class DuplicatesSoFar:
    """:func:`resolve_duplicates` batch by batch, for keys that come in ``position`` order.

    A row's ``duplicate_of`` points at the earliest row with its key, so it is known once the keys of the rows
    before it are: :meth:`resolve` gives the duplicate columns of a batch of keys against every batch given
    before, and keeps only the first position of each key (about 40 bytes per distinct key and kind), not the
    keys of every row. The values are those :func:`resolve_duplicates` gives on all the keys at once (tests).
    """

    def __init__(self) -> None:
        self._first: dict[tuple[str, ...], pl.DataFrame] = {}  # key columns and "_first", per kind of copy
        self._last = -1  # the greatest position given so far

    def resolve(self, keys: pl.DataFrame) -> pl.DataFrame:
        """``position``, ``duplicate_of`` and ``duplicate_kind`` for each row of ``keys`` (the concatenated
        :func:`duplicate_keys` of consecutive slices, in order), against these rows and every earlier batch.
        Raises ``ValueError`` when a position is not greater than every position before it."""
        if keys.height == 0:
            return resolve_duplicates(keys)
        positions = keys["position"]
        if not positions.is_sorted() or positions.n_unique() < keys.height or cast(int, positions.min()) <= self._last:
            raise ValueError("duplicate keys out of position order: resolve them whole (resolve_duplicates)")
        self._last = cast(int, positions.max())
        firsts = keys.select("position", _fe=self._firsts(keys, _EXACT), _fn=self._firsts(keys, _FOLDED))
        first_exact, first_norm = pl.col("_fe"), pl.col("_fn")
        is_exact, is_norm = first_exact < pl.col("position"), first_norm < pl.col("position")
        return firsts.select(
            "position",
            duplicate_of=pl.when(is_exact).then(first_exact).when(is_norm).then(first_norm).cast(pl.Int64),
            duplicate_kind=pl.when(is_exact).then(pl.lit("exact")).when(is_norm).then(pl.lit("normalised")),
        )

    def _firsts(self, keys: pl.DataFrame, cols: tuple[str, ...]) -> pl.Series:
        """The first position of each eligible row's key (``cols``) over this batch and the earlier ones (null
        for a row that is not eligible); the keys first seen in this batch are remembered."""
        rows = keys.select(
            "position",
            *cols,
            _h=_lookup_hash(cols),  # one column to look up: the key columns are compared on the few rows found
            _here=pl.when(pl.col("_elig")).then(_ELIGIBLE_POSITION.min().over(cols)),
        )
        seen = self._first.get(cols)
        if seen is None:
            first = rows["_here"]
        else:  # an inner join hashes the smaller side: the batch, not every key seen
            found = rows.filter(pl.col("_here").is_not_null()).join(seen, on="_h", how="inner", suffix="_seen")
            found = found.filter(pl.all_horizontal(pl.col(c) == pl.col(f"{c}_seen") for c in cols))
            earlier = rows.select("position").join(
                found.select("position", "_first"), on="position", how="left", maintain_order="left"
            )
            first = earlier["_first"].fill_null(rows["_here"])
        new = rows.filter((pl.col("_here") == pl.col("position")) & (first == rows["_here"]))
        new = new.select("_h", *cols, _first="position")
        seen = new if seen is None else pl.concat([seen, new], rechunk=False)
        self._first[cols] = seen.rechunk() if seen.n_chunks() > 32 else seen
        return first


def mark_duplicates(posts: pl.DataFrame) -> pl.DataFrame:
    """Fill ``duplicate_of`` and ``duplicate_kind`` (whole-feed step).

    Two rows are copies when they have the same author and kind (own post, or repost
    by the same account) and the same text (``exact``) or the same folded text
    (``normalised``). Each later copy points at the ``position`` of the first.
    Placeholders and rows without text are never duplicates. (The same record seen
    twice in an export, e.g. a post URI on two pages, is dropped by its reader and
    counted there as ``skipped_repeated``; it never reaches this step.)

    The same as :func:`resolve_duplicates` over :func:`duplicate_keys` (the form a
    streaming run uses), for a feed held in memory.
    """
    found = resolve_duplicates(duplicate_keys(posts))
    return posts.with_columns(duplicate_of=found["duplicate_of"], duplicate_kind=found["duplicate_kind"])
