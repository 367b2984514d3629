"""Enriched slices waiting on disk while ``feedtools parse`` streams (:mod:`feedtools.streamparse`): written as
uncompressed Arrow IPC files by whichever process enriched them, read back memory-mapped when the output is
written.

A :class:`SliceFile` names the file and what to add to its ``position`` column when it is read back: a range of
a capture read in a worker process (:mod:`feedtools.rangeparse`) numbers its rows from 0, and only the process
putting the ranges back in order knows where they start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

import polars as pl

__all__ = ["WHO_COLUMNS", "SliceFile", "WrittenSlice", "mapped_slice", "read_slice", "write_enriched", "write_slice"]


@dataclass(frozen=True)
class SliceFile:
    """An enriched slice on disk, and the amount its positions are shifted by when read back."""

    path: Path
    shift: int = 0


def write_slice(part: pl.DataFrame, path: Path) -> SliceFile:
    """An enriched slice written to ``path``: an uncompressed Arrow IPC file, read back mapped (:func:`mapped_slice`).
    Its strings are large strings (the Parquet output's Arrow types), so the final write copies nothing but the
    slice's row groups; Parquet slices cost 3-5x more CPU to write and read back. Raises ``OSError``."""
    part.write_ipc(path, compression="uncompressed", compat_level=pl.CompatLevel.oldest())
    return SliceFile(path)


def mapped_slice(part: SliceFile):
    """The pyarrow Table of a slice written by :func:`write_slice`, memory-mapped (nothing read until used), its
    positions shifted by ``part.shift``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.ipc.open_file(pa.memory_map(str(part.path))).read_all()
    if part.shift:
        i = table.schema.get_field_index("position")
        table = table.set_column(i, table.schema.field(i), pc.add(table.column(i), part.shift))
    return table


def read_slice(part: SliceFile) -> pl.DataFrame:
    """A slice written by :func:`write_slice`, as a polars DataFrame (positions shifted by ``part.shift``)."""
    return cast(pl.DataFrame, pl.from_arrow(mapped_slice(part)))


#: The columns :func:`feedtools.feed.feed_kind` reads: who wrote and who reposted (their distinct values per slice).
WHO_COLUMNS = ("is_repost", "reposted_by", "author_did", "author_handle", "author_name")


@dataclass
class WrittenSlice:
    """A slice written by the process that enriched it: the file, its rows' duplicate keys
    (:func:`feedtools.clean.duplicate_keys`), its distinct :data:`WHO_COLUMNS` and its counts."""

    file: SliceFile
    keys: pl.DataFrame
    who: pl.DataFrame
    rows: int
    reposts: int
    placeholders: int


def write_enriched(part: pl.DataFrame, keys: pl.DataFrame, path: Path) -> WrittenSlice:
    """``part`` written to ``path`` (:func:`write_slice`), with what the parse keeps of it in memory."""
    return WrittenSlice(
        file=write_slice(part, path),
        keys=keys,
        who=part.select(WHO_COLUMNS).unique(),
        rows=part.height,
        reposts=int(part["is_repost"].sum()),
        placeholders=int(part["is_placeholder"].sum()),
    )
