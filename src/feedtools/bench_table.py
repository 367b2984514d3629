"""The table ``feedtools bench`` prints (:mod:`feedtools.bench`): Markdown, one row per step, printed and flushed
as each step finishes so a long run shows its progress.

A row is a dict with the keys of :data:`KEYS`: ``format``, ``texts`` and ``size`` name the feed (``-`` for the
startup row), ``step`` what was run, ``rows`` the posts-table rows it handled, ``seconds`` its wall time,
``cpu`` its CPU seconds as printed (``-`` where not measured), ``peak_mb`` its peak resident memory and ``note``
what to read it against. Rows per second are computed when printed.
"""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["KEYS", "Table"]

#: The keys of a row, in the order of its columns.
KEYS = ("format", "texts", "size", "step", "rows", "seconds", "cpu", "peak_mb", "note")


def _fmt_rate(n: float, s: float) -> str:
    return f"{n / s:,.0f}" if s > 0 else "-"


class Table:
    """Print the table to ``out`` and keep its rows (:attr:`rows`, in the order printed)."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.rows: list[dict] = []

    def say(self, line: str) -> None:
        """A line before the table (what was skipped, where the feeds are built)."""
        print(line, file=self.out)

    def header(self) -> None:
        print("| format | texts | items | step | rows | seconds | CPU s | rows/s | peak MB | note |", file=self.out)
        print("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |", file=self.out, flush=True)

    def emit(self, row: dict) -> None:
        """Keep ``row`` and print it."""
        self.rows.append(row)
        print(
            f"| {row['format']} | {row['texts']} | {row['size']} | {row['step']} | {row['rows']:,} | "
            f"{row['seconds']:.1f} | {row['cpu']} | {_fmt_rate(row['rows'], row['seconds'])} | "
            f"{row['peak_mb']:,.0f} | {row['note']} |",
            file=self.out,
            flush=True,
        )

    def skipped(self, fmt: str, label: str, why: str) -> None:
        """A line for a feed that is not built (printed, not kept as a row): its parse step, ``skipped: why``."""
        print(f"| {fmt} | - | {label} | parse | - | - | - | - | - | skipped: {why} |", file=self.out, flush=True)
