"""The `feedtools timeline` command: outputs, extra columns, summary line, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl
import pytest
from conftest import SEED, write_feed

from feedtools.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)


def test_timeline_seed_outputs(tmp_path):
    out, events = tmp_path / "posts.parquet", tmp_path / "events.csv"
    r = run(
        "timeline",
        str(SEED),
        "-o",
        str(out),
        "--events",
        str(events),
        "--contradictions",
        str(tmp_path / "c.csv"),
        "--evidence",
        str(tmp_path / "e.jsonl"),
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == (
        "80 posts: 0 by timestamp, 26 by evidence, 54 by neighbours, 0 unknown; "
        "median window 28 days; 7 events; 1 contradictions"
    )
    posts = pl.read_parquet(out)
    assert posts.height == 80
    assert posts.columns[-5:] == ["date_min", "date_max", "date_est", "date_source", "event_id"]
    assert posts.filter(pl.col("position") == 24)["date_min"].cast(pl.String).to_list() == ["2025-05-03"]
    ev = pl.read_csv(events)
    assert ev.height == 7 and "Town Hall" in " ".join(ev["label"])
    assert pl.read_csv(tmp_path / "c.csv")["position"].to_list() == [23]
    assert pl.read_ndjson(tmp_path / "e.jsonl").height > 40


def test_timeline_year_hint_and_csv(tmp_path):
    path = write_feed(tmp_path, "Org\nbio\n- Applications are open until October 5th!\n- No clue here\n")
    out = tmp_path / "p.csv"
    assert main(["timeline", str(path), "-o", str(out)]) == 0
    assert pl.read_csv(out)["date_max"].null_count() == 2  # no year anywhere: nothing invented
    assert main(["timeline", str(path), "-o", str(out), "--year-hint", "2024"]) == 0
    assert pl.read_csv(out)["date_max"].cast(pl.String).to_list() == ["2024-10-05", "2024-10-05"]


@pytest.mark.parametrize(
    "extra, needle, code",
    [
        (["--tz", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'", 2),
        (["--calendar", "BAD"], "obs.csv, line 2: date '13-45' is not a valid MM-DD", 1),
        (["--calendar", "MISSING"], "No such file or directory", 1),
        (["--events", "events.xlsx"], "unknown output type '.xlsx'", 2),
    ],
)
def test_timeline_errors_are_one_line(tmp_path, extra, needle, code):
    bad = tmp_path / "obs.csv"
    bad.write_text("key,date,hashtags,names,notes\nX,13-45,X,,\n", encoding="utf-8")
    extra = [
        str(bad)
        if a == "BAD"
        else str(tmp_path / "nope.csv")
        if a == "MISSING"
        else str(tmp_path / a)
        if a.endswith(".xlsx")
        else a
        for a in extra
    ]
    r = run("timeline", str(SEED), "-o", str(tmp_path / "p.parquet"), *extra)
    assert r.returncode == code
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("feedtools: error:") and needle in lines[0], r.stderr


def test_timeline_bad_arguments_exit_2(tmp_path):
    r = run("timeline", str(SEED), "-o", str(tmp_path / "p.parquet"), "--capture-date", "2025-13-01")
    assert r.returncode == 2 and "not a date" in r.stderr


def test_timeline_unreadable_input(tmp_path):
    path = write_feed(tmp_path, b"", name="empty.txt")
    r = run("timeline", str(path), "-o", str(tmp_path / "p.parquet"))
    assert r.returncode == 1 and r.stderr.startswith("feedtools: error:")


def test_timeline_help_lists_options():
    r = run("timeline", "--help")
    for opt in ("--events", "--calendar", "--tz", "--year-hint", "--capture-date", "--hide-timestamps", "--format"):
        assert opt in r.stdout
