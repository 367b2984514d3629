"""The author-feed part of a fetch: paging through ``app.bsky.feed.getAuthorFeed`` into the folder's segments.

A run first collects what is new on top of the feed (a new segment, until it reaches an item already saved),
then continues every segment left unfinished (an interrupted run, ``limit``/``since``) from its saved cursor.
Only pages with new items are saved; every request is logged in the manifest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import orjson

from feedtools.collect.items import REASON_PIN, item_key, item_time, parse_time, reason_type
from feedtools.collect.options import FetchOptions
from feedtools.collect.result import FetchResult
from feedtools.collect.store import Response, Run, feed_pages, json_object
from feedtools.errors import FetchError

__all__ = ["FeedPager", "collect_feed", "load_known"]


def load_known(run: Run) -> dict[str, int]:
    """``item key -> segment id`` for every item of the pages already saved."""
    known: dict[str, int] = {}
    for seg in run.m["feed"]["segments"]:
        for rel in seg["pages"]:
            try:
                page = orjson.loads((run.folder / rel).read_bytes())
            except (OSError, orjson.JSONDecodeError):
                continue  # a missing or altered page: the reader reports it
            for item in page.get("feed", []) if isinstance(page, dict) else []:
                k = item_key(item)
                if k is not None:
                    known.setdefault(k, seg["id"])
    return known


@dataclass
class Page:
    """One author-feed response: the request, its items and the cursor to the next page (None at the end)."""

    resp: Response
    params: dict
    what: str
    items: list
    cursor: str | None


class FeedPager:
    """Pages one account's author feed into the segments of ``run``'s manifest (``feed.segments``, newest
    first), counting the new items (``added``) against ``opts.limit``."""

    def __init__(self, run: Run, did: str, opts: FetchOptions) -> None:
        self.run, self.did, self.opts = run, did, opts
        self.segs: list[dict] = run.m["feed"]["segments"]
        self.known = load_known(run)
        self.page_no = 1 + max((int(re.sub(r"\D", "", Path(p).stem) or 0) for p in feed_pages(run.m)), default=0)
        self.added = 0

    def limit_reached(self) -> bool:
        return self.opts.limit is not None and self.added >= self.opts.limit

    def before_since(self, seg: dict) -> bool:
        """Whether the segment reached items older than ``opts.since``."""
        oldest = parse_time(seg.get("oldest"))
        return self.opts.since is not None and oldest is not None and oldest < self.opts.since

    def collect(self) -> list[str]:
        """Page the new items on top, then continue the unfinished segments; why each chain stopped."""
        top = {
            "id": 1 + max((s["id"] for s in self.segs), default=0),
            "pages": [],
            "cursor": None,
            "joined": False,
            "oldest": None,
        }
        stops = [self.chain(top, None, {s["id"] for s in self.segs}, True)]
        for seg in list(self.segs):
            if seg is top or seg.get("joined") or not seg.get("cursor"):
                continue
            if self.limit_reached():
                stops.append("limit")
                break
            if self.before_since(seg):
                stops.append("since")
                continue
            later = {s["id"] for s in self.segs[self.segs.index(seg) + 1 :]}
            stops.append(self.chain(seg, seg["cursor"], later, False))
        return stops

    def chain(self, seg: dict, cursor: str | None, later: set[int], is_new: bool) -> str:
        """Follow cursors from ``cursor``, saving the pages with new items into ``seg`` (a new segment is put
        on top once it has a page); why it stopped: ``limit``, ``joined`` (reached items of a ``later``
        segment), ``end``, ``since``. Raises :class:`FetchError` for a cursor that repeats."""
        sent: set[str | None] = set()
        while not self.limit_reached():
            page = self.get(cursor)
            keys = [(item_key(it), reason_type(it) == REASON_PIN) for it in page.items if isinstance(it, dict)]
            new = list(dict.fromkeys(k for k, _ in keys if k is not None and k not in self.known))
            reached = any(self.known.get(k) in later for k, pin in keys if k is not None and not pin)
            if new:
                if is_new:
                    self.segs.insert(0, seg)
                    is_new = False
                self.keep(seg, page, new)
            else:
                self.run.request_log(page.resp, "app.bsky.feed.getAuthorFeed", page.params, None, len(page.items))
                if not is_new:
                    seg["cursor"] = page.cursor
                    self.run.flush()
            stop = self.stop(seg, page, cursor, sent, reached)
            if stop:
                return stop
            sent.add(cursor)
            cursor = page.cursor
        return "limit"

    def get(self, cursor: str | None) -> Page:
        """The page at ``cursor`` (the first page when None)."""
        params: dict = {"actor": self.did, "limit": self.opts.page_size}
        if cursor:
            params["cursor"] = cursor
        if self.opts.filter:
            params["filter"] = self.opts.filter
        what = f"getAuthorFeed page {self.page_no}"
        resp = self.run.xrpc(self.opts.appview, "app.bsky.feed.getAuthorFeed", params, what)
        page = json_object(resp, what, self.run.folder, "feed")
        items = page["feed"] if isinstance(page["feed"], list) else []
        nxt = page.get("cursor") if isinstance(page.get("cursor"), str) and page.get("cursor") else None
        return Page(resp=resp, params=params, what=what, items=items, cursor=nxt)

    def keep(self, seg: dict, page: Page, new: list[str]) -> None:
        """Save a page with ``new`` items into ``seg`` and record it (manifest, run, progress bar)."""
        run = self.run
        rel = f"authorfeed/page-{self.page_no:05d}.json"
        self.page_no += 1
        for k in new:
            self.known[k] = seg["id"]
        times = [t for t in (item_time(it) for it in page.items if isinstance(it, dict)) if t]
        seg["pages"].append(rel)
        seg["oldest"] = min(times).isoformat() if times else seg.get("oldest")
        seg["cursor"] = page.cursor
        run.info["pages_added"].append(rel)
        run.info["items_added"] += len(new)
        self.added += len(new)
        extra = {"items": len(page.items), "new_items": len(new), "cursor": page.cursor}
        run.save(rel, page.resp, "app.bsky.feed.getAuthorFeed", page.params, **extra)
        run.bar.update(len(new))
        run.bar.set_postfix(pages=len(run.info["pages_added"]))

    def stop(self, seg: dict, page: Page, cursor: str | None, sent: set[str | None], reached: bool) -> str | None:
        """Why the chain stops after ``page`` (the segment's end recorded), None to follow its cursor."""
        if reached:
            seg["joined"] = True
            self.run.flush()
            return "joined"
        if page.cursor is None:
            seg["cursor"] = None
            self.run.flush()
            return "end"
        if page.cursor == cursor or page.cursor in sent:
            raise FetchError(
                f"{page.what}: the AppView returned cursor {page.cursor!r} again, which would loop; "
                f"stopped, the {len(feed_pages(self.run.m))} pages saved are kept"
            )
        return "since" if self.before_since(seg) else None


def collect_feed(run: Run, did: str, result: FetchResult, opts: FetchOptions) -> None:
    """Page ``did``'s author feed into the folder (see the module) and record in ``result`` the pages and
    items added, the items in the folder and why it stopped. Raises :class:`FetchError` for a folder fetched
    with another ``filter``, a response that is not the expected JSON, a cursor that repeats."""
    feed = run.m["feed"]
    if feed.get("filter", opts.filter) != opts.filter and feed["segments"]:
        raise FetchError(
            f"{run.folder.name}/ was fetched with filter {feed.get('filter')!r}, not {opts.filter!r}: "
            "choose another folder"
        )
    feed["filter"] = opts.filter
    pager = FeedPager(run, did, opts)
    stops = pager.collect()
    result.pages_added = list(run.info["pages_added"])
    result.items_added = run.info["items_added"]
    result.items_total = len(pager.known)
    if "limit" in stops:
        result.stopped = "limit"
    elif "since" in stops:
        result.stopped = "since"
    else:
        result.stopped = "end" if result.items_added else "up to date"
