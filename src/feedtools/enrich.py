"""The row-local side of the pipeline's seam: clean and enrich a batch of posts, in one process or several.

:func:`enrich` fills ``text_clean``, the entity columns and the language columns of reader rows; each row's
result depends on that row only, so batches, slices, chunks and worker processes give the same table, byte for
byte. :func:`finalize` runs the whole-feed step (duplicates) on an enriched table. Both drivers of
:mod:`feedtools.pipeline` (``load`` in memory, ``parse_to_file`` streaming) call these; import them from
``feedtools.pipeline``. The parallel work is scheduled by :class:`Enricher`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Self, cast

import polars as pl

from feedtools.clean import add_text_clean, duplicate_keys, mark_duplicates
from feedtools.entities import add_entities
from feedtools.errors import FeedtoolsError
from feedtools.language import add_language
from feedtools.schema import ROW_LOCAL_COLUMNS, conform

__all__ = [
    "BACKLOG_BYTES",
    "CHUNK_ROWS",
    "PARALLEL_MIN_ROWS",
    "Enricher",
    "WorkerError",
    "enrich",
    "enrich_slices",
    "enrich_with_keys",
    "finalize",
    "warm_workers",
    "worker_died",
]


#: Below this many rows in a batch, :class:`Enricher` keeps the work in this process unless the worker processes
#: are running already (one costs about a second to start).
PARALLEL_MIN_ROWS = 20_000

#: Rows in one unit of work of a parallel enrichment: the processes share a batch chunk by chunk, each taking the
#: next one when it is free. Measured on 100k scrape items in one process: chunks of 25 000 rows cost 5% less CPU
#: than 50 000 and 12% less than 5 000 (polars has a fixed cost per call; the language model's is per line).
CHUNK_ROWS = 25_000

#: Chunks a worker process holds at a time (the one it works on, and any queued for it). One: a worker asks for
#: its next chunk when it hands one back (a few milliseconds to send), and at the end of a batch this process
#: never waits for a chunk queued for a worker that it could have enriched itself.
HANDED_PER_WORKER = 1

#: Bytes of rows queued and not yet handed out (polars' estimate of the batch rows they hold) above which
#: :class:`Enricher` enriches queued chunks in this process instead of going on reading: it bounds the memory of
#: rows waiting while the reader runs ahead of the workers, whatever the rows' width (the row bound alone let
#: 56 000 postViews rows wait on 100k postViews; with this bound the queue stays under 24 MB). Same time and
#: output on 1M scrape items and 1M Jetstream events; on those 100k postViews the peak is unchanged, as the main
#: process's own enrichment then takes what the queue held.
BACKLOG_BYTES = 24 << 20

#: The columns the row-local steps read (cleaning, entities, language, duplicate keys): all a worker process is
#: sent. (A whole reader frame pickles every column, null or not: 16 bytes a row for each string column.)
ENRICH_READS = (
    "position",
    "text",
    "hashtags",
    "mentions",
    "urls",
    "card_url",
    "langs_declared",
    "author_name",
    "author_handle",
    "is_repost",
    "reposted_by",
    "is_placeholder",
)
#: The columns the row-local steps fill or rewrite: all a worker process sends back.
ENRICH_WRITES = (*ROW_LOCAL_COLUMNS, "langs_declared")


class WorkerError(FeedtoolsError):
    """A worker process of a parallel enrichment ended before giving its result (killed, out of memory)."""


def enrich(posts: pl.DataFrame, *, languages: Sequence[str] | None = None, workers: int = 1) -> pl.DataFrame:
    """Row-local cleaning and enrichment: ``text_clean``, entities, language. Returns the canonical schema.

    Input: posts as a reader gives them (canonical columns). Output: the same rows in the same order with
    ``text_clean``, the entity columns and the language columns filled (:func:`feedtools.clean.add_text_clean`,
    :func:`feedtools.entities.add_entities`, :func:`feedtools.language.add_language`).

    ``workers`` > 1 and at least :data:`PARALLEL_MIN_ROWS` rows: the rows are cut into chunks of
    :data:`CHUNK_ROWS`, shared between this process and ``workers`` - 1 worker processes as each gets free
    (:class:`Enricher`; started with ``spawn`` and kept, see :func:`feedtools.language.worker_pool`), then put
    back in order. Every step is row-local, so the table is the same, byte for byte, whatever ``workers``.
    The calling program's main module must be import-safe (:func:`feedtools.language.parallel_safe`).
    Raises :class:`WorkerError` when a worker process dies.
    """
    if posts.height == 0:
        return conform(posts)
    with Enricher(workers, languages, keys=False) as enricher:
        enricher.put(posts, posts.height)
        return next(enricher.results(final=True))[0]


def enrich_with_keys(
    posts: pl.DataFrame, *, languages: Sequence[str] | None = None, workers: int = 1
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`enrich`, and the duplicate keys of the enriched rows (:func:`feedtools.clean.duplicate_keys`).

    Returns ``(enriched, keys)``: ``enriched`` as :func:`enrich` gives it, ``keys`` one row per enriched row,
    same order. Each chunk's keys are computed in the process that enriched it (the keys are row-local), so
    the process that reads and writes the feed does not compute the worker chunks' keys.
    """
    if posts.height == 0:
        out = conform(posts)
        return out, duplicate_keys(out)
    with Enricher(workers, languages) as enricher:
        enricher.put(posts, posts.height)
        enriched, keys = next(enricher.results(final=True))
    return enriched, cast(pl.DataFrame, keys)


def enrich_slices(
    posts: pl.DataFrame, size: int, *, languages: Sequence[str] | None = None, workers: int = 1
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """:func:`enrich_with_keys` on consecutive slices of ``size`` rows of ``posts``: ``(enriched, keys)`` per
    slice, in order (nothing for no rows). With ``workers`` > 1 every slice's chunks are queued at once and
    shared between the processes (:class:`Enricher`). The results are those of :func:`enrich_with_keys`."""
    with Enricher(workers, languages) as enricher:
        enricher.put(posts, size)
        for enriched, keys in enricher.results(final=True):
            yield enriched, cast(pl.DataFrame, keys)


def _enrich_chunk(
    posts: pl.DataFrame, languages: tuple[str, ...] | None, keys: bool
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """One chunk's work, in whichever process runs it: ``posts`` holds the :data:`ENRICH_READS` columns; returns
    the :data:`ENRICH_WRITES` columns enriched, and the rows' duplicate keys when ``keys`` (else None)."""
    out = _enrich_here(posts, languages)
    return out.select(ENRICH_WRITES), (duplicate_keys(out) if keys else None)


@dataclass
class _Slice:
    """A slice of a reader batch being enriched: its rows, and per chunk None (not handed out yet), the Future of
    the worker enriching it, or its result."""

    rows: pl.DataFrame
    parts: list = field(default_factory=list)

    def done(self) -> bool:
        """Every chunk enriched (by this process or a worker)."""
        return all(p is not None and (not isinstance(p, Future) or p.done()) for p in self.parts)


class Enricher:
    """The enrichment of reader batches, slice by slice, shared between this process and worker processes.

    :meth:`put` queues a batch as slices of ``size`` rows, each cut into chunks of :data:`CHUNK_ROWS`. With
    ``workers`` > 1 (and the worker pool running, or a batch of at least :data:`PARALLEL_MIN_ROWS` rows) the
    queued chunks are handed to the worker processes in order, :data:`HANDED_PER_WORKER` at a time, the next
    one as soon as a worker hands a result back (:func:`feedtools.language.worker_pool`; a worker is sent only the
    :data:`ENRICH_READS` columns and sends back only the :data:`ENRICH_WRITES` ones and the keys).
    :meth:`results` gives back the finished slices in order as ``(enriched, keys)``; this process enriches the
    earliest queued chunk itself only when it would otherwise wait: while more than ``backlog`` rows, or
    more than ``backlog_bytes`` of rows (:data:`BACKLOG_BYTES`), are queued, and at the end (``final``). So
    the workers keep busy while this process reads and writes, and the work is shared by what each process gets done, not by a fixed split. Every step is row-local: the slices
    are the same whoever enriched which chunk. Use it as a context manager: leaving it hands out no more chunks
    (the chunks the workers hold are let finish).
    """

    def __init__(
        self,
        workers: int,
        languages: Sequence[str] | None = None,
        *,
        keys: bool = True,
        backlog: int = 200_000,
        backlog_bytes: int | None = None,
        warm: bool = False,
    ) -> None:
        self.workers = max(1, workers)
        self.cands = tuple(languages) if languages else None
        self.keys = keys
        self.backlog = backlog
        self.backlog_bytes = BACKLOG_BYTES if backlog_bytes is None else backlog_bytes
        self.warm = warm and self.workers > 1  # the pool is running: use it whatever the batch's size
        self.pool = None  # the worker pool, once a batch is shared with it
        self.slices: deque[_Slice] = deque()
        self.todo: deque[tuple[_Slice, int, pl.DataFrame, int]] = deque()  # chunks not handed out (+ bytes), in order
        self.lock = threading.RLock()  # todo and handed, also used by the pool's thread (_handed_back)
        self.handed = 0  # chunks a worker holds
        self.mine = 0  # chunks enriched in this process
        self.chunks = 0  # chunks queued
        self.failed = False  # the pool would take no more chunks (a worker died)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.pool = None
            self.todo.clear()
        self.slices.clear()

    def put(self, posts: pl.DataFrame, size: int) -> None:
        """Queue ``posts`` as slices of ``size`` rows (handed to the worker processes when parallel)."""
        if self.workers > 1 and (self.warm or posts.height >= PARALLEL_MIN_ROWS) and self.pool is None:
            from feedtools.language import worker_pool

            self.pool, self.warm = worker_pool(self.workers - 1), True
        step, chunk_rows = max(1, size), max(1, CHUNK_ROWS)
        columns = [c for c in ENRICH_READS if c in posts.columns]
        with self.lock:
            for start in range(0, posts.height, step):
                sl = _Slice(posts.slice(start, step))
                for i in range(0, sl.rows.height, chunk_rows):
                    sl.parts.append(None)
                    rows = sl.rows.slice(i, chunk_rows)
                    self.todo.append((sl, len(sl.parts) - 1, rows.select(columns), int(rows.estimated_size())))
                    self.chunks += 1
                self.slices.append(sl)
            self._hand_out()

    def _hand_out(self) -> None:
        """Hand queued chunks to the worker processes, :data:`HANDED_PER_WORKER` each (called with the lock held)."""
        from concurrent.futures.process import BrokenProcessPool

        while self.pool is not None and self.todo and self.handed < HANDED_PER_WORKER * (self.workers - 1):
            sl, i, chunk, _ = self.todo[0]
            try:
                future = self.pool.submit(_enrich_chunk, chunk, self.cands, self.keys)
            except (BrokenProcessPool, RuntimeError):  # a worker died, or the pool was shut down
                self.pool, self.failed = None, True
                return
            self.todo.popleft()
            sl.parts[i] = future
            self.handed += 1
            future.add_done_callback(self._handed_back)

    def _handed_back(self, _: Future) -> None:
        """A worker finished a chunk (in the pool's thread): the next queued chunk is handed out."""
        with self.lock:
            self.handed -= 1
            self._hand_out()

    def results(self, final: bool = False) -> Iterator[tuple[pl.DataFrame, pl.DataFrame | None]]:
        """The slices finished, in order, as ``(enriched, keys)`` (keys None unless asked for). Not ``final``:
        those finished now, this process working on chunks while more than ``backlog`` rows (or
        ``backlog_bytes``) are queued (or when no worker is used); ``final``: every slice queued. Raises :class:`WorkerError` when a worker
        process dies, and what the enrichment raises."""
        while self.slices:
            if self.failed:
                raise worker_died()
            head = self.slices[0]
            if head.done():
                self.slices.popleft()
                yield self._joined(head)
                continue
            if not (final or self.pool is None or self._over_backlog()):
                return  # the workers are on it: the caller goes on reading
            if not self._work_one():  # nothing left to take: wait for a worker's chunk of this slice
                wait([p for p in head.parts if isinstance(p, Future) and not p.done()], return_when=FIRST_COMPLETED)

    def _over_backlog(self) -> bool:
        """More rows, or more bytes of rows, queued (not handed out) than this process lets wait."""
        with self.lock:
            rows = sum(chunk.height for _, _, chunk, _ in self.todo)
            return rows > self.backlog or self.queued_bytes > self.backlog_bytes

    @property
    def queued_bytes(self) -> int:
        """Estimated bytes of the batch rows behind the chunks not handed out."""
        with self.lock:
            return sum(nbytes for *_, nbytes in self.todo)

    def _work_one(self) -> bool:
        """Enrich here the earliest chunk not handed out; False when there is none."""
        with self.lock:
            if not self.todo:
                return False
            sl, i, chunk, _ = self.todo.popleft()
        sl.parts[i] = _enrich_chunk(chunk, self.cands, self.keys)
        self.mine += 1
        return True

    def _joined(self, sl: _Slice) -> tuple[pl.DataFrame, pl.DataFrame | None]:
        """A finished slice: its rows with the enriched columns, and its keys (in order)."""
        done = [_outcome(p) if isinstance(p, Future) else p for p in sl.parts]
        written = done[0][0] if len(done) == 1 else pl.concat([d[0] for d in done], how="vertical")
        enriched = conform(sl.rows.with_columns(written.get_columns()))
        if not self.keys:
            return enriched, None
        keys = [cast(pl.DataFrame, d[1]) for d in done]
        return enriched, keys[0] if len(keys) == 1 else pl.concat(keys, how="vertical")


def _outcome(future: Future) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """A worker's result; :class:`WorkerError` when the worker process died."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        raise worker_died() from None


def worker_died() -> WorkerError:
    """The error for a worker process that died (the next parallel call gets a new pool from
    :func:`feedtools.language.worker_pool`)."""
    return WorkerError(
        "a worker process of the enrichment ended before finishing (killed, or out of memory?); run again"
    )


def warm_workers(workers: int) -> None:
    """Start the ``workers`` - 1 worker processes of a parallel :func:`enrich` now and load the language model in
    them, without waiting: they get ready while the caller reads its feed. Nothing for one worker."""
    if workers > 1:
        from feedtools.language import worker_pool

        pool = worker_pool(workers - 1)
        for _ in range(workers - 1):
            pool.submit(_warm)


def _warm() -> None:
    """What a worker process loads before its first chunk (modules, the language model)."""
    from feedtools.language import detect

    detect(["warm"])


def _enrich_here(posts: pl.DataFrame, languages: Sequence[str] | None) -> pl.DataFrame:
    """:func:`enrich` in this process (also what each worker process runs on its chunk)."""
    out = add_text_clean(posts)
    out = add_entities(out)
    out = add_language(out, candidates=languages)
    return conform(out)


def _enrich_keys_here(posts: pl.DataFrame, languages: Sequence[str] | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`enrich_with_keys` in this process (also what each worker process runs on its chunk)."""
    out = _enrich_here(posts, languages)
    return out, duplicate_keys(out)


def finalize(posts: pl.DataFrame) -> pl.DataFrame:
    """Whole-feed steps (duplicates), then rows in source order."""
    if posts.height == 0:
        return conform(posts)
    return conform(mark_duplicates(posts)).sort("position")
