"""What every reader returns, and the one error type a reader raises (:class:`FeedError`, re-exported from
:mod:`feedtools.errors`).

A reader turns one input file into :class:`ReadResult` batches: posts in the
canonical schema (reader-filled columns only; enrichment fills the rest), the
records it rejected (with location and reason) and counts that account for every
record read (``records == posts + rejected + skipped``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

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
    stats: Counter = field(default_factory=Counter)
    meta: dict = field(default_factory=dict)

    @classmethod
    def combine(cls, parts: Iterable[ReadResult]) -> ReadResult:
        """Concatenate batches of one file into one result (stats added, meta merged)."""
        parts = list(parts)
        if not parts:
            return cls()
        stats: Counter = Counter()
        meta: dict = {}
        for p in parts:
            stats.update(p.stats)
            meta.update(p.meta)
        return cls(
            posts=pl.concat([p.posts for p in parts], how="vertical"),
            rejects=pl.concat([p.rejects for p in parts], how="vertical"),
            stats=stats,
            meta=meta,
        )


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
