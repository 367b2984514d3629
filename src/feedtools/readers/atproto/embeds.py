"""Embed columns of a post (:func:`embed_fields`): link card, images, video, quoted post, other records.

Reads a post record's ``embed`` and, when the post was hydrated, the post view's ``embed``
(``…#view`` types); odd shapes leave columns empty, never raise.
"""

from __future__ import annotations

from feedtools.readers.atproto.lexicon import (
    _DID_RE,
    EMBED_KINDS,
    HANDLE_RE,
    POST,
    _str,
    _uri_of,
    at_uri_did,
    rtype,
)

__all__ = ["EMBED_COLUMNS", "embed_fields"]


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
            alts = [
                (alt if isinstance(alt := img.get("alt"), str) else "").strip()
                for img in images
                if isinstance(img, dict)
            ]
            if not out["image_alts"] or not any(out["image_alts"]):  # a view may carry alts the record lacks
                out["image_alts"] = alts
            out["image_count"] = max(out["image_count"] or 0, len(alts))
    elif kind == "video":
        out["has_video"] = True
        alt = media.get("alt")
        out["video_alt"] = out["video_alt"] or _str(alt.strip() if isinstance(alt, str) else None)
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
    "embed_kind",
    "embed_other",
    "card_url",
    "card_title",
    "card_description",
    "image_count",
    "image_alts",
    "has_video",
    "video_alt",
    "quote_of",
    "quote_cid",
    "quote_author",
    "quote_author_handle",
    "quote_text",
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
