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


def _items(value, source: str, pages: bool):
    """``(location, None, item)`` for every postView of a decoded document; ``pages``: ``value`` is an array
    holding pages (:func:`_holds_pages`)."""
    if _is_page(value):
        for i, item in enumerate(value["posts"], start=1):
            yield f"item {i}", None, item
    elif is_array(value) and pages:
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


#: JSON bytes of postViews read into one batch, at most (:func:`read_batches`): the batch's rows, their
#: enrichment and the slice written grow with it. 2 MB is about 1,250 postViews of 1.6 kB. Measured on 100k of
#: them (163 MB of JSON, quiet machine, 2 processes, two runs each): peak 285-289 MB at 1 MB (13.0-13.6 CPU-s),
#: 292-298 MB at 2 MB (10.2-10.7 CPU-s), 321-325 MB at 4 MB (9.7-10.2 CPU-s); 2 MB keeps the peak under twice
#: the file for ~7% more CPU.
BATCH_BYTES = 2 << 20


def _items_per_batch(value, pages: bool, batch_size: int | None) -> int | None:
    """``batch_size``, or fewer when the postViews of a lazily read array are big: about :data:`BATCH_BYTES`
    of their JSON a batch (a list of pages, whose items hold many posts, and a list read whole keep
    ``batch_size``)."""
    array = value["posts"] if _is_page(value) else value
    if batch_size is None or pages or not isinstance(array, JsonArray) or not len(array):
        return batch_size
    per_item = max(1, array.nbytes // len(array))
    return max(1, min(int(batch_size), BATCH_BYTES // per_item))


def read_batches(path: str | Path, batch_size: int = BATCH_SIZE, **_: object) -> Iterator[ReadResult]:
    """Read a list of postViews. Yields :class:`ReadResult` batches of ``batch_size``
    items (default :data:`~feedtools.readers.atproto.BATCH_SIZE`; fewer when the items are big, about
    :data:`BATCH_BYTES` of JSON a batch; :func:`~feedtools.readers.atproto.read_item_batches`:
    positions, locations and the repeat check continue across batches).

    Raises :class:`FeedError` when the file is not JSON/JSON Lines or holds no postViews.
    """
    path = Path(path)
    kind, value = load_document_or_lines(path)
    size: int | None = batch_size
    if kind == "document":
        pages = is_array(value) and _holds_pages(value)
        items = _items(value, path.name, pages)
        size = _items_per_batch(value, pages, batch_size)
    else:
        items = iter_line_items(path, "posts")
    yield from read_item_batches(items, source=path.name, fmt=FORMAT, to_row=_own_post_row, batch_size=size)


def _own_post_row(item) -> dict:
    """A bare postView as an own post's row; a feed item as the author-feed reader reads it."""
    return post_list_row(item, feed_default=False)
