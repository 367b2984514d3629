"""A JSON Lines Jetstream capture read by byte ranges shared between processes, for ``feedtools parse``.

:func:`feedtools.streamparse.parse_to_file` reads most inputs in one process and shares only their enrichment
with the worker processes, so the reader bounds the parse: on a real Jetstream mix four events in five are only
counted, and reading the lines costs as much as enriching the posts. A large JSON Lines capture is instead cut
into byte ranges ending at line ends (:func:`line_ranges`); each range is read, enriched and keyed
(:func:`parse_range`) by whichever process is free (the worker processes, and this one while it would otherwise
wait), and :func:`range_batches` puts the results back in file order with what only the whole file knows:
positions counted on across ranges, a post already read in an earlier range skipped as the one-process reader
skips it, and the capture refused when its first batch holds nothing readable. The table, the accounting and
the rejects are those of reading the file in one process (tests compare both ways).
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import polars as pl

from feedtools.readers.base import FeedError, FeedMeta
from feedtools.slicefiles import SliceFile, WrittenSlice, read_slice, write_enriched

__all__ = ["MIN_BYTES", "RANGE_BYTES", "RangeDone", "line_ranges", "parse_range", "range_batches", "reads_by_range"]

#: Bytes of a capture in one range (about 30 000 real Jetstream events, 6 000 rows): small enough that the
#: processes end together (the last range is the only wait), large enough that the fixed cost per range
#: (a few polars calls) stays small.
RANGE_BYTES = 16 << 20

#: Captures smaller than this are read in one process (the worker processes cost about a second to start).
MIN_BYTES = 4 * RANGE_BYTES


def reads_by_range(path: Path, format: str) -> bool:
    """Whether :func:`feedtools.streamparse.parse_to_file` reads ``path`` by ranges: a regular file of at least
    :data:`MIN_BYTES` holding a Jetstream capture as JSON Lines (``format`` given as ``jetstream`` or detected).
    With one process too, so that the slices, and so the output's bytes, do not depend on the number of
    processes. Raises what :func:`feedtools.readers.detect_format` raises."""
    from feedtools.readers import detect_format
    from feedtools.readers.atproto import first_byte

    if not path.is_file() or path.stat().st_size < MIN_BYTES:
        return False
    fmt = detect_format(path) if format == "auto" else format
    return fmt == "jetstream" and first_byte(path) != b"["


def line_ranges(path: Path, range_bytes: int = RANGE_BYTES) -> Iterator[tuple[int, int, int]]:
    """``(start, end, first_line)`` for consecutive byte ranges of ``path`` covering the whole file: each of about
    ``range_bytes`` and ending just after a newline (the last one at the file's end, a line longer than a range
    in one range); ``first_line`` is the number of lines before ``start``. Reads the file once, a range at a
    time. Raises ``OSError``."""
    size = max(1, range_bytes)
    start = first_line = 0
    with open(path, "rb") as f:
        while True:
            f.seek(start)
            data = f.read(size)
            if len(data) < size:  # the file's end
                if data:
                    yield start, start + len(data), first_line
                return
            cut = data.rfind(b"\n") + 1
            lines = data.count(b"\n", 0, cut)
            while cut == 0:  # no line ends in this range: up to the end of that line
                more = f.read(size)
                if not more:
                    yield start, start + len(data), first_line
                    return
                k = more.find(b"\n")
                if k >= 0:
                    cut, lines = len(data) + k + 1, 1
                data = data + more if cut == 0 else b""  # only the length matters until the line ends
            yield start, start + cut, first_line
            start, first_line = start + cut, first_line + lines


@dataclass
class RangeDone:
    """One range read, enriched and written (:func:`parse_range`): its slices (positions from 0 in the range), its
    rejects, counts and meta, the digests of the posts it kept, how many records at its start were all rejected,
    and its number of records."""

    parts: list[WrittenSlice]
    rejects: pl.DataFrame
    stats: Counter
    meta: FeedMeta
    seen: set[bytes]
    leading_rejects: int
    records: int


def parse_range(
    path: str,
    start: int,
    end: int,
    first_line: int,
    languages: tuple[str, ...] | None,
    batch_rows: int,
    out_dir: str,
    name: str,
) -> RangeDone:
    """Read the lines of ``path`` starting in ``[start, end)`` (:class:`feedtools.readers.jetstream.LineRange`),
    enrich them and compute their duplicate keys (:func:`feedtools.enrich.enrich_with_keys`) in slices of at most
    ``batch_rows`` rows, each written to ``out_dir`` as ``<name>-<k>.arrow`` (:func:`write_enriched`); what a
    worker process runs. Raises :class:`FeedError` when the file cannot be read, ``OSError`` when a slice
    cannot be written."""
    from feedtools.enrich import enrich_with_keys
    from feedtools.readers.jetstream import LineRange
    from feedtools.schema import empty_rejects

    lines = LineRange(path, start, end, first_line)
    parts: list[WrittenSlice] = []
    rejects, stats = [], Counter[str]()
    meta: FeedMeta = {}
    step = max(1, batch_rows)
    try:
        for result in lines:
            stats.update(result.stats)
            meta = result.meta
            if result.rejects.height:
                rejects.append(result.rejects)
            posts = result.posts
            for i in range(0, posts.height, step):
                enriched, keys = enrich_with_keys(posts.slice(i, step), languages=languages)
                parts.append(write_enriched(enriched, keys, Path(out_dir) / f"{name}-{len(parts):04d}.arrow"))
    except (OSError, MemoryError) as e:  # as feedtools.readers.iter_read words them
        if isinstance(e, MemoryError):
            raise FeedError(f"{lines.path.name}: too large to read in memory") from None
        raise FeedError(f"{lines.path.name}: cannot read it ({e.strerror or e})") from None
    return RangeDone(
        parts=parts,
        rejects=pl.concat(rejects) if rejects else empty_rejects(),
        stats=stats,
        meta=meta,
        seen=lines.seen,
        leading_rejects=lines.leading_rejects,
        records=int(stats["records"]),
    )


def range_batches(
    path: Path,
    *,
    languages: Sequence[str] | None,
    workers: int,
    batch_rows: int,
    out_dir: Path,
    range_bytes: int | None = None,
) -> Iterator[tuple[list[WrittenSlice], pl.DataFrame, Counter, FeedMeta]]:
    """``path`` (a JSON Lines Jetstream capture) read by ranges in ``workers`` processes (this one included; with
    one, no worker process is started). Per range, in file order: ``(slices, rejects, stats, meta)``, where
    ``slices`` are the range's slices written to ``out_dir`` (:class:`~feedtools.slicefiles.WrittenSlice`), their
    positions (as read back, and in their keys) counting on across ranges. ``range_bytes``: :data:`RANGE_BYTES`
    by default. A post whose ``post_id`` an earlier range kept is dropped and counted as the one-process reader
    counts it (``skipped_repeated``, or ``skipped_update`` for an edit). Raises :class:`FeedError` as
    :func:`feedtools.readers.jetstream.read_batches` does (the first batch's records all rejected; the file
    unreadable), :class:`feedtools.enrich.WorkerError` when a worker process dies."""
    from feedtools.language import worker_pool

    cands = tuple(languages) if languages else None
    spans = line_ranges(path, RANGE_BYTES if range_bytes is None else range_bytes)
    tasks = ((str(path), *span, cands, batch_rows, str(out_dir), f"r{i:06d}") for i, span in enumerate(spans))
    state = _AcrossRanges(path.name)
    pool = worker_pool(workers - 1) if workers > 1 else None
    with _Scheduler(pool, workers - 1, tasks) as ranges:
        for done in ranges:
            yield state.take(done)
    state.check_readable(final=True)


class _Scheduler:
    """Ranges handed to the worker processes of ``pool`` (``slots`` at a time, the next one as a worker hands one
    back; none when ``pool`` is None) and read here while the next range in order is not done. Iterate it for the
    results in task order. Leaving it hands out nothing more, cancels what was not started and waits for the
    rest."""

    def __init__(self, pool, slots: int, tasks: Iterator[tuple]) -> None:
        self.pool, self.slots, self.tasks = pool, slots, tasks
        # Re-entrant: a future's callback runs in the thread that completes it, and at once in the one adding the
        # callback to a future already done or cancelling it, both under this lock.
        self.lock = threading.RLock()
        self.queue: deque[Future] = deque()  # every range taken, in order
        self.handed = 0  # ranges a worker holds
        self.closed = False

    def __enter__(self) -> Self:
        with self.lock:
            self._hand_out()
        return self

    def __exit__(self, *exc: object) -> None:
        """Hand out nothing more, cancel what no worker started, and wait for the ranges the workers are reading
        (at most one each), so that none writes a slice once the caller has removed their folder."""
        from concurrent.futures import wait

        with self.lock:
            self.closed = True
            running = [future for future in self.queue if not future.cancel()]
        wait(running)

    def __iter__(self) -> Iterator[RangeDone]:
        while True:
            with self.lock:
                head = self.queue[0] if self.queue else None
                mine = None if head is not None and head.done() else self._take_mine()
            if mine is not None:  # read a range here while the next one in order is not done
                task, future = mine
                try:
                    future.set_result(parse_range(*task))
                except Exception as e:  # noqa: BLE001 - handed on in order, as a worker's error is
                    future.set_exception(e)
                continue
            if head is None:
                return
            with self.lock:
                self.queue.popleft()
            yield _result(head)

    def _take_mine(self) -> tuple[tuple, Future] | None:
        """The next range, queued for this process (called with the lock held); None when there is none."""
        task = next(self.tasks, None)
        if task is None:
            return None
        future: Future = Future()
        self.queue.append(future)
        return task, future

    def _hand_out(self) -> None:
        """Hand ranges to the worker processes up to ``slots`` (called with the lock held)."""
        from concurrent.futures.process import BrokenProcessPool

        while self.pool is not None and not self.closed and self.handed < self.slots:
            task = next(self.tasks, None)
            if task is None:
                return
            try:
                future = self.pool.submit(parse_range, *task)
            except (BrokenProcessPool, RuntimeError):  # a worker died: the range's result is that error
                future = Future()
                future.set_exception(BrokenProcessPool())
                self.queue.append(future)
                self.closed = True
                return
            self.queue.append(future)
            self.handed += 1
            future.add_done_callback(self._handed_back)  # at once, in this thread, when the future is done

    def _handed_back(self, _: Future) -> None:
        """A worker finished a range (in the pool's thread): the next one is handed out."""
        with self.lock:
            self.handed -= 1
            self._hand_out()


def _result(future: Future) -> RangeDone:
    """A range's result; :class:`feedtools.enrich.WorkerError` when the worker process reading it died."""
    from concurrent.futures.process import BrokenProcessPool

    from feedtools.enrich import worker_died

    try:
        return future.result()
    except BrokenProcessPool:
        raise worker_died() from None


@dataclass
class _AcrossRanges:
    """What only the whole file knows, kept while the ranges come back in order: the digests of the posts kept,
    the rows and records so far, the records at the start all rejected, the first reject."""

    source: str
    seen: set[bytes] = field(default_factory=set)
    rows: int = 0
    records: int = 0
    leading: int = 0
    first_reject: dict | None = None

    def take(self, done: RangeDone) -> tuple[list[WrittenSlice], pl.DataFrame, Counter, FeedMeta]:
        """One range's slices with positions counting on across ranges (posts an earlier range kept dropped and
        counted, the slice then written again), its rejects, counts and meta. Raises :class:`FeedError` once the
        first batch's records are known to be all rejected."""
        if self.leading == self.records:
            self.leading += done.leading_rejects
        self.records += done.records
        if self.first_reject is None and done.rejects.height:
            self.first_reject = done.rejects.row(0, named=True)
        self.check_readable()
        repeated = not self.seen.isdisjoint(done.seen)
        parts = []
        for written in done.parts:
            if repeated:
                written = self._drop_earlier(written, done.stats)
            else:  # positions from 0 in the range: shifted when read back
                written.file = SliceFile(written.file.path, self.rows)
                written.keys = written.keys.with_columns(pl.col("position") + self.rows)
            parts.append(written)
            self.rows += written.rows
        self.seen |= done.seen
        return parts, done.rejects, done.stats, done.meta

    def _drop_earlier(self, written: WrittenSlice, stats: Counter) -> WrittenSlice:
        """The slice without the rows whose post an earlier range kept (counted in ``stats`` as the reader counts
        a repeat, correcting what :func:`feedtools.readers.atproto.finish_stats` and ``RowBuffer`` set), its
        positions counting on from the rows before it, written again."""
        from feedtools.clean import duplicate_keys
        from feedtools.readers.jetstream import UPDATE_NOTE, post_digest

        part = read_slice(written.file)
        earlier = pl.Series([post_digest(p) in self.seen for p in part["post_id"]], dtype=pl.Boolean)
        dropped = part.filter(earlier)
        updates = int(dropped["notes"].str.starts_with(UPDATE_NOTE).fill_null(False).sum())
        odd = int(dropped["embed_other"].is_not_null().sum())
        # Counts changed only where they move, as when the dropped rows were never read: a count the reader never
        # set stays unset (a Counter keeps a key once it is set, even to 0).
        for key, change in (
            ("skipped_update", updates),
            ("skipped_repeated", dropped.height - updates),
            ("skipped", dropped.height),
            ("posts", -dropped.height),
            ("embeds_nonstandard", -odd),
        ):
            if change:
                stats[key] += change
        if "embeds_nonstandard" in stats and not stats["embeds_nonstandard"]:
            del stats["embeds_nonstandard"]
        kept = part.filter(~earlier).with_columns(
            pl.int_range(self.rows, self.rows + part.height - dropped.height, dtype=pl.Int64).alias("position")
        )
        del part  # the mapped file, before it is replaced
        path = written.file.path
        again = write_enriched(kept, duplicate_keys(kept), path.with_name(path.stem + "-kept.arrow"))
        path.unlink()
        return again

    def check_readable(self, *, final: bool = False) -> None:
        """Raise :class:`FeedError` when every record of the first batch (the first
        :data:`feedtools.readers.jetstream.BATCH_SIZE` records, or all of them) was rejected, as the one-process
        reader does; before that is known (``final``: every range taken), nothing."""
        from feedtools.readers.jetstream import check_first_batch

        check_first_batch(self.records, self.leading, self.first_reject, self.source, final=final)
