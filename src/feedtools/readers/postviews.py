"""Reader for lists of postViews: search results, ``app.bsky.feed.getPosts``, hydrated posts.

Accepted framings: a JSON list of postViews, a response ``{"posts": [...]}`` (getPosts,
searchPosts), a JSON list of such responses (search pages), or JSON Lines of postViews
(or of responses). Wire camelCase and SDK ``model_dump()`` snake_case are both read.

Each postView ``{uri, cid, author, record, indexedAt, …Count}`` becomes one row (an own
post: postViews carry no repost or pin reason, so ``is_pinned`` is null). The same URI
seen again (overlapping search pages) is kept once and counted as
``skipped_repeated``. A postView that cannot be read is rejected alone with its
location (``item 4``, ``page 2 item 4`` or ``line 9``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson

from feedtools.readers.atproto import (
    RecordError,
    RowBuffer,
    check_readable,
    iter_lines,
    load_document_or_lines,
    raw_json,
    sniff_json,
)
from feedtools.readers.authorfeed import post_view_row
from feedtools.readers.base import FeedError, ReadResult, rejects_frame

FORMAT = "postviews"


def sniff(head: bytes) -> bool:
    """True when ``head`` starts a list of postViews (objects with ``uri`` and ``record``) or ``{"posts": …}``."""
    return sniff_json(head) == FORMAT


class _Bad:
    def __init__(self, reason: str, raw: str) -> None:
        self.reason, self.raw = reason, raw


def _is_page(v) -> bool:
    return isinstance(v, dict) and isinstance(v.get("posts"), list)


def _items(value, source: str):
    if _is_page(value):
        for i, item in enumerate(value["posts"], start=1):
            yield f"item {i}", None, item
    elif isinstance(value, list) and any(_is_page(v) for v in value):
        for p, page in enumerate(value, start=1):
            if not _is_page(page):
                yield f"page {p}", None, _Bad("page has no list 'posts'", raw_json(page))
                continue
            for i, item in enumerate(page["posts"], start=1):
                yield f"page {p} item {i}", None, item
    elif isinstance(value, list):
        for i, item in enumerate(value, start=1):
            yield f"item {i}", None, item
    elif isinstance(value, dict) and "uri" in value:
        yield "item 1", None, value
    else:
        raise FeedError(f"{source}: JSON {type(value).__name__} holds no postViews")


def _line_items(path: Path):
    for line_no, line in iter_lines(path):
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            yield f"line {line_no}", line_no, _Bad(f"not valid JSON ({e})", line.decode("utf-8", "replace"))
            continue
        if _is_page(value):
            for i, item in enumerate(value["posts"], start=1):
                yield f"line {line_no} item {i}", line_no, item
        else:
            yield f"line {line_no}", line_no, value


def read_batches(path: str | Path, **_: object):
    """Read a list of postViews. Yields one :class:`ReadResult`.

    Raises :class:`FeedError` when the file is not JSON/JSON Lines or holds no postViews.
    """
    path = Path(path)
    source = path.name
    kind, value = load_document_or_lines(path)
    items = _items(value, source) if kind == "document" else _line_items(path)
    buf = RowBuffer()
    rejects: list[dict] = []
    stats: Counter = Counter()
    seen: set[str] = set()
    for location, line, item in items:
        stats["records"] += 1
        if isinstance(item, _Bad):
            rejects.append({"source": source, "location": location, "line": line, "reason": item.reason,
                            "raw": item.raw})
            continue
        try:
            row = post_view_row(item)
        except RecordError as e:
            rejects.append({"source": source, "location": location, "line": line, "reason": str(e),
                            "raw": raw_json(item)})
            continue
        if row["post_id"] in seen:
            stats["skipped_repeated"] += 1
            continue
        seen.add(row["post_id"])
        row.update(is_repost=False, source_location=location, source_line=line)
        buf.append(row)
    stats["posts"] = len(buf)
    stats["rejected"] = len(rejects)
    stats["skipped"] = sum(v for k, v in stats.items() if k.startswith("skipped_"))
    check_readable(stats, rejects, source, FORMAT)
    yield ReadResult(
        posts=buf.frame(source=source, source_format=FORMAT),
        rejects=rejects_frame(rejects),
        stats=stats,
        meta={"format": FORMAT, "source": source, "unit": "records"},
    )
