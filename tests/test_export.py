"""Output files: format by suffix, CSV safe for spreadsheets."""

from __future__ import annotations

import polars as pl
import pytest

from feedtools.export import csv_safe, write_table


def test_csv_neutralises_formulas_and_joins_lists(tmp_path):
    df = pl.DataFrame(
        {
            "text": ['=HYPERLINK("http://x")', "+1", "-2 cities", "@SUM(A1)", "plain"],
            "n": [-1, 2, 3, 4, 5],
            "urls": [["a|b", "c"], [], ["x"], ["=y"], ["z"]],
        }
    )
    out = csv_safe(df)
    assert out["text"].to_list() == ['\'=HYPERLINK("http://x")', "'+1", "'-2 cities", "'@SUM(A1)", "plain"]
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


def test_csv_neutralises_formulas_after_spaces_and_in_full_width():
    texts = [
        " =1+1",
        "\u3000+cmd",
        "\u00a0-2",
        "\t =x",
        '\uff1dHYPERLINK("http://x")',
        "\uff0b1",
        "\uff0d2",
        "\uff20SUM(A1)",
        "  \uff1dx",
        "a = b",
        "hello -x",
        "\uff21 full-width A",
    ]
    out = csv_safe(pl.DataFrame({"text": texts}))["text"].to_list()
    assert out[:9] == ["'" + t for t in texts[:9]]
    assert out[9:] == texts[9:]  # a formula character later in the text is harmless


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".csv"])
@pytest.mark.parametrize("exc", [KeyboardInterrupt, MemoryError])
def test_interrupted_write_keeps_the_earlier_file(tmp_path, monkeypatch, suffix, exc):
    path = tmp_path / f"out{suffix}"
    write_table(pl.DataFrame({"a": [1, 2, 3]}), path)
    before = path.read_bytes()
    method = {".parquet": "write_parquet", ".jsonl": "write_ndjson", ".csv": "write_csv"}[suffix]
    real = getattr(pl.DataFrame, method)

    def half_then_fail(self, target, *args, **kwargs):
        real(self.head(1), target, *args, **kwargs)  # something is on disk already
        raise exc()

    monkeypatch.setattr(pl.DataFrame, method, half_then_fail)
    with pytest.raises(exc):
        write_table(pl.DataFrame({"a": list(range(1000))}), path)
    assert path.read_bytes() == before  # the earlier file, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left
