"""Output files: format by suffix, CSV safe for spreadsheets."""

from __future__ import annotations

import polars as pl
import pytest

from feedtools.export import csv_safe, write_table


def test_csv_neutralises_formulas_and_joins_lists(tmp_path):
    df = pl.DataFrame({"text": ["=HYPERLINK(\"http://x\")", "+1", "-2 cities", "@SUM(A1)", "plain"],
                       "n": [-1, 2, 3, 4, 5],
                       "urls": [["a|b", "c"], [], ["x"], ["=y"], ["z"]]})
    out = csv_safe(df)
    assert out["text"].to_list() == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2 cities", "'@SUM(A1)", "plain"]
    assert out["urls"].to_list() == ["a%7Cb|c", "", "x", "'=y", "z"]
    assert out["n"].to_list() == [-1, 2, 3, 4, 5]


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".csv"])
def test_write_by_suffix_roundtrip_rows(tmp_path, suffix):
    df = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    path = tmp_path / f"out{suffix}"
    write_table(df, path)
    back = {".parquet": pl.read_parquet, ".jsonl": pl.read_ndjson, ".csv": pl.read_csv}[suffix](path)
    assert back.height == 2


def test_unknown_suffix():
    with pytest.raises(ValueError, match="unknown output type"):
        write_table(pl.DataFrame({"a": [1]}), "out.xlsx")
