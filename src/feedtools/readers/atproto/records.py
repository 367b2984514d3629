"""Post and repost records (``app.bsky.feed.post``, ``app.bsky.feed.repost``) as reader row columns.

:func:`post_fields` turns one post record (wire camelCase with ``$type``, or the Python
SDK's ``model_dump()`` snake_case with ``py_type``) into the columns it can fill: text,
``created_at_raw``, declared languages (raw BCP-47 list, normalised later by
:mod:`feedtools.language`), facets (:mod:`.facets`), ``record.tags``, reply and quote URIs,
embeds (:mod:`.embeds`). A record that cannot be read raises :class:`RecordError`.
"""

from __future__ import annotations

from feedtools.errors import RecordError
from feedtools.readers.atproto.embeds import embed_fields
from feedtools.readers.atproto.facets import _add, clean_tag, facet_fields
from feedtools.readers.atproto.lexicon import _uri_of, at_uri_did, get

__all__ = ["RecordError", "post_fields", "repost_row"]


def _text(record) -> str:
    """The ``text`` of a post record; :class:`RecordError` when the record is not an object or has no string text."""
    if not isinstance(record, dict):
        raise RecordError(f"post record is {type(record).__name__}, not an object")
    text = record.get("text")
    if not isinstance(text, str):
        raise RecordError("post record has no text" if text is None else "post record text is not a string")
    return text


def _add_record_tags(tags: list[str], extra) -> None:
    """Append ``record.tags`` (cleaned, not yet in ``tags``) to the facet hashtags ``tags``, in place."""
    if isinstance(extra, list):
        seen = set(tags)
        for t in extra:
            if isinstance(t, str):
                _add(tags, seen, clean_tag(t))


def _reply_uris(reply) -> tuple[str | None, str | None]:
    """``(parent URI, root URI)`` of a record's ``reply`` (None where missing)."""
    if isinstance(reply, dict):
        return _uri_of(reply.get("parent")), _uri_of(reply.get("root"))
    return None, None


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
    text = _text(record)
    created = get(record, "createdAt")
    if created is not None and not isinstance(created, str):
        created = str(created)
    langs = record.get("langs")
    langs = [x for x in langs if isinstance(x, str)] if isinstance(langs, list) else []
    tags, mentions, urls, dids, invalid = facet_fields(text, record.get("facets"))
    _add_record_tags(tags, record.get("tags"))
    reply_to, reply_root = _reply_uris(record.get("reply"))
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
        "post_id": uri,
        "post_uri": subject_uri,
        "author_did": at_uri_did(subject_uri),
        "is_repost": True,
        "reposted_by": reposter_did,
        "is_placeholder": True,
        "_reposted_raw": created if isinstance(created, str) else None,
    }
