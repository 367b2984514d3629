"""Dataset folders: feedtools parse -o DIR/ (parts + manifest), read back by load and every command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import feedtools
from feedtools.dataset import MANIFEST, expand_inputs, is_dataset, part_files
from feedtools.readers import FeedError

FEEDTOOLS = str(Path(sys.executable).with_name("feedtools"))


def _jsonl(path: Path, n: int, did: str = "did:plc:aaa", start: int = 0) -> Path:
    lines = []
    for i in range(start, start + n):
        ev = {
            "did": did,
            "time_us": 1714550400000000 + i,
            "kind": "commit",
            "commit": {
                "rev": "r",
                "operation": "create",
                "collection": "app.bsky.feed.post",
                "rkey": f"k{i}",
                "record": {
                    "$type": "app.bsky.feed.post",
                    "text": f"post {i % 5} #tag{i % 3}",
                    "createdAt": "2024-05-01T10:00:00Z",
                },
            },
        }
        lines.append(json.dumps(ev))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_parse_to_dataset_folder_matches_load_of_the_inputs(tmp_path, seed_path):
    a = _jsonl(tmp_path / "a.jsonl", 30)
    b = _jsonl(tmp_path / "b.jsonl", 20, start=25)  # 5 events repeat a.jsonl's: skipped as repeated
    out = tmp_path / "ds"
    run = subprocess.run(
        [FEEDTOOLS, "parse", str(seed_path), str(a), str(b), "-o", f"{out}/", "-q"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert is_dataset(out) and part_files(out)
    doc = json.loads((out / MANIFEST).read_text())
    inputs = doc["meta"]["inputs"]
    assert [e["source"] for e in inputs] == [seed_path.name, "a.jsonl", "b.jsonl"]
    assert all(len(e["sha256"]) == 64 and e["size_bytes"] > 0 for e in inputs)
    assert inputs[2]["stats"]["skipped_repeated"] == 5 and inputs[2]["rows"] == 15
    assert sum(p["rows"] for p in doc["parts"]) == 80 + 30 + 15
    direct = feedtools.load([seed_path, a, b])
    back = feedtools.load(out)
    assert_frame_equal(back.posts, direct.posts)
    assert back.stats == direct.stats
    assert back.meta["inputs"] == direct.meta["inputs"]
    # A dataset is an input like any other: parse it again into one file, same rows.
    run = subprocess.run(
        [FEEDTOOLS, "parse", str(out), "-o", str(tmp_path / "again.parquet"), "-q"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert_frame_equal(feedtools.read(tmp_path / "again.parquet"), direct.posts)


def test_folder_and_glob_inputs_expand_to_their_files(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    _jsonl(d / "2.jsonl", 3, start=10)
    _jsonl(d / "1.jsonl", 3)
    assert [p.name for p in expand_inputs([d])] == ["1.jsonl", "2.jsonl"]
    assert [p.name for p in expand_inputs([str(d / "*.jsonl")])] == ["1.jsonl", "2.jsonl"]
    with pytest.raises(FeedError, match="no file matches"):
        expand_inputs([str(d / "*.csv")])
    out = tmp_path / "out"
    out.mkdir()  # an existing folder: written as a dataset without the trailing slash
    run = subprocess.run([FEEDTOOLS, "parse", str(d / "*.jsonl"), "-o", str(out), "-q"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert feedtools.read(out)["source"].to_list() == ["1.jsonl"] * 3 + ["2.jsonl"] * 3


def test_hive_partitioned_folder_without_manifest_reads_by_content(tmp_path, seed_path):
    posts = feedtools.read(seed_path)
    root = tmp_path / "hive"
    for flag in (True, False):
        part = root / f"is_repost={str(flag).lower()}"
        part.mkdir(parents=True)
        posts.filter(pl.col("is_repost") == flag).write_parquet(part / "p.parquet")
    (root / "_SUCCESS").write_text("")
    feed = feedtools.load(root)
    assert_frame_equal(feed.posts, posts)
    assert feed.meta["accounting"] == "not recorded" and feed.stats["posts"] == posts.height


def test_a_folder_of_other_parquet_is_one_clear_error(tmp_path):
    d = tmp_path / "other"
    d.mkdir()
    pl.DataFrame({"x": [1]}).write_parquet(d / "x.parquet")
    run = subprocess.run(
        [FEEDTOOLS, "parse", str(d), "-o", str(tmp_path / "o.parquet")], capture_output=True, text=True
    )
    assert run.returncode == 1 and "not a feedtools posts table" in run.stderr and "Traceback" not in run.stderr
