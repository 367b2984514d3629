"""feedtools.scan: campaigns and timeline on a parsed Parquet file or dataset folder read only the columns
they need and stream the per-post output, and give the same outputs as on the raw feed."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import SEED
from polars.testing import assert_frame_equal

from feedtools.cli import main
from feedtools.scan import CAMPAIGN_COLUMNS, TIMELINE_INPUT_COLUMNS, load_columns, parsed_table, sink_table


def _parsed(tmp_path: Path, feed: Path) -> tuple[Path, Path]:
    one, folder = tmp_path / "posts.parquet", tmp_path / "posts_ds"
    assert main(["parse", str(feed), "-o", str(one), "-q"]) == 0
    assert main(["parse", str(feed), "-o", f"{folder}/", "-q"]) == 0
    return one, folder


def _outputs(tmp_path: Path, name: str, source: Path, capsys) -> dict[str, object]:
    d = tmp_path / name
    d.mkdir()
    assert (
        main(
            [
                "campaigns",
                str(source),
                "-o",
                str(d / "c.csv"),
                "--posts",
                str(d / "p.jsonl"),
                "--suggestions",
                str(d / "s.csv"),
                "--pairs",
                str(d / "x.csv"),
                "--network",
                str(d / "g.graphml"),
            ]
        )
        == 0
    )
    campaigns_line = capsys.readouterr().err
    assert (
        main(
            [
                "timeline",
                str(source),
                "-o",
                str(d / "t.csv"),
                "--events",
                str(d / "e.csv"),
                "--evidence",
                str(d / "v.csv"),
            ]
        )
        == 0
    )
    assert main(["timeline", str(source), "-o", str(d / "t.parquet")]) == 0
    assert main(["timeline", str(source), "-o", str(d / "t.jsonl")]) == 0
    timeline_line = capsys.readouterr().err
    out: dict[str, object] = {"campaigns": campaigns_line, "timeline": timeline_line}
    for f in sorted(d.iterdir()):
        out[f.name] = pl.read_parquet(f) if f.suffix == ".parquet" else f.read_bytes()
    return out


def _same_from_parquet(tmp_path: Path, feed: Path, capsys) -> None:
    one, folder = _parsed(tmp_path, feed)
    capsys.readouterr()
    raw = _outputs(tmp_path, "raw", feed, capsys)
    assert raw["t.parquet"].height > 0 and raw["campaigns"].strip()
    for name, source in (("file", one), ("dataset", folder)):
        got = _outputs(tmp_path, name, source, capsys)
        assert got.keys() == raw.keys()
        for key, value in raw.items():
            if isinstance(value, pl.DataFrame):
                assert_frame_equal(got[key], value)
            else:
                assert got[key] == value, f"{name}: {key} differs"


def test_campaigns_and_timeline_from_parquet_equal_the_seed_run(tmp_path, capsys):
    _same_from_parquet(tmp_path, SEED, capsys)


def test_campaigns_and_timeline_from_parquet_equal_a_jetstream_run(tmp_path, capsys, samples):
    _same_from_parquet(tmp_path, samples / "jetstream_expected_v1.jsonl", capsys)


def test_load_columns_collects_only_the_columns_asked(tmp_path):
    one, folder = _parsed(tmp_path, SEED)
    assert parsed_table([one]) == one and parsed_table([folder]) == folder
    assert parsed_table([SEED]) is None and parsed_table([one, one]) is None  # raw, several: loaded in memory
    from feedtools import load

    ref = load(SEED)
    for path in (one, folder):
        for columns in (CAMPAIGN_COLUMNS, TIMELINE_INPUT_COLUMNS):
            feed = load_columns(path, columns)
            assert_frame_equal(feed.posts, ref.posts.select(columns))
            assert feed.stats == ref.stats and feed.rejects.height == ref.rejects.height
            assert feed.meta["kind"] == ref.meta["kind"]
    assert "text" not in CAMPAIGN_COLUMNS and "source_line" not in CAMPAIGN_COLUMNS  # left on disk
    timeline = load_columns(one, TIMELINE_INPUT_COLUMNS).posts
    assert (
        timeline.filter(pl.col("text_clean").is_not_null())["text"].null_count()
        == timeline.height - timeline["text_clean"].null_count()
    )  # the raw text only where there is no cleaned one


def test_a_parquet_file_that_is_not_a_posts_table_is_one_line(tmp_path, capsys):
    bad = tmp_path / "other.parquet"
    pl.DataFrame({"a": [1, 2]}).write_parquet(bad)
    code = main(["campaigns", str(bad), "-o", str(tmp_path / "c.csv")])
    err = capsys.readouterr().err
    assert code != 0 and "not a feedtools posts table" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c.csv").exists()


def test_sink_table_writes_csv_like_write_table(tmp_path):
    from feedtools.export import write_table

    df = pl.DataFrame({"a": ["=1+1", "ok"], "tags": [["x|y", "z"], []], "n": [1, None]})
    write_table(df, tmp_path / "w.csv")
    sink_table(df.lazy(), tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "w.csv").read_bytes()
    write_table(df, tmp_path / "w.jsonl")
    sink_table(df.lazy(), tmp_path / "s.jsonl")
    assert (tmp_path / "s.jsonl").read_bytes() == (tmp_path / "w.jsonl").read_bytes()
    with pytest.raises(ValueError, match="unknown output type"):
        sink_table(df.lazy(), tmp_path / "s.txt")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_timeline_output_written_in_chunks_equals_the_raw_run(tmp_path, monkeypatch, suffix):
    """The per-post timeline output of a parsed table is read, joined and written a chunk of rows at a time
    (bounded memory); chunk boundaries do not show: same bytes (CSV, JSON Lines) or frame (Parquet) as the run
    on the raw feed, for a file and a dataset folder."""
    from feedtools import scan

    one, folder = _parsed(tmp_path, SEED)
    assert main(["timeline", str(SEED), "-o", str(tmp_path / f"raw{suffix}")]) == 0
    monkeypatch.setattr(scan, "WRITE_CHUNK_ROWS", 7)
    for name, source in (("file", one), ("dataset", folder)):
        out = tmp_path / f"{name}{suffix}"
        assert main(["timeline", str(source), "-o", str(out)]) == 0
        if suffix == ".parquet":
            assert_frame_equal(pl.read_parquet(out), pl.read_parquet(tmp_path / f"raw{suffix}"))
            assert pl.read_parquet_schema(out) == pl.read_parquet_schema(tmp_path / f"raw{suffix}")
        else:
            assert out.read_bytes() == (tmp_path / f"raw{suffix}").read_bytes(), name
