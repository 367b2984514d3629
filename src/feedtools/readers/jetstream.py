"""Reader for Jetstream v1 captures: JSON Lines of events, or a JSON array of the same events.

Event: ``{did, time_us, kind: commit|identity|account, commit{rev, operation, collection,
rkey, record, cid}}`` (newer servers add keys such as ``cursor``: unknown keys are
ignored, and ``cursor`` stands in for a missing ``time_us``). Each event ends as:

* a row: a ``create``/``update`` of ``app.bsky.feed.post`` (an own post,
  ``post_id`` = ``at://<did>/app.bsky.feed.post/<rkey>``; an update is noted), or a
  ``create`` of ``app.bsky.feed.repost`` (a repost row pointing at its subject:
  ``post_uri`` = the subject's URI, ``reposted_by`` = the reposter's DID,
  ``reposted_at`` = the repost's ``createdAt``, ``is_placeholder`` true and text
  null, as the event does not carry the reposted post);
* skipped by design and counted by kind: ``skipped_delete`` (every delete; the event
  has no record), ``skipped_<collection>`` for other collections (``skipped_like``,
  ``skipped_follow``…; the full NSID outside ``app.bsky``), ``skipped_identity``,
  ``skipped_account``;
* skipped when its ``post_id`` was already read, as the other readers do, so
  ``post_id`` stays unique: ``skipped_repeated`` for a repeated event,
  ``skipped_update`` for an edit of a post already read (the first version read is kept;
  an update whose create was not captured is a row noted as edited);
* rejected alone (``line 12`` or ``item 12``) when it cannot be read.

JSON Lines are pre-filtered line by line: an event that is only counted (a like, a
follow, a delete…) is validated and counted by kind without being built as Python
objects (msgspec reads two fields and skips the rest); only the events that may
become rows are decoded in full. The counts are the ones a full decode gives, with
one difference: a skipped event holding a number beyond the range of a double
(``1e400``, valid JSON) is counted as skipped, where orjson would reject the line.

JSON Lines are streamed in batches of ``batch_size`` lines (memory grows only by an
8-byte digest per row read, for the repeat check); ``position`` and locations are global
across batches. ``time_us`` (when Jetstream saw the event) is the reference for flagging implausible ``createdAt``.
"""

from __future__ import annotations

import gc
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
import orjson

from feedtools.readers.atproto import (
    BOM,
    POST,
    REPOST,
    RecordError,
    RowBuffer,
    check_readable,
    finish_stats,
    first_byte,
    load_json,
    post_fields,
    raw_json,
    repost_row,
    sniff_json,
)
from feedtools.readers.base import FeedError, FeedMeta, ReadResult, rejects_frame
from feedtools.readers.jetstream_fast import COLUMN_INDEX, UPDATE_NOTE, dict_row, fast_row
from feedtools.readers.jsonarray import is_array, load_json_lazily

FORMAT = "jetstream"
BATCH_SIZE = 100_000


def sniff(head: bytes) -> bool:
    """True when ``head`` starts with Jetstream events (objects with ``did``, ``time_us`` and ``kind``)."""
    return sniff_json(head) == FORMAT


def _skip_key(collection) -> str:
    if not isinstance(collection, str) or not collection:
        return "skipped_unknown_collection"
    if collection.startswith("app.bsky."):
        return "skipped_" + collection.rsplit(".", 1)[-1]
    return "skipped_" + collection


def event_row(ev, stats: Counter) -> dict | None:
    """The row for one event, or None when it is skipped by design (counted in ``stats``).

    Raises :class:`RecordError` when the event cannot be read.
    """
    if not isinstance(ev, dict):
        raise RecordError(f"event is {type(ev).__name__}, not an object")
    kind = ev.get("kind")
    if kind != "commit":
        if kind in ("identity", "account"):
            stats["skipped_" + kind] += 1
            return None
        raise RecordError("event has no kind" if kind is None else f"unknown event kind {kind!r}")
    commit = ev.get("commit")
    if not isinstance(commit, dict):
        raise RecordError("commit event without a commit object")
    op = commit.get("operation")
    collection = commit.get("collection")
    if op == "delete":
        stats["skipped_delete"] += 1
        return None
    if op not in ("create", "update"):
        raise RecordError(f"unknown commit operation {op!r}")
    if collection != POST and not (collection == REPOST and op == "create"):
        stats[_skip_key(collection)] += 1
        return None
    did, rkey = ev.get("did"), commit.get("rkey")
    if not isinstance(did, str) or not did.startswith("did:"):
        raise RecordError("event has no DID")
    if not isinstance(rkey, str) or not rkey:
        raise RecordError("commit has no record key")
    seen_us = ev.get("time_us")
    if type(seen_us) is not int:
        seen_us = ev.get("cursor") if type(ev.get("cursor")) is int else None
    record = commit.get("record")
    uri = f"at://{did}/{collection}/{rkey}"
    if collection == POST:
        row = post_fields(record)
        cid = commit.get("cid")
        row.update(
            post_id=uri,
            post_uri=uri,
            author_did=did,
            is_repost=False,
            is_placeholder=False,
            _ref_us=seen_us,
            cid=cid if isinstance(cid, str) and cid else None,
        )
        if op == "update":
            row["notes"] = UPDATE_NOTE
        return row
    return repost_row(record, uri, did)


class _Commit(msgspec.Struct, frozen=True, gc=False):
    """The two commit fields that decide whether an event is wanted (the record is skipped, not built)."""

    operation: Any = None
    collection: Any = None


class _Envelope(msgspec.Struct, frozen=True, gc=False):
    """What the byte-level pre-filter reads of an event: its kind and its commit's operation and collection
    (frozen: hashable when its values are, so each kind of envelope is decided once, :data:`_DECIDED`)."""

    kind: Any = None
    commit: _Commit | None = None


_ENVELOPE = msgspec.json.Decoder(_Envelope)
_DECIDED: dict[_Envelope, str | None] = {}  # envelope -> what _counted_as gives (bounded memo: envelopes are few)
#: A compact Jetstream line whose first collection key names a post or repost (``_FEED_MARK`` then one of
#: ``_ROW_COLLECTIONS``) may become a row: it skips the pre-filter and goes to the fast path at once. This
#: only routes lines: the fast path, the pre-filter and the full decode each read a line exactly.
_FEED_MARK = b'"collection":"app.bsky.feed.'
_ROW_COLLECTIONS = (b'post"', b'repost"')  # what follows _FEED_MARK in a line that may become a row
_DONE = object()  # an event counted as skipped by the pre-filter
_ID, _NOTES = COLUMN_INDEX["post_id"], COLUMN_INDEX["notes"]


def _prefilter(line: bytes, stats: Counter):
    """Count ``line`` as skipped and return ``_DONE`` when it is an event the reader only counts; else None.

    The envelope is decoded with msgspec into a two-field struct: the record and every other
    value are validated as JSON but never built as Python objects. Only a line that is valid
    UTF-8 and valid JSON, whose kind is ``identity``/``account``, or a ``commit`` whose
    operation is ``delete`` or whose collection is not read, is decided here, with exactly
    the counts :func:`event_row` gives; anything else (wanted events, odd or broken lines)
    returns None and is decoded in full and read by :func:`event_row`.
    """
    if not line.isascii():
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        env = _ENVELOPE.decode(line)
    except (msgspec.DecodeError, RecursionError, ValueError):
        return None
    try:
        key = _DECIDED[env]
    except KeyError:
        key = _counted_as(env)
        if len(_DECIDED) < 4096:  # bounded: envelopes are few, feeds are data
            _DECIDED[env] = key
    except TypeError:  # an unhashable value (a list, an object): decided without the memo
        key = _counted_as(env)
    if key is None:
        return None
    stats[key] += 1
    return _DONE


def _counted_as(env: _Envelope) -> str | None:
    """The ``skipped_*`` key an event with envelope ``env`` is counted as, or None when it must be read in full
    (a wanted event, or an odd one: :func:`event_row` decides). The counts :func:`event_row` gives.

    Envelopes equal as values (a kind of ``1`` and of ``true``) are decided alike, so one memo entry serves both.
    """
    kind = env.kind
    if kind == "commit":
        commit = env.commit
        if commit is None:
            return None
        op = commit.operation
        if op == "delete":
            return "skipped_delete"
        collection = commit.collection
        if op not in ("create", "update") or collection == POST or (collection == REPOST and op == "create"):
            return None
        return _skip_key(collection)
    if kind == "identity" or kind == "account":
        return "skipped_" + kind
    return None


def _lines(
    path: Path,
    block: int = 1 << 23,
    *,
    start: int = 0,
    end: int | None = None,
    first_line: int = 0,
    ended: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, bytes]]:
    """``(1-based line number, line)`` for every non-blank line (a BOM on line 1 is dropped), read in blocks.

    The same lines, numbered the same way, as :func:`feedtools.readers.atproto.iter_lines`, with
    less Python per line: a block is split at once and only its last, cut line is carried over. With
    ``start``/``end``: only the bytes ``[start, end)`` (both at the start of a line, or ``end`` the file's
    end), their lines numbered on from ``first_line`` (the lines before ``start``). ``ended``: called once
    the bytes are read, with the number of the last line (blank lines counted).
    """
    line_no = first_line
    left = -1 if end is None else max(0, end - start)  # bytes still to read (-1: up to the end of the file)
    with open(path, "rb") as f:
        f.seek(start)
        rest = b""
        if start == 0:
            rest = f.read(len(BOM) if left < 0 else min(len(BOM), left))
            left = left if left < 0 else left - len(rest)
            if rest == BOM:
                rest = b""
        while left:
            data = f.read(block if left < 0 else min(block, left))
            if not data:
                break
            left = left if left < 0 else left - len(data)
            parts = (rest + data).split(b"\n") if rest else data.split(b"\n")
            rest = parts.pop()
            for line in parts:
                line_no += 1
                if line and not line.isspace():
                    yield line_no, line
    if rest and not rest.isspace():
        yield line_no + 1, rest
    if ended is not None:
        ended(line_no + 1 if rest else line_no)


def _array_events(path: Path) -> Iterator[tuple[str, None, object]]:
    """``(location, None, event)`` for every item of a JSON-array capture, decoded one at a time."""
    value = load_json_lazily(path)
    if value is None:
        value = load_json(path)  # not one JSON document: raises FeedError with orjson's reason
    if not is_array(value):
        raise FeedError(f"{path.name}: JSON {type(value).__name__}, not a list of Jetstream events")
    for i, ev in enumerate(value, start=1):
        yield f"item {i}", None, ev


def take_event(
    ev: Any,
    location: str,
    line: int | None,
    *,
    source: str,
    stats: Counter,
    seen: set,
    buf: RowBuffer | list | _Batches,
    rejects: list[dict],
) -> None:
    """Turn one decoded event into a row appended to ``buf`` (a :class:`RowBuffer`, a list of row dicts or a ``_Batches``), a reject (with its location) or a counted skip.

    A repeat of a post already read (``seen``) counts as ``skipped_repeated``, an edit of one as
    ``skipped_update``. Shared by :func:`read_batches` and the Spark byte-range reader.
    """
    try:
        row = event_row(ev, stats)
    except RecordError as e:
        rejects.append({"source": source, "location": location, "line": line, "reason": str(e), "raw": raw_json(ev)})
        return
    if row is None:
        return
    if _seen_before(row["post_id"], seen):
        stats["skipped_update" if row.get("notes") else "skipped_repeated"] += 1
        return
    row["source_location"] = location
    row["source_line"] = line
    buf.append(row)


def post_digest(post_id: str) -> bytes:
    """The 8-byte digest by which a ``post_id`` read is remembered (:attr:`LineRange.seen`)."""
    return hashlib.blake2b(post_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def _seen_before(post_id: str, seen: set[bytes]) -> bool:
    """True when ``post_id`` was already read; else remember it (as an 8-byte digest, to keep memory small)."""
    key = post_digest(post_id)
    if key in seen:
        return True
    seen.add(key)
    return False


def read_batches(path: str | Path, batch_size: int = BATCH_SIZE, **_: object) -> Iterator[ReadResult]:
    """Read a Jetstream capture in batches of ``batch_size`` events, yielding one :class:`ReadResult` each.

    JSON Lines: a line whose collection is a post or repost (:data:`_FEED_MARK`) is read by
    :func:`~feedtools.readers.jetstream_fast.fast_row` (typed msgspec structs straight into a row) when it
    has the usual shape; every other line is first pre-filtered (:func:`_prefilter`): events the reader
    only counts (likes, follows, deletes, identity…) are counted by kind without being built as Python
    objects; what is left is decoded with orjson and read by :func:`event_row`. Rows are held as tuples
    per batch and turned into columns once. Only the rows of the current batch are held (plus an 8-byte
    digest per row read, for the repeat check). Positions and locations continue across batches. Raises
    :class:`FeedError` when a JSON-array capture is not valid JSON (JSON Lines: a bad line is rejected alone).
    """
    path = Path(path)
    size = max(1, int(batch_size))
    if first_byte(path) != b"[":
        yield from _read_lines(path, size)
        return
    batches = _Batches(path.name)
    n = 0
    for location, line, ev in _array_events(path):
        n += 1
        batches.take(ev, location, line)
        if n >= size:
            yield batches.cut(n)
            n = 0
    if n or batches.position == 0:
        yield batches.cut(n)


def _read_lines(path: Path, size: int, batches: _Batches | None = None, **span: Any) -> Iterator[ReadResult]:
    """:func:`read_batches` for JSON Lines: the hot loop of the reader, kept inline (no call per line before
    the cheap byte tests). ``batches``: where the rows, rejects and counts go (a new one by default);
    ``span``: the ``start``, ``end``, ``first_line`` and ``ended`` of :func:`_lines` (:class:`LineRange`).

    The cyclic GC is paused while a batch is read and cut (its rows hold no reference cycles and a batch
    allocates a bounded amount; the collections it triggered only walked the rows), and is back on while
    the caller holds the batch."""
    batches = _Batches(path.name) if batches is None else batches
    seen, stats = batches.seen, batches.stats
    mark, after, rows = _FEED_MARK, len(_FEED_MARK), _ROW_COLLECTIONS
    n = 0
    enabled = gc.isenabled()
    gc.disable()
    try:
        for line_no, raw in _lines(path, **span):
            n += 1
            i = raw.find(mark)  # the first collection key: the event's own in a Jetstream line
            if i >= 0 and raw.startswith(rows, i + after):
                row = fast_row(raw, line_no)
                if row is None:
                    batches.decode(raw, line_no, n)
                elif _seen_before(row[_ID], seen):
                    stats["skipped_update" if row[_NOTES] else "skipped_repeated"] += 1
                else:
                    batches.rows.append(row)
            elif _prefilter(raw, stats) is not _DONE:
                batches.decode(raw, line_no, n)
            if n >= size:
                result = batches.cut(n)
                stats, n = batches.stats, 0
                if enabled:
                    gc.enable()
                yield result
                gc.disable()
    finally:
        if enabled:
            gc.enable()
    if n or batches.position == 0:
        yield batches.cut(n)


class LineRange:
    """The lines of a JSON Lines capture that start in the bytes ``[start, end)``, read as :func:`read_batches`
    reads the whole file: iterate it for its :class:`ReadResult` batches, for a parse that shares one capture
    between processes by byte ranges (:mod:`feedtools.rangeparse`).

    ``start`` and ``end`` must each be 0, the file's size or just after a newline; ``first_line`` is the number
    of lines before ``start`` (line numbers and locations are the file's). Positions count from 0 in the range.
    A post read twice *within* the range is skipped as :func:`read_batches` skips it; after the batches,
    :attr:`seen` holds the digest (:func:`post_digest`) of every post kept, for the caller to skip repeats
    across ranges, and :attr:`leading_rejects` the number of records at the range's start that were all
    rejected (the caller decides whether the capture is readable at all: :func:`check_first_batch`, not applied
    here), and :attr:`lines` the number of lines in the range, blank ones counted. Raises ``OSError`` when the
    file cannot be read.
    """

    def __init__(self, path: str | Path, start: int, end: int, first_line: int, batch_size: int = BATCH_SIZE) -> None:
        self.path, self.start, self.end, self.first_line = Path(path), start, end, first_line
        self.batch_size = max(1, int(batch_size))
        self.seen: set[bytes] = set()
        self.leading_rejects = 0
        self.lines = 0

    @classmethod
    def starting_in(cls, path: str | Path, start: int, end: int) -> LineRange:
        """The lines that *start* in the bytes ``[start, end)``, which may fall anywhere (a line begun before
        ``start`` belongs to the range before, one begun before ``end`` is read to its end), numbered from 1:
        a byte range planned without reading the file (the Spark executors' tasks). Raises ``OSError``."""
        with open(path, "rb") as f:
            first, last = _line_start(f, start), _line_start(f, end)
        return cls(path, first, max(first, last), 0)

    def _ended(self, last_line: int) -> None:
        self.lines = last_line - self.first_line

    def __iter__(self) -> Iterator[ReadResult]:
        batches = _Batches(self.path.name, check=False)
        batches.seen = self.seen
        span = {"start": self.start, "end": self.end, "first_line": self.first_line, "ended": self._ended}
        yield from _read_lines(self.path, self.batch_size, batches, **span)
        self.leading_rejects = batches.leading


def check_first_batch(
    records: int, leading_rejects: int, first_reject: dict | None, source: str, *, final: bool
) -> None:
    """Raise :class:`FeedError` as :func:`read_batches` refuses a capture: when every record of its first batch
    (the first :data:`BATCH_SIZE` records, or all of them when ``final`` and there are fewer) was rejected. For
    readers of a capture's ranges (:class:`LineRange`): ``records`` read so far from the start, the
    ``leading_rejects`` among them and the first reject (a rejects-table row). Before the first batch is
    complete (not ``final``), nothing."""
    first_batch = min(records, BATCH_SIZE) if final else BATCH_SIZE
    if first_reject is not None and records >= first_batch > 0 and leading_rejects >= first_batch:
        check_readable({"records": 1}, [first_reject], source, FORMAT)


def _line_start(f: BinaryIO, pos: int) -> int:
    """The offset of the first line of ``f`` starting at or after byte ``pos`` (the file's size when none)."""
    size = f.seek(0, 2)
    if pos <= 0 or pos >= size:
        return min(max(pos, 0), size)
    f.seek(pos - 1)
    if f.read(1) == b"\n":
        return pos
    while chunk := f.read(1 << 16):  # the rest of a line begun before pos, a block at a time (lines can be long)
        k = chunk.find(b"\n")
        if k >= 0:
            return f.tell() - len(chunk) + k + 1
    return size


class _Batches:
    """The batch being read (rows as lists of :data:`ROW_COLUMNS` values, rejects, counts), cut into
    :class:`ReadResult` batches whose positions continue; ``seen`` holds a digest of every ``post_id`` read.
    ``check``: the first batch is checked with :func:`check_readable`; ``leading``: how many records at the
    start were all rejected."""

    def __init__(self, source: str, *, check: bool = True) -> None:
        self.source = source
        self.check = check
        self.position = 0
        self.records = 0  # records of the batches already cut
        self.leading = 0
        self.seen: set[bytes] = set()
        self.rows: list[tuple] = []
        self.rejects: list[dict] = []
        self.stats: Counter = Counter()

    def append(self, row: dict) -> None:
        """Add a row dict (:func:`take_event` appends here)."""
        self.rows.append(dict_row(row))

    def take(self, ev: object, location: str, line: int | None) -> None:
        """Read one decoded event (:func:`take_event`)."""
        take_event(
            ev, location, line, source=self.source, stats=self.stats, seen=self.seen, buf=self, rejects=self.rejects
        )

    def decode(self, raw: bytes, line_no: int, n: int) -> None:
        """Decode one line (the ``n``-th record of the batch) with orjson and read it (:func:`take_event`); a
        line that is not JSON is rejected."""
        before = len(self.rejects)
        try:
            ev = orjson.loads(raw)
        except orjson.JSONDecodeError:
            reject = {"location": f"line {line_no}", "line": line_no, "reason": "not valid JSON"}
            self.rejects.append({"source": self.source, **reject, "raw": raw.decode("utf-8", "replace").rstrip("\r")})
        else:
            self.take(ev, f"line {line_no}", line_no)
        if len(self.rejects) > before and self.leading == self.records + n - 1:
            self.leading += 1  # every record so far rejected (the other paths never reject)

    def cut(self, n: int) -> ReadResult:
        """The batch (of ``n`` events) as a :class:`ReadResult`; the next batch starts empty."""
        check = self.check and self.records == 0  # the first batch only
        result = _batch(self.rows, self.rejects, self.stats, n, source=self.source, position=self.position, check=check)
        self.position += result.posts.height
        self.records += n
        self.rows, self.rejects, self.stats = [], [], Counter()
        return result


def _batch(
    rows: list[tuple], rejects: list[dict], stats: Counter, n: int, *, source: str, position: int, check: bool = True
) -> ReadResult:
    """One batch of ``n`` events as a :class:`ReadResult` whose posts count on from ``position``.

    ``rows`` is emptied once its values are in columns. Rows with a non-standard embed are counted as ``embeds_nonstandard`` (as :class:`RowBuffer` does).
    Raises :class:`FeedError` when ``check`` (the first batch) and every record was rejected.
    """
    stats["records"] = n
    if check:
        check_readable(stats, rejects, source, FORMAT)
    finish_stats(stats, len(rows), len(rejects))
    buf = RowBuffer.from_tuples(rows, stats)  # empties rows: the tuples go before the frame is built
    posts = buf.frame(source=source, source_format=FORMAT, first_position=position)
    meta: FeedMeta = {"format": FORMAT, "source": source, "unit": "records"}
    return ReadResult(posts=posts, rejects=rejects_frame(rejects), stats=stats, meta=meta)
