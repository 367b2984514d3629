"""Reader for author feeds saved from ``app.bsky.feed.getAuthorFeed`` (docs/formats.md).

Accepted framings: one response object ``{"feed": [...], "cursor"?}``, a JSON list of
such pages, a JSON list of feed items, or JSON Lines of feed items (or of pages).
Both spellings are read: the wire's camelCase with ``$type``, and the Python SDK's
``model_dump()`` snake_case with ``py_type`` and explicit nulls.

Each feed item ``{post, reason?, reply?, feedContext?}`` becomes one row:

* ``reason`` ``…#reasonRepost`` -> ``is_repost``, ``reposted_by`` (the reposter's
  handle, else DID), ``reposted_at`` (the reason's ``indexedAt``) and ``post_id`` =
  the repost record's URI (``reason.uri``, since 2025) or
  ``repost:<reposter DID>:<post URI>``;
* ``reason`` ``…#reasonPin`` -> ``is_pinned``;
* ``reply`` (the thread context: ``parent`` and ``root`` views) fills ``reply_to`` and
  ``reply_root`` when the post record does not name them;
* a bare postView among the items (post lists mix both) is read as the postViews
  reader reads it (an own post, ``is_pinned`` null): see :func:`post_list_row`;
* an item whose ``post_id`` was already seen (a repeated page, the pinned post shown
  again later without its reason) is kept once, the first time: counted as
  ``skipped_repeated``.

An item that cannot be read (not an object, no post, no ``post.uri``, no post record, record
text not a string…) is rejected alone with its location (``page 2 item 5`` or
``line 7``). ``created_at`` is flagged implausible when more than a day after the
post's ``indexedAt``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from feedtools.readers.atproto import (
    BATCH_SIZE,
    HANDLE_RE,
    BadItem,
    RecordError,
    at_uri_did,
    count_or_none,
    get,
    iter_line_items,
    load_document_or_lines,
    post_fields,
    raw_json,
    read_item_batches,
    rtype,
    sniff_json,
)
from feedtools.readers.base import FeedError, ReadResult
from feedtools.readers.jsonarray import is_array

FORMAT = "authorfeed"
REASON_REPOST = "app.bsky.feed.defs#reasonRepost"
REASON_PIN = "app.bsky.feed.defs#reasonPin"


def sniff(head: bytes) -> bool:
    """True when ``head`` starts an author feed: a page with ``feed`` or feed items with ``post``."""
    return sniff_json(head) == FORMAT


def post_view_row(post) -> dict:
    """Row columns from one ``postView`` (uri, author, record, indexedAt, counts).

    Raises :class:`RecordError` when the view has no AT-URI or no readable post record.
    Shared with the postViews reader.
    """
    if not isinstance(post, dict):
        raise RecordError(f"post is {type(post).__name__}, not an object")
    uri = post.get("uri")
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise RecordError("post has no AT-URI")
    record = post.get("record")
    if record is None:
        raise RecordError("post has no record")
    row = post_fields(record, post.get("embed"))
    cid = post.get("cid")
    row["cid"] = cid if isinstance(cid, str) and cid else None
    author = post.get("author")
    if isinstance(author, dict):
        handle = author.get("handle")
        did = author.get("did")
        name = get(author, "displayName")
        row["author_handle"] = handle.lower() if isinstance(handle, str) and handle else None
        row["author_did"] = did if isinstance(did, str) else None
        row["author_name"] = name if isinstance(name, str) and name.strip() else None
    indexed = get(post, "indexedAt")
    row.update(
        post_id=uri,
        post_uri=uri,
        _ref_raw=indexed if isinstance(indexed, str) else None,
        like_count=count_or_none(get(post, "likeCount")),
        repost_count=count_or_none(get(post, "repostCount")),
        reply_count=count_or_none(get(post, "replyCount")),
        quote_count=count_or_none(get(post, "quoteCount")),
        is_placeholder=False,
    )
    return row


def item_row(item) -> dict:
    """Row columns from one feed item ``{post, reason?}``; :class:`RecordError` if it cannot be read."""
    if not isinstance(item, dict):
        raise RecordError(f"feed item is {type(item).__name__}, not an object")
    if item.get("post") is None:
        raise RecordError("feed item has no post")
    row = post_view_row(item["post"])
    reason = item.get("reason")
    kind = rtype(reason) if isinstance(reason, dict) else None
    row["is_repost"] = False
    row["is_pinned"] = False
    if kind == REASON_REPOST and isinstance(reason, dict):  # kind is only set for a dict reason
        by = reason.get("by")
        by = by if isinstance(by, dict) else {}
        handle = by.get("handle") if isinstance(by.get("handle"), str) else None
        did = by.get("did") if isinstance(by.get("did"), str) else None
        repost_uri = reason.get("uri") if isinstance(reason.get("uri"), str) else None
        who = did or (handle.lower() if handle else None) or "unknown"
        indexed = get(reason, "indexedAt")
        row.update(
            is_repost=True,
            reposted_by=handle.lower() if handle else did,
            _reposted_raw=indexed if isinstance(indexed, str) else None,
            post_id=repost_uri or f"repost:{who}:{row['post_uri']}",
        )
    elif kind == REASON_PIN:
        row["is_pinned"] = True
    reply = item.get("reply")
    if isinstance(reply, dict):
        if row.get("reply_to") is None:
            row["reply_to"] = _view_uri(reply.get("parent"))
        if row.get("reply_root") is None:
            row["reply_root"] = _view_uri(reply.get("root"))
        for side in ("parent", "root"):
            uri = row.get(f"reply_{'to' if side == 'parent' else 'root'}")
            row[f"reply_{side}_author"] = row.get(f"reply_{side}_author") or at_uri_did(uri)
            view = reply.get(side)
            author = view.get("author") if isinstance(view, dict) and _view_uri(view) == uri else None
            handle = author.get("handle") if isinstance(author, dict) else None
            if isinstance(handle, str) and HANDLE_RE.match(handle.lower()):
                row[f"reply_{side}_handle"] = handle.lower()
    return row


def _view_uri(view) -> str | None:
    """The AT-URI of a thread-context view (postView, notFoundPost, blockedPost), None without one."""
    uri = view.get("uri") if isinstance(view, dict) else None
    return uri if isinstance(uri, str) and uri.startswith("at://") else None


_FEED_ITEM_KEYS = ("post", "reason", "reply", "feedContext", "feed_context")


def is_feed_item(item) -> bool:
    """True when ``item`` is a feed item ``{post, reason?, reply?, feedContext?}`` (even one that lost its
    post) rather than a bare postView (which has ``uri``)."""
    return isinstance(item, dict) and "uri" not in item and any(k in item for k in _FEED_ITEM_KEYS)


def is_post_view(item) -> bool:
    """True when ``item`` looks like a bare postView (``uri`` without a wrapping ``post``)."""
    return isinstance(item, dict) and "uri" in item and "post" not in item


def post_list_row(item, *, feed_default: bool) -> dict:
    """Row columns from one item of a post list that may mix feed items and bare postViews.

    A feed item goes through :func:`item_row` (reasons, reply context); a bare
    postView through :func:`post_view_row` as an own post (``is_repost`` false,
    ``is_pinned`` null: a bare view says nothing about pins). An item that is
    neither is read as a feed item when ``feed_default`` (its reason is then "feed
    item has no post"), else as a postView. Raises :class:`RecordError` when the
    item carries no readable post.
    """
    if is_feed_item(item) or (feed_default and not is_post_view(item)):
        return item_row(item)
    row = post_view_row(item)
    row["is_repost"] = False
    return row


def _item_or_view_row(item) -> dict:
    return post_list_row(item, feed_default=True)


def _items(value, source: str):
    """``(location, line, item)`` for every feed item of a parsed JSON document."""
    if isinstance(value, dict):
        if "post" in value and "feed" not in value:  # a single feed item (one-line JSON Lines)
            yield "line 1", 1, value
            return
        pages: Any = [value] if "feed" in value else None
        if pages is None:
            raise FeedError(f"{source}: a JSON object without 'feed': not an author feed")
    elif is_array(value):
        if any(isinstance(v, dict) and "feed" in v for v in value):
            pages = value
        else:  # a list of feed items
            for i, item in enumerate(value, start=1):
                yield f"item {i}", None, item
            return
    else:
        raise FeedError(f"{source}: JSON {type(value).__name__}, not an author feed")
    for p, page in enumerate(pages, start=1):
        feed = page.get("feed") if isinstance(page, dict) else None
        if not is_array(feed):
            yield f"page {p}", None, BadItem(f"page has no list 'feed' ({type(feed).__name__})", raw_json(page))
            continue
        for i, item in enumerate(feed, start=1):
            yield f"page {p} item {i}", None, item


def read_batches(path: str | Path, batch_size: int = BATCH_SIZE, **_: object) -> Iterator[ReadResult]:
    """Read an author feed. Yields :class:`ReadResult` batches of ``batch_size``
    items (default :data:`~feedtools.readers.atproto.BATCH_SIZE`;
    :func:`~feedtools.readers.atproto.read_item_batches`: positions, locations and the repeat check
    continue across batches).

    Raises :class:`FeedError` when the file is not JSON/JSON Lines or not an author feed.
    """
    path = Path(path)
    kind, value = load_document_or_lines(path)
    items = _items(value, path.name) if kind == "document" else iter_line_items(path, "feed")
    yield from read_item_batches(items, source=path.name, fmt=FORMAT, to_row=_item_or_view_row, batch_size=batch_size)
