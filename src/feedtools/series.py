"""One helper over polars Series: a Python function applied once per distinct value, joined back.

Feeds repeat values (the same text, hashtag or link host thousands of times); a function polars cannot
vectorise (``unicodedata``, the Public Suffix List, hashtag folding) runs on each distinct value only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

__all__ = ["map_unique", "scalar_float"]


def scalar_float(value: object) -> float:
    """A numeric aggregate of a Series (``median()``, ``max()``…, which polars types as any Python value) as a
    float. Raises ``TypeError`` for anything but an int or a float (``None`` included: aggregate only a
    non-empty numeric Series)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def map_unique(
    series: pl.Series,
    fn: Callable[[Any], Any] | Callable[[list[Any]], Sequence[Any]],
    *,
    dtype: pl.DataType | type[pl.DataType] = pl.String,
    batch: bool = False,
) -> pl.Series:
    """``fn`` over each distinct non-null value of ``series``, joined back to every row.

    With ``batch=False`` (default) ``fn`` takes one value and returns its result; with ``batch=True`` it takes
    the list of distinct values (sorted, so the call is deterministic) and returns one result per value, in
    order. Returns a Series of ``dtype`` with ``series``' name and length, in its order; nulls stay null and
    ``fn`` never sees them. Raises ``ValueError`` when a batch ``fn`` returns a different number of results.
    """
    uniq = series.drop_nulls().unique().sort()
    values = uniq.to_list()
    results = list(fn(values)) if batch else [fn(v) for v in values]
    if len(results) != len(values):
        raise ValueError(f"map_unique: {len(values)} distinct values but {len(results)} results")
    table = pl.DataFrame({"_k": uniq, "_v": pl.Series(results, dtype=dtype)})
    return (
        series.to_frame("_k")
        .join(table, on="_k", how="left", maintain_order="left", nulls_equal=False)["_v"]
        .alias(series.name)
    )
