"""What every reader returns, and the one error type a reader raises (:class:`FeedError`, re-exported from
:mod:`feedtools.errors`).

A reader turns one input file into :class:`ReadResult` batches: posts in the
canonical schema (reader-filled columns only; enrichment fills the rest), the
records it rejected (with location and reason) and counts that account for every
record read (``records == posts + rejected + skipped``). Each reader module satisfies
:class:`Reader`; what a batch says about its input (and, after the pipeline, about the
whole feed) is a :class:`FeedMeta`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, TypedDict, runtime_checkable

import polars as pl

from feedtools.errors import FeedError, neutralise  # noqa: F401 - FeedError is imported from here
from feedtools.schema import REJECTS_SCHEMA, conform, empty_posts, empty_rejects

#: Leading bytes of common non-feed files, for a clear error instead of a parse failure.
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (also .xlsx/.docx)"),
    (b"\x1f\x8b", "a gzip file (decompress it first)"),
    (b"PAR1", "a Parquet file (already a table: read it with polars)"),
    (b"SQLite format 3", "an SQLite database"),
)


#: Control bytes that text files do not contain (tab, LF, CR, FF and ESC excluded).
_BINARY_BYTES = [b for b in range(32) if b not in (9, 10, 12, 13, 27)]


class InputEntry(TypedDict):
    """One input's provenance and record accounting, as kept in ``FeedMeta["inputs"]``."""

    source: str | None
    format: str | None
    sha256: str | None
    size_bytes: int | None
    unit: str  # "records", or "lines" for a line-based scrape
    rows: int  # rows this input gave (-1 when not known)
    stats: dict[str, int]  # the input's own counts (``records == posts + rejected + skipped``)


class AccountInfo(TypedDict):
    """The account a one-account feed belongs to (null where the format does not say)."""

    did: str | None
    handle: str | None
    name: str | None


class FeedKind(TypedDict):
    """Whether a feed is one account's or a collection (:func:`feedtools.pipeline.feed_kind`)."""

    kind: Literal["account", "collection"]
    accounts: int  # distinct authors of original (non-repost) rows
    account: AccountInfo | None  # one-account feeds only


class FeedMeta(TypedDict, total=False):
    """What a reader says about its input (``ReadResult.meta``) and the pipeline about a feed (``Feed.meta``).

    Every reader sets ``format``, ``source`` and ``unit``; the pipeline adds ``sha256``, ``size_bytes``,
    ``inputs`` and the feed's kind (``kind``, ``accounts``, ``account``: see
    :func:`feedtools.pipeline.feed_kind`); the other keys are format-specific facts.
    """

    format: str  # reader name, "mixed" for inputs of several formats, "unknown" for an unrecorded Parquet table
    source: str  # file name; several joined with ", "
    unit: str  # what ``records`` counts: "records" or "lines"
    sha256: str | None
    size_bytes: int | None
    spooled_from: str  # "stdin" or "pipe" when read from a stream (feedtools.readers.inputs)
    inputs: list[InputEntry]
    kind: Literal["account", "collection"]
    accounts: int
    account: AccountInfo | None
    accounting: str  # "not recorded" for a Parquet table written by other means than feedtools
    profile_name: str | None  # scrape, CAR, fetch folder
    profile_bio: str | None  # scrape, fetch folder
    did: str | None  # CAR, fetch folder
    handle: str | None  # fetch folder
    rev: str | None  # CAR: the repository revision
    data_cid: str | None  # CAR: the root of the record tree
    repo_version: int | None  # CAR: the commit's format version
    pages: int  # fetch folder: author-feed pages saved
    repo: str | None  # fetch folder: the repository file read, if any
    fetched_at: str | None  # fetch folder: when the last run finished


@dataclass
class ReadResult:
    """Output of a reader for one file, or one batch of it.

    ``posts`` has the canonical schema; ``rejects`` the :data:`REJECTS_SCHEMA`;
    ``stats`` counts records by how they ended (always including ``records``,
    ``posts``, ``rejected`` and ``skipped``); ``meta`` describes the input
    (``format``, ``source``, and format-specific facts such as ``profile_name``).
    """

    posts: pl.DataFrame = field(default_factory=empty_posts)
    rejects: pl.DataFrame = field(default_factory=empty_rejects)
    stats: Counter[str] = field(default_factory=Counter)
    meta: FeedMeta = field(default_factory=lambda: FeedMeta())

    @classmethod
    def combine(cls, parts: Iterable[ReadResult]) -> ReadResult:
        """Concatenate batches of one file into one result (stats added, meta merged)."""
        parts = list(parts)
        if not parts:
            return cls()
        stats: Counter[str] = Counter()
        meta: FeedMeta = {}
        for p in parts:
            stats.update(p.stats)
            meta.update(p.meta)
        return cls(
            posts=pl.concat([p.posts for p in parts], how="vertical"),
            rejects=pl.concat([p.rejects for p in parts], how="vertical"),
            stats=stats,
            meta=meta,
        )


@runtime_checkable
class Reader(Protocol):
    """What a reader module provides (each module named in :data:`feedtools.readers.FORMATS` is one).

    ``FORMAT``: its name. ``sniff(head)``: does the start of a file (up to 64 KiB) look like this format?
    ``read_batches(path, **options)``: the input as :class:`ReadResult` batches, whose counts together account
    for every record; options a reader does not know are ignored (``known_names`` for a scrape,
    ``batch_size`` for Jetstream). Raises :class:`FeedError` for an input that cannot be read at all.
    """

    FORMAT: str

    def sniff(self, head: bytes) -> bool: ...

    def read_batches(self, path: str | Path, **options: Any) -> Iterator[ReadResult]: ...


def rejects_frame(rows: list[dict]) -> pl.DataFrame:
    """Build a rejects table from dicts with keys of :data:`REJECTS_SCHEMA` (``raw`` cut to 500 chars)."""
    if not rows:
        return empty_rejects()
    for r in rows:
        raw = r.get("raw")
        if raw is not None and len(raw) > 500:
            r["raw"] = raw[:500] + "…"
    return pl.DataFrame(rows, schema=REJECTS_SCHEMA)


def posts_frame(rows: list[dict]) -> pl.DataFrame:
    """Build a canonical posts table from dicts holding any subset of the schema's columns."""
    if not rows:
        return empty_posts()
    return conform(pl.DataFrame(rows, infer_schema_length=None, strict=False))


def sniff_binary(head: bytes) -> str | None:
    """Return a description of ``head`` if it is a known binary format or not text, else None."""
    for magic, what in MAGIC:
        if head.startswith(magic):
            return what
    sample = head[:8192]
    controls = sum(sample.count(bytes([b])) for b in _BINARY_BYTES)
    if sample and controls / len(sample) > 0.05:
        return "binary data, not text"
    return None


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks; for a fetch folder, of its ``manifest.json`` (which
    holds the SHA-256 of every file saved there)."""
    if Path(path).is_dir():
        path = Path(path) / "manifest.json"
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def input_size(path: Path) -> int:
    """Size in bytes of an input: a file's size, or the sum of the files in a folder (a fetch folder)."""
    path = Path(path)
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size
