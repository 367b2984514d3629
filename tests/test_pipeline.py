"""The streaming parse (feedtools parse) writes the same table as the in-memory load; progress on a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import polars as pl
import pytest
from conftest import SEED, write_feed
from polars.testing import assert_frame_equal

import feedtools
from feedtools.clean import duplicate_keys, mark_duplicates, resolve_duplicates
from feedtools.pipeline import enrich, parse_to_file, summary_line
from feedtools.readers import read_raw

EXE = os.path.join(os.path.dirname(sys.executable), "feedtools")


@pytest.mark.parametrize("batch_rows", [7, 1000])
def test_streaming_parse_equals_in_memory_load(tmp_path, batch_rows):
    """Slices of 7 rows put duplicates in other slices than their first copy: still found."""
    feed = feedtools.load(SEED)
    out = tmp_path / "posts.parquet"
    res = parse_to_file(SEED, out, batch_rows=batch_rows)
    assert_frame_equal(pl.read_parquet(out), feed.posts)
    assert summary_line(res) == summary_line(feed)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # temporary slices removed


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_streaming_text_outputs_equal_write_table(tmp_path, suffix):
    from feedtools.export import write_table

    parse_to_file(SEED, tmp_path / f"stream{suffix}", batch_rows=9)
    write_table(feedtools.read(SEED), tmp_path / f"memory{suffix}")
    assert (tmp_path / f"stream{suffix}").read_bytes() == (tmp_path / f"memory{suffix}").read_bytes()


def test_duplicates_across_batches_from_keys():
    posts = enrich(read_raw(SEED).posts)
    keys = pl.concat([duplicate_keys(posts.slice(i, 10)) for i in range(0, posts.height, 10)])
    found = resolve_duplicates(keys)
    whole = mark_duplicates(posts)
    assert found["duplicate_of"].to_list() == whole["duplicate_of"].to_list()
    assert found["duplicate_kind"].to_list() == whole["duplicate_kind"].to_list()
    assert found["duplicate_of"].drop_nulls().len() == 1  # the seed's one exact repeat


def test_normalised_duplicate_found_in_a_later_batch(tmp_path):
    text = "Name\nBio\n- Hello World, again!\n- other post\n- hello world again\n- HELLO   WORLD AGAIN\n"
    out = tmp_path / "p.parquet"
    parse_to_file(write_feed(tmp_path, text), out, batch_rows=1)
    got = pl.read_parquet(out)
    assert got["duplicate_of"].to_list() == [None, None, 0, 0]
    assert got["duplicate_kind"].to_list() == [None, None, "normalised", "normalised"]


def test_unknown_output_suffix_fails_before_reading(tmp_path):
    with pytest.raises(ValueError, match="unknown output type"):
        parse_to_file(tmp_path / "missing.txt", tmp_path / "out.xlsx")


def _run_on_terminal(*args: str) -> tuple[int, str]:
    """Run the command with stderr on a pseudo-terminal (as in an interactive shell); return code and stderr."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.Popen([EXE, *args], stdout=subprocess.DEVNULL, stderr=child, env=env)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", errors="replace")


def test_progress_bar_on_a_terminal_only(tmp_path):
    summary = "82 lines, 51 posts, 29 reposts, 14 placeholders, 1 duplicates, 0 rejected; no rejects"
    code, err = _run_on_terminal("parse", str(SEED), "-o", str(tmp_path / "a.parquet"))
    assert code == 0
    assert "posts/s" in err and "80" in err  # count and rate
    assert err.replace("\r", "\n").strip().splitlines()[-1].strip() == summary  # the summary stays last
    code, err = _run_on_terminal("parse", str(SEED), "-o", str(tmp_path / "b.parquet"), "--quiet")
    assert code == 0 and err.strip() == summary
    piped = subprocess.run([EXE, "parse", str(SEED), "-o", str(tmp_path / "c.parquet")], capture_output=True,
                           text=True, timeout=300)
    assert piped.returncode == 0 and piped.stderr.strip() == summary  # not a terminal: no bar


def test_language_workers_give_the_same_answers(monkeypatch):
    from feedtools import language

    posts = read_raw(SEED).posts
    texts = [t for t in posts["text"].to_list() if t] * 3
    monkeypatch.setattr(language, "PARALLEL_MIN_TEXTS", 1)
    assert language.detect(texts, workers=2) == language.detect(texts, workers=1)


def test_load_progress_bar_only_when_asked_or_big(capsys, seed_path):
    import feedtools

    feedtools.load(seed_path)  # default: not in a notebook, and a small feed: quiet
    assert capsys.readouterr().err == ""
    feed = feedtools.load(seed_path, progress=True)
    err = capsys.readouterr().err
    assert "enriching 000_802a2c4cd511184e.txt" in err and "80" in err
    assert feed.posts.height == 80
