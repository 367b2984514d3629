"""JSON input for the readers: whole documents, JSON Lines (streamed), arrays read lazily, and the
``raw`` text of a rejected value. Invalid JSON raises :class:`FeedError` with one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from feedtools.readers.base import FeedError
from feedtools.readers.jsonarray import JsonArray, load_json_lazily

__all__ = [
    "BOM",
    "BadItem",
    "first_byte",
    "iter_line_items",
    "iter_lines",
    "load_document_or_lines",
    "load_json",
    "raw_json",
]

BOM = b"\xef\xbb\xbf"


def _array_items(value) -> list:
    """orjson's fallback for values it cannot serialise: a lazily read array as its items."""
    if isinstance(value, JsonArray):
        return list(value)
    raise TypeError


def raw_json(value) -> str:
    """A parsed value back as compact JSON text, for the rejects table's ``raw`` column."""
    try:
        return orjson.dumps(value, default=_array_items).decode("utf-8")
    except TypeError:
        return repr(value)


def load_json(path: Path):
    """The whole file parsed as one JSON value; :class:`FeedError` (one line) if it is not valid JSON."""
    data = path.read_bytes()
    if data.startswith(BOM):
        data = data[3:]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise FeedError(f"{path.name}: not valid JSON ({e})") from None


def iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(1-based line number, line bytes)`` for every non-blank line, streamed (a BOM on line 1 is dropped)."""
    with open(path, "rb") as f:
        for i, line in enumerate(f, start=1):
            if i == 1 and line.startswith(BOM):
                line = line[3:]
            if line.strip():
                yield i, line


def first_byte(path: Path) -> bytes:
    """The first non-blank byte of a file (after a BOM): ``b"["`` for a JSON array, ``b"{"`` for an object/JSONL."""
    with open(path, "rb") as f:
        head = f.read(4096)
        while head:
            stripped = head.removeprefix(BOM).lstrip()
            if stripped:
                return stripped[:1]
            head = f.read(4096)
    return b""


class BadItem:
    """A page or line that holds no readable item: it becomes one reject with this reason."""

    def __init__(self, reason: str, raw: str | None) -> None:
        self.reason, self.raw = reason, raw


def iter_line_items(path: Path, list_key: str) -> Iterator[tuple[str, int, object]]:
    """``(location, line, item)`` for JSON Lines whose lines are items or pages ``{list_key: [items]}``.

    A line that is not JSON yields a :class:`BadItem` in its place.
    """
    for line_no, line in iter_lines(path):
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            yield f"line {line_no}", line_no, BadItem(f"not valid JSON ({e})", line.decode("utf-8", "replace"))
            continue
        if isinstance(value, dict) and isinstance(value.get(list_key), list):
            for i, item in enumerate(value[list_key], start=1):
                yield f"line {line_no} item {i}", line_no, item
        else:
            yield f"line {line_no}", line_no, value


def load_document_or_lines(path: Path):
    """Parse a file as one JSON document, or as JSON Lines when it is not one document.

    Returns ``("document", value)`` or ``("lines", None)`` (then read it with
    :func:`iter_lines`). A JSON array or object is returned with its big arrays
    as :class:`~feedtools.readers.jsonarray.JsonArray` values (:func:`load_json_lazily`):
    items are decoded as they are read, so memory grows with the item, not the file; test
    arrays with :func:`~feedtools.readers.jsonarray.is_array`. Raises :class:`FeedError` when it is neither
    (e.g. a truncated or malformed JSON document).
    """
    lazy = load_json_lazily(path)
    if lazy is not None:
        return "document", lazy
    data = path.read_bytes().removeprefix(BOM)
    try:
        return "document", orjson.loads(data)
    except orjson.JSONDecodeError as e:
        doc_error = e
    first = next((line for line in data.split(b"\n") if line.strip()), b"")
    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        raise FeedError(f"{path.name}: not valid JSON ({doc_error})") from None
    return "lines", None
