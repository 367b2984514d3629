"""From an input file to the canonical posts table: read -> clean and enrich -> whole-feed steps.

The seam between row-local and whole-feed work
----------------------------------------------
* :func:`enrich` is **row-local** (``text_clean``, entities, language): each row's
  result depends on that row only, so it runs per batch here and could run per
  partition on a distributed engine unchanged. So is
  :func:`feedtools.clean.duplicate_keys`, which reduces each row to the few hashed
  keys duplicate detection compares.
* :func:`finalize` / :func:`feedtools.clean.resolve_duplicates` need the **whole
  feed** (duplicates; later campaigns and timelines). They read only the key columns
  of every row, never the whole table.

Two drivers use that seam:

* :func:`load` (and :func:`read`, the Python API's ``feedtools.read``) holds the
  feed in memory and returns a :class:`Feed`: for an organisation's feed and notebooks.
* :func:`parse_to_file` (``feedtools parse``) streams: reader batches are enriched
  in slices of ``batch_rows`` and written as Parquet row groups to a temporary file;
  only the duplicate keys stay in memory; the whole-feed step runs on them; then the
  temporary file is copied row group by row group into the output with the
  duplicate columns filled. Memory is bounded by the reader's batch plus the keys
  (about 50 bytes a row), not by the feed.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from feedtools.clean import add_text_clean, duplicate_keys, mark_duplicates, resolve_duplicates
from feedtools.entities import add_entities
from feedtools.language import add_language
from feedtools.readers import ReadResult, iter_read
from feedtools.readers.base import file_sha256
from feedtools.schema import POSTS_SCHEMA, conform, empty_posts, empty_rejects

__all__ = ["BATCH_ROWS", "Feed", "ParseResult", "enrich", "finalize", "load", "parse_to_file", "read",
           "summary_line"]

#: Rows enriched and written at a time by :func:`parse_to_file`.
BATCH_ROWS = 200_000


@dataclass
class Feed:
    """A read and enriched feed: the posts table plus everything needed to account for the input.

    ``posts``: canonical schema. ``rejects``: records that could not be read, with
    location and reason. ``stats``: counts (``records == posts + rejected + skipped``).
    ``meta``: ``format``, ``source`` (file name), ``sha256``, ``size_bytes`` and
    format-specific facts (``profile_name``, ``profile_bio`` for a scrape).
    """

    posts: pl.DataFrame
    rejects: pl.DataFrame
    stats: Counter = field(default_factory=Counter)
    meta: dict = field(default_factory=dict)


def enrich(posts: pl.DataFrame, *, languages: Sequence[str] | None = None, workers: int = 1) -> pl.DataFrame:
    """Row-local cleaning and enrichment: ``text_clean``, entities, language. Returns the canonical schema.

    ``workers`` > 1 runs language detection in that many processes (see :func:`feedtools.language.detect`).
    """
    if posts.height == 0:
        return conform(posts)
    out = add_text_clean(posts)
    out = add_entities(out)
    out = add_language(out, candidates=languages, workers=workers)
    return conform(out)


def finalize(posts: pl.DataFrame) -> pl.DataFrame:
    """Whole-feed steps (duplicates), then rows in source order."""
    if posts.height == 0:
        return conform(posts)
    return conform(mark_duplicates(posts)).sort("position")


def load(
    path: str | Path,
    *,
    format: str = "auto",
    languages: Sequence[str] | None = None,
    known_names: Sequence[str] = (),
    progress: bool | None = None,
) -> Feed:
    """Read ``path`` (any supported format), clean and enrich it, and mark duplicates.

    ``progress``: show a progress bar of enriched rows (``tqdm.auto``: a widget in a
    notebook, text on stderr elsewhere). ``None`` (default) shows it only inside an
    interactive Jupyter kernel and only for batches of more than
    :data:`PROGRESS_MIN_ROWS` rows, so small feeds (and stored notebook outputs) stay
    quiet; report builds turn it off; the bar is removed when done.

    Raises :class:`feedtools.readers.FeedError` (one-line message) for input that
    cannot be read at all; bad records inside a readable file go to ``rejects``.
    """
    path = Path(path)
    parts: list[ReadResult] = []
    for batch in iter_read(path, format, known_names=tuple(known_names)):
        # Enriched in slices: the intermediate columns of a slice are freed before the next one.
        posts, batch.posts = batch.posts, None
        show = progress if progress is not None else (_in_notebook() and posts.height > PROGRESS_MIN_ROWS)
        bar = _progress_bar(posts.height, path.name) if show else None
        slices = []
        for i in range(0, posts.height, BATCH_ROWS):
            slices.append(enrich(posts.slice(i, BATCH_ROWS), languages=languages))
            if bar is not None:
                bar.update(slices[-1].height)
        if bar is not None:
            bar.close()
        del posts
        batch.posts = pl.concat(slices, how="vertical") if slices else enrich(empty_posts(), languages=languages)
        parts.append(batch)
    raw = ReadResult.combine(parts)
    posts = finalize(raw.posts)
    meta = {**raw.meta, "source": path.name, "sha256": file_sha256(path), "size_bytes": path.stat().st_size}
    stats = Counter(raw.stats)
    stats["duplicates"] = int(posts["duplicate_of"].is_not_null().sum()) if posts.height else 0
    return Feed(posts=posts, rejects=raw.rejects, stats=stats, meta=meta)


#: Below this many rows in a batch, ``load`` shows no progress bar by default (it takes a few seconds at most).
PROGRESS_MIN_ROWS = 200_000


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where a progress widget can be shown), unless ``FEEDTOOLS_PROGRESS=0``
    (set by ``feedtools report`` for the kernels it runs)."""
    import os
    import sys

    if os.environ.get("FEEDTOOLS_PROGRESS") == "0":
        return False
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return bool(shell) and hasattr(shell, "kernel")


def _progress_bar(total: int, name: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=f"enriching {name}", unit=" rows", unit_scale=True, leave=False)


def read(path: str | Path, **options) -> pl.DataFrame:
    """The canonical posts table of ``path`` (see :func:`load` for options and errors)."""
    return load(path, **options).posts


def summary_line(feed: Feed | ParseResult) -> str:
    """One line accounting for the input: ``N lines, P posts, R reposts, U placeholders, D duplicates, X rejected``.

    ``P`` counts own posts and ``R`` reposts (so ``P + R`` is the number of rows);
    for formats without lines the first figure counts records, and records skipped
    by design are added at the end.
    """
    if isinstance(feed, Feed):
        p = feed.posts
        rows = p.height
        reposts = int(p["is_repost"].sum()) if p.height else 0
        placeholders = int(p["is_placeholder"].sum()) if p.height else 0
    else:
        rows, reposts, placeholders = feed.rows, feed.reposts, feed.placeholders
    unit = feed.meta.get("unit", "records")
    first = feed.stats.get("lines") if unit == "lines" else feed.stats.get("records", 0)
    line = (
        f"{first} {unit}, {rows - reposts} posts, {reposts} reposts, {placeholders} placeholders, "
        f"{feed.stats.get('duplicates', 0)} duplicates, {feed.stats.get('rejected', 0)} rejected"
    )
    if unit != "lines":
        line += f", {feed.stats.get('skipped', 0)} skipped"
    return line


@dataclass
class ParseResult:
    """What :func:`parse_to_file` wrote: counts for the summary line, the rejects, and the input's ``meta``."""

    rows: int = 0
    reposts: int = 0
    placeholders: int = 0
    rejects: pl.DataFrame = field(default_factory=empty_rejects)
    stats: Counter = field(default_factory=Counter)
    meta: dict = field(default_factory=dict)


def parse_to_file(
    path: str | Path,
    output: str | Path,
    *,
    format: str = "auto",
    languages: Sequence[str] | None = None,
    known_names: Sequence[str] = (),
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> ParseResult:
    """Read, enrich and mark duplicates like :func:`load`, streaming, and write the posts table to ``output``.

    The file written holds the same rows and values as ``load(path).posts`` written with
    :func:`feedtools.export.write_table` (format by suffix: Parquet with row groups of
    100 000 rows, JSON Lines or CSV). ``progress(n)`` is called after each slice of
    ``n`` rows is enriched. ``workers`` > 1: language detection in that many
    processes (the caller's main module must be import-safe). Returns a :class:`ParseResult` (the caller writes its
    rejects). Raises what :func:`load` raises, ``ValueError`` for an unknown output
    suffix (before any reading), ``OSError`` when the output cannot be written.
    Enriched slices wait in a temporary folder next to ``output`` (``.NAME.tmp-XXXXXXXX``),
    removed at the end. ``output`` appears whole or not at all: it is written to a
    temporary file beside it and renamed over it when complete; on any error or
    interrupt the earlier file stays (:func:`feedtools.safeio.atomic_path`).
    """
    from feedtools.export import SUFFIXES, write_table
    from feedtools.safeio import atomic_path, temp_prefix

    path, output = Path(path), Path(output)
    kind = SUFFIXES.get(output.suffix.lower())
    if kind is None:
        raise ValueError(f"unknown output type {output.suffix or '(none)'!r} for {output.name}; "
                         f"use one of {', '.join(SUFFIXES)}")
    output.parent.mkdir(parents=True, exist_ok=True)
    result = ParseResult()
    rejects: list[pl.DataFrame] = []
    keys: list[pl.DataFrame] = []
    with tempfile.TemporaryDirectory(prefix=temp_prefix(output), dir=output.parent) as tmp_dir:
        parts: list[Path] = []
        for batch in iter_read(path, format, known_names=tuple(known_names)):
            result.stats.update(batch.stats)
            result.meta.update(batch.meta)
            rejects.append(batch.rejects)
            posts, batch.posts = batch.posts, None
            for start in range(0, posts.height, max(1, batch_rows)):
                part = enrich(posts.slice(start, batch_rows), languages=languages, workers=workers)
                keys.append(duplicate_keys(part))
                result.rows += part.height
                result.reposts += int(part["is_repost"].sum())
                result.placeholders += int(part["is_placeholder"].sum())
                parts.append(Path(tmp_dir) / f"{len(parts):06d}.parquet")
                part.write_parquet(parts[-1], compression="lz4", statistics=False)
                if progress is not None:
                    progress(part.height)
                del part
            del posts
        result.rejects = pl.concat(rejects, how="vertical") if rejects else empty_rejects()
        if not parts:
            result.stats["duplicates"] = 0
            write_table(conform(pl.DataFrame(schema=POSTS_SCHEMA)), output)  # an empty table, with its columns
        else:
            # The whole-feed step, on the keys only.
            all_keys = pl.concat(keys)
            del keys
            in_order = bool(all_keys["position"].is_sorted())
            dups = resolve_duplicates(all_keys).drop("position")
            del all_keys
            result.stats["duplicates"] = int(dups["duplicate_of"].is_not_null().sum())
            if in_order:
                with atomic_path(output) as tmp_out:
                    _write_with_duplicates(parts, dups, tmp_out, kind)
            else:  # a reader that yields positions out of order: sort in memory (none of ours does)
                posts = pl.read_parquet(parts, glob=False).with_columns(dups)
                write_table(conform(posts).sort("position"), output)
    result.meta = {**result.meta, "source": path.name, "size_bytes": path.stat().st_size}
    return result


def _write_with_duplicates(parts: list[Path], dups: pl.DataFrame, output: Path, kind: str) -> None:
    """Write the enriched slices in ``parts`` to ``output`` with the duplicate columns filled, chunk by chunk.

    ``dups`` holds ``duplicate_of`` and ``duplicate_kind`` for every row of ``parts``, in order.
    """
    from feedtools.export import csv_safe

    if kind == "parquet":
        # Streaming engine: the slices are scanned, joined to the (small) duplicate columns by row number.
        scan = pl.scan_parquet(parts, glob=False).drop("duplicate_of", "duplicate_kind").with_row_index("_i")
        joined = scan.join(dups.lazy().with_row_index("_i"), on="_i", how="left", maintain_order="left")
        joined.select(list(POSTS_SCHEMA)).sink_parquet(output, compression="zstd", statistics=True,
                                                       row_group_size=100_000)
        return
    offset = 0
    with open(output, "wb") as out:
        for i, part in enumerate(parts):
            chunk = pl.read_parquet(part, glob=False)
            chunk = conform(chunk.with_columns(dups.slice(offset, chunk.height)))
            offset += chunk.height
            if kind == "jsonl":
                chunk.write_ndjson(out)
            else:
                csv_safe(chunk).write_csv(out, include_header=(i == 0))
