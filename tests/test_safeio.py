"""feedtools.safeio: whole outputs or none, output paths checked against inputs, terminal-safe messages."""

from __future__ import annotations

import errno
import os
import threading

import pytest

from feedtools.safeio import (
    UsageError,
    atomic_open,
    atomic_path,
    atomic_write_text,
    check_outputs,
    default_rejects_path,
    describe_oserror,
    same_file,
    staged_folder,
    terminal_safe,
)


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


@pytest.mark.parametrize("exc", [RuntimeError("disk full"), KeyboardInterrupt(), SystemExit(143)])
def test_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path, exc):
    target = tmp_path / "out.csv"
    target.write_text("old complete content\n")
    with pytest.raises(type(exc)), atomic_open(target, "w") as fh:
        fh.write("new half")
        raise exc
    assert target.read_text() == "old complete content\n"
    assert _leftovers(tmp_path) == []


def test_temporary_file_sits_beside_the_target_with_a_recognisable_name(tmp_path):
    target = tmp_path / "posts.parquet"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".posts.parquet.tmp-")
        assert not target.exists()  # nothing under the final name until complete
        tmp.write_bytes(b"data")
    assert target.read_bytes() == b"data" and _leftovers(tmp_path) == []
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())  # usual permissions, not mkstemp's 0600


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_library_that_makes_a_folder_at_the_temporary_path_is_cleaned_up(tmp_path):
    target = tmp_path / "t.parquet"
    with pytest.raises(ValueError), atomic_path(target) as tmp:
        tmp.unlink()
        tmp.mkdir()
        (tmp / "part-0").write_text("x")
        raise ValueError("boom")
    assert list(tmp_path.iterdir()) == []


def test_concurrent_writers_never_mix(tmp_path):
    target = tmp_path / "out.txt"
    contents = {name: (name * 200_000) for name in "ab"}
    barrier = threading.Barrier(2)

    def write(name):
        with atomic_open(target, "w") as fh:
            for i in range(0, len(contents[name]), 10_000):
                fh.write(contents[name][i : i + 10_000])
                if i == 0:
                    barrier.wait()  # both are half-way through writing at the same time

    threads = [threading.Thread(target=write, args=(n,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert target.read_text() in contents.values()  # one whole content, the last renamed
    assert _leftovers(tmp_path) == []


def test_check_outputs_refuses_inputs_through_links(tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text("x")
    (tmp_path / "sym.csv").symlink_to(feed)
    os.link(feed, tmp_path / "hard.csv")
    sub = tmp_path / "sub"
    sub.mkdir()
    for out in (feed, tmp_path / "sym.csv", tmp_path / "hard.csv", sub / ".." / "feed.csv"):
        with pytest.raises(UsageError, match="refusing to overwrite"):
            check_outputs([feed], [("-o", out, (".csv",))])
    check_outputs([feed], [("-o", tmp_path / "new.csv", (".csv",))])  # a new file is fine
    assert feed.read_text() == "x"


def test_check_outputs_suffix_folder_and_duplicates(tmp_path):
    with pytest.raises(UsageError, match=r"--posts: unknown output type '.xlsx' for p.xlsx; use one of .csv"):
        check_outputs([], [("--posts", tmp_path / "p.xlsx", (".csv",))])
    with pytest.raises(UsageError, match="is a folder"):
        check_outputs([], [("-o", tmp_path, ())])
    with pytest.raises(UsageError, match="-o and --posts both name"):
        check_outputs([], [("-o", tmp_path / "a.csv", ()), ("--posts", tmp_path / "a.csv", ())])
    check_outputs([None], [("-o", None, (".csv",))])  # options not given are skipped


def test_same_file_for_missing_paths(tmp_path):
    assert same_file(tmp_path / "a" / ".." / "x", tmp_path / "x")
    assert not same_file(tmp_path / "x", tmp_path / "y")


@pytest.mark.parametrize(
    "output, rejects",
    [
        ("posts.parquet", "posts.rejects.csv"),
        ("run.a.csv", "run.a.rejects.csv"),
        ("posts.rejects.csv", "posts.rejects.rejects.csv"),
        ("feed.jsonl", "feed.rejects.csv"),
    ],
)
def test_default_rejects_path_drops_only_the_last_suffix(output, rejects):
    assert default_rejects_path(f"d/{output}").name == rejects


def test_terminal_safe_neutralises_escapes_and_bidi():
    text = terminal_safe("feed\x1b]0;owned\x07\x1b[31m\u202e.txt\nline2\udcff")
    assert text == "feed\\x1b]0;owned\\x07\\x1b[31m\\u202e.txt\\x0aline2\\udcff"
    assert all(ch.isprintable() for ch in text)
    assert terminal_safe("Día ✓ 東京") == "Día ✓ 東京"  # ordinary text untouched


def test_describe_oserror_never_prints_none():
    assert describe_oserror(OSError(errno.ENOSPC, "No space left on device")) == "No space left on device"
    assert describe_oserror(FileNotFoundError(errno.ENOENT, "No such file or directory", "a\x1bb")) == (
        "No such file or directory: a\\x1bb"
    )
    assert describe_oserror(OSError("something odd")) == "something odd"
    assert describe_oserror(OSError()) == "OSError"


def test_staged_folder_new_and_replacing_keeps_foreign_files(tmp_path):
    out = tmp_path / "reports"
    with staged_folder(out) as stage:
        (stage / "01_a.html").write_text("v1 a")
        (stage / "index.html").write_text("v1 index")
    assert sorted(p.name for p in out.iterdir()) == ["01_a.html", "index.html"]
    (out / "notes.txt").write_text("mine")
    with pytest.raises(RuntimeError), staged_folder(out) as stage:  # a failed build changes nothing
        (stage / "01_a.html").write_text("v2 a")
        raise RuntimeError("notebook failed")
    assert (out / "01_a.html").read_text() == "v1 a" and (out / "index.html").read_text() == "v1 index"
    with staged_folder(out, last=["index.html"]) as stage:
        (stage / "01_a.html").write_text("v2 a")
        (stage / "index.html").write_text("v2 index")
    assert (out / "01_a.html").read_text() == "v2 a" and (out / "index.html").read_text() == "v2 index"
    assert (out / "notes.txt").read_text() == "mine"  # never deletes what it did not write
    assert _leftovers(tmp_path) == [] and _leftovers(out) == []


def test_atomic_write_text(tmp_path):
    atomic_write_text(tmp_path / "a" / "b.txt", "héllo")
    assert (tmp_path / "a" / "b.txt").read_text(encoding="utf-8") == "héllo"


def test_check_suffix_is_the_one_output_suffix_check(tmp_path):
    import polars as pl
    from conftest import SEED

    from feedtools.export import write_table
    from feedtools.pipeline import parse_to_file
    from feedtools.safeio import check_suffix

    assert check_suffix(tmp_path / "T.CSV", (".csv", ".parquet")) == ".csv"
    with pytest.raises(UsageError, match=r"^-o: unknown output type '.xlsx' for t.xlsx; use one of .csv, .parquet$"):
        check_suffix(tmp_path / "t.xlsx", (".csv", ".parquet"), option="-o")
    # The library's writers raise the same error (a ValueError too) before writing anything.
    for write in (lambda p: write_table(pl.DataFrame({"a": [1]}), p), lambda p: parse_to_file(SEED, p)):
        with pytest.raises(UsageError, match=r"unknown output type '.txt' for out.txt; use one of .parquet"):
            write(tmp_path / "out.txt")
    assert list(tmp_path.iterdir()) == []
