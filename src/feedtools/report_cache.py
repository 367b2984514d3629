"""The parsed-feed cache of ``feedtools report``: each input is parsed once into a Parquet file keyed by the
inputs' SHA-256, the candidate languages and the package's version and source, and later builds reuse it.

Used by :mod:`feedtools.report`; needs no extra. Raises :class:`feedtools.FeedError` for a missing input, an
empty feed or one that cannot be read.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from feedtools.paths import PROCESSED as _PROCESSED
from feedtools.readers import FeedError

if TYPE_CHECKING:
    from feedtools.pipeline import Feed

__all__ = ["DEFAULT_CACHE", "cached_feed_path", "load_cached"]

#: Default folder of the parsed-feed cache of ``feedtools report`` (git-ignored).
DEFAULT_CACHE = _PROCESSED / "cache"


def _code_fingerprint() -> str:
    """SHA-256 of the package version and its source files: a cache made by other code is never reused."""
    from feedtools._version import __version__

    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent  # this module sits at the top of the package
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _dataset_sha256(folder: Path) -> str:
    """SHA-256 over a dataset folder's manifest and Parquet parts (relative path and SHA-256 of each, in order)."""
    from feedtools.dataset import MANIFEST, part_files
    from feedtools.readers.base import file_sha256

    h = hashlib.sha256()
    files = ([folder / MANIFEST] if (folder / MANIFEST).is_file() else []) + part_files(folder)
    for f in files:
        h.update(f.relative_to(folder).as_posix().encode() + b"\0" + file_sha256(f).encode() + b"\0")
    return h.hexdigest()


def cached_feed_path(feeds: Sequence[Path], languages: Sequence[str] | None, cache_dir: Path) -> Path:
    """Where the parsed Parquet of ``feeds`` lives in ``cache_dir``: ``<key>/<name>``.

    ``key`` is the SHA-256 of the inputs' SHA-256s (in order), the candidate languages
    and the package's version and source. ``name`` is the input's own file name (several
    joined with ``+``; control characters and path separators replaced by ``_``), so a
    notebook that prints ``Path(feed_path).name`` still names the user's file; the
    content is Parquet whatever the name says (inputs are recognised by content).
    Raises :class:`FeedError` for a missing input.
    """
    from feedtools.dataset import is_dataset
    from feedtools.readers.base import file_sha256
    from feedtools.readers.fetchdir import is_fetch_dir

    h = hashlib.sha256(_code_fingerprint().encode())
    for feed in feeds:
        if is_dataset(feed):  # a parsed dataset folder: its manifest and parts, by content
            h.update(b"\0" + _dataset_sha256(feed).encode())
            continue
        if not (feed.is_file() or is_fetch_dir(feed)):
            raise FeedError(f"{feed.name}: no such file" if not feed.exists() else f"{feed.name}: not a file")
        h.update(b"\0" + file_sha256(feed).encode())
    h.update(b"\0" + json.dumps(sorted(languages) if languages else None).encode())
    name = re.sub(r"[\x00-\x1f\x7f/\\]", "_", "+".join(f.name for f in feeds))
    if len(name.encode()) > 200:
        name = name.encode()[:200].decode("utf-8", "ignore") + "…"
    return cache_dir / h.hexdigest()[:32] / (name if name.strip(".") else "feed")


def load_cached(feeds: Sequence[Path], languages: Sequence[str] | None, cache_dir: Path) -> tuple[Path, Feed]:
    """``(path, feed)``: the parsed feed of ``feeds`` and the absolute path of its Parquet file in ``cache_dir``.

    Read from the cache when an entry for these inputs is there and readable (a damaged entry is made again),
    else parsed (:func:`feedtools.load`) and written there. Raises :class:`FeedError` when an input is missing
    or cannot be read, or the feed has no rows.
    """
    from feedtools.pipeline import is_parquet, load, read_parquet_feed, write_parquet_feed

    cached = cached_feed_path(feeds, languages, cache_dir).resolve()
    if is_parquet(cached):
        try:
            return cached, read_parquet_feed(cached)
        except FeedError:  # a damaged cache entry is made again
            pass
    loaded = load(feeds if len(feeds) > 1 else feeds[0], languages=languages)
    if loaded.posts.height == 0:
        names = ", ".join(f.name for f in feeds)
        raise FeedError(f"{names}: no posts in this feed ({loaded.stats.get('records', 0)} records), nothing to report")
    write_parquet_feed(loaded, cached)
    return cached, loaded
