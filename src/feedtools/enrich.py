"""The row-local side of the pipeline's seam: clean and enrich a batch of posts, in one process or several.

:func:`enrich` fills ``text_clean``, the entity columns and the language columns of reader rows; each row's
result depends on that row only, so batches, slices and worker processes give the same table, byte for byte.
:func:`finalize` runs the whole-feed step (duplicates) on an enriched table. Both drivers of
:mod:`feedtools.pipeline` (``load`` in memory, ``parse_to_file`` streaming) call these; import them from
``feedtools.pipeline``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import polars as pl

from feedtools.clean import add_text_clean, duplicate_keys, mark_duplicates
from feedtools.entities import add_entities
from feedtools.language import add_language
from feedtools.schema import conform

__all__ = ["MAIN_SHARE", "PARALLEL_MIN_ROWS", "enrich", "enrich_slices", "enrich_with_keys", "finalize", "warm_workers"]

T = TypeVar("T")

#: Below this many rows :func:`enrich` stays in this process (a worker process costs about a second to start).
PARALLEL_MIN_ROWS = 20_000


def enrich(posts: pl.DataFrame, *, languages: Sequence[str] | None = None, workers: int = 1) -> pl.DataFrame:
    """Row-local cleaning and enrichment: ``text_clean``, entities, language. Returns the canonical schema.

    Input: posts as a reader gives them (canonical columns). Output: the same rows in the same order with
    ``text_clean``, the entity columns and the language columns filled (:func:`feedtools.clean.add_text_clean`,
    :func:`feedtools.entities.add_entities`, :func:`feedtools.language.add_language`).

    ``workers`` > 1 and at least :data:`PARALLEL_MIN_ROWS` rows: the rows are cut into ``workers``
    contiguous chunks and the whole enrichment (cleaning, entities and language) of each chunk runs in its
    own process (this one being one of them, its chunk sized by :data:`MAIN_SHARE`; worker processes
    started with ``spawn`` and kept, see :func:`feedtools.language.worker_pool`), then the chunks are put
    back in order. Every step is row-local, so the table is the same, byte for byte, whatever ``workers``.
    The calling program's main module must be import-safe (:func:`feedtools.language.parallel_safe`).
    """
    if posts.height == 0:
        return conform(posts)
    cands = tuple(languages) if languages else None
    return pl.concat(_run_chunks(posts, cands, workers, _enrich_here), how="vertical")


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
    cands = tuple(languages) if languages else None
    return _joined(_run_chunks(posts, cands, workers, _enrich_keys_here))


#: The share of a parallel :func:`enrich` batch kept by the calling process, in units of one worker's share.
#: Measured on 1M distinct scrape items, 2 workers (:func:`enrich_slices` queues the worker's next chunk, so
#: the worker keeps busy while the caller writes): the caller waited 9 s for the worker at 0.6, 2-3 s at 1.0
#: and 0.2 s at 1.25 (the worker also pickles its chunk and result), for about the same total CPU.
MAIN_SHARE = 1.25


def _run_chunks(posts: pl.DataFrame, cands: tuple[str, ...] | None, workers: int, job: Callable[..., T]) -> list[T]:
    """``job(chunk, cands)`` on contiguous chunks of ``posts`` (one per process, see :func:`enrich`), in order."""
    chunks = _chunks(posts, workers)
    if len(chunks) == 1:
        return [job(posts, cands)]
    from feedtools.language import worker_pool

    pool = worker_pool(max(1, workers) - 1)
    futures = [pool.submit(job, chunk, cands) for chunk in chunks[1:]]
    parts = [job(chunks[0], cands)]
    parts += [f.result() for f in futures]
    return parts


def _chunks(posts: pl.DataFrame, workers: int) -> list[pl.DataFrame]:
    """``posts`` cut for ``workers`` processes: this process's chunk first (:data:`MAIN_SHARE`), then one per
    worker process; ``[posts]`` for one worker or fewer than :data:`PARALLEL_MIN_ROWS` rows."""
    n = max(1, workers)
    if n == 1 or posts.height < PARALLEL_MIN_ROWS:
        return [posts]
    first = max(1, round(posts.height * MAIN_SHARE / (MAIN_SHARE + n - 1)))
    if first >= posts.height:
        return [posts]
    size = -(-(posts.height - first) // (n - 1))
    return [posts.slice(0, first)] + [posts.slice(i, size) for i in range(first, posts.height, size)]


def enrich_slices(
    posts: pl.DataFrame, size: int, *, languages: Sequence[str] | None = None, workers: int = 1
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """:func:`enrich_with_keys` on consecutive slices of ``size`` rows of ``posts``: ``(enriched, keys)`` per
    slice, in order (nothing for no rows).

    With ``workers`` > 1 the worker processes' chunks of the next slice are queued before a slice is given
    back, so they keep working while the caller writes it (and while this process enriches its own chunk):
    at most two slices' worker results wait in memory. The results are those of :func:`enrich_with_keys`.
    """
    cands = tuple(languages) if languages else None
    step = max(1, size)
    starts = list(range(0, posts.height, step))
    if max(1, workers) == 1:
        for start in starts:
            yield _enrich_keys_here(posts.slice(start, step), cands)
        return
    from feedtools.language import worker_pool

    pool = worker_pool(workers - 1)

    def submit(start: int) -> tuple[pl.DataFrame, list]:
        own, *others = _chunks(posts.slice(start, step), workers)
        return own, [pool.submit(_enrich_keys_here, chunk, cands) for chunk in others]

    ahead = [submit(start) for start in starts[:2]]
    for i in range(len(starts)):
        own, futures = ahead[i]
        ahead[i] = (own.clear(), [])  # let go of the slice's rows
        parts = [_enrich_keys_here(own, cands)]
        parts += [f.result() for f in futures]
        del own, futures
        if i + 2 < len(starts):
            ahead.append(submit(starts[i + 2]))
        yield _joined(parts)


def _joined(parts: list[tuple[pl.DataFrame, pl.DataFrame]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The chunks' ``(enriched, keys)`` put back in order."""
    if len(parts) == 1:
        return parts[0]
    return pl.concat([p[0] for p in parts], how="vertical"), pl.concat([p[1] for p in parts], how="vertical")


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
