"""JSON documents read with their big arrays left undecoded until each item is reached.

A 250 MB list of postViews decoded whole costs about six times its size in Python objects.
:func:`load_json_lazily` instead maps the file into memory, checks it in full (JSON with
msgspec, which skips through values without building them, and UTF-8), and decodes only
its outer level: a top-level array, and the ``feed`` / ``posts`` arrays of a top-level
object, become :class:`JsonArray` values — a read-only sequence of the items' undecoded
JSON slices (no copy of the file), each decoded with orjson when it is read. Memory then
grows with the item being read, not with the file.

The mapped file's pages count in the process's resident memory once touched (the kernel keeps
them in its page cache either way). So that they do not add up to the file's size, the pages
are released (``madvise(MADV_DONTNEED)``: the mapping stays valid and a page read again is
mapped again from the page cache) after the whole-file check and every
:data:`RELEASE_EVERY` items read in order.

Readers test for an array with :func:`is_array` (a ``list`` or a :class:`JsonArray`),
index items themselves (``item N``, ``page P item N``), and so keep the same locations and
accounting as a whole decode.
"""

from __future__ import annotations

import codecs
import mmap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TypeGuard

import msgspec
import orjson

from feedtools.readers.base import FeedError

__all__ = ["LAZY_KEYS", "JsonArray", "is_array", "load_json_lazily"]

BOM = b"\xef\xbb\xbf"

#: Items read in order between two releases of the mapped file's pages (:class:`JsonArray`).
RELEASE_EVERY = 1024

#: Bytes decoded at a time by the UTF-8 check (the decoded text of a chunk is dropped at once).
UTF8_CHUNK = 1 << 20

#: Keys of a top-level object whose array values :func:`load_json_lazily` leaves undecoded.
LAZY_KEYS = ("feed", "posts")

_SHALLOW = msgspec.json.Decoder(list[msgspec.Raw] | dict[str, msgspec.Raw])


class JsonArray(Sequence):
    """A JSON array held as its items' undecoded JSON slices; each item is decoded when read.

    A read-only :class:`~collections.abc.Sequence`: ``len``, iteration, ``a[i]`` (one decoded
    item) and ``a[i:j]`` (a list of decoded items). It is deliberately not a ``list``: test
    with :func:`is_array`. Reading an item raises :class:`FeedError` (one line naming the
    file) when orjson cannot decode it (the document was checked as JSON before; this
    catches numbers beyond the range of a double, which msgspec accepts).
    """

    __slots__ = ("_map", "_name", "_raws")

    def __init__(self, raws: list[msgspec.Raw], name: str, mapped: mmap.mmap | None = None) -> None:
        self._raws, self._name, self._map = raws, name, mapped

    def _decode(self, raw: msgspec.Raw):
        try:
            return orjson.loads(memoryview(raw))
        except orjson.JSONDecodeError as e:
            raise FeedError(f"{self._name}: not valid JSON ({e})") from None

    def __len__(self) -> int:
        return len(self._raws)

    def __iter__(self) -> Iterator:
        decode = self._decode
        for i, raw in enumerate(self._raws, start=1):
            yield decode(raw)
            if i % RELEASE_EVERY == 0:
                _release(self._map)
        _release(self._map)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._decode(r) for r in self._raws[i]]
        return self._decode(self._raws[i])

    def containing(self, needle: bytes) -> Iterator:
        """The decoded items whose undecoded JSON contains ``needle``, in order (the others are never decoded):
        a cheap pre-filter, e.g. ``b'"posts"'`` for the items that can be pages of a post list."""
        for raw in self._raws:
            if needle in bytes(raw):
                yield self._decode(raw)
        _release(self._map)

    def __repr__(self) -> str:
        return f"JsonArray({len(self._raws)} items of {self._name})"


def is_array(value: object) -> TypeGuard[list | JsonArray]:
    """True for a JSON array as the readers receive it: a ``list`` or a :class:`JsonArray`."""
    return isinstance(value, (list, JsonArray))


def _release(mapped: mmap.mmap | None) -> None:
    """Drop the mapped file's pages from this process's resident memory (they stay in the page cache)."""
    if mapped is not None and not mapped.closed and hasattr(mmap, "MADV_DONTNEED"):
        mapped.madvise(mmap.MADV_DONTNEED)


def _utf8_ok(buf, chunk: int = UTF8_CHUNK) -> bool:
    """True when ``buf`` is valid UTF-8, checked in chunks (nothing the size of the file is built)."""
    dec = codecs.getincrementaldecoder("utf-8")()
    try:
        for i in range(0, len(buf), chunk):
            dec.decode(buf[i : i + chunk])
        dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def load_json_lazily(path: Path):
    """The file as one JSON document whose big arrays are :class:`JsonArray` values, or None.

    A top-level array becomes a :class:`JsonArray`; a top-level object is a ``dict`` whose
    ``feed`` / ``posts`` arrays are :class:`JsonArray` values and whose other values are
    decoded. A leading UTF-8 BOM is ignored. The whole document is checked as JSON and as
    UTF-8 before anything is returned. Returns None when the file is not one JSON array or
    object (empty, JSON Lines, malformed, a scalar, not UTF-8): the caller then reads it
    whole, which gives the same answers and errors as before. Raises :class:`FeedError`
    when a decoded outer value is beyond orjson (a number out of a double's range).
    """
    try:
        with open(path, "rb") as f:
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (ValueError, OSError):  # empty file, or not mappable
        return None
    view = memoryview(mm)
    if view[:3] == BOM:
        view = view[3:]
    try:
        shallow = _SHALLOW.decode(view)
    except (msgspec.DecodeError, RecursionError, ValueError):
        return None
    if not _utf8_ok(view):
        return None
    _release(mm)  # checked: what is read from here on is mapped again item by item
    name = path.name
    if isinstance(shallow, list):
        return JsonArray(shallow, name, mm)
    out = {}
    for key, raw in shallow.items():
        if key in LAZY_KEYS and bytes(memoryview(raw)[:1]) == b"[":
            out[key] = JsonArray(msgspec.json.decode(raw, type=list[msgspec.Raw]), name, mm)
            continue
        try:
            out[key] = orjson.loads(memoryview(raw))
        except orjson.JSONDecodeError as e:
            raise FeedError(f"{name}: not valid JSON ({e})") from None
    return out
