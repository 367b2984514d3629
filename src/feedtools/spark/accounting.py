"""The accounting of a Spark read, collected on the driver as :func:`feedtools.load` gives it: each input's
entry (provenance, rows, stats), the feed's stats and its meta (one input's, or what the inputs share, plus
``inputs`` and the feed kind)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, cast

import polars as pl

from feedtools.readers.base import FeedMeta, InputEntry
from feedtools.schema import POSTS_SCHEMA
from feedtools.spark.driver import RangeKey
from feedtools.spark.frames import collect_polars

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkDataFrame

__all__ = ["feed_meta", "feed_stats", "input_accounts"]

#: Meta keys that are each input's own, never shared by the feed of several inputs.
OWN_KEYS = frozenset({"format", "source", "unit", "sha256", "size_bytes"})


def input_accounts(
    files: list[Path], stats: dict[RangeKey, Counter[str]], metas: dict[RangeKey, FeedMeta], repeats: dict[int, int]
) -> list[tuple[InputEntry, FeedMeta]]:
    """``(entry, meta)`` per input: its ranges' stats and metas merged, its file's name, hash and size, and the
    posts ``repeats`` (input index -> count) already read from an earlier input taken off its rows."""
    from feedtools.pipeline import _count_repeats, _input_entry
    from feedtools.readers.base import file_sha256, input_size

    inputs: list[tuple[InputEntry, FeedMeta]] = []
    for i, path in enumerate(files):
        st: Counter[str] = Counter()
        meta: FeedMeta = {}
        for (j, r), c in sorted(stats.items()):
            if j == i:
                st.update(c)
                meta.update(metas.get((j, r), {}))
        meta.update({"source": path.name, "sha256": file_sha256(path), "size_bytes": input_size(path)})
        entry = _input_entry(meta, st, int(st.get("posts", 0)))
        entry["stats"] = dict(entry["stats"])
        if repeats.get(i):
            _count_repeats(entry, repeats[i])
        inputs.append((entry, meta))
    return inputs


def feed_stats(inputs: list[tuple[InputEntry, FeedMeta]], posts: SparkDataFrame) -> Counter[str]:
    """The feed's stats: the inputs' summed, and ``duplicates`` counted on the final ``posts``."""
    from pyspark.sql import functions as F

    stats: Counter[str] = Counter()
    for entry, _ in inputs:
        stats.update({k: v for k, v in entry["stats"].items() if k != "duplicates"})
    stats["duplicates"] = posts.filter(F.col("duplicate_of").isNotNull()).count()
    return stats


def _merged_meta(inputs: list[tuple[InputEntry, FeedMeta]]) -> FeedMeta:
    """The meta of one input, or for several: the format (or ``mixed``), the sources, the unit, and every
    other key all inputs give the same value."""
    if len(inputs) == 1:
        return inputs[0][1].copy()
    formats = sorted({str(e["format"]) for e, _ in inputs})
    meta: FeedMeta = {
        "format": formats[0] if len(formats) == 1 else "mixed",
        "source": ", ".join(str(e["source"]) for e, _ in inputs),
        "unit": "lines" if all(e.get("unit") == "lines" for e, _ in inputs) else "records",
    }
    shared: dict[str, object] = {}
    for name, value in inputs[0][1].items():
        if name not in OWN_KEYS and all(m.get(name) == value for _, m in inputs):
            shared[name] = value
    meta.update(cast(FeedMeta, shared))  # keys and values taken from the inputs' own FeedMeta
    return meta


def feed_meta(inputs: list[tuple[InputEntry, FeedMeta]], posts: SparkDataFrame) -> FeedMeta:
    """The feed's meta: the inputs' merged, ``inputs`` (their entries) and the feed kind of
    :func:`feedtools.pipeline.feed_kind`, decided from the author columns of ``posts``."""
    from feedtools.pipeline import feed_kind

    meta = _merged_meta(inputs)
    meta["inputs"] = [e for e, _ in inputs]
    kind_cols = posts.select("is_repost", "reposted_by", "author_did", "author_handle", "author_name").distinct()
    authors = collect_polars(kind_cols, pl.Schema({c: POSTS_SCHEMA[c] for c in kind_cols.columns}))
    return {**meta, **feed_kind(authors)}
