"""A JSON Lines Jetstream capture read by byte ranges in several processes (feedtools.rangeparse) gives the table,
counts and rejects of reading it in one process."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from test_readers_jetstream_batch import HOSTILE, LIKE, POST

from feedtools import rangeparse, streamparse
from feedtools.pipeline import parse_to_file
from feedtools.readers import FeedError
from feedtools.readers.jetstream import LineRange, read_batches
from feedtools.schema import empty_rejects

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "bluesky-samples"


def _update(line: bytes) -> bytes:
    return line.replace(b'"operation":"create"', b'"operation":"update"')


def _capture() -> bytes:
    """A capture with hostile lines, a BOM, CRLF, blank lines, real events when present, and posts read again
    (as the same event and as an edit) far apart, so that the copies fall in other ranges."""
    lines = [LIKE, POST % b"early", *HOSTILE, _update(POST % b"edited"), LIKE + b"\r", b""]
    real = SAMPLES / "jetstream_expected_v1.jsonl"
    if real.exists():
        lines += real.read_bytes().splitlines()
    lines += [LIKE] * 40 + [POST % b"early", _update(POST % b"early"), POST % b"edited", _update(POST % b"late")]
    return b"\xef\xbb\xbf" + b"\n".join(lines)  # no newline at the end


def test_line_ranges_cover_the_file_at_line_ends(tmp_path):
    data = b"a\n\nbb\n" + b"x" * 300 + b"\n" + b"ccc\n" * 20 + b"tail"
    path = tmp_path / "f.jsonl"
    path.write_bytes(data)
    for size in (1, 2, 7, 50, 299, 5000):
        ranges = list(rangeparse.line_ranges(path, size))
        assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
        for (start, end, first_line), nxt in zip(ranges, [*ranges[1:], None], strict=True):
            assert start < end and (end == len(data) or data[end - 1 : end] == b"\n")
            assert first_line == data[:start].count(b"\n")
            assert nxt is None or nxt[0] == end
        assert len(data) > size or len(ranges) == 1


def test_ranges_read_as_the_whole_file(tmp_path):
    """Every range's rows, rejects and counts, put together, are the whole file's (no post repeated across
    ranges here), whatever the range size: a range never cuts a line, and its lines keep the file's numbers."""
    path = tmp_path / "c.jsonl"
    lines = list(dict.fromkeys(HOSTILE))  # each once: the repeated post of HOSTILE is the caller's to skip
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join([LIKE, *lines, LIKE]) + b"\n")
    whole = list(read_batches(path))
    for size in (100, 1000, 4000):
        parts = [b for span in rangeparse.line_ranges(path, size) for b in LineRange(path, *span)]
        rejects = pl.concat([b.rejects for b in parts])
        assert_frame_equal(rejects, pl.concat([b.rejects for b in whole]))
        rows = pl.concat([b.posts for b in parts]).drop("position")
        assert_frame_equal(rows, pl.concat([b.posts for b in whole]).drop("position"))
        assert sum((Counter(b.stats) for b in parts), Counter()) == sum((Counter(b.stats) for b in whole), Counter())


def test_ranges_cut_anywhere_read_as_the_whole_file(tmp_path):
    """Byte ranges planned without reading the file (a Spark task's): each holds the lines that *start* in it,
    numbered from 1, and how many lines it holds, so that the ranges together are the whole file's rows, rejects
    and counts, every line in exactly one range and the file's line numbers recovered by adding the lines
    before. Cuts fall inside lines, on line ends, inside the BOM, and past a line longer than a range."""
    path = tmp_path / "c.jsonl"
    lines = [*dict.fromkeys(HOSTILE), LIKE + b" " * 70_000, b"", LIKE + b"\r"]  # a line longer than a read block
    data = b"\xef\xbb\xbf" + b"\n".join([LIKE, *lines, POST % b"last"])  # no newline at the end
    path.write_bytes(data)
    whole = list(read_batches(path))
    n_lines = data.count(b"\n") + 1
    for cut in (97, 250, 1000, 40_000, 100_000, len(data) - 1):
        bounds = sorted({0, 1, 2, *range(cut, len(data), cut), len(data)})  # 1, 2: inside the BOM
        ranges = [LineRange.starting_in(path, a, b) for a, b in pairwise(bounds)]
        rejects, rows, stats, before = [], [], Counter[str](), 0
        for r in ranges:
            for batch in r:
                lines_of = batch.rejects["line"]
                assert lines_of.is_null().all() or (1 <= lines_of.min() and lines_of.max() <= r.lines)
                rejects.append(batch.rejects.with_columns(pl.col("line") + before))
                rows.append(batch.posts.drop("position", "source_line", "source_location"))
                stats.update(batch.stats)
            before += r.lines
        assert before == n_lines
        expected = pl.concat([b.rejects for b in whole])
        assert_frame_equal(pl.concat(rejects).drop("location"), expected.drop("location"))
        whole_rows = pl.concat([b.posts for b in whole]).drop("position", "source_line", "source_location")
        assert_frame_equal(pl.concat(rows), whole_rows)
        assert stats == sum((Counter(b.stats) for b in whole), Counter())


@pytest.mark.parametrize("range_bytes", [700, 5000])
def test_parse_by_ranges_gives_the_one_process_table(tmp_path, monkeypatch, range_bytes):
    """The table (every column, positions and duplicates included), the counts and the rejects are those of one
    process, with posts repeated or edited in later ranges skipped as the one-process reader skips them."""
    path = tmp_path / "capture.jsonl"
    path.write_bytes(_capture())
    one = parse_to_file(path, tmp_path / "one.parquet", workers=1)  # below MIN_BYTES: read as one batch
    monkeypatch.setattr(rangeparse, "MIN_BYTES", 0)
    monkeypatch.setattr(rangeparse, "RANGE_BYTES", range_bytes)
    calls = []
    monkeypatch.setattr(
        streamparse, "range_batches", lambda *a, **k: calls.append(1) or rangeparse.range_batches(*a, **k)
    )
    many = parse_to_file(path, tmp_path / "many.parquet", workers=2)
    assert calls, "the capture was not read by ranges"
    assert len(list(rangeparse.line_ranges(path, range_bytes))) > 3
    assert_frame_equal(pl.read_parquet(tmp_path / "many.parquet"), pl.read_parquet(tmp_path / "one.parquet"))
    alone = parse_to_file(path, tmp_path / "alone.parquet", workers=1)  # by ranges, in this process only
    assert (tmp_path / "alone.parquet").read_bytes() == (tmp_path / "many.parquet").read_bytes()
    assert alone.stats == many.stats and len(calls) == 2
    assert dict(many.stats) == dict(one.stats) and many.rejects.equals(one.rejects)
    assert (many.rows, many.reposts, many.placeholders) == (one.rows, one.reposts, one.placeholders)
    assert one.stats["skipped_repeated"] >= 2 and one.stats["skipped_update"] >= 1  # what the test is about


def test_a_capture_with_nothing_readable_is_refused_as_in_one_process(tmp_path, monkeypatch):
    path = tmp_path / "junk.jsonl"
    path.write_bytes(b'{"a":1}\n' * 400)
    with pytest.raises(FeedError) as one:
        parse_to_file(path, tmp_path / "one.parquet", format="jetstream", workers=1)
    monkeypatch.setattr(rangeparse, "MIN_BYTES", 0)
    monkeypatch.setattr(rangeparse, "RANGE_BYTES", 256)
    with pytest.raises(FeedError) as many:
        parse_to_file(path, tmp_path / "many.parquet", format="jetstream", workers=2)
    assert str(many.value) == str(one.value) and "line 1" in str(one.value)
    assert not (tmp_path / "many.parquet").exists()


def _done(records: int, leading: int) -> rangeparse.RangeDone:
    rejects = pl.DataFrame(
        {"source": ["c"], "location": ["line 1"], "line": [1], "reason": ["bad"], "raw": ["x"]},
        schema=empty_rejects().schema,
    )
    return rangeparse.RangeDone([], rejects, Counter(records=records), {}, set(), leading, records)


@pytest.mark.parametrize(
    ("ranges", "refused"),
    [
        ([(2, 2), (2, 1)], True),  # the first 3 records (one batch) all rejected, over two ranges
        ([(2, 2), (2, 0)], False),  # the third is read
        ([(2, 1), (2, 2)], False),  # the second is read
        ([(1, 1), (1, 1)], True),  # fewer records than a batch, all rejected
        ([(1, 1), (1, 0)], False),
    ],
)
def test_the_first_batch_decides_across_ranges(monkeypatch, ranges, refused):
    """A capture is refused when every record of its first batch is rejected, wherever the ranges cut it."""
    from feedtools.readers import jetstream

    monkeypatch.setattr(jetstream, "BATCH_SIZE", 3)
    state = rangeparse._AcrossRanges("c")
    try:
        for records, leading in ranges:
            state.take(_done(records, leading))
        state.check_readable(final=True)
    except FeedError as e:
        assert refused and str(e) == "c: no record could be read as jetstream (line 1: bad)"
    else:
        assert not refused


def test_small_or_other_inputs_are_read_in_one_process(tmp_path):
    seed = Path(__file__).resolve().parents[1] / "data" / "raw"
    small = tmp_path / "s.jsonl"
    small.write_bytes(LIKE + b"\n")
    assert not rangeparse.reads_by_range(small, "auto")
    big = tmp_path / "b.jsonl"
    big.write_bytes((LIKE + b"\n") * (rangeparse.MIN_BYTES // len(LIKE) + 1))
    assert rangeparse.reads_by_range(big, "auto") and rangeparse.reads_by_range(big, "jetstream")
    assert not rangeparse.reads_by_range(big, "scrape")
    array = tmp_path / "a.json"
    array.write_bytes(b"[" + b",".join([LIKE] * (rangeparse.MIN_BYTES // len(LIKE) + 1)) + b"]")
    assert not rangeparse.reads_by_range(array, "auto")
    assert not any(rangeparse.reads_by_range(p, "auto") for p in seed.iterdir())


class _InstantPool:
    """A pool whose work is done by the time ``submit`` returns (its callbacks then run at once, in the thread
    adding them), or whose workers are dead (``broken``)."""

    def __init__(self, broken: bool = False) -> None:
        self.broken = broken

    def submit(self, fn, *args):
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        if self.broken:
            raise BrokenProcessPool("a worker died")
        future: Future = Future()
        future.set_result(fn(*args))
        return future


def _read_all(path: Path, tmp: Path, pool) -> list:
    import threading

    from feedtools import language

    out: list = []

    def run() -> None:
        try:
            out.extend(rangeparse.range_batches(path, languages=None, workers=2, batch_rows=50, out_dir=tmp))
        except Exception as e:  # noqa: BLE001 - checked by the caller
            out.append(e)

    original = language.worker_pool
    language.worker_pool = lambda n: pool
    try:
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(60)
        assert not thread.is_alive(), "the ranges' scheduler hung"
    finally:
        language.worker_pool = original
    return out


def test_ranges_done_at_once_or_on_a_broken_pool_neither_hang_nor_get_lost(tmp_path, monkeypatch):
    """Work a pool finishes before its callback is added runs that callback in the scheduler's own thread, under
    its lock: no deadlock, every range once and in order. A pool whose workers died ends the read with one
    WorkerError."""
    from feedtools.enrich import WorkerError

    path = tmp_path / "capture.jsonl"
    path.write_bytes(_capture())
    monkeypatch.setattr(rangeparse, "RANGE_BYTES", 900)
    out = _read_all(path, tmp_path, _InstantPool())
    assert out and not any(isinstance(x, Exception) for x in out)
    assert sum(b[2]["records"] for b in out) == len(_capture().splitlines()) - 4  # blank lines are not records
    from feedtools.slicefiles import read_slice

    positions = [p for b in out for w in b[0] for p in read_slice(w.file)["position"]]
    assert positions == list(range(len(positions))) and len(positions) == sum(w.rows for b in out for w in b[0])
    broken = _read_all(path, tmp_path / "b", _InstantPool(broken=True)) if (tmp_path / "b").mkdir() is None else []
    assert len(broken) == 1 and isinstance(broken[0], WorkerError)


def test_several_captures_by_ranges_give_the_one_process_table(tmp_path, monkeypatch):
    """Two captures parsed together, read by ranges: a post of the first capture read again in the second is
    dropped as in one process, and positions count on from one input to the next."""
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(_capture())
    second.write_bytes(b"\n".join([POST % b"early", POST % b"only-b", LIKE] * 3) + b"\n")
    one = parse_to_file([first, second], tmp_path / "one.parquet", workers=1)
    monkeypatch.setattr(rangeparse, "MIN_BYTES", 0)
    monkeypatch.setattr(rangeparse, "RANGE_BYTES", 800)
    many = parse_to_file([first, second], tmp_path / "many.parquet", workers=2)
    assert_frame_equal(pl.read_parquet(tmp_path / "many.parquet"), pl.read_parquet(tmp_path / "one.parquet"))
    assert dict(many.stats) == dict(one.stats) and many.meta["inputs"] == one.meta["inputs"]
    posts = pl.read_parquet(tmp_path / "many.parquet")
    assert posts["position"].to_list() == sorted(posts["position"].to_list())
    assert posts.filter(pl.col("post_id").str.ends_with("/only-b")).height == 1  # repeats within b skipped too
    assert many.meta["inputs"][1]["stats"]["skipped_repeated"] >= 1  # b's copy of a's post


def test_leaving_early_waits_for_the_ranges_being_read(tmp_path, monkeypatch):
    """An error or interrupt while ranges are being read: nothing more is handed out, and the ranges the workers
    hold are finished before the caller goes on to remove the folder their slices go to."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(rangeparse, "parse_range", lambda *task: time.sleep(0.3) or task)
    pool = ThreadPoolExecutor(1)
    tasks = iter([(i,) for i in range(50)])
    with rangeparse._Scheduler(pool, 1, tasks) as ranges:
        held = list(ranges.queue)
        assert held  # handed out on entry
    assert all(f.done() for f in held)  # finished, not left running
    assert len(list(tasks)) == 49  # nothing more taken
    pool.shutdown()
