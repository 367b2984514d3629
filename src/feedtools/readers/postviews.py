"""Reader for lists of postViews: search results, ``app.bsky.feed.getPosts``, hydrated posts.

Accepted framings: a JSON list of postViews, a response ``{"posts": [...]}`` (getPosts,
searchPosts), a JSON list of such responses (search pages), or JSON Lines of postViews
(or of responses). Wire camelCase and SDK ``model_dump()`` snake_case are both read.

Each postView ``{uri, cid, author, record, indexedAt, …Count}`` becomes one row (an own
post: postViews carry no repost or pin reason, so ``is_pinned`` is null). Post lists
saved by research tools mix bare postViews with feed items ``{post, reason?, reply?,
feedContext?}`` (camelCase or snake_case): a feed item is read in the same pass as the
author-feed reader reads it (``reasonRepost`` -> a repost row, ``reasonPin`` ->
``is_pinned``, ``reply`` context -> ``reply_to``/``reply_root``); only an item that
carries no post is rejected. The same URI
seen again (overlapping search pages) is kept once and counted as
``skipped_repeated``. A postView that cannot be read is rejected alone with its
location (``item 4``, ``page 2 item 4`` or ``line 9``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from feedtools.readers.atproto import (
    BATCH_SIZE,
    BadItem,
    iter_line_items,
    load_document_or_lines,
    raw_json,
    read_item_batches,
    sniff_json,
)
from feedtools.readers.authorfeed import post_list_row
from feedtools.readers.base import FeedError, ReadResult
from feedtools.readers.jsonarray import JsonArray, is_array

FORMAT = "postviews"


def sniff(head: bytes) -> bool:
    """True when ``head`` starts a list of postViews (objects with ``uri`` and ``record``) or ``{"posts": …}``."""
    return sniff_json(head) == FORMAT


def _is_page(v) -> bool:
    return isinstance(v, dict) and is_array(v.get("posts"))


def _holds_pages(value) -> bool:
    """True when an array holds at least one page (``{"posts": [...]}``); only items whose JSON contains the
    key ``"posts"`` are decoded for the test."""
    candidates = value.containing(b'"posts"') if isinstance(value, JsonArray) else value
    return any(_is_page(v) for v in candidates)


def _items(value, source: str):
    if _is_page(value):
        for i, item in enumerate(value["posts"], start=1):
            yield f"item {i}", None, item
    elif is_array(value) and _holds_pages(value):
        for p, page in enumerate(value, start=1):
            if not _is_page(page):
                yield f"page {p}", None, BadItem("page has no list 'posts'", raw_json(page))
                continue
            for i, item in enumerate(page["posts"], start=1):
                yield f"page {p} item {i}", None, item
    elif is_array(value):
        for i, item in enumerate(value, start=1):
            yield f"item {i}", None, item
    elif isinstance(value, dict) and "uri" in value:
        yield "item 1", None, value
    else:
        raise FeedError(f"{source}: JSON {type(value).__name__} holds no postViews")


def read_batches(path: str | Path, batch_size: int = BATCH_SIZE, **_: object) -> Iterator[ReadResult]:
    """Read a list of postViews. Yields :class:`ReadResult` batches of ``batch_size``
    items (default :data:`~feedtools.readers.atproto.BATCH_SIZE`;
    :func:`~feedtools.readers.atproto.read_item_batches`: positions, locations and the repeat check
    continue across batches).

    Raises :class:`FeedError` when the file is not JSON/JSON Lines or holds no postViews.
    """
    path = Path(path)
    kind, value = load_document_or_lines(path)
    items = _items(value, path.name) if kind == "document" else iter_line_items(path, "posts")
    yield from read_item_batches(items, source=path.name, fmt=FORMAT, to_row=_own_post_row, batch_size=batch_size)


def _own_post_row(item) -> dict:
    """A bare postView as an own post's row; a feed item as the author-feed reader reads it."""
    return post_list_row(item, feed_default=False)
