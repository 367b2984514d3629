"""JSON documents read with their big arrays left undecoded until each item is reached.

A 250 MB list of postViews decoded whole costs about six times its size in Python objects.
:func:`load_json_lazily` instead maps the file into memory, checks it in full (JSON with
msgspec, which skips through values without building them, and UTF-8), and decodes only
its outer level: a top-level array, and the ``feed`` / ``posts`` arrays of a top-level
object, become :class:`JsonArray` values — a read-only sequence of the items' undecoded
JSON slices (byte offsets into the map, no copy of the file), each decoded with orjson when
it is read. Memory then grows with the item being read, not with the file.

The mapped file's pages count in the process's resident memory once touched (the kernel keeps
them in its page cache either way). So that they do not add up to the file's size, the check
of a big file (:data:`WALK_MIN_BYTES`) walks the outer level one value at a time (:class:`_Scan`) and
releases the pages
(``madvise(MADV_DONTNEED)``: the mapping stays valid and a page read again is mapped again
from the page cache) every :data:`SCAN_RELEASE_BYTES`; reading items in order releases them
every :data:`RELEASE_EVERY` items. On 100k postViews (163 MB) the check then peaks at about
15 MB of the file where it held all of it (the walk costs about 0.15 CPU-s more than one
msgspec pass over the whole map).

Readers test for an array with :func:`is_array` (a ``list`` or a :class:`JsonArray`),
index items themselves (``item N``, ``page P item N``), and so keep the same locations and
accounting as a whole decode.
"""

from __future__ import annotations

import codecs
import mmap
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
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

#: Bytes of the file walked between two releases of its pages while :func:`load_json_lazily` checks it.
SCAN_RELEASE_BYTES = 8 << 20

#: Documents of at least this many bytes are checked value by value (:class:`_Scan`), smaller ones in one
#: msgspec pass: the walk costs about 1.4 us a value more (0.14 CPU-s on 100k items), worth it where the
#: file's pages would weigh (a smaller file's stay resident during the check only).
WALK_MIN_BYTES = 64 << 20

#: Keys of a top-level object whose array values :func:`load_json_lazily` leaves undecoded.
LAZY_KEYS = ("feed", "posts")

_SHALLOW = msgspec.json.Decoder(list[msgspec.Raw] | dict[str, msgspec.Raw])
_RAW = msgspec.json.Decoder(msgspec.Raw)
_WS = re.compile(rb"[ \t\r\n]+")
_TRAILING = "JSON is malformed: trailing characters (byte "  # then N): msgspec's error for what follows a value


class JsonArray(Sequence):
    """A JSON array held as its items' undecoded JSON slices; each item is decoded when read.

    A read-only :class:`~collections.abc.Sequence`: ``len``, iteration, ``a[i]`` (one decoded
    item) and ``a[i:j]`` (a list of decoded items). It is deliberately not a ``list``: test
    with :func:`is_array`. Reading an item raises :class:`FeedError` (one line naming the
    file) when orjson cannot decode it (the document was checked as JSON before; this
    catches numbers beyond the range of a double, which msgspec accepts). ``raws``: the items'
    JSON as bytes-like values (msgspec ``Raw`` values or :class:`_Spans`).
    """

    __slots__ = ("_map", "_name", "_raws")

    def __init__(self, raws: Sequence[msgspec.Raw] | _Spans, name: str, mapped: mmap.mmap | None = None) -> None:
        self._raws, self._name, self._map = raws, name, mapped

    def _decode(self, raw):
        try:
            return orjson.loads(memoryview(raw))
        except orjson.JSONDecodeError as e:
            raise FeedError(f"{self._name}: not valid JSON ({e})") from None

    def __len__(self) -> int:
        return len(self._raws)

    @property
    def nbytes(self) -> int:
        """Bytes of JSON the items take (with the blanks around them)."""
        raws = self._raws
        return raws.nbytes if isinstance(raws, _Spans) else sum(len(memoryview(r)) for r in raws)

    def __iter__(self) -> Iterator:
        decode, raws = self._decode, self._raws
        for i in range(len(raws)):
            yield decode(raws[i])
            if (i + 1) % RELEASE_EVERY == 0:
                _release(self._map)
        _release(self._map)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._decode(self._raws[k]) for k in range(*i.indices(len(self._raws)))]
        return self._decode(self._raws[i])

    def containing(self, needle: bytes) -> Iterator:
        """The decoded items whose undecoded JSON contains ``needle``, in order (the others are never decoded):
        a cheap pre-filter, e.g. ``b'"posts"'`` for the items that can be pages of a post list."""
        raws = self._raws
        if isinstance(raws, _Spans):  # one search through the map, not a copy of every item
            for i in raws.holding(needle, lambda: _release(self._map)):
                yield self._decode(raws[i])
        else:
            for i in range(len(raws)):
                if needle in bytes(raws[i]):
                    yield self._decode(raws[i])
                if (i + 1) % RELEASE_EVERY == 0:
                    _release(self._map)
        _release(self._map)

    def __repr__(self) -> str:
        return f"JsonArray({len(self._raws)} items of {self._name})"


class _Spans:
    """Items of a JSON array as ``(start, end)`` byte offsets into ``buf``: ``spans[i]`` is item ``i``'s JSON (a
    memoryview, no copy). Two machine integers an item, where a msgspec ``Raw`` costs a Python object."""

    __slots__ = ("_buf", "_ends", "_starts")

    def __init__(self, buf: memoryview) -> None:
        self._buf, self._starts, self._ends = buf, array("q"), array("q")

    def add(self, start: int, end: int) -> None:
        self._starts.append(start)
        self._ends.append(end)

    def __len__(self) -> int:
        return len(self._starts)

    @property
    def nbytes(self) -> int:
        """Bytes from the first item's start to the last one's end."""
        return self._ends[-1] - self._starts[0] if self._starts else 0

    def __getitem__(self, i: int) -> memoryview:
        return self._buf[self._starts[i] : self._ends[i]]

    def holding(self, needle: bytes, release: Callable[[], object]) -> Iterator[int]:
        """The indices of the items whose JSON holds ``needle``, in order: the buffer searched stretch by
        stretch (``release()`` after each :data:`SCAN_RELEASE_BYTES`), each hit mapped to its item."""
        if not self._starts or not needle:
            yield from (range(len(self._starts)) if needle == b"" else ())
            return
        find = re.compile(re.escape(needle)).search
        starts, ends = self._starts, self._ends
        pos, last = starts[0], ends[-1]
        while pos < last:
            stop = min(pos + SCAN_RELEASE_BYTES, last)
            hit = find(self._buf, pos, min(stop + len(needle) - 1, last))
            if hit is None:
                pos = stop
                release()
                continue
            i = bisect_right(starts, hit.start()) - 1
            if i >= 0 and hit.end() <= ends[i]:
                yield i
                pos = ends[i]
            else:  # across the blanks between two items
                pos = hit.start() + 1


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
    UTF-8 before anything is returned (from :data:`WALK_MIN_BYTES` on, by :class:`_Scan`: value
    by value, the mapped pages released every :data:`SCAN_RELEASE_BYTES`, so the check does not hold
    the file resident; a smaller document, or one the scan cannot walk, is checked whole). Returns None when the file is not one JSON array or
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
    start = 3 if view[:3] == BOM else 0
    outer = None
    if len(view) - start >= WALK_MIN_BYTES:
        try:
            outer = _Scan(mm, view, start).document()
        except UnicodeDecodeError:  # not UTF-8
            return None
        except _Unscannable:
            pass
    if outer is None:
        outer = _shallow(mm, view[start:])
        if outer is None:
            return None
    name = path.name
    if isinstance(outer, (list, _Spans)):
        return JsonArray(outer, name, mm)
    out = {}
    for key, raw in outer.items():
        if isinstance(raw, _Spans):
            out[key] = JsonArray(raw, name, mm)
        elif key in LAZY_KEYS and bytes(memoryview(raw)[:1]) == b"[":
            out[key] = JsonArray(msgspec.json.decode(raw, type=list[msgspec.Raw]), name, mm)
        else:
            try:
                out[key] = orjson.loads(memoryview(raw))
            except orjson.JSONDecodeError as e:
                raise FeedError(f"{name}: not valid JSON ({e})") from None
    return out


def _shallow(mm: mmap.mmap, view: memoryview):
    """The whole-document check in one go (msgspec over the whole map, which leaves every page resident until
    released): the outer level as a list of msgspec ``Raw`` items or a dict of ``Raw`` values, or None."""
    try:
        shallow = _SHALLOW.decode(view)
    except (msgspec.DecodeError, RecursionError, ValueError):
        return None
    if not _utf8_ok(view):
        return None
    _release(mm)  # checked: what is read from here on is mapped again item by item
    return shallow


class _Unscannable(Exception):
    """:class:`_Scan` cannot walk the document (not JSON, or msgspec answered otherwise than expected)."""


class _Scan:
    """The outer levels of a mapped JSON document walked one value at a time.

    Each value (an item of the top-level array or of an object's ``feed`` / ``posts`` array, a member
    of the top-level object) is checked whole by msgspec, which skips through it without building it
    and reports where the value ends: its error for what follows (``trailing characters (byte N)``,
    ``N`` one past the next non-blank byte). The bytes walked are checked as UTF-8 and the map's pages
    released every :data:`SCAN_RELEASE_BYTES`, so the file's pages resident stay bounded. Raises
    :class:`_Unscannable` where it cannot go on (then the document is checked whole, as before).
    """

    def __init__(self, mapped: mmap.mmap, buf: memoryview, start: int) -> None:
        self.map, self.buf, self.pos = mapped, buf, start
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.checked = start  # bytes before this are checked as UTF-8 (and released)

    def document(self) -> _Spans | dict:
        """The outer level: an array's items as :class:`_Spans`, or an object's members (``feed`` / ``posts``
        arrays as :class:`_Spans`, other values as their JSON). Raises ``UnicodeDecodeError`` when the document
        is not UTF-8."""
        first = self._skip_ws()
        if first == 0x5B:  # [
            outer: _Spans | dict = self._array()
        elif first == 0x7B:  # {
            outer = self._object()
        else:
            raise _Unscannable
        if self._skip_ws() != -1:  # something after the document
            raise _Unscannable
        self._check_utf8(len(self.buf))
        self.utf8.decode(b"", final=True)
        return outer

    def _skip_ws(self) -> int:
        """Skip blanks; the byte then at ``pos`` (-1 at the end)."""
        m = _WS.match(self.buf, self.pos)
        self.pos = m.end() if m else self.pos
        return self.buf[self.pos] if self.pos < len(self.buf) else -1

    def _value(self, ends: bytes) -> tuple[int, int]:
        """The JSON value at ``pos`` (leading blanks allowed), checked: ``(start, end)``, ``end`` being the next
        non-blank byte, one of ``ends``; ``pos`` moves past it."""
        start = self.pos
        try:
            _RAW.decode(self.buf[start:])
        except msgspec.DecodeError as e:
            msg = str(e)
            if not msg.startswith(_TRAILING):
                raise _Unscannable from None
            end = start + int(msg[len(_TRAILING) : -1]) - 1
        except (RecursionError, ValueError):
            raise _Unscannable from None
        else:  # the value runs to the end of the file: nothing closes the array or object
            raise _Unscannable
        if not (start < end < len(self.buf)) or self.buf[end] not in ends:
            raise _Unscannable
        self.pos = end + 1
        if self.pos - self.checked >= SCAN_RELEASE_BYTES:
            self._check_utf8(self.pos)
        return start, end

    def _array(self) -> _Spans:
        """The array opening at ``pos``: its items' spans; ``pos`` moves past its ``]``."""
        spans = _Spans(self.buf)
        self.pos += 1
        if self._skip_ws() == 0x5D:  # ]
            self.pos += 1
            return spans
        while True:
            start, end = self._value(b",]")
            spans.add(start, end)
            if self.buf[end] == 0x5D:
                return spans

    def _object(self) -> dict:
        """The object opening at ``pos``: ``feed`` / ``posts`` arrays as spans, other values as ``(start, end)``
        (as a dict decoded from JSON: a repeated key keeps its first place and its last value)."""
        out: dict = {}
        self.pos += 1
        if self._skip_ws() == 0x7D:  # }
            self.pos += 1
            return out
        while True:
            if self._skip_ws() != 0x22:  # a key is a string
                raise _Unscannable
            key = msgspec.json.decode(self.buf[slice(*self._value(b":"))])
            if self._skip_ws() == 0x5B and key in LAZY_KEYS:
                out[key] = self._array()
                last = self._skip_ws()
                if last not in (0x2C, 0x7D):
                    raise _Unscannable
                self.pos += 1
            else:
                start, end = self._value(b",}")
                out[key] = self.buf[start:end]
                last = self.buf[end]
            if last == 0x7D:
                return out

    def _check_utf8(self, upto: int) -> None:
        """Check the bytes walked since the last check as UTF-8 (raises ``UnicodeDecodeError``); release pages."""
        for i in range(self.checked, upto, UTF8_CHUNK):
            self.utf8.decode(self.buf[i : min(i + UTF8_CHUNK, upto)])
        self.checked = upto
        _release(self.map)
