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
  in slices of ``batch_rows`` and written as Arrow IPC files to a temporary folder;
  the whole-feed step runs on their duplicate keys group by group, against the first
  position of every earlier key (:class:`feedtools.clean.DuplicatesSoFar`), and each
  group is copied row group by row group into the output with the duplicate columns
  filled while the feed is still read. Memory is bounded by the reader's batch plus
  the earlier keys (about 40 bytes a distinct key), not by the feed.

Several inputs and parsed Parquet
---------------------------------
Both drivers take one path or a list of paths. Rows of several inputs form one table:
``position`` continues across the inputs in the order given, ``source`` names each
row's file, a post already read from an earlier input (same ``post_id``) is counted
as ``skipped_repeated`` of its own input, and duplicates are resolved across all of
them. Each input's record accounting is kept apart in ``meta["inputs"]``.

An input may also be a posts table written by ``feedtools parse -o X.parquet``
(recognised by content: the ``PAR1`` magic). Such a file carries the feed's stats,
rejects and metadata in its Parquet key-value metadata (key :data:`PARQUET_META_KEY`),
so a feed loaded from it has the same accounting and provenance as the raw input: parse
once, then hand the Parquet file to every notebook and command.

Feed kind
---------
:func:`feed_kind` decides from the data whether a feed is one account's (a profile
scrape, an author feed, a repository CAR) or a ``collection`` of many (post lists,
Jetstream captures, several organisations' files): the distinct authors of original
(non-repost) rows, and the reposting accounts. ``load`` records it in ``meta``.

Where things live
-----------------
This module holds the in-memory driver (:func:`load`, several inputs combined). The rest is re-exported
from here, so import
every name from ``feedtools.pipeline``: :mod:`feedtools.feed` (:class:`Feed`,
:class:`ParseResult`, :func:`feed_kind`, :func:`summary_line`, an input's accounting),
:mod:`feedtools.parquetfeed` (the Parquet hand-off), :mod:`feedtools.streamparse`
(:func:`parse_to_file`), :mod:`feedtools.enrich` (the seam: :func:`enrich`, :func:`finalize`)
and :mod:`feedtools.progress` (the notebook progress bar).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import polars as pl

from feedtools import readers
from feedtools.enrich import PARALLEL_MIN_ROWS, Enricher, _enrich_here, enrich, finalize  # noqa: F401 - re-exported
from feedtools.feed import (
    Feed,
    ParseResult,
    account_key,
    as_paths,
    count_repeats,
    feed_kind,
    input_entry,
    summary_line,
)
from feedtools.parquetfeed import (
    PARQUET_META_KEY,
    is_parquet,
    parquet_accounting,
    parquet_metadata,
    read_parquet_feed,
    write_parquet_feed,
)
from feedtools.progress import PROGRESS_MIN_ROWS, in_notebook, progress_bar
from feedtools.readers import ReadResult, iter_read  # noqa: F401 - iter_read re-exported
from feedtools.readers.base import FeedMeta, InputEntry
from feedtools.readers.inputs import input_facts
from feedtools.schema import empty_posts
from feedtools.streamparse import BATCH_ROWS, parse_to_file

__all__ = [
    "BATCH_ROWS",
    "PARQUET_META_KEY",
    "Feed",
    "ParseResult",
    "account_key",
    "enrich",
    "feed_kind",
    "finalize",
    "is_parquet",
    "load",
    "parquet_metadata",
    "parse_to_file",
    "read",
    "read_parquet_feed",
    "summary_line",
    "write_parquet_feed",
]

# Earlier names of helpers that moved out (spark, notebooks and older code import them from here).
_as_paths, _input_entry, _count_repeats, _parquet_accounting = as_paths, input_entry, count_repeats, parquet_accounting
_in_notebook, _progress_bar = in_notebook, progress_bar


def load(
    path: str | Path | Sequence[str | Path],
    *,
    format: str = "auto",
    languages: Sequence[str] | None = None,
    known_names: Sequence[str] = (),
    progress: bool | None = None,
    workers: int | None = None,
) -> Feed:
    """Read ``path`` (any supported format, or a parsed posts Parquet file), clean and enrich it, mark duplicates.

    ``path`` may be a list of paths: the inputs become one table (see the module's
    notes: positions continue, ``source`` names each row's file, a post repeated from
    an earlier input is skipped and counted, duplicates are resolved across all).
    ``stats`` add up the inputs' counts; ``meta["inputs"]`` keeps each input's own.
    ``format`` applies to every raw input; a Parquet file is recognised by content whatever it says.

    ``progress``: show a progress bar of enriched rows (``tqdm.auto``: a widget in a
    notebook, text on stderr elsewhere). ``None`` (default) shows it only inside an
    interactive Jupyter kernel and only for batches of more than
    :data:`PROGRESS_MIN_ROWS` rows, so small feeds (and stored notebook outputs) stay
    quiet; report builds turn it off; the bar is removed when done.

    ``workers``: processes sharing the enrichment of large batches (:func:`enrich`; the table is the same
    whatever the number). ``None`` (default): every core when :func:`feedtools.language.parallel_safe` says
    worker processes can be started from this program (a notebook, the interactive interpreter, the
    ``feedtools`` command), else 1. A script whose top level is guarded by ``if __name__ == "__main__"`` may
    pass ``workers=os.cpu_count()`` itself.

    Raises :class:`feedtools.readers.FeedError` (one-line message) for input that
    cannot be read at all (also for an empty list of paths, or a Parquet file that is
    not a posts table); bad records inside a readable file go to ``rejects``.
    """
    paths = as_paths(path)
    if workers is None:
        import os

        from feedtools.language import parallel_safe

        workers = (os.cpu_count() or 1) if parallel_safe() else 1
    parts = [
        _load_one(p, format=format, languages=languages, known_names=known_names, progress=progress, workers=workers)
        for p in paths
    ]
    if len(parts) == 1:
        feed = parts[0]
    else:
        feed = _combine_feeds(parts)
    feed.meta = {**feed.meta, **feed_kind(feed.posts)}
    return feed


def _load_one(path: Path, *, format: str, languages, known_names, progress, workers: int = 1) -> Feed:
    """One input: a parsed Parquet file or dataset folder as stored, or a raw feed read, enriched and finalized."""
    if is_parquet(path):
        return read_parquet_feed(path)
    from feedtools.dataset import is_dataset, read_dataset

    if is_dataset(path):
        return read_dataset(path)
    parts: list[ReadResult] = []
    for batch in readers.iter_read(path, format, known_names=tuple(known_names)):  # looked up at call time
        # Enriched in slices: the intermediate columns of a slice are freed before the next one.
        posts, batch.posts = batch.posts, empty_posts()  # the batch lets go of its rows
        show = progress if progress is not None else (in_notebook() and posts.height > PROGRESS_MIN_ROWS)
        bar = progress_bar(posts.height, path.name) if show else None
        slices = []
        with Enricher(workers, languages, keys=False) as enricher:  # the workers kept busy across the slices
            enricher.put(posts, BATCH_ROWS)
            for part, _ in enricher.results(final=True):
                slices.append(part)
                if bar is not None:
                    bar.update(part.height)
        if bar is not None:
            bar.close()
        del posts
        batch.posts = pl.concat(slices, how="vertical") if slices else enrich(empty_posts(), languages=languages)
        parts.append(batch)
    raw = ReadResult.combine(parts)
    posts = finalize(raw.posts)
    meta: FeedMeta = {**raw.meta, **input_facts(path, raw.meta)}  # a pipe's facts come from its spool
    stats = Counter(raw.stats)
    stats["duplicates"] = int(posts["duplicate_of"].is_not_null().sum()) if posts.height else 0
    meta["inputs"] = [input_entry(meta, stats, posts.height)]
    return Feed(posts=posts, rejects=raw.rejects, stats=stats, meta=meta)


def _combine_feeds(parts: list[Feed]) -> Feed:
    """Several loaded inputs as one feed: positions continued, cross-input repeats skipped, duplicates resolved."""
    frames, offset = [], 0
    for i, part in enumerate(parts):
        frames.append(part.posts.with_columns(pl.col("position") + offset, pl.lit(i, pl.Int32).alias("_input")))
        offset += part.posts.height
    posts = pl.concat(frames, how="vertical")
    # A post already read from an earlier input (same post_id) is the same record seen twice: skipped, counted.
    first_input = pl.col("_input").min().over("post_id")
    repeated = pl.col("post_id").is_not_null() & (pl.col("_input") > first_input)
    counts = posts.select(repeated.alias("_rep"), "_input", "source").filter("_rep").group_by("_input", "source").len()
    repeats = {(i, src): n for i, src, n in counts.iter_rows()}
    posts = posts.filter(~repeated).drop("_input")
    posts = finalize(posts.drop("duplicate_of", "duplicate_kind"))
    inputs: list[InputEntry] = []
    stats: Counter[str] = Counter()
    for i, part in enumerate(parts):
        entries: list[InputEntry] = [
            {**e, "stats": dict(e["stats"])}
            for e in part.meta.get("inputs") or [input_entry(part.meta, part.stats, part.posts.height)]
        ]
        for entry in entries:  # repeats move from posts to skipped in that input's own accounting
            n = int(repeats.pop((i, entry["source"]), 0))
            if n:
                count_repeats(entry, n)
        leftover = sum(n for (j, _), n in repeats.items() if j == i)
        if leftover:  # rows whose source names no input entry (a Parquet file written by other means)
            count_repeats(entries[-1], leftover)
        for e in entries:
            stats.update({k: v for k, v in e["stats"].items() if k != "duplicates"})
        inputs += entries
    stats["duplicates"] = int(posts["duplicate_of"].is_not_null().sum()) if posts.height else 0
    formats = sorted({str(e["format"]) for e in inputs})
    meta: FeedMeta = {
        "format": formats[0] if len(formats) == 1 else "mixed",
        "source": ", ".join(str(e["source"]) for e in inputs),
        "unit": "lines" if all(e.get("unit") == "lines" for e in inputs) else "records",
        "inputs": inputs,
    }
    shared: dict[str, object] = {}
    for part in parts:  # one-input facts (profile name…) only when every input agrees
        for key, value in part.meta.items():
            if key in {"format", "source", "unit", "inputs", "sha256", "size_bytes", "kind", "accounts", "account"}:
                continue
            if all(p.meta.get(key) == value for p in parts):
                shared.setdefault(key, value)
    meta.update(cast(FeedMeta, shared))  # keys and values taken from the inputs' own FeedMeta
    rejects = pl.concat([p.rejects for p in parts], how="vertical")
    return Feed(posts=posts, rejects=rejects, stats=stats, meta=meta)


def read(path: str | Path | Sequence[str | Path], **options) -> pl.DataFrame:
    """The canonical posts table of ``path`` (see :func:`load` for options and errors)."""
    return load(path, **options).posts
