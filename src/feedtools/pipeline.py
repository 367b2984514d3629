"""From an input file to the canonical posts table: read -> clean and enrich -> whole-feed steps.

* :func:`enrich` is row-local (text_clean, entities, language): it can run per
  batch or per partition of a larger-than-memory feed.
* :func:`finalize` needs the whole feed (duplicates).
* :func:`load` does both and returns a :class:`Feed`; :func:`read` returns only its
  posts table (the Python API's main entry point, ``feedtools.read``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from feedtools.clean import add_text_clean, mark_duplicates
from feedtools.entities import add_entities
from feedtools.language import add_language
from feedtools.readers import ReadResult, iter_read
from feedtools.readers.base import file_sha256
from feedtools.schema import conform

__all__ = ["Feed", "enrich", "finalize", "load", "read", "summary_line"]


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


def enrich(posts: pl.DataFrame, *, languages: Sequence[str] | None = None) -> pl.DataFrame:
    """Row-local cleaning and enrichment: ``text_clean``, entities, language. Returns the canonical schema."""
    if posts.height == 0:
        return conform(posts)
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
    path: str | Path,
    *,
    format: str = "auto",
    languages: Sequence[str] | None = None,
    known_names: Sequence[str] = (),
) -> Feed:
    """Read ``path`` (any supported format), clean and enrich it, and mark duplicates.

    Raises :class:`feedtools.readers.FeedError` (one-line message) for input that
    cannot be read at all; bad records inside a readable file go to ``rejects``.
    """
    path = Path(path)
    parts: list[ReadResult] = []
    for batch in iter_read(path, format, known_names=tuple(known_names)):
        batch.posts = enrich(batch.posts, languages=languages)
        parts.append(batch)
    raw = ReadResult.combine(parts)
    posts = finalize(raw.posts)
    meta = {**raw.meta, "source": path.name, "sha256": file_sha256(path), "size_bytes": path.stat().st_size}
    stats = Counter(raw.stats)
    stats["duplicates"] = int(posts["duplicate_of"].is_not_null().sum()) if posts.height else 0
    return Feed(posts=posts, rejects=raw.rejects, stats=stats, meta=meta)


def read(path: str | Path, **options) -> pl.DataFrame:
    """The canonical posts table of ``path`` (see :func:`load` for options and errors)."""
    return load(path, **options).posts


def summary_line(feed: Feed) -> str:
    """One line accounting for the input: ``N lines, P posts, R reposts, U placeholders, D duplicates, X rejected``.

    ``P`` counts own posts and ``R`` reposts (so ``P + R`` is the number of rows);
    for formats without lines the first figure counts records, and records skipped
    by design are added at the end.
    """
    p = feed.posts
    reposts = int(p["is_repost"].sum()) if p.height else 0
    placeholders = int(p["is_placeholder"].sum()) if p.height else 0
    unit = feed.meta.get("unit", "records")
    first = feed.stats.get("lines") if unit == "lines" else feed.stats.get("records", 0)
    line = (
        f"{first} {unit}, {p.height - reposts} posts, {reposts} reposts, {placeholders} placeholders, "
        f"{feed.stats.get('duplicates', 0)} duplicates, {feed.stats.get('rejected', 0)} rejected"
    )
    if unit != "lines":
        line += f", {feed.stats.get('skipped', 0)} skipped"
    return line
