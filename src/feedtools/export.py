"""Writing tables to files: Parquet, JSON Lines or CSV, chosen by the output's suffix.

CSV is for spreadsheets, so it is made safe for them:

* list columns are joined with :data:`LIST_SEPARATOR` (``|``); a ``|`` inside an
  element is written as ``%7C`` (hashtags, handles, domains and emoji never
  contain one; a URL may);
* every text cell that a spreadsheet would run as a formula (starting with ``=``,
  ``+``, ``-``, ``@``, tab or carriage return, or their full-width forms ``＝＋－＠``,
  also after leading spaces, which spreadsheets skip) is prefixed with ``'`` (OWASP's
  advice against CSV/formula injection). Numbers are left alone.

Parquet and JSON Lines keep lists as lists and need no neutralising.

Every file is written whole or not at all (:func:`feedtools.safeio.atomic_path`): a
temporary file beside the target, renamed over it when complete.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import polars as pl

from feedtools.safeio import atomic_path, check_suffix

_Frame = TypeVar("_Frame", pl.DataFrame, pl.LazyFrame)

__all__ = ["LIST_SEPARATOR", "SUFFIXES", "csv_safe", "write_table"]

LIST_SEPARATOR = "|"
SUFFIXES = {".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
#: A cell a spreadsheet may run as a formula: optional leading whitespace (Unicode spaces, ideographic space
#: included), then ``= + - @`` or their full-width forms, or a tab or carriage return.
_FORMULA_START = r"^[\p{White_Space}]*[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]"


def csv_safe(df: _Frame) -> _Frame:
    """The frame (eager or lazy, returned the same) as CSV-ready text columns: lists joined, formula-like cells
    neutralised."""
    out = []
    for name, dtype in df.collect_schema().items():
        col = pl.col(name)
        if isinstance(dtype, pl.List):
            col = col.list.eval(pl.element().cast(pl.String).str.replace_all("|", "%7C", literal=True)).list.join(
                LIST_SEPARATOR
            )
        elif dtype == pl.String:
            pass
        else:
            out.append(col)
            continue
        out.append(pl.when(col.str.contains(_FORMULA_START)).then(pl.lit("'") + col).otherwise(col).alias(name))
    return df.select(out)


def write_table(df: pl.DataFrame, path: str | Path) -> str:
    """Write ``df`` to ``path`` in the format its suffix names; return that format's name.

    Raises :class:`~feedtools.errors.UsageError` (a ``ValueError``) for an unknown suffix (the message lists
    the known ones).
    Parent folders are created. The file appears whole or not at all: it is written to a
    temporary file beside ``path`` and renamed over it when complete (an earlier file
    stays until then; see :func:`feedtools.safeio.atomic_path`).
    """
    path = Path(path)
    kind = SUFFIXES[check_suffix(path, SUFFIXES)]
    with atomic_path(path) as tmp:
        if kind == "parquet":
            df.write_parquet(tmp, compression="zstd", statistics=True, row_group_size=100_000)
        elif kind == "jsonl":
            df.write_ndjson(tmp)
        else:
            csv_safe(df).write_csv(tmp)
    return kind
