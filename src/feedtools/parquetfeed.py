"""Parquet as the hand-off: a parsed posts table carries its feed's stats, rejects and metadata.

A posts table written by ``feedtools parse -o X.parquet`` (or :func:`write_parquet_feed`) is recognised by
content (:func:`is_parquet`: the ``PAR1`` magic). Its Parquet key-value metadata (key
:data:`PARQUET_META_KEY`) holds the feed's accounting as JSON (:func:`parquet_metadata`), so a feed loaded
from it (:func:`read_parquet_feed`) has the same accounting and provenance as the raw input.

Everything here is re-exported by :mod:`feedtools.pipeline` (import it from there).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import cast

import polars as pl

from feedtools.feed import Feed, input_entry
from feedtools.readers.base import FeedMeta, file_sha256
from feedtools.schema import POSTS_SCHEMA, conform, empty_posts, empty_rejects

__all__ = [
    "PARQUET_META_KEY",
    "is_parquet",
    "parquet_accounting",
    "parquet_metadata",
    "read_parquet_feed",
    "write_parquet_feed",
]


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


#: Key of the Parquet key-value metadata entry holding a feed's stats, rejects and metadata (JSON).
PARQUET_META_KEY = "feedtools.feed"


def parquet_metadata(stats: Counter[str] | dict[str, int], meta: FeedMeta, rejects: pl.DataFrame) -> dict[str, str]:
    """The key-value metadata a parsed posts Parquet file carries: ``{PARQUET_META_KEY: JSON}``.

    The JSON holds ``version`` (1), ``stats``, ``meta`` and ``rejects`` (rows of the
    rejects table), so :func:`read_parquet_feed` gives back the same accounting.
    """
    from feedtools._version import __version__

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
    feed = parquet_accounting(path)
    try:
        feed.posts = conform(pl.read_parquet(path))
    except Exception as e:  # noqa: BLE001 - polars raises several types for a damaged file
        raise FeedError(f"{path.name}: a Parquet file that cannot be read ({type(e).__name__})") from None
    if feed.meta.get("accounting") == "not recorded":
        feed.stats["duplicates"] = int(feed.posts["duplicate_of"].is_not_null().sum())
        formats = feed.posts["source_format"].drop_nulls().unique().sort().to_list()
        feed.meta["format"] = formats[0] if len(formats) == 1 else "mixed"
        feed.meta["inputs"] = [input_entry(feed.meta, feed.stats, feed.posts.height)]
    return feed


def parquet_accounting(path: Path) -> Feed:
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
        meta["inputs"] = [input_entry(meta, stats, rows)]
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
        meta["inputs"] = [input_entry(meta, stats, rows)]
    return Feed(posts=empty_posts(), rejects=rejects, stats=stats, meta=meta)
