"""Cleaning: Unicode normalisation and whitespace (row-local), and duplicates (whole feed).

``add_text_clean`` works row by row and can run on any batch or partition;
``mark_duplicates`` needs the whole feed (it compares rows with each other).
"""

from __future__ import annotations

import unicodedata

import polars as pl

__all__ = ["add_text_clean", "fold_expr", "mark_duplicates", "normalize_unique"]

#: Invisible characters removed from ``text_clean`` (ZWJ U+200D is kept: it binds emoji sequences).
_INVISIBLE = r"[\x{200B}\x{200C}\x{200E}\x{200F}\x{2060}\x{FEFF}\x{00AD}]"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def normalize_unique(s: pl.Series, form: str = "NFKC") -> pl.Series:
    """Unicode-normalise a string Series, computing each distinct value once.

    A Python loop over distinct values (``unicodedata``) is faster than polars'
    ``str.normalize`` on this kind of data (domain notes §7) and feeds repeat
    texts often. Nulls stay null.
    """
    uniq = s.unique().drop_nulls()
    mapping = pl.DataFrame(
        {"_k": uniq, "_v": pl.Series([unicodedata.normalize(form, t) for t in uniq.to_list()], dtype=pl.String)}
    )
    return (
        s.to_frame("_k").join(mapping, on="_k", how="left", maintain_order="left")["_v"].alias(s.name)
    )


def add_text_clean(posts: pl.DataFrame) -> pl.DataFrame:
    """Add ``text_clean``: ``text`` NFKC-normalised, invisible/control characters removed, whitespace collapsed.

    Input: a frame with a ``text`` column (String, nulls allowed). Output: the same
    frame with ``text_clean`` set (null where ``text`` is null). Row-local.
    """
    norm = normalize_unique(posts["text"])
    cleaned = (
        norm.str.replace_all(_INVISIBLE, "")
        .str.replace_all(_CONTROL, " ")
        .str.replace_all(r"\s\s+|[^\S ]", " ")
        .str.strip_chars()
    )
    return posts.with_columns(text_clean=cleaned)


def fold_expr(col: str | pl.Expr) -> pl.Expr:
    """Case-, accent-, whitespace- and punctuation-folded text (for near-duplicate and tag comparison)."""
    e = pl.col(col) if isinstance(col, str) else col
    return (
        e.str.to_lowercase()
        .str.normalize("NFD")
        .str.replace_all(r"\p{Mn}", "")
        .str.replace_all(r"[\p{P}\p{S}\s]", "")
    )


def mark_duplicates(posts: pl.DataFrame) -> pl.DataFrame:
    """Fill ``duplicate_of`` and ``duplicate_kind`` (whole-feed step).

    Two rows are copies when they have the same author and kind (own post, or repost
    by the same account) and the same text (``exact``) or the same folded text
    (``normalised``). Each later copy points at the ``position`` of the first.
    Placeholders and rows without text are never duplicates. Structured exports
    also compare ``post_uri``: the same URI twice is an ``exact`` copy.
    """
    key = [
        pl.col("author_name").fill_null(""),
        pl.col("author_handle").fill_null(""),
        pl.col("is_repost").cast(pl.String),
        pl.col("reposted_by").fill_null(""),
    ]
    eligible = ~pl.col("is_placeholder").fill_null(False) & pl.col("text_clean").is_not_null()
    folded = fold_expr("text_clean")
    df = posts.with_columns(
        _elig=eligible,
        _kind_key=pl.concat_str(key, separator="\x1f"),
        _fold=pl.when(folded != "").then(folded).otherwise(pl.col("text_clean")),
    )
    pos = pl.when(pl.col("_elig")).then(pl.col("position"))
    first_exact = pos.min().over(["_kind_key", "text"])
    first_norm = pos.min().over(["_kind_key", "_fold"])
    df = df.with_columns(
        _fe=pl.when(pl.col("_elig")).then(first_exact),
        _fn=pl.when(pl.col("_elig")).then(first_norm),
    )
    # Exact copies of an earlier row win over normalised ones; a normalised copy points at the earliest match.
    dup_of = (
        pl.when(pl.col("_fe") < pl.col("position")).then(pl.col("_fe"))
        .when(pl.col("_fn") < pl.col("position")).then(pl.col("_fn"))
    )
    kind = (
        pl.when(pl.col("_fe") < pl.col("position")).then(pl.lit("exact"))
        .when(pl.col("_fn") < pl.col("position")).then(pl.lit("normalised"))
    )
    return df.with_columns(duplicate_of=dup_of.cast(pl.Int64), duplicate_kind=kind).drop(
        "_elig", "_kind_key", "_fold", "_fe", "_fn"
    )
