"""The fast path of the Jetstream reader: a post or repost event of the usual shape, decoded with typed msgspec
structs straight into a row of :data:`~feedtools.readers.atproto.ROW_COLUMNS` values (a tuple, no dict).

:func:`fast_row` gives either exactly the row :func:`feedtools.readers.jetstream.event_row` gives for the
line decoded with orjson, or None ("not decided here": the caller decodes the line with orjson and reads it
with ``event_row``, which also gives its reject reason). It decides only lines that, decoded by msgspec, hold
nothing but the known keys of the event, its commit and its record (``forbid_unknown_fields``: every value is
then either parsed by msgspec, which refuses what orjson refuses, invalid UTF-8 and lone surrogates included,
or kept raw and decoded with orjson); a ``create``/``update`` of a post or a ``create`` of a repost (``kind``,
``operation`` and ``collection`` are literals), with a DID, a record key, an integer ``time_us`` within int64
(orjson reads larger ones as floats), a string text and ``createdAt`` (a repost: a subject URI). Anything else
(an SDK spelling, an odd type, a missing field, an unknown key, a nesting deep enough to reach orjson's depth
limit) is left to the full decode. The types do most of the checks in msgspec's C code: no Python per check.

Columns are filled by index in a copy of a template row; a record's facets, reply, embed and tags (when
present) are read by the same functions as the full decode. List values are tuples (pyarrow reads them as
lists), so a row holds only values the cyclic GC does not track and is untracked by the first collection
that walks it (each row is still walked once, value by value, by a young collection); the empty ones and
the declared languages (memoised by their raw bytes) are shared between rows.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
import orjson

from feedtools.readers.atproto import (
    EMBED_COLUMNS,
    POST,
    REPOST,
    ROW_COLUMNS,
    at_uri_did,
    embed_fields,
    facet_fields,
)
from feedtools.readers.atproto.records import _add_record_tags, _reply_uris

__all__ = ["COLUMN_INDEX", "UPDATE_NOTE", "dict_row", "fast_row"]

#: The note on a post row read from an update event (an edit): what tells an edit from a repeat once rows are built.
UPDATE_NOTE = "edited (update event)"

#: Position of each reader column in a row.
COLUMN_INDEX = {c: i for i, c in enumerate(ROW_COLUMNS)}
_EMPTY: tuple = ()
_MAX_BRACKETS = 900  # below orjson's nesting limit (1024) whatever the nesting: deeper lines take the full decode


class _Ref(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    uri: str
    cid: Any = None


class _Record(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """The keys of a post record and of a repost record (what each kind needs is checked by its reader)."""

    text: Any = None
    createdAt: Any = None
    type_: Any = msgspec.field(default=None, name="$type")
    langs: msgspec.Raw = msgspec.Raw()
    tags: msgspec.Raw = msgspec.Raw()
    facets: msgspec.Raw = msgspec.Raw()
    reply: msgspec.Raw = msgspec.Raw()
    embed: msgspec.Raw = msgspec.Raw()
    labels: Any = None
    subject: _Ref | None = None
    via: Any = None


#: A ``time_us`` orjson reads as an int (it reads integers beyond 2**64 - 1 as floats; msgspec bounds stop at int64)
_Micros = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]


class _Commit(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    operation: Literal["create", "update"]
    collection: Literal["app.bsky.feed.post", "app.bsky.feed.repost"]
    rkey: Annotated[str, msgspec.Meta(min_length=1)]
    record: _Record
    rev: Any = None
    cid: Any = None


class _Event(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    did: str
    kind: Literal["commit"]
    commit: _Commit
    time_us: _Micros
    cursor: Any = None


_EVENT = msgspec.json.Decoder(_Event)
_NOT_DECIDED = (msgspec.DecodeError, ValueError, RecursionError)  # msgspec's and orjson's errors (ValueError)


def _template(**values: Any) -> list:
    row: list = [None] * len(ROW_COLUMNS)
    for name, value in values.items():
        row[COLUMN_INDEX[name]] = value
    return row


#: A post row before its own values: what :func:`post_fields` gives for a record with text only.
_POST_ROW = _template(
    is_repost=False,
    is_placeholder=False,
    langs_declared=_EMPTY,
    hashtags=_EMPTY,
    mentions=_EMPTY,
    urls=_EMPTY,
    mention_dids=_EMPTY,
    image_count=0,
    image_alts=_EMPTY,
    has_video=False,
)
_REPOST_ROW = _template(is_repost=True, is_placeholder=True)
(
    _ID,
    _URI,
    _LINE,
    _LOC,
    _DID,
    _TEXT,
    _LANGS,
    _TAGS,
    _MENTIONS,
    _URLS,
    _CREATED,
    _REPLY_TO,
    _REPLY_ROOT,
    _INVALID,
    _NOTES,
    _CID,
    _DIDS,
    _PARENT_AUTHOR,
    _ROOT_AUTHOR,
    _REF_US,
    _REPOSTED_BY,
    _REPOSTED_RAW,
) = (
    COLUMN_INDEX[c]
    for c in (
        "post_id",
        "post_uri",
        "source_line",
        "source_location",
        "author_did",
        "text",
        "langs_declared",
        "hashtags",
        "mentions",
        "urls",
        "created_at_raw",
        "reply_to",
        "reply_root",
        "facets_invalid",
        "notes",
        "cid",
        "mention_dids",
        "reply_parent_author",
        "reply_root_author",
        "_ref_us",
        "reposted_by",
        "_reposted_raw",
    )
)
_EMBEDS = slice(COLUMN_INDEX["embed_kind"], COLUMN_INDEX["embed_kind"] + len(EMBED_COLUMNS))
_NO_LANGS = msgspec.Raw(b"[]")
_LANGS_SEEN: dict[bytes, tuple] = {}  # raw ``langs`` JSON -> its string items (bounded memo: languages are few)


def dict_row(row: dict) -> tuple:
    """A row dict (as :func:`feedtools.readers.jetstream.event_row` gives it) as a row tuple."""
    return tuple(map(row.get, ROW_COLUMNS))


def fast_row(line: bytes, line_no: int) -> tuple | None:
    """The row tuple for one JSON Lines event of the usual shape, or None when the full decode must decide.

    None also for every event that is not a row (a skip or a reject is left to the full decode).
    """
    if len(line) > _MAX_BRACKETS and line.count(b"{") + line.count(b"[") > _MAX_BRACKETS:
        return None
    try:
        ev = _EVENT.decode(line)
        if not ev.did.startswith("did:"):
            return None
        if ev.commit.collection == POST:
            return _post_row(ev, line_no)
        return _repost_row(ev, line_no)
    except _NOT_DECIDED:
        return None


def _langs(raw: msgspec.Raw) -> tuple:
    """The string items of a record's raw ``langs`` (empty when absent or not a list); raises orjson's error."""
    if not raw or raw == _NO_LANGS:  # absent, or ``[]`` (most posts): no copy, no look-up
        return _EMPTY
    key = bytes(raw)
    langs = _LANGS_SEEN.get(key)
    if langs is None:
        value = orjson.loads(key)
        langs = tuple(x for x in value if isinstance(x, str)) if isinstance(value, list) else _EMPTY
        if len(_LANGS_SEEN) < 4096:
            _LANGS_SEEN[key] = langs
    return langs


def _loads(raw: msgspec.Raw) -> Any:
    return orjson.loads(memoryview(raw)) if raw else None


def _post_row(ev: _Event, line_no: int) -> tuple | None:
    """The row :func:`event_row` gives for a post event; None when its record has no string text or
    ``createdAt``; raises a ``_NOT_DECIDED`` error when a raw part of the record is not valid JSON."""
    did, c = ev.did, ev.commit
    rec = c.record
    text, created = rec.text, rec.createdAt
    if type(text) is not str or type(created) is not str:
        return None
    row = _POST_ROW.copy()
    row[_LANGS] = _langs(rec.langs)
    if rec.facets or rec.tags or rec.reply or rec.embed:
        _post_extras(row, rec, text)
    uri = f"at://{did}/{POST}/{c.rkey}"
    row[_ID] = row[_URI] = uri
    row[_LINE] = line_no
    row[_LOC] = f"line {line_no}"
    row[_DID] = did
    row[_TEXT] = text
    row[_CREATED] = created
    row[_REF_US] = ev.time_us
    cid = c.cid
    row[_CID] = cid if isinstance(cid, str) and cid else None
    if c.operation == "update":
        row[_NOTES] = UPDATE_NOTE
    return tuple(row)


def _post_extras(row: list, rec: _Record, text: str) -> None:
    """Fill ``row``'s facet, tag, reply and embed columns as :func:`post_fields` does; raises a
    ``_NOT_DECIDED`` error when one of these raw parts is not valid JSON."""
    facets, extra_tags, reply, embed = _loads(rec.facets), _loads(rec.tags), _loads(rec.reply), _loads(rec.embed)
    if facets is not None:
        tags, mentions, urls, dids, row[_INVALID] = facet_fields(text, facets)
        row[_TAGS], row[_MENTIONS], row[_URLS], row[_DIDS] = tuple(tags), tuple(mentions), tuple(urls), tuple(dids)
    if extra_tags is not None:
        tags = list(row[_TAGS])
        _add_record_tags(tags, extra_tags)
        row[_TAGS] = tuple(tags)
    if reply is not None:
        parent, root = _reply_uris(reply)
        row[_REPLY_TO], row[_REPLY_ROOT] = parent, root
        row[_PARENT_AUTHOR], row[_ROOT_AUTHOR] = at_uri_did(parent), at_uri_did(root)
    if embed is not None:  # the embed columns are consecutive, in the order embed_fields gives them
        row[_EMBEDS] = [tuple(v) if type(v) is list else v for v in embed_fields(embed).values()]


def _repost_row(ev: _Event, line_no: int) -> tuple | None:
    """The row :func:`repost_row` gives for a repost event; None for an update, when the record has no
    string ``createdAt`` or no subject AT-URI, or holds a part kept raw (``langs``, ``embed``…: a post's)."""
    did, c = ev.did, ev.commit
    rec = c.record
    created, ref = rec.createdAt, rec.subject
    if c.operation != "create" or type(created) is not str or ref is None or not ref.uri.startswith("at://"):
        return None
    if rec.langs or rec.tags or rec.facets or rec.reply or rec.embed:  # raw parts a repost does not read: only
        return None  # orjson would check them (UTF-8, numbers), so the full decode decides
    subject = ref.uri
    row = _REPOST_ROW.copy()
    row[_ID] = f"at://{did}/{REPOST}/{c.rkey}"
    row[_LINE] = line_no
    row[_LOC] = f"line {line_no}"
    row[_URI] = subject
    row[_DID] = at_uri_did(subject)
    row[_REPOSTED_BY] = did
    row[_REPOSTED_RAW] = created
    return tuple(row)
