"""Shared pieces of the AT Protocol readers (author feeds, postViews, repository CARs, Jetstream).

* :func:`post_fields` turns one ``app.bsky.feed.post`` record (wire camelCase with
  ``$type``, or the Python SDK's ``model_dump()`` snake_case with ``py_type``) into
  the reader columns it can fill: text, ``created_at_raw``, declared languages
  (raw BCP-47 list, normalised later by :mod:`feedtools.language`), facet hashtags,
  mentions and links read by **UTF-8 byte offsets** and validated, ``record.tags``,
  reply and quote URIs.
* :class:`RowBuffer` collects rows as column lists (no per-record DataFrame) and
  builds one canonical DataFrame per batch, parsing every time column there in one
  vectorised pass (:func:`parse_times`).
* :func:`sniff_json` recognises which JSON shape a file starts with, for the
  readers' ``sniff`` functions; :func:`load_json` and :func:`iter_lines` read JSON
  and JSON Lines with orjson.

A record that cannot be read raises :class:`RecordError`; the reader puts it in the
rejects table with its location and goes on.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson
import polars as pl
import pyarrow as pa

from feedtools.errors import RecordError
from feedtools.readers.base import FeedError, ReadResult, posts_frame, rejects_frame
from feedtools.readers.jsonarray import JsonArray, load_json_lazily
from feedtools.schema import conform

__all__ = [
    "BadItem",
    "RecordError",
    "RowBuffer",
    "at_uri_did",
    "check_readable",
    "count_or_none",
    "finish_stats",
    "first_byte",
    "get",
    "iter_line_items",
    "iter_lines",
    "load_document_or_lines",
    "load_json",
    "parse_time_series",
    "parse_times",
    "post_fields",
    "raw_json",
    "read_items",
    "repost_row",
    "rtype",
    "sniff_json",
    "tid_micros",
]

POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
FACET_MENTION = "app.bsky.richtext.facet#mention"
FACET_LINK = "app.bsky.richtext.facet#link"
FACET_TAG = "app.bsky.richtext.facet#tag"
EMBED_RECORD = "app.bsky.embed.record"
EMBED_RECORD_WITH_MEDIA = "app.bsky.embed.recordWithMedia"
EMBED_EXTERNAL = "app.bsky.embed.external"
EMBED_IMAGES = "app.bsky.embed.images"
EMBED_VIDEO = "app.bsky.embed.video"
#: Short names of the standard embed types (``embed_kind``); view types (``…#view``) map to the same names.
EMBED_KINDS = {
    EMBED_EXTERNAL: "external", EMBED_IMAGES: "images", EMBED_VIDEO: "video", EMBED_RECORD: "record",
    EMBED_RECORD_WITH_MEDIA: "recordWithMedia",
}
#: A valid handle (atproto handle syntax, compared lower-case).
HANDLE_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_DID_RE = re.compile(r"^did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}$")

#: createdAt values before this are implausible (Bluesky launched in 2023; the lexicon allows any year).
PLAUSIBLE_FROM_US = 946_684_800_000_000  # 2000-01-01T00:00:00Z
#: createdAt more than this after the time the post was indexed/seen is implausible.
FUTURE_SLACK_US = 86_400_000_000  # one day
_YEAR_1_US = -62_135_596_800_000_000  # 0001-01-01T00:00:00Z

_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(name: str) -> str:
    return _SNAKE.sub("_", name).lower()


_SNAKE_CACHE: dict[str, str] = {}


def get(d: dict, key: str):
    """``d[key]`` under its wire (camelCase) name or its SDK (snake_case) name; None when absent or null."""
    v = d.get(key)
    if v is None:
        alt = _SNAKE_CACHE.get(key)
        if alt is None:
            alt = _SNAKE_CACHE[key] = _snake(key)
        if alt != key:
            v = d.get(alt)
    return v


def rtype(d: dict) -> str | None:
    """The lexicon type of a dict: ``$type`` (wire) or ``py_type`` (SDK dump)."""
    t = d.get("$type")
    if t is None:
        t = d.get("py_type")
    return t if isinstance(t, str) else None


def count_or_none(v) -> int | None:
    """An engagement count when it is a non-negative integer, else None (unknown, never 0)."""
    return v if type(v) is int and v >= 0 else None


def at_uri_did(uri: str | None) -> str | None:
    """The repository DID of an AT-URI (``at://did:plc:x/…`` -> ``did:plc:x``), None if it has none."""
    if isinstance(uri, str) and uri.startswith("at://did:"):
        return uri[5:].split("/", 1)[0]
    return None


def _uri_of(ref) -> str | None:
    if isinstance(ref, dict):
        u = ref.get("uri")
        if isinstance(u, str) and u:
            return u
    return None


def _str(v) -> str | None:
    return v if isinstance(v, str) and v else None


def _kind(d) -> str | None:
    """``embed_kind`` of an embed (record or view): the short name of a standard type, else its ``$type``."""
    t = rtype(d)
    if t is None:
        return None
    base = t.split("#", 1)[0]
    return EMBED_KINDS.get(base, t)


def _collection(uri: str | None) -> str | None:
    """The collection NSID of an AT-URI (``at://did/app.bsky.feed.post/rkey`` -> ``app.bsky.feed.post``)."""
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return None
    parts = uri[5:].split("/")
    return parts[1] if len(parts) >= 3 else None


def _embedded_uri(d) -> str | None:
    """The URI a record embed points at: ``{record: {uri}}``, or ``{record: {record: {uri}}}`` (with media)."""
    if not isinstance(d, dict):
        return None
    inner = d.get("record")
    if not isinstance(inner, dict):
        return None
    uri = _uri_of(inner)
    if uri is None and isinstance(inner.get("record"), dict):
        uri = _uri_of(inner["record"])
    return uri


def _media(media, out: dict) -> None:
    """Fill card, image and video columns from an external/images/video embed (record or view)."""
    if not isinstance(media, dict):
        return
    kind = _kind(media)
    if kind == "external":
        ext = media.get("external")
        if isinstance(ext, dict):
            out["card_url"] = out["card_url"] or _str(ext.get("uri"))
            out["card_title"] = out["card_title"] or _str(ext.get("title"))
            out["card_description"] = out["card_description"] or _str(ext.get("description"))
    elif kind == "images":
        images = media.get("images")
        if isinstance(images, list):
            alts = [(img.get("alt") if isinstance(img.get("alt"), str) else "").strip()
                    for img in images if isinstance(img, dict)]
            if not out["image_alts"] or not any(out["image_alts"]):  # a view may carry alts the record lacks
                out["image_alts"] = alts
            out["image_count"] = max(out["image_count"] or 0, len(alts))
    elif kind == "video":
        out["has_video"] = True
        out["video_alt"] = out["video_alt"] or _str(media.get("alt").strip() if isinstance(media.get("alt"), str)
                                                    else None)
    elif kind is not None:
        out["embed_other"] = out["embed_other"] or rtype(media)


def _embedded_record(uri: str | None, out: dict) -> None:
    """Quote columns for a post URI, ``embedded_record`` for any other record (starter pack, list, feed)."""
    if uri is None:
        return
    if _collection(uri) == POST:
        out["quote_of"] = out["quote_of"] or uri
        out["quote_author"] = out["quote_author"] or at_uri_did(uri)
    else:
        out["embedded_record"] = out["embedded_record"] or uri


def _quote_view(view, out: dict) -> None:
    """Hydrated quote: ``embed.record`` view (``viewRecord``: uri, cid, author, value.text)."""
    if not isinstance(view, dict):
        return
    rec = view.get("record")
    if isinstance(rec, dict) and isinstance(rec.get("record"), dict) and "uri" not in rec:
        rec = rec["record"]  # recordWithMedia#view: {record: {record: viewRecord}}
    if not isinstance(rec, dict):
        return
    uri = _uri_of(rec)
    _embedded_record(uri, out)
    if uri is None or uri != out["quote_of"]:
        return
    out["quote_cid"] = out["quote_cid"] or _str(rec.get("cid"))
    author = rec.get("author")
    if isinstance(author, dict):
        handle = author.get("handle")
        if isinstance(handle, str) and HANDLE_RE.match(handle.lower()):
            out["quote_author_handle"] = handle.lower()
        did = author.get("did")
        if isinstance(did, str) and _DID_RE.match(did):
            out["quote_author"] = did
    value = rec.get("value")
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        out["quote_text"] = value["text"]


EMBED_COLUMNS = (
    "embed_kind", "embed_other", "card_url", "card_title", "card_description", "image_count", "image_alts",
    "has_video", "video_alt", "quote_of", "quote_cid", "quote_author", "quote_author_handle", "quote_text",
    "embedded_record",
)


def embed_fields(embed, view=None) -> dict:
    """Embed columns from a post record's ``embed`` and, when hydrated, the post view's ``embed``.

    Returns a dict of :data:`EMBED_COLUMNS`: ``embed_kind`` (``external``, ``images``,
    ``video``, ``record``, ``recordWithMedia``, or the ``$type`` of a non-standard embed;
    None without embed), ``embed_other`` (the ``$type`` of a non-standard embed or media
    part, else None), the link card (``card_url``/``card_title``/``card_description``),
    ``image_count`` (0 without images) and ``image_alts`` (one per image, ``""`` when it
    has none), ``has_video``/``video_alt``, the quoted post (``quote_of``, only
    ``app.bsky.feed.post`` URIs; ``quote_cid``; ``quote_author`` DID; handle and text from
    the view) and ``embedded_record`` (a starter pack, list, feed generator… URI).
    A non-standard embed that names a post (``{record: {uri}}``) still counts as a quote.
    Never raises: odd shapes leave columns empty.
    """
    out: dict = dict.fromkeys(EMBED_COLUMNS)
    out.update(image_count=0, image_alts=[], has_video=False)
    for e in (embed, view):
        if not isinstance(e, dict):
            continue
        kind = _kind(e)
        if kind is None:  # no type at all: a record reference still names what it embeds
            kind = "record" if isinstance(e.get("record"), dict) else None
        out["embed_kind"] = out["embed_kind"] or kind
        if kind == "recordWithMedia":
            _media(e.get("media"), out)
            if e is embed:
                inner = e.get("record")
                _embedded_record(_uri_of(inner.get("record")) if isinstance(inner, dict) else None, out)
                if isinstance(inner, dict) and isinstance(inner.get("record"), dict):
                    out["quote_cid"] = out["quote_cid"] or _str(inner["record"].get("cid"))
            else:
                _quote_view(e.get("record"), out)
        elif kind == "record":
            if e is embed:
                rec = e.get("record")
                _embedded_record(_uri_of(rec), out)
                if isinstance(rec, dict) and out["quote_of"] == _uri_of(rec):
                    out["quote_cid"] = out["quote_cid"] or _str(rec.get("cid"))
            else:
                _quote_view(e, out)
        elif kind in ("external", "images", "video"):
            _media(e, out)
        elif e is embed:  # non-standard: kept by name; a post it names is still a quote
            out["embed_other"] = out["embed_other"] or rtype(e)
            _embedded_record(_embedded_uri(e), out)
    if out["quote_of"] is None:
        out["quote_author"] = out["quote_cid"] = None
    return out


def _add(values: list[str], seen: set[str], v: str) -> None:
    if v and v not in seen:
        seen.add(v)
        values.append(v)


def clean_tag(tag: str) -> str:
    """A tag as counted: spaces and leading ``#`` dropped, trailing punctuation stripped once (``E,`` -> ``E``)."""
    tag = tag.strip().lstrip("#＃")
    end = len(tag)
    while end and unicodedata.category(tag[end - 1]).startswith("P"):
        end -= 1
    return tag[:end]


def _facets(text: str, facets) -> tuple[list[str], list[str], list[str], list[str], int | None]:
    """Hashtags, mentions, links, mention DIDs and the number of invalid facets (offsets read as UTF-8 bytes).

    A facet with an unusable byte range still gives what it carries by itself: a link's URI
    and a mention's DID (it is counted in ``facets_invalid`` all the same); a mention's handle
    is read from the text slice only when the range is valid and the slice is a valid handle.
    """
    if not isinstance(facets, list) or not facets:
        return [], [], [], [], None
    data = text.encode("utf-8")
    n = len(data)
    tags: list[str] = []
    mentions: list[str] = []
    urls: list[str] = []
    dids: list[str] = []
    seen_t: set[str] = set()
    seen_m: set[str] = set()
    seen_u: set[str] = set()
    seen_d: set[str] = set()
    invalid = 0
    for facet in facets:
        index = facet.get("index") if isinstance(facet, dict) else None
        s = get(index, "byteStart") if isinstance(index, dict) else None
        e = get(index, "byteEnd") if isinstance(index, dict) else None
        ok = not (type(s) is not int or type(e) is not int or s < 0 or e > n or s >= e
                  or (data[s] & 0xC0) == 0x80 or (e < n and (data[e] & 0xC0) == 0x80))
        features = facet.get("features") if isinstance(facet, dict) else None
        if not ok or not isinstance(features, list):
            invalid += 1  # no index, out of range, empty, splitting a UTF-8 character, or no features
        if not isinstance(features, list):
            continue
        for feat in features:
            if not isinstance(feat, dict):
                continue
            t = rtype(feat)
            if t == FACET_LINK:  # the URI stands by itself, whatever the range
                uri = feat.get("uri")
                if isinstance(uri, str):
                    _add(urls, seen_u, uri.strip())
            elif t == FACET_MENTION:
                did = feat.get("did")
                if isinstance(did, str) and _DID_RE.match(did.strip()):
                    _add(dids, seen_d, did.strip())
                if ok:
                    handle = data[s:e].decode("utf-8").strip().lstrip("@").lower()
                    if HANDLE_RE.match(handle):
                        _add(mentions, seen_m, handle)
            elif t == FACET_TAG and ok:
                tag = feat.get("tag")
                if isinstance(tag, str):
                    _add(tags, seen_t, clean_tag(tag))
            # other feature types (non-standard) are ignored
    return tags, mentions, urls, dids, invalid


def post_fields(record, view_embed=None) -> dict:
    """Reader columns from one post record (``app.bsky.feed.post``), wire or SDK spelling.

    Returns a dict with ``text``, ``created_at_raw``, ``langs_declared`` (raw tags,
    ``[]`` when none declared), ``hashtags`` (tag facets then ``record.tags``, trailing
    punctuation stripped), ``mentions`` (valid handles from mention facets),
    ``mention_dids``, ``urls`` (every link facet's URI, whatever its byte range),
    ``facets_invalid`` (None without facets), ``reply_to``, ``reply_root``, their
    authors' DIDs (``reply_parent_author``, ``reply_root_author``) and the embed columns
    of :func:`embed_fields` (``view_embed``: the post view's hydrated ``embed``, if any).
    Unknown keys are ignored.

    Raises :class:`RecordError` when the record is not an object or has no string ``text``.
    """
    if not isinstance(record, dict):
        raise RecordError(f"post record is {type(record).__name__}, not an object")
    text = record.get("text")
    if not isinstance(text, str):
        raise RecordError("post record has no text" if text is None else "post record text is not a string")
    created = get(record, "createdAt")
    if created is not None and not isinstance(created, str):
        created = str(created)
    langs = record.get("langs")
    langs = [x for x in langs if isinstance(x, str)] if isinstance(langs, list) else []
    tags, mentions, urls, dids, invalid = _facets(text, record.get("facets"))
    extra = record.get("tags")
    if isinstance(extra, list):
        seen = set(tags)
        for t in extra:
            if isinstance(t, str):
                _add(tags, seen, clean_tag(t))
    reply = record.get("reply")
    reply_to = reply_root = None
    if isinstance(reply, dict):
        reply_to = _uri_of(reply.get("parent"))
        reply_root = _uri_of(reply.get("root"))
    row = {
        "text": text,
        "created_at_raw": created,
        "langs_declared": langs,
        "hashtags": tags,
        "mentions": mentions,
        "urls": urls,
        "facets_invalid": invalid,
        "mention_dids": dids,
        "reply_to": reply_to,
        "reply_root": reply_root,
        "reply_parent_author": at_uri_did(reply_to),
        "reply_root_author": at_uri_did(reply_root),
    }
    row.update(embed_fields(record.get("embed"), view_embed))
    return row


def repost_row(record, uri: str, reposter_did: str) -> dict:
    """Row columns for an ``app.bsky.feed.repost`` record ``uri`` made by ``reposter_did``.

    The row points at the reposted post (``post_uri`` = the subject's URI, its author's
    DID taken from that URI); the post's content is not in the record, so the row is a
    placeholder with null text. ``reposted_at`` comes from the repost's ``createdAt``.
    Raises :class:`RecordError` when the record has no subject URI.
    """
    if not isinstance(record, dict):
        raise RecordError("repost without a record object")
    subject = record.get("subject")
    subject_uri = subject.get("uri") if isinstance(subject, dict) else None
    if not isinstance(subject_uri, str) or not subject_uri.startswith("at://"):
        raise RecordError("repost record has no subject URI")
    created = get(record, "createdAt")
    return {
        "post_id": uri, "post_uri": subject_uri, "author_did": at_uri_did(subject_uri), "is_repost": True,
        "reposted_by": reposter_did, "is_placeholder": True,
        "_reposted_raw": created if isinstance(created, str) else None,
    }


# --- times -------------------------------------------------------------------------------------------

_TIME_RE = (
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?\s*$"
)
_TIME_FIELDS = ["y", "mo", "d", "h", "mi", "s", "frac", "z", "sign", "oh", "om"]


def parse_times(raw: pl.Expr, ref_us: pl.Expr | None = None) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Vectorised tolerant ISO-8601 parsing to UTC microseconds, as three expressions.

    ``raw``: a string expression (``…Z``, ``.123Z``, microseconds, 8+ fractional
    digits — cut to microseconds —, ``+00:00``/``-0500`` offsets, any year from
    0000, date only). ``ref_us``: when the record was indexed/seen (Int64
    microseconds, may be null). Returns the time as ``Datetime("us", "UTC")`` (null
    when unparseable, and for year 0, which Python's ``datetime`` cannot hold), the
    flag (``unparseable``; ``implausible`` before 2000 or more than a day after
    ``ref_us``; else null) and a note (``createdAt has no time zone: read as UTC``)
    or null. Never raises on bad values. (On Series, :func:`parse_time_series` does the
    same work once for all three outputs.)
    """
    parsed = pl.struct(_r=raw.cast(pl.String), _ref=(ref_us if ref_us is not None else pl.lit(None)).cast(pl.Int64))
    parsed = parsed.map_batches(_parse_struct, return_dtype=_PARSED_DTYPE)
    return parsed.struct.field("t"), parsed.struct.field("f"), parsed.struct.field("n")


def parse_time_series(raw: pl.Series, ref_us: pl.Series | None = None) -> pl.DataFrame:
    """:func:`parse_times` on Series: a DataFrame with columns ``t`` (time), ``f`` (flag) and ``n`` (note)."""
    ref = ref_us if ref_us is not None else pl.Series([None] * len(raw), dtype=pl.Int64)
    s = pl.DataFrame({"_r": raw.cast(pl.String), "_ref": ref.cast(pl.Int64)}).to_struct("p")
    return _parse_struct(s).struct.unnest()


_PARSED_DTYPE = pl.Struct({"t": pl.Datetime("us", "UTC"), "f": pl.String, "n": pl.String})


def _parse_struct(s: pl.Series) -> pl.Series:
    """Parse a struct Series ``{_r: raw string, _ref: Int64 µs}`` step by step (each step materialised once)."""
    df = s.struct.unnest()
    g = df.select(pl.col("_r").str.extract_groups(_TIME_RE).alias("g")).unnest("g")
    g.columns = _TIME_FIELDS
    ints = g.select(
        *[pl.col(k).cast(pl.Int64, strict=False) for k in ("y", "mo", "d", "h", "mi", "s", "oh", "om")],
        frac=pl.col("frac").str.slice(0, 6).str.pad_end(6, "0").cast(pl.Int64, strict=False).fill_null(0),
        no_zone=pl.col("z").is_null() & pl.col("sign").is_null(),
        neg=pl.col("sign") == "-",
    ).with_columns(pl.col("h", "mi", "s", "oh", "om").fill_null(0))
    y, mo, d = pl.col("y"), pl.col("mo"), pl.col("d")
    leap = ((y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))).cast(pl.Int64)
    dim = pl.when(mo == 2).then(28 + leap).when(mo.is_in([4, 6, 9, 11])).then(30).otherwise(31)
    valid = (
        y.is_not_null() & mo.is_between(1, 12) & (d >= 1) & (d <= dim)
        & pl.col("h").is_between(0, 23) & pl.col("mi").is_between(0, 59) & pl.col("s").is_between(0, 60)
        & pl.col("oh").is_between(0, 23) & pl.col("om").is_between(0, 59)
    )
    # days from civil (proleptic Gregorian; H. Hinnant's algorithm), valid for years >= 0
    yy = y - (mo <= 2).cast(pl.Int64)
    era = yy // 400
    yoe = yy - era * 400
    mp = pl.when(mo > 2).then(mo - 3).otherwise(mo + 9)
    doy = (153 * mp + 2) // 5 + d - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    offset_min = pl.when(pl.col("neg")).then(-1).otherwise(1) * (pl.col("oh") * 60 + pl.col("om"))
    secs = days * 86400 + pl.col("h") * 3600 + pl.col("mi") * 60 + pl.col("s") - offset_min * 60
    ints = ints.with_columns(valid=valid.fill_null(False), secs=secs)
    ints = ints.with_columns(us=pl.when("valid").then(pl.col("secs") * 1_000_000 + pl.col("frac")))
    ints = ints.with_columns(_r=df["_r"], _ref=df["_ref"])
    us = pl.col("us")
    late = (us > pl.col("_ref") + FUTURE_SLACK_US).fill_null(False)
    out = ints.select(
        # Year 0 parses, but Python's datetime cannot hold it (row access, to_dicts() would fail): keep it null.
        t=pl.when(us >= _YEAR_1_US).then(us).cast(pl.Datetime("us", "UTC")),
        f=pl.when(pl.col("_r").is_null()).then(pl.lit(None, dtype=pl.String))
        .when(us.is_null()).then(pl.lit("unparseable"))
        .when((us < PLAUSIBLE_FROM_US) | late).then(pl.lit("implausible")),
        n=pl.when(us.is_not_null() & pl.col("no_zone")).then(pl.lit("createdAt has no time zone: read as UTC")),
    )
    return out.to_struct(s.name)


_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def tid_micros(tid: str | None) -> int | None:
    """The microsecond timestamp in an AT Protocol TID (a repo ``rev`` or record key), None if not a TID."""
    if not isinstance(tid, str) or len(tid) != 13:
        return None
    v = 0
    for ch in tid:
        i = _TID_ALPHABET.find(ch)
        if i < 0:
            return None
        v = (v << 5) | i
    if v >> 64:
        return None
    return v >> 10


# --- rows ----------------------------------------------------------------------------------------------

#: Reader columns collected per row, plus helper columns used while building the frame.
ROW_COLUMNS = (
    "post_id", "post_uri", "source_line", "source_location", "author_handle", "author_did", "author_name",
    "is_repost", "reposted_by", "is_pinned", "is_placeholder", "text", "langs_declared", "hashtags",
    "mentions", "urls", "created_at_raw", "reply_to", "reply_root", "quote_of", "like_count", "repost_count",
    "reply_count", "quote_count", "facets_invalid", "notes", "cid", "mention_dids", "reply_parent_author",
    "reply_root_author", "reply_parent_handle", "reply_root_handle", *EMBED_COLUMNS,
    "_ref_raw", "_ref_us", "_reposted_raw",
)
_HELPERS_SCHEMA = {
    "source_line": pl.Int64, "is_repost": pl.Boolean, "is_pinned": pl.Boolean, "is_placeholder": pl.Boolean,
    "langs_declared": pl.List(pl.String), "hashtags": pl.List(pl.String), "mentions": pl.List(pl.String),
    "urls": pl.List(pl.String), "like_count": pl.Int64, "repost_count": pl.Int64, "reply_count": pl.Int64,
    "quote_count": pl.Int64, "facets_invalid": pl.Int64, "_ref_us": pl.Int64, "mention_dids": pl.List(pl.String),
    "image_count": pl.Int64, "image_alts": pl.List(pl.String), "has_video": pl.Boolean,
}
#: A post's AT-URI split into repository and record key, for its web address (``web_url``).
_POST_URI_RE = r"^at://(did:[a-z]+:[A-Za-z0-9._:%-]+)/app\.bsky\.feed\.post/([A-Za-z0-9._:~-]{1,512})$"


def web_url_expr() -> pl.Expr:
    """``https://bsky.app/profile/<handle or DID>/post/<rkey>`` from ``post_uri`` and ``author_handle``.

    The handle is used only when it is a valid handle (else the URI's DID); null when
    ``post_uri`` is not a well-formed post URI, so the address never carries odd characters.
    """
    parts = pl.col("post_uri").str.extract_groups(_POST_URI_RE)
    handle = pl.col("author_handle")
    who = pl.when(handle.str.contains(HANDLE_RE.pattern)).then(handle).otherwise(parts.struct.field("1"))
    return pl.concat_str([pl.lit("https://bsky.app/profile/"), who, pl.lit("/post/"), parts.struct.field("2")])


def _series(name: str, values: list, dtype: pl.DataType) -> pl.Series:
    """A column from Python values; list columns go through pyarrow (about 15x faster than polars here)."""
    if isinstance(dtype, pl.List):
        try:
            return pl.Series(name, pa.array(values, type=pa.list_(pa.string())), dtype=dtype)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            pass
    return pl.Series(name, values, dtype=dtype, strict=False)


class RowBuffer:
    """Rows collected as column lists; :meth:`frame` builds one canonical DataFrame.

    ``append`` takes a dict with any of :data:`ROW_COLUMNS` (missing ones are null).
    Helper columns: ``_ref_raw`` (``indexedAt`` string) or ``_ref_us`` (Int64
    microseconds, e.g. Jetstream's ``time_us``) — when the record was seen, used to
    flag implausible ``createdAt`` — and ``_reposted_raw`` (the repost's own time).
    ``indexed_at`` is ``_ref_raw`` parsed (a post view's ``indexedAt``); ``web_url`` is
    built from ``post_uri`` (:func:`web_url_expr`). With ``stats``, rows whose embed is
    not a standard type are counted there as ``embeds_nonstandard``.
    """

    def __init__(self, stats: Counter | None = None) -> None:
        self.cols: dict[str, list] = {c: [] for c in ROW_COLUMNS}
        self.stats = stats

    @classmethod
    def from_rows(cls, rows: list[dict], stats: Counter | None = None) -> RowBuffer:
        """A buffer holding ``rows`` (dicts as :meth:`append` takes them), built column by column at once.

        The same buffer as appending each row, with less Python per row: a column no row fills is one
        shared list of nulls (read only). Non-standard embeds are counted in ``stats`` as :meth:`append` does.
        """
        buf = cls(stats)
        present: set[str] = set().union(*rows) if rows else set()
        nones = [None] * len(rows)
        buf.cols = {c: [r.get(c) for r in rows] if c in present else nones for c in buf.cols}
        odd = sum(r.get("embed_other") is not None for r in rows)
        if stats is not None and odd:
            stats["embeds_nonstandard"] += odd
        return buf

    def __len__(self) -> int:
        return len(self.cols["post_id"])

    def append(self, row: dict) -> None:
        for name, values in self.cols.items():
            values.append(row.get(name))
        if self.stats is not None and row.get("embed_other") is not None:
            self.stats["embeds_nonstandard"] += 1

    def frame(self, *, source: str, source_format: str, first_position: int = 0) -> pl.DataFrame:
        """The rows as a canonical posts table; ``position`` counts on from ``first_position``."""
        n = len(self)
        if n == 0:
            return posts_frame([])
        schema = {c: _HELPERS_SCHEMA.get(c, pl.String) for c in ROW_COLUMNS}
        df = pl.DataFrame([_series(c, v, schema[c]) for c, v in self.cols.items()])
        ref_from_raw = parse_time_series(df["_ref_raw"])["t"].cast(pl.Int64)
        ref = df.select(pl.coalesce(pl.col("_ref_us"), ref_from_raw))["_ref_us"]
        created = parse_time_series(df["created_at_raw"], ref)
        reposted = parse_time_series(df["_reposted_raw"])["t"]
        df = df.with_columns(
            position=pl.int_range(first_position, first_position + n, dtype=pl.Int64),
            source=pl.lit(source),
            source_format=pl.lit(source_format),
            created_at=created["t"],
            created_at_flag=created["f"],
            reposted_at=reposted,
            indexed_at=ref_from_raw.cast(pl.Datetime("us", "UTC")),
            web_url=web_url_expr(),
            notes=pl.concat_str([pl.col("notes"), created["n"]], separator="; ", ignore_nulls=True),
        ).drop("_ref_raw", "_ref_us", "_reposted_raw")
        return conform(df)


def finish_stats(stats: Counter, posts: int, rejected: int) -> Counter:
    """Set the totals every reader reports: ``posts``, ``rejected`` and ``skipped`` (the sum of the
    ``skipped_<kind>`` counts), so that ``records == posts + rejected + skipped``."""
    stats["posts"] = posts
    stats["rejected"] = rejected
    stats["skipped"] = sum(v for k, v in stats.items() if k.startswith("skipped_"))
    return stats


def check_readable(stats, rejects: list[dict], source: str, fmt: str) -> None:
    """Raise :class:`FeedError` when records were read but every one was rejected (wrong format forced,
    or not a feed at all): one line with the first reason, instead of a table of rejects and no rows."""
    if stats["records"] and len(rejects) == stats["records"]:
        raise FeedError(f"{source}: no record could be read as {fmt} ({rejects[0]['location']}: "
                        f"{rejects[0]['reason']})")


# --- JSON input ------------------------------------------------------------------------------------------

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

    def __init__(self, reason: str, raw: str) -> None:
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


def read_items(items, *, source: str, fmt: str, to_row) -> ReadResult:
    """Turn ``(location, line, item)`` triples into one :class:`ReadResult`.

    ``to_row(item) -> dict`` builds a row or raises :class:`RecordError`; a
    :class:`BadItem` or a :class:`RecordError` becomes a reject with its location.
    The same ``post_id`` seen again (repeated pages, a pinned post reappearing) is
    kept once and counted as ``skipped_repeated``. Raises :class:`FeedError` when
    every record was rejected.
    """
    stats: Counter = Counter()
    buf = RowBuffer(stats)
    rejects: list[dict] = []
    seen: set[str] = set()
    for location, line, item in items:
        stats["records"] += 1
        if isinstance(item, BadItem):
            rejects.append({"source": source, "location": location, "line": line, "reason": item.reason,
                            "raw": item.raw})
            continue
        try:
            row = to_row(item)
        except RecordError as e:
            rejects.append({"source": source, "location": location, "line": line, "reason": str(e),
                            "raw": raw_json(item)})
            continue
        if row["post_id"] in seen:
            stats["skipped_repeated"] += 1
            continue
        seen.add(row["post_id"])
        row["source_location"] = location
        row["source_line"] = line
        buf.append(row)
    finish_stats(stats, len(buf), len(rejects))
    check_readable(stats, rejects, source, fmt)
    return ReadResult(
        posts=buf.frame(source=source, source_format=fmt),
        rejects=rejects_frame(rejects),
        stats=stats,
        meta={"format": fmt, "source": source, "unit": "records"},
    )


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


_JSON_KEY = {
    "jetstream": (re.compile(rb'"(?:time_us|cursor)"\s*:\s*\d'), re.compile(rb'"kind"\s*:\s*"(?:commit|identity|account)"')),
    "authorfeed": (re.compile(rb'"(?:feed|post)"\s*:\s*[\[{]'),),
    "postviews": (re.compile(rb'"uri"\s*:\s*"at://'), re.compile(rb'"record"\s*:\s*\{')),
}


def _shape(value) -> str | None:
    """Which reader a parsed JSON value (an object, or a list judged by its items) belongs to."""
    if isinstance(value, list):
        return _list_shape(value)
    if not isinstance(value, dict):
        return None
    if "kind" in value and "did" in value and ("time_us" in value or "cursor" in value):
        return "jetstream"
    if isinstance(value.get("feed"), list) or isinstance(value.get("post"), dict):
        return "authorfeed"
    if isinstance(value.get("posts"), list) or ("uri" in value and "record" in value):
        return "postviews"
    return None


def _list_shape(items: list) -> str | None:
    """The shape of a list of items (or of JSON Lines): its first item's, except that a post list mixing
    bare postViews with feed items ``{post, …}`` is a post list (``postviews``) wherever the first view sits."""
    if not items:
        return None
    first = _shape(items[0]) if not isinstance(items[0], list) else None
    if first == "authorfeed":
        sample = items[:1000]
        if any(isinstance(v, dict) and "uri" in v and "record" in v and "post" not in v for v in sample) and \
                not any(isinstance(v, dict) and isinstance(v.get("feed"), list) for v in sample):
            return "postviews"
    return first


_DECODER = json.JSONDecoder()


def _head_values(text: bytes) -> list:
    """The complete values at the start of a head cut anywhere: the items of a top-level JSON list, or the
    lines of JSON Lines (the last, possibly cut, one is left out). Empty when none is complete."""
    s = text.decode("utf-8", "ignore")
    out: list = []
    if s.startswith("["):
        i, n = 1, len(s)
        while i < n and len(out) < 1000:
            while i < n and s[i] in " \t\r\n,":
                i += 1
            try:
                value, i = _DECODER.raw_decode(s, i)
            except (ValueError, RecursionError):
                break
            out.append(value)
        return out
    for line in s.split("\n")[:-1][:1000]:
        if line.strip():
            try:
                out.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                break
    return out


def sniff_json(head: bytes) -> str | None:
    """The JSON feed shape the start of a file shows: ``jetstream``, ``authorfeed``, ``postviews`` or None.

    A head that is one whole document is parsed; JSON Lines are judged by their complete
    lines; a large list cut at the head's end by its complete items; otherwise key patterns
    decide. A list mixing bare postViews with feed items is ``postviews`` (a post list).
    """
    if head.startswith(BOM):
        head = head[3:]
    text = head.lstrip()
    if not text or text[:1] not in (b"{", b"["):
        return None
    try:
        return _shape(orjson.loads(text))
    except orjson.JSONDecodeError:
        pass
    lines = text.split(b"\n", 1)
    try:
        first = orjson.loads(lines[0])
    except orjson.JSONDecodeError:
        first = None
    else:
        if text[:1] == b"{":  # JSON Lines: judge by the complete lines of the head
            values = _head_values(text)
            return _list_shape(values) if values else _shape(first)
        return _shape(first)
    values = _head_values(text)
    if values:
        shape = _list_shape(values)
        if shape is not None:
            return shape
    for name, patterns in _JSON_KEY.items():
        if all(p.search(text) for p in patterns):
            return name
    return None
