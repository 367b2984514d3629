"""Reader for repository exports (``com.atproto.sync.getRepo``): a CAR v1 file of DAG-CBOR blocks.

The CAR's root is the signed commit ``{did, version, data, rev, prev, sig}``; ``data``
is the root of the Merkle Search Tree (MST) whose entries map ``collection/rkey`` to
record CIDs. Records do not hold their own key, so the tree is walked (docs/formats.md,
"Repository export"): in each node ``{l, e: [{p, k, v, t}]}`` visit ``l``, then each entry (key =
previous key[:p] + k) and its right subtree ``t``. That gives every record's
AT-URI ``at://<did>/<collection>/<rkey>`` in key order (``position`` follows it).

Each record ends as:

* a row: ``app.bsky.feed.post`` (an own post; ``author_name`` from the profile
  record's ``displayName``; ``is_pinned`` from its ``pinnedPost``), or
  ``app.bsky.feed.repost`` (a repost row pointing at its subject, a placeholder
  with null text: the repository holds only the account's own records);
* skipped by design and counted per collection (``skipped_like``, ``skipped_follow``,
  ``skipped_profile``…; the full NSID outside ``app.bsky``);
* rejected alone, located by its block CID, when its block is missing or undecodable
  or the record cannot be read (an unreadable tree node is rejected the same way);
* a key listed twice by a damaged tree is read once (``skipped_repeated``).

The walk visits each tree node once and at most :data:`MAX_DEPTH` levels deep: a tree
that links to itself or an ancestor, or a wrong-typed entry, gives a reject with the
node's location instead of a loop or an exception.

``libipld.decode_car`` decodes the file; when one block is malformed it fails as a
whole, so the file is then re-read block by block and only the bad blocks are lost.
``meta`` holds the commit's ``did``, ``rev``, ``data_cid`` and ``repo_version``.
``created_at`` is flagged implausible when more than a day after the commit's ``rev``
(a TID: the time of the repository's last write).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import libipld

from feedtools.readers.atproto import (
    POST,
    REPOST,
    RecordError,
    RowBuffer,
    check_readable,
    finish_stats,
    get,
    post_fields,
    raw_json,
    repost_row,
    tid_micros,
)
from feedtools.readers.base import FeedError, FeedMeta, ReadResult, rejects_frame

FORMAT = "car"
PROFILE = "app.bsky.actor.profile"


def _varint(data: bytes, i: int) -> tuple[int | None, int]:
    """Unsigned LEB128 varint at ``data[i:]``: ``(value, next index)``, value None when cut short."""
    value = shift = 0
    while i < len(data) and shift < 64:
        b = data[i]
        value |= (b & 0x7F) << shift
        i += 1
        if not b & 0x80:
            return value, i
        shift += 7
    return None, i


def sniff(head: bytes) -> bool:
    """True when ``head`` starts a CAR v1 file: a varint length, then a DAG-CBOR map with ``roots`` and ``version``."""
    n, i = _varint(head, 0)
    if n is None or not 10 <= n <= 4096:
        return False
    header = head[i : i + n]
    return header[:1] == b"\xa2" and b"roots" in header and b"version" in header


def _cid_length(section: bytes) -> int:
    """Length of the CID at the start of a CAR section (CIDv0 or CIDv1)."""
    if section[:2] == b"\x12\x20":
        return 34
    i = 0
    for _ in range(3):  # version, codec, multihash code
        v, i = _varint(section, i)
        if v is None:
            raise ValueError("truncated CID")
    size, i = _varint(section, i)
    if size is None or i + size > len(section):
        raise ValueError("truncated CID")
    return i + size


def _decode_lenient(data: bytes, source: str) -> tuple[dict, dict, dict]:
    """Split a CAR into blocks by hand, decoding each alone: ``(header, blocks, {cid: error})``."""
    n, i = _varint(data, 0)
    if n is None or i + n > len(data):
        raise FeedError(f"{source}: CAR header cut short")
    try:
        header = libipld.decode_dag_cbor(data[i : i + n])
    except (ValueError, RecursionError) as e:
        raise FeedError(f"{source}: unreadable CAR header ({e})") from None
    i += n
    blocks: dict = {}
    bad: dict = {}
    while i < len(data):
        size, j = _varint(data, i)
        if size is None or j + size > len(data):
            break  # file cut short: the blocks after this point are missing
        section = data[j : j + size]
        i = j + size
        try:
            k = _cid_length(section)
        except ValueError:
            continue
        cid = section[:k]
        try:
            blocks[cid] = libipld.decode_dag_cbor(section[k:])
        except (ValueError, RecursionError) as e:
            bad[cid] = f"undecodable block ({e})"
    return header, blocks, bad


def _cid_str(cid) -> str:
    try:
        return libipld.encode_cid(cid)
    except (ValueError, TypeError):
        return repr(cid)


#: Deepest tree walked: a repository's MST is a few levels deep (about log16 of its records); deeper is damage.
MAX_DEPTH = 64


def _hashable_cid(link) -> bool:
    return isinstance(link, bytes)


def _walk(root, blocks: dict, bad: dict, rejects: list[dict], source: str) -> list[tuple[str, object]]:
    """``(collection/rkey, record CID)`` for every MST entry, in key order; bad nodes go to ``rejects``.

    Each node is visited once: a link back to a node already walked (a tree linking to
    itself or to an ancestor) and a node deeper than :data:`MAX_DEPTH` are rejected
    with their location, so a damaged tree cannot make the walk loop or grow without
    bound. An entry whose fields have the wrong types ends the node's listing with one
    reject (keys are prefix-compressed, so the later keys of that node cannot be known).
    """
    out: list[tuple[str, object]] = []
    visited: set[bytes] = set()
    stack: list = [("node", root, 0)]

    def reject(item, reason: str, raw: str | None = None) -> None:
        rejects.append(
            {"source": source, "location": f"block {_cid_str(item)}", "line": None, "reason": reason, "raw": raw}
        )

    while stack:
        what, item, depth = stack.pop()
        if what == "entry":
            out.append(item)
            continue
        if not _hashable_cid(item):
            reject(item, "tree link is not a CID: the records below it cannot be listed")
            continue
        if item in visited:
            reject(item, "tree node linked again (the tree loops): walked once")
            continue
        if depth > MAX_DEPTH:
            reject(item, f"tree deeper than {MAX_DEPTH} levels: the records below it cannot be listed")
            continue
        visited.add(item)
        node = blocks.get(item)
        reason = None
        if node is None:
            reason = bad.get(item, "tree node block missing from the file")
        elif not isinstance(node, dict) or not isinstance(node.get("e"), list):
            reason = "block is not a tree node"
        if reason:
            reject(item, f"{reason}: the records below it cannot be listed")
            continue
        stack.extend(reversed(_node_todo(cast(dict, node), item, depth, reject)))  # a dict: checked above
    return out


def _node_todo(node: dict, item, depth: int, reject) -> list:
    """What one MST node lists, in key order: ``("node", link, depth + 1)`` for subtrees and
    ``("entry", (key, record CID), depth)`` for records. Keys are prefix-compressed, so an entry with
    fields of the wrong types ends the listing with one ``reject(item, reason, raw)``."""
    todo: list = []
    if node.get("l") is not None:
        todo.append(("node", node["l"], depth + 1))
    key = b""
    for e in node["e"]:
        try:
            if not isinstance(e, dict):
                raise TypeError(f"entry is {type(e).__name__}, not a map")
            p, k, v = e["p"], e["k"], e["v"]
            if type(p) is not int or p < 0 or not isinstance(k, bytes):
                raise TypeError(f"prefix length {type(p).__name__} / key {type(k).__name__}")
            if not _hashable_cid(v):
                raise TypeError(f"record link is {type(v).__name__}, not a CID")
            key = key[:p] + k
            todo.append(("entry", (key.decode("utf-8"), v), depth))
        except (TypeError, KeyError, UnicodeDecodeError) as err:
            reject(
                item,
                f"malformed tree entry ({err!r}): later keys of this node are lost",
                raw_json(e) if isinstance(e, dict) else repr(e)[:500],
            )
            break
        if e.get("t") is not None:
            todo.append(("node", e["t"], depth + 1))
    return todo


def _skip_key(collection: str) -> str:
    return "skipped_" + (collection.rsplit(".", 1)[-1] if collection.startswith("app.bsky.") else collection)


def read_batches(path: str | Path, **_: object) -> Iterator[ReadResult]:
    """Read a repository CAR export. Yields one :class:`ReadResult` (a repository is read whole).

    Raises :class:`FeedError` when the file is not a CAR, has no root, or its root
    is not a repository commit.
    """
    path = Path(path)
    source = path.name
    commit, blocks, bad = _load_commit(path.read_bytes(), source)
    did = commit["did"]
    rev = commit.get("rev") if isinstance(commit.get("rev"), str) else None
    rejects: list[dict] = []
    entries = _walk(commit["data"], blocks, bad, rejects, source)
    stats: Counter = Counter(records=len(entries) + len(rejects))
    profile_name, pinned, has_profile = _profile(entries, blocks)
    post_extra = {
        "author_did": did,
        "author_name": profile_name,
        "is_repost": False,
        "is_placeholder": False,
        "_ref_us": tid_micros(rev),
    }
    buf = RowBuffer(stats)
    seen: set[str] = set()
    for key, cid in entries:
        collection, _sep, rkey = key.partition("/")
        if key in seen:  # a damaged tree listing one key twice: the record is read once
            stats["skipped_repeated"] += 1
            continue
        seen.add(key)
        if collection not in (POST, REPOST):
            stats[_skip_key(collection)] += 1
            continue
        record = blocks.get(cid)
        location = f"block {_cid_str(cid)}"
        try:
            uri = f"at://{did}/{collection}/{rkey}"
            row = _record_row(record, cid, collection, uri, bad, post_extra, pinned if has_profile else _NO_PROFILE)
        except RecordError as e:
            raw = raw_json(record) if record is not None else None
            rejects.append(
                {"source": source, "location": f"{location} ({key})", "line": None, "reason": str(e), "raw": raw}
            )
            continue
        row["source_location"] = location
        buf.append(row)
    finish_stats(stats, len(buf), len(rejects))
    check_readable(stats, rejects, source, FORMAT)
    yield ReadResult(
        posts=buf.frame(source=source, source_format=FORMAT),
        rejects=rejects_frame(rejects),
        stats=stats,
        meta=_meta(commit, source, rev, profile_name),
    )


_NO_PROFILE = object()  # ``pinned`` of a repository without a profile record: ``is_pinned`` is unknown (null)


def _record_row(record, cid, collection: str, uri: str, bad: dict, post_extra: dict, pinned: object) -> dict:
    """The row of the post or repost record ``uri`` (block ``cid``; ``post_extra``: the repository's columns of
    its own posts; ``pinned``: the profile's pinned post URI, or ``_NO_PROFILE``).

    Raises :class:`RecordError` when the record block is missing or unreadable (its reason in ``bad``) or the
    record cannot be read.
    """
    if record is None:
        raise RecordError(bad.get(cid, "record block missing from the file"))
    if collection != POST:
        return repost_row(record, uri, post_extra["author_did"])
    row = post_fields(record)
    is_pinned = None if pinned is _NO_PROFILE else uri == pinned
    row.update(post_extra, post_id=uri, post_uri=uri, is_pinned=is_pinned, cid=_cid_str(cid))
    return row


def _meta(commit: dict, source: str, rev: str | None, profile_name: str | None) -> FeedMeta:
    """The repository's facts: DID, revision, data CID, repository version and display name."""
    return {
        "format": FORMAT,
        "source": source,
        "unit": "records",
        "did": commit["did"],
        "rev": rev,
        "data_cid": _cid_str(commit["data"]),
        "repo_version": commit.get("version"),
        "profile_name": profile_name,
    }


def _load_commit(data: bytes, source: str) -> tuple[dict, dict, dict]:
    """``(root commit, blocks by CID, reasons of unreadable blocks by CID)`` of a CAR file's bytes.

    A CAR libipld cannot decode whole is decoded block by block (:func:`_decode_lenient`).
    Raises :class:`FeedError` when it has no root or its root is not a repository commit.
    """
    try:
        header, blocks = libipld.decode_car(data)
        bad: dict = {}
    except (ValueError, RecursionError):
        header, blocks, bad = _decode_lenient(data, source)
    roots = header.get("roots") if isinstance(header, dict) else None
    if not isinstance(roots, list) or not roots:
        raise FeedError(f"{source}: CAR file without a root")
    commit = blocks.get(roots[0]) if isinstance(roots[0], bytes) else None
    if not isinstance(commit, dict) or not isinstance(commit.get("did"), str) or "data" not in commit:
        raise FeedError(f"{source}: the CAR's root is not a repository commit (is this a getRepo export?)")
    return commit, blocks, bad


def _profile(entries: list[tuple[str, object]], blocks: dict) -> tuple[str | None, str | None, bool]:
    """``(display name, pinned post URI, whether a profile record exists)`` from the repository's
    ``app.bsky.actor.profile/self`` record (the last one listed, when a damaged tree lists several)."""
    profile_name = pinned = None
    has_profile = False
    for key, cid in entries:
        if key == f"{PROFILE}/self" and isinstance(blocks.get(cid), dict):
            profile = blocks[cid]
            has_profile = True
            name = get(profile, "displayName")
            profile_name = name.strip() if isinstance(name, str) and name.strip() else None
            pin = get(profile, "pinnedPost")
            pinned = pin.get("uri") if isinstance(pin, dict) else None
    return profile_name, pinned, has_profile
