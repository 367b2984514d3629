"""The command line's error contract (feedtools.errors): bad input is one ``feedtools: error:`` line and a
non-zero exit for every command; a programming error is reported as a bug, never as bad input; ``--debug`` and
``FEEDTOOLS_DEBUG=1`` show the traceback."""

from __future__ import annotations

import errno

import pytest
from conftest import SEED

from feedtools.cli import main


def _bad_alias_table(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("campaign_id,label,lang,hashtag\nBad Id!,x,en,tag\n", encoding="utf-8")
    return path


def _bad_calendar(tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text("key,date,hashtags,names\nday,13-45,tag,Day\n", encoding="utf-8")
    return path


# One case of bad input (or bad arguments) per command that reads something; `schema` reads nothing.
CASES = {
    "parse": (lambda t: ["parse", str(t / "missing.txt"), "-o", str(t / "o.csv")], 1, "no such file"),
    "campaigns": (
        lambda t: ["campaigns", str(SEED), "-o", str(t / "c.csv"), "--aliases", str(_bad_alias_table(t))],
        1,
        "aliases.csv, line 2: campaign_id",
    ),
    "timeline": (
        lambda t: ["timeline", str(SEED), "-o", str(t / "t.csv"), "--calendar", str(_bad_calendar(t))],
        1,
        "calendar.csv, line 2: date '13-45'",
    ),
    "bench": (lambda t: ["bench", "--sizes", "lots"], 1, "bad size 'lots'"),
    "report": (
        lambda t: ["report", "--feed", str(SEED), "--notebooks", str(t / "none"), "--out", str(t / "r")],
        1,
        "notebooks folder not found",
    ),
    "fetch": (
        lambda t: ["fetch", "not a handle!", "--out", str(t / "f"), "--appview", "http://127.0.0.1:9"],
        1,
        "not a handle",
    ),
    "notebooks": (lambda t: ["notebooks", "--notebooks", str(t / "none")], 1, "notebooks folder not found"),
    "usage": (lambda t: ["parse", str(SEED), "-o", str(t / "o.txt")], 2, "unknown output type '.txt'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_and_a_non_zero_exit(case, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FEEDTOOLS_DEBUG", raising=False)
    argv, code, needle = CASES[case]
    assert main(argv(tmp_path)) == code
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("feedtools: error: ") and needle in lines[0], err
    assert "Traceback" not in err and "internal error" not in err


@pytest.mark.parametrize(
    "exc", [ValueError("a value the code did not expect"), KeyError("missing_column"), TypeError("unsupported operand")]
)
def test_a_programming_error_is_not_reported_as_bad_input(exc, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FEEDTOOLS_DEBUG", raising=False)

    def broken(*args, **kwargs):
        raise exc

    monkeypatch.setattr("feedtools.pipeline.load", broken)
    assert main(["campaigns", str(SEED), "-o", str(tmp_path / "c.csv")]) == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(
        f"feedtools: internal error (a bug in feedtools, not a problem with the input): {type(exc).__name__}: "
    )
    assert "feedtools: error:" not in err and "--debug" in lines[0]
    assert not (tmp_path / "c.csv").exists()


@pytest.mark.parametrize("how", ["flag before", "flag after", "environment"])
def test_debug_shows_the_traceback(how, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FEEDTOOLS_DEBUG", raising=False)

    def broken(*args, **kwargs):
        raise KeyError("missing_column")

    monkeypatch.setattr("feedtools.pipeline.load", broken)
    argv = ["campaigns", str(SEED), "-o", str(tmp_path / "c.csv")]
    if how == "flag before":
        argv = ["--debug", *argv]
    elif how == "flag after":
        argv = [*argv, "--debug"]
    else:
        monkeypatch.setenv("FEEDTOOLS_DEBUG", "1")
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "in broken" in err
    assert err.strip().splitlines()[-1].startswith("feedtools: internal error")


def test_debug_shows_the_traceback_of_bad_input_too(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FEEDTOOLS_DEBUG", "0")  # "0" is off
    assert main(["notebooks", "--notebooks", str(tmp_path / "none")]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert main(["notebooks", "--notebooks", str(tmp_path / "none"), "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "ReportError" in err
    assert err.strip().splitlines()[-1].startswith("feedtools: error: notebooks folder not found")


@pytest.mark.parametrize(
    "exc, line",
    [
        (OSError(errno.ENOSPC, "No space left on device"), "feedtools: error: No space left on device"),
        (OSError(errno.EACCES, "Permission denied", "/out/c.csv"), "feedtools: error: Permission denied: /out/c.csv"),
        (OSError("disk went away"), "feedtools: error: disk went away"),
    ],
)
def test_an_oserror_is_one_line_without_none(exc, line, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FEEDTOOLS_DEBUG", raising=False)

    def failing(*args, **kwargs):
        raise exc

    monkeypatch.setattr("feedtools.pipeline.load", failing)
    assert main(["timeline", str(SEED), "-o", str(tmp_path / "t.csv")]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [line] and "None" not in err


def test_the_parser_has_exactly_the_registered_commands(capsys):
    from feedtools.commands import COMMANDS

    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "{" + ",".join(COMMANDS) + "}" in out  # argparse lists the choices in registry order
    for name, summary in COMMANDS.items():
        assert " ".join(summary.split()) in out, name
