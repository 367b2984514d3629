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
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import polars as pl

from feedtools.clean import add_text_clean, duplicate_keys, mark_duplicates, resolve_duplicates
from feedtools.entities import add_entities
from feedtools.language import add_language
from feedtools.readers import ReadResult, iter_read
from feedtools.readers.base import AccountInfo, FeedKind, FeedMeta, InputEntry, file_sha256
from feedtools.readers.inputs import input_facts
from feedtools.schema import POSTS_SCHEMA, conform, empty_posts, empty_rejects

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

#: Rows enriched and written at a time by :func:`parse_to_file`.
BATCH_ROWS = 200_000


@dataclass
class Feed:
    """A read and enriched feed: the posts table plus everything needed to account for the input.

    ``posts``: canonical schema. ``rejects``: records that could not be read, with
    location and reason. ``stats``: counts (``records == posts + rejected + skipped``).
    ``meta``: ``format``, ``source`` (file name; several joined with ``, ``), ``sha256``,
    ``size_bytes``, format-specific facts (``profile_name``, ``profile_bio`` for a scrape),
    ``inputs`` (one dict per input file: ``source``, ``format``, ``sha256``, ``size_bytes``,
    ``stats``, ``rows``) and the feed's kind (:func:`feed_kind`: ``kind``, ``accounts``,
    ``account``); the keys are typed by :class:`feedtools.readers.base.FeedMeta`.
    """

    posts: pl.DataFrame
    rejects: pl.DataFrame
    stats: Counter[str] = field(default_factory=Counter)
    meta: FeedMeta = field(default_factory=lambda: FeedMeta())


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
    paths = _as_paths(path)
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


def _as_paths(path: str | Path | Sequence[str | Path]) -> list[Path]:
    from feedtools.readers import FeedError

    if isinstance(path, (str, Path)):
        return [Path(path)]
    paths = [Path(p) for p in path]
    if not paths:
        raise FeedError("no input given")
    return paths


def is_parquet(path: str | Path) -> bool:
    """True when ``path`` is a regular file starting with the Parquet magic ``PAR1`` (decided by content)."""
    path = Path(path)
    if not path.is_file():  # a pipe or FIFO must not lose bytes (or block) here: the reader spools it
        return False
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PAR1"
    except OSError:
        return False


def _input_entry(meta: FeedMeta, stats: Counter[str], rows: int) -> InputEntry:
    """One input's provenance and accounting, as kept in ``meta["inputs"]``."""
    return {
        "source": meta.get("source"),
        "format": meta.get("format"),
        "sha256": meta.get("sha256"),
        "size_bytes": meta.get("size_bytes"),
        "unit": meta.get("unit", "records"),
        "rows": rows,
        "stats": {k: int(v) for k, v in sorted(stats.items()) if k != "duplicates"},  # a whole-feed count
    }


def _load_one(path: Path, *, format: str, languages, known_names, progress, workers: int = 1) -> Feed:
    """One input: a parsed Parquet file or dataset folder as stored, or a raw feed read, enriched and finalized."""
    if is_parquet(path):
        return read_parquet_feed(path)
    from feedtools.dataset import is_dataset, read_dataset

    if is_dataset(path):
        return read_dataset(path)
    parts: list[ReadResult] = []
    for batch in iter_read(path, format, known_names=tuple(known_names)):
        # Enriched in slices: the intermediate columns of a slice are freed before the next one.
        posts, batch.posts = batch.posts, empty_posts()  # the batch lets go of its rows
        show = progress if progress is not None else (_in_notebook() and posts.height > PROGRESS_MIN_ROWS)
        bar = _progress_bar(posts.height, path.name) if show else None
        slices = []
        for i in range(0, posts.height, BATCH_ROWS):
            slices.append(enrich(posts.slice(i, BATCH_ROWS), languages=languages, workers=workers))
            if bar is not None:
                bar.update(slices[-1].height)
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
    meta["inputs"] = [_input_entry(meta, stats, posts.height)]
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
            for e in part.meta.get("inputs") or [_input_entry(part.meta, part.stats, part.posts.height)]
        ]
        for entry in entries:  # repeats move from posts to skipped in that input's own accounting
            n = int(repeats.pop((i, entry["source"]), 0))
            if n:
                _count_repeats(entry, n)
        leftover = sum(n for (j, _), n in repeats.items() if j == i)
        if leftover:  # rows whose source names no input entry (a Parquet file written by other means)
            _count_repeats(entries[-1], leftover)
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


def _count_repeats(entry: InputEntry, n: int) -> None:
    st = entry["stats"]
    st["posts"] = st.get("posts", 0) - n
    st["skipped"] = st.get("skipped", 0) + n
    st["skipped_repeated"] = st.get("skipped_repeated", 0) + n
    entry["rows"] -= n


def account_key() -> pl.Expr:
    """The author of a row as one string: DID, else handle, else display name (null when none is known)."""
    return pl.coalesce(pl.col("author_did"), pl.col("author_handle"), pl.col("author_name"))


def feed_kind(posts: pl.DataFrame | pl.LazyFrame) -> FeedKind:
    """Whether a posts table is one account's feed or a collection of many, decided from the data.

    Returns ``{"kind": "account" | "collection", "accounts": N, "account": {...} | None}``.
    ``accounts`` counts the distinct authors (:func:`account_key`) of original (non-repost)
    rows. The feed is one ``account``'s when at most one author wrote its original rows
    and every repost was made by that same account (``reposted_by`` equal to its DID,
    handle or name, or one reposting account when there is no original row); otherwise
    it is a ``collection``. ``account`` (one-account feeds only) holds ``did``,
    ``handle`` and ``name`` (null where the format does not say). An empty table is one
    account's with 0 accounts and no ``account``.
    """
    lf = posts.lazy()
    authors = (
        lf.filter(~pl.col("is_repost").fill_null(False))
        .select(account_key().alias("key"), "author_did", "author_handle", "author_name")
        .drop_nulls("key")
        .group_by("key")
        .agg(pl.len().alias("n"), pl.col("author_did", "author_handle", "author_name").drop_nulls().first())
        .sort(["n", "key"], descending=[True, False])
        .collect()
    )
    reposters = (
        lf.filter(pl.col("is_repost").fill_null(False))
        .select(pl.col("reposted_by").drop_nulls().unique().sort())
        .collect()["reposted_by"]
        .to_list()
    )
    accounts = authors.height
    account: AccountInfo | None = None
    if accounts == 1:
        a = authors.row(0, named=True)
        account = {"did": a["author_did"], "handle": a["author_handle"], "name": a["author_name"]}
        ids = [v for v in (account["did"], account["handle"], account["name"]) if v]
        names = set(ids) | {v.lower() for v in ids}
        one = all(r in names or r.lower() in names for r in reposters)
    elif accounts == 0:
        one = len(reposters) <= 1
        if reposters:
            r = reposters[0]
            account = {
                "did": r if r.startswith("did:") else None,
                "handle": r.lower() if "." in r and " " not in r and not r.startswith("did:") else None,
                "name": None if r.startswith("did:") or ("." in r and " " not in r) else r,
            }
    else:
        one = False
    if not one:
        return {"kind": "collection", "accounts": accounts, "account": None}
    return {"kind": "account", "accounts": accounts, "account": account}


# --- Parquet as the hand-off -------------------------------------------------------------------------------------

#: Key of the Parquet key-value metadata entry holding a feed's stats, rejects and metadata (JSON).
PARQUET_META_KEY = "feedtools.feed"


def parquet_metadata(stats: Counter[str] | dict[str, int], meta: FeedMeta, rejects: pl.DataFrame) -> dict[str, str]:
    """The key-value metadata a parsed posts Parquet file carries: ``{PARQUET_META_KEY: JSON}``.

    The JSON holds ``version`` (1), ``stats``, ``meta`` and ``rejects`` (rows of the
    rejects table), so :func:`read_parquet_feed` gives back the same accounting.
    """
    from feedtools import __version__

    doc = {
        "version": 1,
        "package_version": __version__,
        "stats": {k: int(v) for k, v in sorted(dict(stats).items())},
        "meta": meta,
        "rejects": rejects.to_dicts(),
    }
    return {PARQUET_META_KEY: json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str)}


def write_parquet_feed(feed: Feed, output: str | Path) -> Path:
    """Write ``feed``'s posts table to ``output`` as Parquet with its stats, rejects and meta in the metadata.

    Written to a temporary file beside ``output`` and renamed into place (a reader sees
    the old file or the new one, never a part). Returns ``output`` as a ``Path``.
    Raises ``OSError`` when it cannot be written.
    """
    from feedtools.safeio import atomic_path

    output = Path(output)
    with atomic_path(output) as tmp:
        conform(feed.posts).write_parquet(
            tmp,
            compression="zstd",
            statistics=True,
            row_group_size=100_000,
            metadata=parquet_metadata(feed.stats, feed.meta, feed.rejects),
        )
    return output


def read_parquet_feed(path: str | Path) -> Feed:
    """A :class:`Feed` from a parsed posts Parquet file (as written by ``feedtools parse`` or
    :func:`write_parquet_feed`).

    Stats, rejects and meta come from the file's key-value metadata; a posts table
    without it (written by other means) gets ``records = posts = rows`` and
    ``meta["accounting"] = "not recorded"``. Raises :class:`FeedError` when the file
    cannot be read as Parquet or its columns are not the posts schema.
    """
    from feedtools.readers import FeedError

    path = Path(path)
    feed = _parquet_accounting(path)
    try:
        feed.posts = conform(pl.read_parquet(path))
    except Exception as e:  # noqa: BLE001 - polars raises several types for a damaged file
        raise FeedError(f"{path.name}: a Parquet file that cannot be read ({type(e).__name__})") from None
    if feed.meta.get("accounting") == "not recorded":
        feed.stats["duplicates"] = int(feed.posts["duplicate_of"].is_not_null().sum())
        formats = feed.posts["source_format"].drop_nulls().unique().sort().to_list()
        feed.meta["format"] = formats[0] if len(formats) == 1 else "mixed"
        feed.meta["inputs"] = [_input_entry(feed.meta, feed.stats, feed.posts.height)]
    return feed


def _parquet_accounting(path: Path) -> Feed:
    """A parsed Parquet file's stats, rejects and meta (``posts`` left empty), from its footer only."""
    import pyarrow.parquet as pq

    from feedtools.readers import FeedError

    try:
        info = pq.ParquetFile(path)
        names = info.schema_arrow.names
        rows = info.metadata.num_rows
        kv = {
            k.decode("utf-8", "replace"): v.decode("utf-8", "replace")
            for k, v in (info.metadata.metadata or {}).items()
        }
    except Exception as e:  # noqa: BLE001 - pyarrow raises several types for a damaged file
        raise FeedError(f"{path.name}: a Parquet file that cannot be read ({type(e).__name__})") from None
    missing = [c for c in POSTS_SCHEMA if c not in names]
    extra = [c for c in names if c not in POSTS_SCHEMA]
    if missing or extra:
        raise FeedError(
            f"{path.name}: a Parquet file, but not a feedtools posts table "
            f"({len(missing)} columns missing, {len(extra)} unknown)"
        )
    raw = kv.get(PARQUET_META_KEY)
    if raw is None:
        stats = Counter({"records": rows, "posts": rows, "rejected": 0, "skipped": 0})
        meta: FeedMeta = {
            "format": "unknown",
            "source": path.name,
            "unit": "records",
            "sha256": file_sha256(path),
            "size_bytes": path.stat().st_size,
            "accounting": "not recorded",
        }
        meta["inputs"] = [_input_entry(meta, stats, rows)]
        return Feed(posts=empty_posts(), rejects=empty_rejects(), stats=stats, meta=meta)
    try:
        doc = json.loads(raw)
        stats = Counter({str(k): int(v) for k, v in doc["stats"].items()})
        meta = cast(FeedMeta, dict(doc["meta"]))  # written by parquet_metadata from a FeedMeta
        rejects = (
            pl.DataFrame(doc["rejects"], schema=empty_rejects().schema, orient="row")
            if doc["rejects"]
            else empty_rejects()
        )
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise FeedError(f"{path.name}: its feedtools metadata is damaged ({type(e).__name__})") from None
    if "inputs" not in meta:
        meta["inputs"] = [_input_entry(meta, stats, rows)]
    return Feed(posts=empty_posts(), rejects=rejects, stats=stats, meta=meta)


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


def read(path: str | Path | Sequence[str | Path], **options) -> pl.DataFrame:
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
    stats: Counter[str] = field(default_factory=Counter)
    meta: FeedMeta = field(default_factory=lambda: FeedMeta())


def parse_to_file(
    path: str | Path | Sequence[str | Path],
    output: str | Path,
    *,
    format: str = "auto",
    languages: Sequence[str] | None = None,
    known_names: Sequence[str] = (),
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int], object] | None = None,
    workers: int = 1,
    dataset: bool = False,
) -> ParseResult:
    """Read, enrich and mark duplicates like :func:`load`, streaming, and write the posts table to ``output``.

    With ``dataset=True`` or an existing folder as ``output``: a dataset folder of Parquet parts with a
    manifest of the inputs (:mod:`feedtools.dataset`; each input entry gets its SHA-256), made whole beside
    ``output`` and moved into place.

    ``path`` may be one path or a list (one table, as :func:`load` makes it); an input
    may be a parsed posts Parquet file (its rows are taken as enriched; duplicates are
    resolved again over all inputs). The file written holds the same rows and values
    as ``load(path).posts`` written with :func:`feedtools.export.write_table` (format by
    suffix: Parquet with row groups of 100 000 rows, JSON Lines or CSV); a Parquet
    output also carries the feed's stats, rejects and meta in its key-value metadata
    (:func:`parquet_metadata`), so loading it gives back the same accounting.
    ``progress(n)`` is called after each slice of ``n`` rows is enriched. ``workers`` >
    1: language detection in that many processes (the caller's main module must be
    import-safe). Returns a :class:`ParseResult` (the caller writes its rejects).
    Raises what :func:`load` raises, ``ValueError`` for an unknown output suffix (before
    any reading), ``OSError`` when the output cannot be written. Enriched slices wait
    in a temporary folder next to ``output`` (``.NAME.tmp-XXXXXXXX``), removed at the end.
    ``output`` appears whole or not at all: it is written to a temporary file beside it
    and renamed over it when complete; on any error or interrupt the earlier file stays
    (:func:`feedtools.safeio.atomic_path`).
    """
    from feedtools.export import SUFFIXES, write_table
    from feedtools.safeio import atomic_path, check_suffix, temp_prefix

    paths, output = _as_paths(path), Path(output)
    if dataset or output.is_dir():
        return _parse_to_dataset(
            paths,
            output,
            format=format,
            languages=languages,
            known_names=known_names,
            batch_rows=batch_rows,
            progress=progress,
            workers=workers,
        )
    kind = SUFFIXES[check_suffix(output, SUFFIXES)]  # UsageError (a ValueError) for another suffix
    output.parent.mkdir(parents=True, exist_ok=True)
    result = ParseResult()
    rejects: list[pl.DataFrame] = []
    keys: list[pl.DataFrame] = []
    who: list[pl.DataFrame] = []  # distinct author/reposter combinations, for feed_kind
    inputs: list[InputEntry] = []
    earlier_ids: pl.Series | None = None  # post_ids of earlier inputs (several inputs only)
    offset = 0
    with tempfile.TemporaryDirectory(prefix=temp_prefix(output), dir=output.parent) as tmp_dir:
        parts: list[Path] = []
        for input_path in paths:
            stats: Counter[str] = Counter()
            meta: FeedMeta = {}
            entries: list[InputEntry] | None = None
            repeats: Counter[str | None] = Counter()  # by the rows' source (null in a foreign table)
            ids: list[pl.Series] = []
            last_position = -1
            for posts, batch_rejects, batch_stats, batch_meta, enriched in _iter_input(
                input_path, format, tuple(known_names), batch_rows
            ):
                stats.update(batch_stats)
                meta.update(batch_meta)
                if enriched:
                    entries = batch_meta.get("inputs")
                rejects.append(batch_rejects)
                for start in range(0, posts.height, max(1, batch_rows)):
                    part = posts.slice(start, batch_rows)
                    if not enriched:
                        part = enrich(part, languages=languages, workers=workers)
                    if part.height:
                        last_position = max(last_position, int(part["position"].max()))
                    if earlier_ids is not None:
                        rep = part["post_id"].is_in(earlier_ids.implode()).fill_null(False)
                        if rep.any():
                            repeats.update(dict(part.filter(rep)["source"].value_counts().iter_rows()))
                            part = part.filter(~rep)
                    if len(paths) > 1:
                        part = part.with_columns(pl.col("position") + offset)
                        ids.append(part["post_id"].drop_nulls())
                    keys.append(duplicate_keys(part))
                    who.append(
                        part.select("is_repost", "reposted_by", "author_did", "author_handle", "author_name").unique()
                    )
                    result.rows += part.height
                    result.reposts += int(part["is_repost"].sum())
                    result.placeholders += int(part["is_placeholder"].sum())
                    parts.append(Path(tmp_dir) / f"{len(parts):06d}.parquet")
                    part.write_parquet(parts[-1], compression="lz4", statistics=False)
                    if progress is not None:
                        progress(part.height)
                    del part
                del posts
            offset += last_position + 1
            if len(paths) > 1 and ids:
                earlier_ids = pl.concat([earlier_ids, *ids]) if earlier_ids is not None else pl.concat(ids)
            if not entries:
                meta.update(input_facts(input_path, meta))  # sha256 too: provenance carried by a Parquet output
                entries = [_input_entry(meta, stats, -1)]
            entries = [{**e, "stats": dict(e["stats"])} for e in entries]
            for entry in entries:
                n = repeats.pop(entry["source"], 0)
                if n:
                    _count_repeats(entry, n)
            if repeats:
                _count_repeats(entries[-1], sum(repeats.values()))
            inputs += entries
            if len(paths) == 1:
                result.meta = meta
        result.rejects = pl.concat(rejects, how="vertical") if rejects else empty_rejects()
        for entry in inputs:
            result.stats.update({k: v for k, v in entry["stats"].items() if k != "duplicates"})
        if not parts:
            result.stats["duplicates"] = 0
        else:
            # The whole-feed step, on the keys only.
            all_keys = pl.concat(keys)
            del keys
            in_order = bool(all_keys["position"].is_sorted())
            dups = resolve_duplicates(all_keys).drop("position")
            del all_keys
            result.stats["duplicates"] = int(dups["duplicate_of"].is_not_null().sum())
        if len(paths) > 1:
            formats = sorted({str(e["format"]) for e in inputs})
            result.meta = {
                "format": formats[0] if len(formats) == 1 else "mixed",
                "source": ", ".join(str(e["source"]) for e in inputs),
                "unit": "lines" if all(e.get("unit") == "lines" for e in inputs) else "records",
            }
        else:
            result.meta = {**result.meta, **input_facts(paths[0], result.meta, sha256=False)}
        for entry in inputs:
            if entry.get("rows", -1) < 0:
                entry["rows"] = int(entry["stats"].get("posts", 0))
        result.meta["inputs"] = inputs
        result.meta = {**result.meta, **feed_kind(pl.concat(who).unique() if who else empty_posts())}
        metadata = parquet_metadata(result.stats, result.meta, result.rejects)
        if not parts:
            empty = conform(pl.DataFrame(schema=POSTS_SCHEMA))  # an empty table, with its columns
            if kind == "parquet":
                with atomic_path(output) as tmp:
                    empty.write_parquet(tmp, compression="zstd", metadata=metadata)
            else:
                write_table(empty, output)
        elif in_order:
            with atomic_path(output) as tmp:
                _write_with_duplicates(parts, dups, tmp, kind, metadata)
        else:  # a reader that yields positions out of order: sort in memory (none of ours does)
            posts = conform(pl.read_parquet(parts, glob=False).with_columns(dups)).sort("position")
            if kind == "parquet":
                with atomic_path(output) as tmp:
                    posts.write_parquet(
                        tmp, compression="zstd", statistics=True, row_group_size=100_000, metadata=metadata
                    )
            else:
                write_table(posts, output)
    return result


def _parse_to_dataset(paths: list[Path], output: Path, **options) -> ParseResult:
    """:func:`parse_to_file` into a dataset folder: one Parquet file in a temporary folder beside ``output``,
    split into parts with the manifest (:func:`feedtools.dataset.write_parts`)."""
    from feedtools.dataset import write_parts

    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{output.name}.", dir=output.parent) as tmp:
        single = Path(tmp) / "posts.parquet"
        result = parse_to_file(paths if len(paths) > 1 else paths[0], single, **options)
        by_name = {p.name: p for p in paths}
        for entry in result.meta.get("inputs", []):
            src = by_name.get(str(entry.get("source")))
            if entry.get("sha256") is None and src is not None and src.exists():
                entry["sha256"] = file_sha256(src)
        if len(paths) == 1 and result.meta.get("sha256") is None and paths[0].exists():
            result.meta["sha256"] = file_sha256(paths[0])
        write_parts(single, output, result.stats, result.meta, result.rejects)
    return result


def _iter_input(path: Path, format: str, known_names: tuple[str, ...], batch_rows: int):
    """Batches of one input as ``(posts, rejects, stats, meta, enriched)``: a reader's batches
    (not yet enriched), or a parsed Parquet file's rows in slices (enriched; its stats,
    rejects and meta come with the first slice)."""
    from feedtools.dataset import dataset_accounting, is_dataset, iter_dataset_batches

    if is_dataset(path):
        feed_meta = dataset_accounting(path)
        first = True
        for posts in iter_dataset_batches(path, batch_rows):
            yield (
                posts,
                (feed_meta.rejects if first else empty_rejects()),
                (feed_meta.stats if first else Counter()),
                (feed_meta.meta if first else {}),
                True,
            )
            first = False
        if first:
            yield empty_posts(), feed_meta.rejects, feed_meta.stats, feed_meta.meta, True
        return
    if is_parquet(path):
        import pyarrow.parquet as pq

        feed_meta = _parquet_accounting(path)
        first = True
        try:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=max(1, batch_rows)):
                posts = conform(cast(pl.DataFrame, pl.from_arrow(batch)))  # a record batch gives a DataFrame
                if first:
                    yield posts, feed_meta.rejects, feed_meta.stats, feed_meta.meta, True
                    first = False
                else:
                    yield posts, empty_rejects(), Counter(), {}, True
        except Exception as e:  # noqa: BLE001 - polars/pyarrow raise several types for a damaged file
            from feedtools.readers import FeedError

            raise FeedError(f"{path.name}: a Parquet file that cannot be read ({type(e).__name__})") from None
        if first:
            yield empty_posts(), feed_meta.rejects, feed_meta.stats, feed_meta.meta, True
        return
    for result in iter_read(path, format, known_names=known_names):
        posts, result.posts = result.posts, empty_posts()  # the batch lets go of its rows
        yield posts, result.rejects, result.stats, result.meta, False


def _write_with_duplicates(
    parts: list[Path], dups: pl.DataFrame, output: Path, kind: str, metadata: dict[str, str] | None = None
) -> None:
    """Write the enriched slices in ``parts`` to ``output`` with the duplicate columns filled, chunk by chunk.

    ``dups`` holds ``duplicate_of`` and ``duplicate_kind`` for every row of ``parts``, in order.
    """
    from feedtools.export import csv_safe

    if kind == "parquet":
        # Streaming engine: the slices are scanned, joined to the (small) duplicate columns by row number.
        scan = pl.scan_parquet(parts, glob=False).drop("duplicate_of", "duplicate_kind").with_row_index("_i")
        joined = scan.join(dups.lazy().with_row_index("_i"), on="_i", how="left", maintain_order="left")
        joined.select(list(POSTS_SCHEMA)).sink_parquet(
            output, compression="zstd", statistics=True, row_group_size=100_000, metadata=metadata
        )
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
