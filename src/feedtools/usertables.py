"""User-editable CSV tables (campaign aliases, observance calendar, event calendars): one reader for all.

Format, shared by every table in ``data/`` that a researcher edits by hand:

* UTF-8 text (a byte-order mark is allowed), comma-separated, ``"`` quotes;
* blank lines and lines whose first character (after spaces) is ``#`` are skipped;
* the first other line is the header; fields are stripped of surrounding spaces;
* a row may leave out trailing optional columns; it may not have more fields than the header.

Each loader (``campaigns.load_aliases``, ``dates.load_observances``,
``timeline.load_event_calendar``) checks the meaning of the fields; this module
checks the shape. Every error is a :class:`~feedtools.errors.TableError` (a ``ValueError``) of one line that names the file
and the line: ``<file>, line <n>: <what is wrong>``.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from feedtools.errors import TableError

__all__ = ["line_error", "read_user_table"]


def line_error(path: str | Path, line: int, message: str) -> TableError:
    """The error for a bad row: ``<file>, line <n>: <message>`` (one line)."""
    return TableError(f"{path}, line {line}: {message}")


def read_user_table(
    path: str | Path, *, columns: Sequence[str], required: Sequence[str]
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a user-editable CSV table as ``(line number, {column: value})``, in file order.

    ``columns`` are the allowed header names, ``required`` those that must be in the
    header. Missing optional columns, and trailing fields a row leaves out, read as
    ``""``. Raises :class:`~feedtools.errors.TableError` (file and line named) for text that is not UTF-8, no
    header, an unknown, repeated or missing column, a line that is not one CSV row,
    or a row with more fields than the header; ``OSError`` when the file cannot be read.
    """
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise TableError(f"{path}: not UTF-8 text (byte {e.start})") from None
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, dict[str, str]]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            fields = [f.strip() for f in next(csv.reader([line], strict=True))]
        except (csv.Error, StopIteration) as e:
            raise line_error(path, lineno, f"not a CSV row ({e})") from None
        if header is None:
            header, header_line = [f.lower() for f in fields], lineno
            unknown = [c for c in header if c not in columns]
            if unknown:
                raise line_error(path, lineno, f"unknown column {unknown[0]!r} (allowed: {', '.join(columns)})")
            repeated = sorted({c for c in header if header.count(c) > 1})
            if repeated:
                raise line_error(path, lineno, f"column {repeated[0]!r} appears twice in the header")
            missing = [c for c in required if c not in header]
            if missing:
                raise line_error(path, lineno, f"header lacks the column {missing[0]!r} (header: {','.join(header)})")
            continue
        if len(fields) > len(header):
            raise line_error(path, lineno, f"{len(fields)} fields, the header (line {header_line}) has {len(header)}")
        record = dict.fromkeys(columns, "")
        record.update(zip(header, fields))
        rows.append((lineno, record))
    if header is None:
        raise TableError(f"{path}: no header line (expected {','.join(columns)})")
    return rows
