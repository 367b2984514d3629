"""Readers: one module per input format, all returning the canonical posts table.

Each reader module defines ``FORMAT`` (its name), ``sniff(head: bytes) -> bool``
(does the start of a file look like this format?) and
``read_batches(path, **options) -> Iterator[ReadResult]``.
:func:`detect_format` picks a reader by content, never by file name.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from feedtools.readers.base import FeedError, ReadResult, sniff_binary

__all__ = ["FORMATS", "FeedError", "ReadResult", "detect_format", "iter_read", "read_raw", "reader_for"]

#: Known formats, in the order their sniffers are tried (most specific first).
FORMATS: dict[str, str] = {
    "car": "feedtools.readers.car",
    "jetstream": "feedtools.readers.jetstream",
    "authorfeed": "feedtools.readers.authorfeed",
    "postviews": "feedtools.readers.postviews",
    "scrape": "feedtools.readers.scrape",
    "fetchdir": "feedtools.readers.fetchdir",  # a folder written by `feedtools fetch` (manifest.json inside)
}

HEAD_BYTES = 65536


def reader_for(fmt: str) -> ModuleType:
    """The reader module for a format name; :class:`FeedError` for an unknown name."""
    if fmt not in FORMATS:
        raise FeedError(f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}")
    return importlib.import_module(FORMATS[fmt])


def _available() -> list[tuple[str, ModuleType]]:
    return [(name, importlib.import_module(mod)) for name, mod in FORMATS.items()]


def detect_format(path: str | Path) -> str:
    """Name of the format of ``path``, decided from its content.

    Raises :class:`FeedError` (one line) for a missing, empty or unreadable file, a
    known non-feed file type (image, archive…) or content in no known format.
    """
    path = Path(path)
    if not path.exists():
        raise FeedError(f"{path.name}: no such file")
    if path.is_dir():
        if (path / "manifest.json").is_file():
            return "fetchdir"
        raise FeedError(f"{path.name}: is a directory, not a feed file (nor a fetch folder: no manifest.json)")
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise FeedError(f"{path.name}: the file is empty")
    for name, module in _available():
        if module.sniff(head):
            return name
    what = sniff_binary(head)
    known = ", ".join(n for n, _ in _available())
    if what:
        raise FeedError(f"{path.name}: this is {what}, not a feed (known formats: {known})")
    raise FeedError(f"{path.name}: not in a known feed format (known formats: {known})")


def iter_read(path: str | Path, fmt: str = "auto", **options) -> Iterator[ReadResult]:
    """Read ``path`` batch by batch with the reader for ``fmt`` (``auto``: detect by content)."""
    name = detect_format(path) if fmt == "auto" else fmt
    module = reader_for(name)
    yield from module.read_batches(Path(path), **options)


def read_raw(path: str | Path, fmt: str = "auto", **options) -> ReadResult:
    """Read a whole file into one :class:`ReadResult` (reader columns only, no enrichment)."""
    return ReadResult.combine(iter_read(path, fmt, **options))
