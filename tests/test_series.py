"""map_unique: a Python function once per distinct value, joined back in order, nulls kept."""

from __future__ import annotations

import polars as pl
import pytest

from feedtools.series import map_unique, scalar_float


def test_each_distinct_value_is_mapped_once_and_joined_back_in_order():
    calls: list[str] = []

    def upper(v: str) -> str:
        calls.append(v)
        return v.upper()

    s = pl.Series("tag", ["b", "a", None, "b", "a", "c"])
    out = map_unique(s, upper)
    assert out.name == "tag" and out.to_list() == ["B", "A", None, "B", "A", "C"]
    assert sorted(calls) == ["a", "b", "c"]  # once each, never the null


def test_batch_functions_get_the_sorted_distinct_values():
    seen: list[list[str]] = []

    def lengths(values: list[str]) -> list[int]:
        seen.append(values)
        return [len(v) for v in values]

    out = map_unique(pl.Series(["ccc", "a", "ccc", None]), lengths, dtype=pl.Int64, batch=True)
    assert out.to_list() == [3, 1, 3, None] and out.dtype == pl.Int64 and seen == [["a", "ccc"]]
    with pytest.raises(ValueError, match="2 distinct values but 1 results"):
        map_unique(pl.Series(["x", "y"]), lambda v: v[:1], batch=True)


def test_an_empty_or_all_null_series():
    assert map_unique(pl.Series("e", [], dtype=pl.String), str.upper).to_list() == []
    assert map_unique(pl.Series("n", [None, None], dtype=pl.String), str.upper).to_list() == [None, None]


def test_scalar_float_reads_numeric_aggregates_and_refuses_the_rest():
    assert scalar_float(pl.Series([1, 2, 4]).median()) == 2.0
    assert scalar_float(pl.Series([3, 9]).max()) == 9.0
    for bad in (pl.Series([], dtype=pl.Int64).max(), "3", True):
        with pytest.raises(TypeError):
            scalar_float(bad)
