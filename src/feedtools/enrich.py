"""The row-local side of the pipeline's seam: clean and enrich a batch of posts, in one process or several.

:func:`enrich` fills ``text_clean``, the entity columns and the language columns of reader rows; each row's
result depends on that row only, so batches, slices and worker processes give the same table, byte for byte.
:func:`finalize` runs the whole-feed step (duplicates) on an enriched table. Both drivers of
:mod:`feedtools.pipeline` (``load`` in memory, ``parse_to_file`` streaming) call these; import them from
``feedtools.pipeline``.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from feedtools.clean import add_text_clean, mark_duplicates
from feedtools.entities import add_entities
from feedtools.language import add_language
from feedtools.schema import conform

__all__ = ["PARALLEL_MIN_ROWS", "enrich", "finalize"]

#: Below this many rows :func:`enrich` stays in this process (a worker process costs about a second to start).
PARALLEL_MIN_ROWS = 20_000


def enrich(posts: pl.DataFrame, *, languages: Sequence[str] | None = None, workers: int = 1) -> pl.DataFrame:
    """Row-local cleaning and enrichment: ``text_clean``, entities, language. Returns the canonical schema.

    Input: posts as a reader gives them (canonical columns). Output: the same rows in the same order with
    ``text_clean``, the entity columns and the language columns filled (:func:`feedtools.clean.add_text_clean`,
    :func:`feedtools.entities.add_entities`, :func:`feedtools.language.add_language`).

    ``workers`` > 1 and at least :data:`PARALLEL_MIN_ROWS` rows: the rows are cut into ``workers``
    contiguous chunks and the whole enrichment (cleaning, entities and language) of each chunk runs in its
    own process (this one being one of them; worker processes started with ``spawn`` and kept, see
    :func:`feedtools.language.worker_pool`), then the chunks are put back in order. Every step is row-local,
    so the table is the same, byte for byte, whatever ``workers``. The calling program's main module must be
    import-safe (:func:`feedtools.language.parallel_safe`).
    """
    if posts.height == 0:
        return conform(posts)
    n = max(1, workers)
    if n == 1 or posts.height < PARALLEL_MIN_ROWS:
        return _enrich_here(posts, languages)
    from feedtools.language import worker_pool

    size = -(-posts.height // n)
    chunks = [posts.slice(i, size) for i in range(0, posts.height, size)]
    cands = tuple(languages) if languages else None
    pool = worker_pool(n - 1)
    futures = [pool.submit(_enrich_here, chunk, cands) for chunk in chunks[1:]]
    parts = [_enrich_here(chunks[0], cands)]
    parts += [f.result() for f in futures]
    return pl.concat(parts, how="vertical")


def _enrich_here(posts: pl.DataFrame, languages: Sequence[str] | None) -> pl.DataFrame:
    """:func:`enrich` in this process (also what each worker process runs on its chunk)."""
    out = add_text_clean(posts)
    out = add_entities(out)
    out = add_language(out, candidates=languages)
    return conform(out)


def finalize(posts: pl.DataFrame) -> pl.DataFrame:
    """Whole-feed steps (duplicates), then rows in source order."""
    if posts.height == 0:
        return conform(posts)
    return conform(mark_duplicates(posts)).sort("position")
