"""The feedtools command: outputs, summary line, rejects file, clear one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl
import pytest
from conftest import SEED, write_feed

from feedtools.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    """Run the installed console script as a user would (separate process, real exit code)."""
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)


def test_parse_seed_summary_and_outputs(tmp_path):
    out = tmp_path / "posts.parquet"
    r = run("parse", str(SEED), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == ("82 lines, 51 posts, 29 reposts, 14 placeholders, 1 duplicates, 0 rejected; no rejects")
    assert pl.read_parquet(out).height == 80
    assert not (tmp_path / "posts.rejects.csv").exists()  # written only when there are rejects


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_parse_other_outputs(tmp_path, suffix):
    out = tmp_path / f"posts.{suffix}"
    assert main(["parse", str(SEED), "-o", str(out)]) == 0
    df = pl.read_csv(out) if suffix == "csv" else pl.read_ndjson(out)
    assert df.height == 80
    if suffix == "csv":
        assert df.filter(pl.col("position") == 10)["hashtags"][0] == (
            "LocalGovs|SDG3|SDG5|SDG8|SDG14|HLPF2025|Listen2Cities"
        )


def test_broken_lines_go_to_rejects_file(tmp_path):
    data = SEED.read_bytes().split(b"\n")
    data.insert(5, b"- broken \xff\xfe bytes")
    data.insert(9, b"garbage\x00\x01 line")
    path = write_feed(tmp_path, b"\n".join(data))
    out = tmp_path / "p.csv"
    assert main(["parse", str(path), "-o", str(out)]) == 0
    rejects = pl.read_csv(tmp_path / "p.rejects.csv")
    assert rejects["line"].to_list() == [6, 10]
    assert pl.read_csv(out).height == 80  # every good item survives


@pytest.mark.parametrize(
    "content, needle",
    [(b"", "empty"), (b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "PNG image"), (os.urandom(5000), "feed")],
)
def test_bad_input_one_line_nonzero(tmp_path, content, needle):
    path = write_feed(tmp_path, content, name="input.dat")
    r = run("parse", str(path), "-o", str(tmp_path / "o.parquet"))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("feedtools: error:") and needle in lines[0]
    assert "Traceback" not in r.stderr


def test_missing_file_and_bad_suffix(tmp_path):
    r = run("parse", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "o.parquet"))
    assert r.returncode == 1 and "no such file" in r.stderr
    r = run("parse", str(SEED), "-o", str(tmp_path / "o.xlsx"))
    assert r.returncode == 2 and "unknown output type" in r.stderr and "Traceback" not in r.stderr  # bad argument


def test_help_documents_options():
    r = run("parse", "--help")
    assert r.returncode == 0
    for needle in ["--format", "--langs", "--rejects", "--known-name", ".parquet", "formula", "summary"]:
        assert needle in r.stdout
