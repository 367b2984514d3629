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

JSON Lines are streamed in batches of ``batch_size`` lines (memory grows only by an
8-byte digest per row read, for the repeat check); ``position`` and locations are global across batches. ``time_us`` (when
Jetstream saw the event) is the reference for flagging implausible ``createdAt``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson

from feedtools.readers.atproto import (
    POST,
    REPOST,
    RecordError,
    RowBuffer,
    check_readable,
    finish_stats,
    first_byte,
    iter_lines,
    load_json,
    post_fields,
    raw_json,
    repost_row,
    sniff_json,
)
from feedtools.readers.base import FeedError, ReadResult, rejects_frame

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
        row.update(post_id=uri, post_uri=uri, author_did=did, is_repost=False, is_placeholder=False,
                   _ref_us=seen_us, cid=cid if isinstance(cid, str) and cid else None)
        if op == "update":
            row["notes"] = "edited (update event)"
        return row
    return repost_row(record, uri, did)


def _events(path: Path) -> Iterator[tuple[str, int | None, object, bytes | None]]:
    """``(location, line, event or None, raw line when unparseable)`` for every event in the file."""
    if first_byte(path) == b"[":
        value = load_json(path)
        if not isinstance(value, list):
            raise FeedError(f"{path.name}: JSON {type(value).__name__}, not a list of Jetstream events")
        for i, ev in enumerate(value, start=1):
            yield f"item {i}", None, ev, None
        return
    loads = orjson.loads
    for line_no, line in iter_lines(path):
        try:
            yield f"line {line_no}", line_no, loads(line), None
        except orjson.JSONDecodeError:
            yield f"line {line_no}", line_no, None, line


def take_event(ev: dict, location: str, line: int, *, source: str, stats: Counter, seen: set,
               buf: RowBuffer, rejects: list[dict]) -> None:
    """Turn one decoded event into a row of ``buf``, a reject (with its location) or a counted skip.

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


def _seen_before(post_id: str, seen: set[bytes]) -> bool:
    """True when ``post_id`` was already read; else remember it (as an 8-byte digest, to keep memory small)."""
    key = hashlib.blake2b(post_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    if key in seen:
        return True
    seen.add(key)
    return False


def read_batches(path: str | Path, batch_size: int = BATCH_SIZE, **_: object) -> Iterator[ReadResult]:
    """Read a Jetstream capture in batches of ``batch_size`` events, yielding one :class:`ReadResult` each.

    Events are parsed and turned into row values one at a time; only the rows of the
    current batch are held. Positions and locations continue across batches. Raises
    :class:`FeedError` when a JSON-array capture is not valid JSON (JSON Lines: a bad
    line is rejected alone).
    """
    path = Path(path)
    source = path.name
    size = max(1, int(batch_size))
    meta = {"format": FORMAT, "source": source, "unit": "records"}
    position = 0
    stats = Counter()
    buf, rejects = RowBuffer(stats), []
    seen: set[bytes] = set()

    def flush() -> ReadResult:
        finish_stats(stats, len(buf), len(rejects))
        posts = buf.frame(source=source, source_format=FORMAT, first_position=position)
        return ReadResult(posts=posts, rejects=rejects_frame(rejects), stats=stats, meta=dict(meta))

    for location, line, ev, bad in _events(path):
        stats["records"] += 1
        if bad is not None:
            rejects.append({"source": source, "location": location, "line": line, "reason": "not valid JSON",
                            "raw": bad.decode("utf-8", "replace").rstrip("\r\n")})
        else:
            take_event(ev, location, line, source=source, stats=stats, seen=seen, buf=buf, rejects=rejects)
        if stats["records"] >= size:
            if position == 0:
                check_readable(stats, rejects, source, FORMAT)
            result = flush()
            position += result.posts.height
            yield result
            stats = Counter()
            buf, rejects = RowBuffer(stats), []
    if stats["records"] or position == 0:
        if position == 0:
            check_readable(stats, rejects, source, FORMAT)
        yield flush()
