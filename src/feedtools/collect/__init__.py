"""Collect an account's feed (and repository) from Bluesky's public API into a fetch folder.

>>> import feedtools
>>> feedtools.fetch("uclg.bsky.social", "data/raw/uclg.bsky.social", repo=True)  # doctest: +SKIP

:func:`fetch` resolves a handle to its DID (``com.atproto.identity.resolveHandle``),
saves the profile (``app.bsky.actor.getProfile``), pages through the author feed
(``app.bsky.feed.getAuthorFeed``, 100 items a page, following ``cursor``) and, with
``repo=True``, downloads the repository CAR (``com.atproto.sync.getRepo``) from the
account's PDS, found in its DID document (PLC directory for ``did:plc``,
``/.well-known/did.json`` for ``did:web``). No credentials: public data only.

Every response body is saved byte for byte; ``manifest.json`` records what was
asked, when, the HTTP status, size and SHA-256 of every file, and what each run added
(layout in :mod:`feedtools.collect.store`). Fetching again into the same folder first
collects what is new on top of the feed (until it reaches an item already saved),
then continues any part left unfinished (an interrupted run, ``limit``/``since``)
from its saved cursor. ``feedtools.load(folder)`` reads the folder as one feed
(:mod:`feedtools.readers.fetchdir`).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from feedtools.collect.http import FetchError, Http
from feedtools.collect.repo import collect_repo
from feedtools.collect.store import (
    Run,
    feed_pages,
    json_object,
    new_manifest,
    now,
    read_manifest,
    remove_partials,
)

__all__ = ["DEFAULT_APPVIEW", "DEFAULT_PLC", "FILTERS", "FetchError", "FetchResult", "fetch", "folder_name"]

DEFAULT_APPVIEW = "https://public.api.bsky.app"
DEFAULT_PLC = "https://plc.directory"
#: ``filter`` values of ``app.bsky.feed.getAuthorFeed``.
FILTERS = ("posts_with_replies", "posts_no_replies", "posts_with_media", "posts_and_author_threads", "posts_with_video")
PAGE_SIZE = 100

_HANDLE = re.compile(
    r"^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}"
    r"[a-zA-Z0-9])?$"
)
_DID = re.compile(r"^did:(plc|web):[a-zA-Z0-9._:%-]{1,2048}$")
REASON_REPOST = "app.bsky.feed.defs#reasonRepost"
REASON_PIN = "app.bsky.feed.defs#reasonPin"


@dataclass
class FetchResult:
    """What one :func:`fetch` run did. ``stopped``: ``end`` (the whole feed is saved), ``up to date``
    (nothing new), ``limit`` or ``since`` (more is left: fetch again without them to continue)."""

    folder: Path
    did: str
    handle: str | None
    run: int
    pages_added: list[str] = field(default_factory=list)
    items_added: int = 0
    items_total: int = 0
    repo_file: str | None = None
    stopped: str = "end"
    requests: int = 0
    retries: int = 0

    def summary(self) -> str:
        """One line for the terminal."""
        who = f"@{self.handle} ({self.did})" if self.handle else self.did
        line = (
            f"fetched {who} into {self.folder.name}/: run {self.run}, {len(self.pages_added)} pages and "
            f"{self.items_added} new items added, {self.items_total} items in the folder"
        )
        if self.repo_file:
            line += f", repository {self.repo_file}"
        line += f"; {self.requests} requests, {self.retries} retried; "
        return line + {
            "end": "feed complete",
            "up to date": "feed complete (nothing new)",
            "limit": "stopped at --limit (run again without it to continue)",
            "since": "stopped at --since (older items not fetched)",
        }.get(self.stopped, self.stopped)


def folder_name(actor: str) -> str:
    """A safe folder name for a handle or DID (``did:plc:x`` -> ``did_plc_x``); :class:`FetchError` otherwise."""
    actor = _check_actor(actor)
    return actor.replace(":", "_").replace("%", "_")


def _check_actor(actor: str) -> str:
    actor = actor.strip().removeprefix("@")
    if _DID.match(actor):
        return actor
    if _HANDLE.match(actor):
        return actor.lower()
    raise FetchError(f"{actor!r}: not a handle (name.bsky.social) or a DID (did:plc:…, did:web:…)")


def _time(value) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def _reason(item: dict) -> str | None:
    reason = item.get("reason")
    t = reason.get("$type") if isinstance(reason, dict) else None
    return t if isinstance(t, str) else None


def item_key(item) -> str | None:
    """The identity of a feed item across pages and runs: reason (repost or not) plus the post's URI."""
    post = item.get("post") if isinstance(item, dict) else None
    uri = post.get("uri") if isinstance(post, dict) else None
    if not isinstance(uri, str):
        return None
    return ("repost " if _reason(item) == REASON_REPOST else "post ") + uri


def _item_time(item) -> dt.datetime | None:
    """When the server saw an item: a repost's ``indexedAt``, else the post's (never the client's ``createdAt``,
    which may be anything); None for a pinned item, which sits out of order."""
    reason = _reason(item)
    if reason == REASON_PIN:
        return None
    if reason == REASON_REPOST:
        return _time(item["reason"].get("indexedAt"))
    post = item.get("post") if isinstance(item, dict) else None
    return _time(post.get("indexedAt")) if isinstance(post, dict) else None


def _since(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    t = _time(str(value))
    if t is None:
        raise FetchError(f"since: not a date (YYYY-MM-DD): {value!r}")
    return t


def fetch(
    actor: str,
    out: str | Path,
    *,
    repo: bool = False,
    filter: str | None = None,
    limit: int | None = None,
    since=None,
    appview: str = DEFAULT_APPVIEW,
    plc: str = DEFAULT_PLC,
    pds: str | None = None,
    timeout: float = 30.0,
    max_wait: float = 300.0,
    backoff: float = 1.0,
    page_size: int = PAGE_SIZE,
    progress: bool = False,
) -> FetchResult:
    """Fetch ``actor``'s (handle or DID) profile and author feed, and with ``repo`` its repository, into ``out``.

    ``filter``: one of :data:`FILTERS` (the API's default: posts with replies).
    ``limit``: stop after this many new items. ``since`` (date, datetime or ISO
    string): stop paging once a page reaches items older than it (that page is kept
    whole). ``appview``, ``plc``: service addresses; ``pds``: the PDS to download the
    repository from (skips DID resolution). ``timeout``: seconds to connect and between
    bytes; ``max_wait``: bound on the time spent on one request with its retries and
    rate-limit waits; ``backoff``: first retry wait in seconds. ``progress``: a tqdm bar
    on stderr.

    Returns a :class:`FetchResult`. Raises :class:`FetchError` (one line; what was
    saved before is kept and recorded) for an unknown or unavailable account (the
    API's error name: ``InvalidRequest``, ``AccountTakedown``, ``AccountDeactivated``,
    ``BlockedActor``…), a folder holding another account's feed, a response that is
    not the expected JSON or CAR, a cursor that repeats, or when retries run out.
    """
    from tqdm import tqdm

    from feedtools import __version__
    from feedtools.extras import require

    require("fetch", "fetching (feedtools fetch)")  # before anything is written
    actor = _check_actor(actor)
    if filter is not None and filter not in FILTERS:
        raise FetchError(f"filter {filter!r}: not one of {', '.join(FILTERS)}")
    if limit is not None and limit < 1:
        raise FetchError(f"limit must be at least 1, not {limit}")
    if not 1 <= page_size <= PAGE_SIZE:
        raise FetchError(f"page_size must be between 1 and {PAGE_SIZE}, not {page_size}")
    since_t = _since(since)
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise FetchError(f"{folder.name}: exists and is not a folder")
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(folder)
    if manifest is None:
        if any(folder.iterdir()):
            raise FetchError(
                f"{folder.name}/: not empty and not a fetch folder (no manifest.json): choose a new or empty folder"
            )
        manifest = new_manifest()
    remove_partials(folder)
    for r in manifest["runs"]:
        if r.get("status") == "running":
            r["status"] = "interrupted"
    http = Http(
        timeout=timeout,
        max_wait=max_wait,
        backoff=backoff,
        user_agent=f"feedtools/{__version__} (research tool; public data, no login)",
    )
    bar = tqdm(desc=f"fetch {actor}", unit=" items", file=sys.stderr, leave=False, disable=not progress)
    run = Run(folder, manifest, http, bar)
    run.info = {
        "run": run.number,
        "started_at": now(),
        "finished_at": None,
        "status": "running",
        "feedtools_version": __version__,
        "actor": actor,
        "options": {
            "repo": repo,
            "filter": filter,
            "limit": limit,
            "since": since_t.isoformat() if since_t else None,
            "page_size": page_size,
            "timeout": timeout,
            "max_wait": max_wait,
            "services": {"appview": appview, "plc": plc, "pds": pds},
        },
        "pages_added": [],
        "items_added": 0,
        "files_added": [],
        "requests": [],
        "retries": [],
        "pauses": [],
        "error": None,
    }
    manifest["runs"].append(run.info)
    manifest["services"] = {"appview": appview, "plc": plc, "pds": pds}
    result = FetchResult(folder=folder, did="", handle=None, run=run.number)
    try:
        _collect(
            run,
            actor,
            result,
            appview=appview,
            plc=plc,
            pds=pds,
            repo=repo,
            filter=filter,
            limit=limit,
            since=since_t,
            page_size=page_size,
        )
        run.info["status"] = "complete" if result.stopped in ("end", "up to date") else f"stopped: {result.stopped}"
    except FetchError as e:
        run.info["status"], run.info["error"] = "error", str(e)
        raise
    except KeyboardInterrupt:
        run.info["status"] = "interrupted"
        raise
    except Exception as e:  # e.g. a full disk: recorded, then raised as it is
        run.info["status"], run.info["error"] = "error", f"{type(e).__name__}: {e}"
        raise
    finally:
        bar.close()
        http.close()
        run.info["finished_at"] = now()
        result.requests = run.requests
        result.retries = len([e for e in http.log if e.get("event") == "retry"])
        if manifest["files"]:
            run.flush()
        elif created:  # nothing was saved (e.g. an unknown handle): leave no folder behind
            folder.rmdir()
    return result


def _collect(
    run: Run, actor: str, result: FetchResult, *, appview, plc, pds, repo, filter, limit, since, page_size
) -> None:
    m, folder = run.m, run.folder
    # 1. who: handle -> DID, then the profile
    resolved = None
    if actor.startswith("did:"):
        did = actor
    else:
        params = {"handle": actor}
        resp = run.xrpc(appview, "com.atproto.identity.resolveHandle", params, f"resolve {actor}")
        did = json_object(resp, f"resolve {actor}", folder, "did")["did"]
        if not isinstance(did, str) or not _DID.match(did):
            raise FetchError(f"resolve {actor}: the AppView answered no valid DID")
        resolved = (resp, params)
    known_did = m["actor"].get("did")
    if known_did and known_did != did:
        raise FetchError(
            f"{folder.name}/ holds the feed of {known_did} (@{m['actor'].get('handle')}), not of "
            f"{actor} ({did}): choose another folder"
        )
    params = {"actor": did}
    resp = run.xrpc(appview, "app.bsky.actor.getProfile", params, f"profile of {actor}")
    profile = json_object(resp, f"profile of {actor}", folder, "did")
    handle = profile.get("handle") if isinstance(profile.get("handle"), str) else None
    if resolved:  # saved once the account is known to be available: an unavailable one leaves no folder
        run.save(f"{run.run_dir}/resolveHandle.json", resolved[0], "com.atproto.identity.resolveHandle", resolved[1])
    run.save(f"{run.run_dir}/profile.json", resp, "app.bsky.actor.getProfile", params)
    m["actor"] = {
        "requested": actor,
        "did": did,
        "handle": handle,
        "display_name": profile.get("displayName") if isinstance(profile.get("displayName"), str) else None,
        "posts_count": profile.get("postsCount"),
    }
    result.did, result.handle = did, handle
    run.bar.set_description_str(f"fetch @{handle or did}")
    # 2. the author feed
    _collect_feed(run, did, result, appview=appview, filter=filter, limit=limit, since=since, page_size=page_size)
    # 3. the repository
    if repo:
        result.repo_file = collect_repo(run, did, plc=plc, pds=pds)


def _load_known(run: Run) -> dict[str, int]:
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


def _collect_feed(run: Run, did: str, result: FetchResult, *, appview, filter, limit, since, page_size) -> None:
    feed = run.m["feed"]
    if feed.get("filter", filter) != filter and feed["segments"]:
        raise FetchError(
            f"{run.folder.name}/ was fetched with filter {feed.get('filter')!r}, not {filter!r}: choose another folder"
        )
    feed["filter"] = filter
    segs: list[dict] = feed["segments"]
    known = _load_known(run)
    page_no = 1 + max((int(re.sub(r"\D", "", Path(p).stem) or 0) for p in feed_pages(run.m)), default=0)
    state = {"page_no": page_no, "added": 0}

    def chain(seg: dict, cursor: str | None, later: set[int], is_new: bool) -> str:
        """Follow cursors from ``cursor``, saving pages into ``seg``; why it stopped."""
        sent: set[str | None] = set()
        while True:
            if limit is not None and state["added"] >= limit:
                return "limit"
            params = {"actor": did, "limit": page_size}
            if cursor:
                params["cursor"] = cursor
            if filter:
                params["filter"] = filter
            what = f"getAuthorFeed page {state['page_no']}"
            resp = run.xrpc(appview, "app.bsky.feed.getAuthorFeed", params, what)
            page = json_object(resp, what, run.folder, "feed")
            items = page["feed"] if isinstance(page["feed"], list) else []
            nxt = page.get("cursor") if isinstance(page.get("cursor"), str) and page.get("cursor") else None
            keys = [(item_key(it), _reason(it) == REASON_PIN) for it in items if isinstance(it, dict)]
            new = list(dict.fromkeys(k for k, _ in keys if k is not None and k not in known))
            reached = any(known.get(k) in later for k, pin in keys if k is not None and not pin)
            if new:
                if is_new:
                    segs.insert(0, seg)
                    is_new = False
                rel = f"authorfeed/page-{state['page_no']:05d}.json"
                state["page_no"] += 1
                for k in new:
                    known[k] = seg["id"]
                times = [t for t in (_item_time(it) for it in items if isinstance(it, dict)) if t]
                seg["pages"].append(rel)
                seg["oldest"] = min(times).isoformat() if times else seg.get("oldest")
                seg["cursor"] = nxt
                run.info["pages_added"].append(rel)
                run.info["items_added"] += len(new)
                state["added"] += len(new)
                run.save(
                    rel, resp, "app.bsky.feed.getAuthorFeed", params, items=len(items), new_items=len(new), cursor=nxt
                )
                run.bar.update(len(new))
                run.bar.set_postfix(pages=len(run.info["pages_added"]))
            else:
                run.request_log(resp, "app.bsky.feed.getAuthorFeed", params, None, len(items))
                if not is_new:
                    seg["cursor"] = nxt
                    run.flush()
            if reached:
                seg["joined"] = True
                run.flush()
                return "joined"
            if nxt is None:
                seg["cursor"] = None
                run.flush()
                return "end"
            if nxt == cursor or nxt in sent:
                raise FetchError(
                    f"{what}: the AppView returned cursor {nxt!r} again, which would loop; "
                    f"stopped, the {len(feed_pages(run.m))} pages saved are kept"
                )
            sent.add(cursor)
            if since is not None and seg.get("oldest") and _time(seg["oldest"]) < since:
                return "since"
            cursor = nxt

    next_id = 1 + max((s["id"] for s in segs), default=0)
    stops = []
    # On top: what is new since the last run (the first run: the whole feed).
    top = {"id": next_id, "pages": [], "cursor": None, "joined": False, "oldest": None}
    stops.append(chain(top, None, {s["id"] for s in segs}, True))
    # Then every part left unfinished (an interrupted run, --limit, --since), from its saved cursor.
    for i, seg in enumerate(list(segs)):
        if seg is top or seg.get("joined") or not seg.get("cursor"):
            continue
        if limit is not None and state["added"] >= limit:
            stops.append("limit")
            break
        if since is not None and seg.get("oldest") and _time(seg["oldest"]) < since:
            stops.append("since")
            continue
        later = {s["id"] for s in segs[segs.index(seg) + 1 :]}
        stops.append(chain(seg, seg["cursor"], later, False))
    result.pages_added = list(run.info["pages_added"])
    result.items_added = run.info["items_added"]
    result.items_total = len(known)
    if "limit" in stops:
        result.stopped = "limit"
    elif "since" in stops:
        result.stopped = "since"
    else:
        result.stopped = "end" if result.items_added else "up to date"
