"""The scale benchmark runs end to end on tiny sizes and prints its table (a functional test, not a timing)."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl
import pytest

from feedtools.bench import build_jetstream, build_postviews, build_scrape, parse_sizes
from feedtools.readers import read_raw


def test_parse_sizes():
    assert parse_sizes("100k, 1m,10M") == [("100k", 100_000), ("1m", 1_000_000), ("10m", 10_000_000)]
    assert parse_sizes("2500") == [("2500", 2500)]
    for bad in ("", "ten", "-5", "0"):
        with pytest.raises(ValueError):
            parse_sizes(bad)


@pytest.mark.parametrize("distinct", [False, True])
def test_built_scrape_has_the_requested_items(tmp_path, distinct):
    path = build_scrape(tmp_path / "feed.txt", 500, distinct=distinct, samples=None)
    r = read_raw(path, "scrape")
    assert r.stats["items"] == 500 and r.posts.height == 500 and r.stats["rejected"] == 0
    assert r.posts["is_placeholder"].sum() > 0  # the seed's placeholders are kept as placeholders
    texts = r.posts.filter(~pl.col("is_placeholder"))["text"]
    if distinct:
        assert texts.n_unique() == texts.len()
    else:
        assert texts.n_unique() < 80  # the seed's texts, repeated


def test_built_jetstream_uses_the_real_samples(tmp_path, samples):
    path = build_jetstream(tmp_path / "feed.jsonl", 1000, distinct=True, samples=samples)
    r = read_raw(path, "jetstream")
    assert r.stats["records"] == 1000 and r.stats["rejected"] == 0
    assert r.stats["skipped_like"] > 0  # the samples' likes are in the mix, skipped by design
    own = r.posts.filter(~pl.col("is_repost"))
    assert own["post_id"].n_unique() == own.height  # every event is its own record
    texts = own.filter(pl.col("text").str.len_chars() > 0)["text"]  # posts with only an embed stay empty
    assert texts.n_unique() == texts.len()


def test_bench_command_prints_its_table_and_cleans_up(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    r = subprocess.run(
        [
            exe,
            "bench",
            "--sizes",
            "300",
            "--texts",
            "distinct",
            "--analyses-up-to",
            "1",
            "--no-spark",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| format"))
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[header + 2 :] if line.startswith("|")]
    steps = {(row[0], row[3]) for row in rows}
    assert ("scrape", "parse") in steps and ("jetstream", "parse") in steps
    assert ("scrape", "notebook baseline") in steps or "baseline skipped" in r.stdout
    parse = next(row for row in rows if row[:4] == ["scrape", "distinct", "300", "parse"])
    assert int(parse[4].replace(",", "")) == 300 and float(parse[8].replace(",", "")) > 0  # rows, peak MB
    baseline = [row for row in rows if row[3] == "notebook baseline"]
    assert all("faster" in row[9] for row in baseline)  # the ratio is printed
    js = ["jetstream", "distinct", "300"]
    floor = next(row for row in rows if row[:4] == [*js, "decode floor (orjson, every line)"])
    assert int(floor[4].replace(",", "")) == 300  # every line decoded
    read = next(row for row in rows if row[:4] == ["jetstream", "distinct", "300", "read (reader only)"])
    js_parse = next(row for row in rows if row[:4] == ["jetstream", "distinct", "300", "parse"])
    assert read[4] == js_parse[4] and "x the floor (CPU)" in read[9]  # same rows; the ratio is printed
    lang = next(row for row in rows if row[:4] == ["scrape", "distinct", "300", "language floor (fastText alone)"])
    assert 0 < int(lang[4].replace(",", "")) <= 300 and "whole parse" in lang[9]  # distinct texts; the ratio
    pv = next(row for row in rows if row[:4] == ["postviews", "distinct", "300", "parse"])
    assert int(pv[4].replace(",", "")) == 300 and "MB" in pv[9]  # a JSON array of postViews, its size printed
    assert list(tmp_path.iterdir()) == []  # the temporary feeds are deleted


def test_bench_measures_cross_language_pairs(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    r = subprocess.run(
        [
            exe,
            "bench",
            "--sizes",
            "300",
            "--texts",
            "distinct",
            "--formats",
            "scrape",
            "--no-baseline",
            "--no-spark",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    row = next(line for line in r.stdout.splitlines() if "| campaigns --pairs |" in line)
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[4] == "300" and "cross-language pairs (window 12)" in cells[9] and "FAILED" not in row


def test_bench_rejects_bad_options():
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    r = subprocess.run([exe, "bench", "--sizes", "lots"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "bad size" in r.stderr


def test_built_postviews_is_one_json_array_of_distinct_records(tmp_path, samples):
    path = build_postviews(tmp_path / "feed.json", 700, distinct=True, samples=samples)
    assert path.read_bytes().lstrip()[:1] == b"["
    r = read_raw(path)
    assert r.meta["format"] == "postviews"
    assert r.stats["records"] == 700 and r.posts.height == 700 and r.stats["rejected"] == 0
    assert r.posts["post_id"].n_unique() == 700  # every item its own URI: none skipped as repeated
    texts = r.posts.filter(pl.col("text").str.len_chars() > 0)["text"]
    assert texts.n_unique() == texts.len()
    assert r.posts["author_handle"].n_unique() > 1  # the samples' real postViews are in the mix
