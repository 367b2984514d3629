"""Opening inputs: pipes and stdin read once (nothing lost to detection), devices and directories refused,
file names neutralised in messages (issue 12)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import write_feed

from feedtools.readers import FORMATS, FeedError, detect_format, read_raw

EXE = os.path.join(os.path.dirname(sys.executable), "feedtools")
A = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"


def big_jetstream(tmp_path: Path, n: int = 600) -> Path:
    """A Jetstream capture well over the 64 KiB detection head: ``n`` post creates, padded texts."""
    lines = []
    for i in range(n):
        record = {"$type": "app.bsky.feed.post", "text": f"post {i} " + "x" * 150, "createdAt": "2025-07-04T03:33:20Z"}
        lines.append(
            json.dumps(
                {
                    "did": A,
                    "time_us": 1_751_600_000_000_000 + i,
                    "kind": "commit",
                    "commit": {
                        "rev": "3l",
                        "operation": "create",
                        "collection": "app.bsky.feed.post",
                        "rkey": f"3lpost{i:05d}",
                        "record": record,
                        "cid": "bafy",
                    },
                }
            )
        )
    path = write_feed(tmp_path, "\n".join(lines) + "\n", name="big.jsonl")
    assert path.stat().st_size > 65536 + 20_000
    return path


def run(*args, stdin=None, input_bytes=None, env=None, timeout=120, shell=False):
    cmd = args[0] if shell else [EXE, *args]
    return subprocess.run(
        cmd,
        input=input_bytes,
        stdin=stdin,
        capture_output=True,
        timeout=timeout,
        shell=shell,
        env={**os.environ, **(env or {})},
        executable="/bin/bash" if shell else None,
    )


@pytest.mark.parametrize("name", ["/dev/stdin", "-"])
def test_pipe_on_stdin_loses_nothing(tmp_path, name):
    src = big_jetstream(tmp_path)
    out = tmp_path / "o.jsonl"
    r = run("parse", name, "-o", str(out), input_bytes=src.read_bytes())
    assert r.returncode == 0, r.stderr
    assert r.stderr.decode().strip().splitlines()[-1].startswith("600 records, 600 posts,")
    assert len(out.read_text().splitlines()) == 600


def test_process_substitution_and_real_capture(tmp_path, samples):
    src = samples / "jetstream_expected_v1.jsonl"
    out = tmp_path / "o.parquet"
    r = run(f"{EXE} parse <(cat '{src}') -o '{out}'", shell=True)
    assert r.returncode == 0, r.stderr
    assert r.stderr.decode().strip().splitlines()[-1] == (
        "152 records, 17 posts, 15 reposts, 15 placeholders, 0 duplicates, 0 rejected, 120 skipped; no rejects"
    )


def test_api_reads_stdin_once_with_its_facts(tmp_path):
    src = big_jetstream(tmp_path, 400)
    code = (
        "import feedtools, json; f = feedtools.load('-'); "
        "print(json.dumps([f.posts.height, f.stats['records'], f.meta['source'], f.meta['size_bytes'], "
        "f.meta['sha256']]))"
    )
    r = subprocess.run([sys.executable, "-c", code], input=src.read_bytes(), capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    import hashlib

    assert json.loads(r.stdout) == [400, 400, "stdin", src.stat().st_size, hashlib.sha256(src.read_bytes()).hexdigest()]


def test_named_fifo_with_a_writer_is_read_whole(tmp_path):
    src = big_jetstream(tmp_path, 300)
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)

    def writer():
        time.sleep(0.5)
        with open(fifo, "wb") as f:
            for i in range(0, len(data := src.read_bytes()), 10_000):
                f.write(data[i : i + 10_000])
                time.sleep(0.01)

    t = threading.Thread(target=writer)
    t.start()
    r = read_raw(fifo)
    t.join()
    assert r.stats["records"] == r.stats["posts"] == 300
    assert r.meta["source"] == "feed.fifo" and r.meta["spooled_from"] == "fifo"


def test_fifo_without_a_writer_is_refused_in_time(tmp_path, monkeypatch):
    fifo = tmp_path / "nobody.fifo"
    os.mkfifo(fifo)
    monkeypatch.setenv("FEEDTOOLS_FIFO_WAIT", "0.5")
    t0 = time.monotonic()
    with pytest.raises(FeedError, match="no writer opened within 0.5 s"):
        read_raw(fifo, "jetstream")
    assert time.monotonic() - t0 < 5
    r = run("parse", str(fifo), "-o", str(tmp_path / "o.parquet"), env={"FEEDTOOLS_FIFO_WAIT": "0.5"}, timeout=30)
    assert r.returncode == 1 and len(r.stderr.decode().strip().splitlines()) == 1


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_devices_are_refused_even_with_a_forced_format(tmp_path, device):
    with pytest.raises(FeedError, match="character device"):
        read_raw(device, "jetstream")
    with pytest.raises(FeedError, match="character device"):
        detect_format(device)
    r = run("parse", device, "--format", "scrape", "-o", str(tmp_path / "o.parquet"), timeout=60)
    assert r.returncode == 1
    assert (
        r.stderr.decode().strip() == f"feedtools: error: {Path(device).name}: a character device, not a feed file "
        "(it may never end)"
    )


def test_devices_and_terminals_on_stdin_are_refused(tmp_path):
    with open("/dev/zero", "rb") as zero:
        r = run("parse", "-", "-o", str(tmp_path / "o.parquet"), stdin=zero, timeout=60)
    assert r.returncode == 1 and b"device" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    master, slave = pty.openpty()
    try:
        r = run("parse", "-", "-o", str(tmp_path / "o.parquet"), stdin=slave, timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    assert r.returncode == 1 and b"terminal" in r.stderr


@pytest.mark.parametrize("fmt", ["auto", *FORMATS])
def test_directory_and_missing_path_raise_feed_error_in_the_api(tmp_path, fmt):
    with pytest.raises(FeedError, match="is a directory"):
        read_raw(tmp_path, fmt)
    with pytest.raises(FeedError, match="no such file"):
        read_raw(tmp_path / "missing.json", fmt)


def test_unreadable_file_is_a_feed_error(tmp_path):
    path = write_feed(tmp_path, "Name\n- a post\n", name="locked.txt")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file")
        with pytest.raises(FeedError, match="locked.txt"):
            read_raw(path, "scrape")
    finally:
        path.chmod(0o644)


def test_escape_sequences_in_file_names_never_reach_the_terminal(tmp_path):
    from feedtools.readers.base import neutralise

    name = "evil\x1b[2J\x1b]0;pwned\x07\u202eosj.json"
    assert neutralise(name) == "evil\\x1b[2J\\x1b]0;pwned\\x07\\u202eosj.json"
    with pytest.raises(FeedError) as err:
        read_raw(tmp_path / name)
    assert "\x1b" not in str(err.value) and "\\x1b[2J" in str(err.value)
    bad = write_feed(tmp_path, b"\x89PNG\r\n\x1a\n....", name=name)
    for args in (["parse", str(tmp_path / ("x" + name))], ["parse", str(bad)], ["parse", str(bad), "--format", "car"]):
        r = run(*args, "-o", str(tmp_path / "o.parquet"))
        assert r.returncode == 1
        assert b"\x1b" not in r.stderr and b"\x07" not in r.stderr and "\u202e".encode() not in r.stderr
        assert b"\\x1b[2J" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_every_registered_reader_satisfies_the_reader_protocol():
    from feedtools.readers import FORMATS, Reader, reader_for

    for fmt in FORMATS:
        module = reader_for(fmt)
        assert isinstance(module, Reader), fmt
        assert module.FORMAT == fmt
        assert module.sniff(b"") is False


def test_hash_soon_gives_the_file_sha256_or_its_error(tmp_path, monkeypatch):
    """The SHA-256 hashed in a thread while the input is read is the file's; an error hashing it is raised where
    the digest is asked for; a folder or a pipe gets none this way."""
    import hashlib

    from feedtools.readers import base
    from feedtools.readers.inputs import hash_soon

    path = tmp_path / "f.jsonl"
    path.write_bytes(b"x" * 3_000_000)
    digest = hash_soon(path)
    assert digest is not None and digest() == hashlib.sha256(path.read_bytes()).hexdigest() == digest()
    assert hash_soon(tmp_path) is None
    assert hash_soon(tmp_path / "missing") is None

    def fail(p):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(base, "file_sha256", fail)
    broken = hash_soon(path)
    assert broken is not None
    with pytest.raises(OSError, match="Input/output"):
        broken()
