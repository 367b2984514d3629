"""Readers: one module per input format, all returning the canonical posts table.

Each reader module defines ``FORMAT`` (its name), ``sniff(head: bytes) -> bool``
(does the start of a file look like this format?) and
``read_batches(path, **options) -> Iterator[ReadResult]``: the :class:`Reader` protocol,
checked by the type checker for every module in :data:`FORMATS`.
:func:`detect_format` picks a reader by content, never by file name.
:func:`iter_read` opens inputs through :func:`feedtools.readers.inputs.open_input`:
pipes and stdin are spooled once, devices and directories refused.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from feedtools.readers.base import FeedError, FeedMeta, Reader, ReadResult, sniff_binary
from feedtools.readers.inputs import open_input

__all__ = [
    "FORMATS",
    "FeedError",
    "FeedMeta",
    "ReadResult",
    "Reader",
    "detect_format",
    "iter_read",
    "read_raw",
    "reader_for",
]

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

if TYPE_CHECKING:  # the type checker verifies that every reader module satisfies the Reader protocol
    from feedtools.readers import authorfeed, car, fetchdir, jetstream, postviews, scrape

    _READERS: tuple[Reader, ...] = (car, jetstream, authorfeed, postviews, scrape, fetchdir)


def reader_for(fmt: str) -> Reader:
    """The reader module for a format name; :class:`FeedError` for an unknown name."""
    if fmt not in FORMATS:
        raise FeedError(f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}")
    return cast(Reader, importlib.import_module(FORMATS[fmt]))  # each module of FORMATS is one (see _READERS)


def _available() -> list[tuple[str, Reader]]:
    return [(name, reader_for(name)) for name in FORMATS]


def detect_format(path: str | Path) -> str:
    """Name of the format of ``path``, decided from its content.

    Raises :class:`FeedError` (one line) for a missing, empty or unreadable file, a
    directory or device, a known non-feed file type (image, archive…) or content in no
    known format. A pipe or ``-`` (stdin) is consumed: to detect and read one, use
    :func:`iter_read`, which reads it once into a spool shared by both.
    """
    with open_input(path) as inp:
        return _detect(inp.path, inp.name)


def _detect(path: Path, name: str) -> str:
    if path.is_dir():  # open_input lets through only a fetch folder (with its manifest)
        return "fetchdir"
    try:
        with open(path, "rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError as e:
        raise FeedError(f"{name}: cannot read it ({e.strerror or e})") from None
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise FeedError(f"{name}: the file is empty")
    for fmt, module in _available():
        if module.sniff(head):
            return fmt
    what = sniff_binary(head)
    known = ", ".join(n for n, _ in _available())
    if what:
        raise FeedError(f"{name}: this is {what}, not a feed (known formats: {known})")
    raise FeedError(f"{name}: not in a known feed format (known formats: {known})")


def iter_read(path: str | Path, fmt: str = "auto", **options: Any) -> Iterator[ReadResult]:
    """Read ``path`` batch by batch with the reader for ``fmt`` (``auto``: detect by content).

    ``path`` may be ``-`` (stdin), a pipe or a FIFO: it is read once into a temporary
    spool that detection and the reader share; each batch's ``meta`` then holds the
    ``sha256`` and ``size_bytes`` of what was read (``spooled_from``: how it came).
    Raises :class:`FeedError` (one line) for an input that cannot be read at all —
    missing, a directory, a device, an unknown format, an I/O error — whatever ``fmt``.
    """
    with open_input(path) as inp:
        name = _detect(inp.path, inp.name) if fmt == "auto" else fmt
        module = reader_for(name)
        try:
            for batch in module.read_batches(inp.path, **options):
                if inp.facts:
                    batch.meta.update(inp.facts)
                yield batch
        except OSError as e:
            raise FeedError(f"{inp.name}: cannot read it ({e.strerror or e})") from None
        except MemoryError:
            raise FeedError(f"{inp.name}: too large to read in memory") from None


def read_raw(path: str | Path, fmt: str = "auto", **options: Any) -> ReadResult:
    """Read a whole file into one :class:`ReadResult` (reader columns only, no enrichment)."""
    return ReadResult.combine(iter_read(path, fmt, **options))
