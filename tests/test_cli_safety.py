"""The command line never loses input or output: outputs checked against inputs, written whole, rejects named
from the last suffix, arguments validated (exit 2), messages on one line with no raw control characters."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time

import polars as pl
import pytest
from conftest import SEED, write_feed

from feedtools import campaigns as cp
from feedtools.cli import main
from feedtools.paths import CAMPAIGN_ALIASES, OBSERVANCES

EXE = os.path.join(os.path.dirname(sys.executable), "feedtools")


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, **kw)


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("feedtools: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture()
def feed(tmp_path):
    """A copy of the seed, plus a symlink and a hard link to it under output-like names."""
    path = tmp_path / "feed.txt"
    path.write_bytes(SEED.read_bytes())
    for suffix in (".csv", ".parquet", ".jsonl", ".gexf", ".graphml"):
        (tmp_path / f"sym{suffix}").symlink_to(path)
        os.link(path, tmp_path / f"hard{suffix}")
    return path


@pytest.mark.parametrize("link", ["sym", "hard"])
@pytest.mark.parametrize(
    "command, option, suffix",
    [
        ("parse", "-o", ".parquet"),
        ("parse", "--rejects", ".csv"),
        ("campaigns", "-o", ".csv"),
        ("campaigns", "--posts", ".jsonl"),
        ("campaigns", "--suggestions", ".csv"),
        ("campaigns", "--pairs", ".csv"),
        ("campaigns", "--network", ".gexf"),
        ("campaigns", "--network", ".graphml"),
        ("timeline", "-o", ".parquet"),
        ("timeline", "--events", ".csv"),
        ("timeline", "--evidence", ".csv"),
        ("timeline", "--contradictions", ".csv"),
    ],
)
def test_no_output_may_resolve_to_the_input(feed, capsys, command, option, suffix, link):
    before = feed.read_bytes()
    target = feed.parent / f"{link}{suffix}"
    args = [command, str(feed)]
    if option != "-o":
        args += ["-o", str(feed.parent / "main.csv")]
    args += [option, str(target)]
    assert main(args) == 2
    err = _one_error_line(capsys.readouterr().err)
    assert "refusing to overwrite" in err and option in err
    assert feed.read_bytes() == before and target.read_bytes() == before  # the input is untouched
    assert not (feed.parent / "main.csv").exists()  # refused before any work


def test_output_named_like_the_input_itself(feed, capsys):
    out = feed.with_suffix(".csv")
    os.replace(feed, out)  # a CSV-named input: parse feed.csv -o feed.csv
    before = out.read_bytes()
    assert main(["parse", str(out), "-o", str(out)]) == 2
    assert "refusing to overwrite the input file" in _one_error_line(capsys.readouterr().err)
    assert out.read_bytes() == before


def test_alias_table_and_calendar_are_inputs_too(tmp_path, capsys):
    aliases = tmp_path / "aliases.csv"
    aliases.write_bytes(CAMPAIGN_ALIASES.read_bytes())
    assert (
        main(
            [
                "campaigns",
                str(SEED),
                "-o",
                str(tmp_path / "c.csv"),
                "--aliases",
                str(aliases),
                "--suggestions",
                str(aliases),
            ]
        )
        == 2
    )
    assert aliases.read_bytes() == CAMPAIGN_ALIASES.read_bytes()
    calendar = tmp_path / "obs.csv"
    calendar.write_bytes(OBSERVANCES.read_bytes())
    assert (
        main(
            [
                "timeline",
                str(SEED),
                "-o",
                str(tmp_path / "t.csv"),
                "--calendar",
                str(calendar),
                "--events",
                str(calendar),
            ]
        )
        == 2
    )
    assert calendar.read_bytes() == OBSERVANCES.read_bytes()
    assert main(["campaigns", str(SEED), "-o", str(CAMPAIGN_ALIASES)]) == 2  # the shipped table by default
    assert capsys.readouterr().err.count("refusing to overwrite") == 3


def test_two_options_naming_one_file(tmp_path, capsys):
    assert main(["campaigns", str(SEED), "-o", str(tmp_path / "x.csv"), "--posts", str(tmp_path / "x.csv")]) == 2
    assert "-o/--output and --posts both name" in _one_error_line(capsys.readouterr().err)


def _feed_with_rejects(tmp_path, name="bad.txt"):
    data = SEED.read_bytes().split(b"\n")
    data.insert(5, b"garbage\x00\x01 line")
    return write_feed(tmp_path, b"\n".join(data), name=name)


def test_rejects_named_from_the_last_suffix_and_never_shared(tmp_path, capsys):
    bad = _feed_with_rejects(tmp_path)
    for name in ("run.a.csv", "run.b.csv"):
        assert main(["parse", str(bad), "-o", str(tmp_path / name)]) == 0
    assert pl.read_csv(tmp_path / "run.a.rejects.csv")["line"].to_list() == [6]
    assert pl.read_csv(tmp_path / "run.b.rejects.csv")["line"].to_list() == [6]
    assert not (tmp_path / "run.rejects.csv").exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith(f"1 rejected; rejects in {tmp_path / 'run.b.rejects.csv'}")


def test_output_named_like_a_rejects_file_is_not_clobbered(tmp_path):
    bad = _feed_with_rejects(tmp_path)
    out = tmp_path / "posts.rejects.csv"
    assert main(["parse", str(bad), "-o", str(out)]) == 0
    assert pl.read_csv(out).height == 80  # the table, not an empty rejects file
    assert pl.read_csv(tmp_path / "posts.rejects.rejects.csv")["line"].to_list() == [6]


def test_default_rejects_never_replace_the_input(tmp_path, capsys):
    feed = _feed_with_rejects(tmp_path, name="feed.rejects.csv")
    before = feed.read_bytes()
    assert main(["parse", str(feed), "-o", str(tmp_path / "feed.parquet")]) == 2
    err = _one_error_line(capsys.readouterr().err)
    assert "default rejects file" in err and "--rejects" in err
    assert feed.read_bytes() == before
    assert main(["parse", str(feed), "-o", str(tmp_path / "feed.parquet"), "--rejects", str(tmp_path / "r.csv")]) == 0
    assert feed.read_bytes() == before and pl.read_csv(tmp_path / "r.csv").height == 1


def test_no_rejects_no_file_and_the_summary_says_so(tmp_path, capsys):
    assert main(["parse", str(SEED), "-o", str(tmp_path / "p.csv")]) == 0
    assert capsys.readouterr().err.strip().endswith("0 rejected; no rejects")
    assert not (tmp_path / "p.rejects.csv").exists()
    assert main(["parse", str(SEED), "-o", str(tmp_path / "q.csv"), "--rejects", str(tmp_path / "r.csv")]) == 0
    assert pl.read_csv(tmp_path / "r.csv").height == 0  # asked for by name: written, header only
    assert capsys.readouterr().err.strip().endswith(f"rejects in {tmp_path / 'r.csv'}")


@pytest.mark.parametrize(
    "args, needle",
    [
        (["timeline", "--year-hint", "9223372036854775807"], "argument --year-hint: year 9223372036854775807 out of"),
        (["timeline", "--year-hint", "0"], "out of range"),
        (["timeline", "--year-hint", "soon"], "not a year"),
        (["timeline", "--tz", "posix/UTC"], "argument --tz: unknown time zone 'posix/UTC'"),
        (["timeline", "--tz", "Mars/Olympus"], "unknown time zone"),
        (["parse", "-o", "{tmp}/out.xlsx"], "unknown output type '.xlsx'"),
        (["campaigns", "--network", "{tmp}/n.json"], "--network: unknown output type '.json'"),
        (["campaigns", "--max-tags-per-post", "0"], "must be at least 1"),
        (["campaigns", "--max-suggestions", "many"], "not a whole number"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path, args, needle):
    command, *rest = args
    rest = [a.format(tmp=tmp_path) for a in rest]
    out = [] if "-o" in rest else ["-o", str(tmp_path / "o.csv")]
    r = run(command, str(SEED), *out, *rest)
    assert r.returncode == 2, r.stderr
    assert needle in _one_error_line(r.stderr)
    assert not (tmp_path / "o.csv").exists()


def test_oserror_without_a_file_name_never_says_none(tmp_path, capsys, monkeypatch):
    import feedtools.cli_analyses  # where the campaigns command looks write_table up

    def full(df, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(feedtools.cli_analyses, "write_table", full)
    assert main(["campaigns", str(SEED), "-o", str(tmp_path / "c.csv")]) == 1
    assert _one_error_line(capsys.readouterr().err) == "feedtools: error: No space left on device"


def test_escape_sequences_in_file_names_never_reach_the_terminal(tmp_path):
    evil = "feed\x1b]0;pwned\x07\x1b[2J\u202e"
    r = run("parse", str(tmp_path / evil), "-o", str(tmp_path / "o.csv"))  # missing input
    assert r.returncode == 1
    line = _one_error_line(r.stderr)
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr and "\u202e" not in r.stderr
    assert "feed\\x1b]0;pwned\\x07\\x1b[2J\\u202e" in line
    r = run("parse", str(SEED), "-o", str(tmp_path / f"{evil}.xlsx"))  # bad suffix
    assert r.returncode == 2 and "\x1b" not in r.stderr
    r = run("campaigns", str(SEED), "-o", str(tmp_path / "c.csv"), "--aliases", str(tmp_path / f"{evil}.csv"))
    assert r.returncode == 1 and "\x1b" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    bad = _feed_with_rejects(tmp_path)  # a rejects path with an escape, in the summary line
    r = run("parse", str(bad), "-o", str(tmp_path / f"{evil}.csv"))
    assert r.returncode == 0 and "\x1b" not in r.stderr and "rejects in" in r.stderr


def test_cap_defaults_in_the_help_match_the_package():
    r = run("campaigns", "--help")
    flat = " ".join(r.stdout.split())
    assert f"(default {cp.MAX_TAGS_PER_POST};" in flat and f"(default {cp.MAX_SUGGESTIONS};" in flat


# --- whole outputs: interrupted, killed and concurrent runs ------------------------------------------------------


def _big_scrape(tmp_path, items=60_000, tag=""):
    """A profile scrape of distinct posts, big enough that parse runs for a few seconds."""
    lines = ["Big Org", "Bio"] + [f"- Post number {i} {tag} about local governments #Tag{i % 50}" for i in range(items)]
    return write_feed(tmp_path, "\n".join(lines) + "\n", name=f"big{tag}.txt")


def _wait_for_temporary(folder, proc, timeout=120):
    """Wait until the run has started writing (its temporary slices appear next to the output)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if any(".tmp-" in p.name for p in folder.iterdir()):
            return True
        time.sleep(0.02)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_killed_parse_leaves_the_old_output_whole(tmp_path, sig):
    feed = _big_scrape(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "posts.parquet"
    assert main(["parse", str(SEED), "-o", str(out)]) == 0
    old = out.read_bytes()
    proc = subprocess.Popen([EXE, "parse", str(feed), "-o", str(out), "--quiet"], stderr=subprocess.PIPE, text=True)
    assert _wait_for_temporary(out_dir, proc), "the run ended before it could be interrupted"
    time.sleep(0.3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert out.read_bytes() == old and pl.read_parquet(out).height == 80  # the earlier output, whole
    left = [p.name for p in out_dir.iterdir() if p.name != "posts.parquet"]
    if sig == signal.SIGKILL:  # nothing can clean up after SIGKILL: leftovers are hidden and recognisable
        assert all(n.startswith(".posts.parquet.tmp-") for n in left), left
    else:
        assert left == [], left
        assert proc.returncode == (143 if sig == signal.SIGTERM else 130)
        assert "Traceback" not in err


@pytest.mark.slow
def test_two_runs_on_one_output_never_mix(tmp_path):
    a, b = _big_scrape(tmp_path, 20_000, "alpha"), _big_scrape(tmp_path, 20_000, "beta")
    out = tmp_path / "posts.csv"
    procs = [
        subprocess.Popen([EXE, "parse", str(f), "-o", str(out), "--quiet"], stderr=subprocess.DEVNULL) for f in (a, b)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    texts = pl.read_csv(out)["text"]
    assert texts.len() == 20_000
    assert texts.str.contains("alpha").all() or texts.str.contains("beta").all()
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_output_names_with_glob_characters(tmp_path, suffix):
    out = tmp_path / f"posts[1]*?{suffix}"  # the temporary slices' folder is named after the output
    r = run("parse", str(SEED), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert (pl.read_parquet(out, glob=False) if suffix == ".parquet" else pl.read_csv(out, glob=False)).height == 80
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]
