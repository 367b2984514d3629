"""One fetch run from start to end: the folder opened (or created), the run recorded in the manifest, the
account resolved (handle -> DID, profile), its author feed paged (:mod:`feedtools.collect.feed`), its
repository downloaded (:mod:`feedtools.collect.repo`), and the run's outcome recorded whatever happens."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from feedtools.collect.feed import collect_feed
from feedtools.collect.http import Http
from feedtools.collect.options import (
    DEFAULT_APPVIEW,
    DEFAULT_PLC,
    PAGE_SIZE,
    FetchOptions,
    check_actor,
    fetch_options,
    is_did,
)
from feedtools.collect.repo import collect_repo
from feedtools.collect.result import FetchResult
from feedtools.collect.store import Run, json_object, new_manifest, now, read_manifest, remove_partials
from feedtools.errors import FetchError

__all__ = ["fetch"]


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
    not the expected JSON or CAR, a cursor that repeats, or when retries run out; and
    before anything is written, for a bad option or a service address that is not an http(s) URL.
    """
    from feedtools.extras import require

    require("fetch", "fetching (feedtools fetch)")  # before anything is written
    actor = check_actor(actor)
    opts = fetch_options(
        repo=repo,
        filter=filter,
        limit=limit,
        since=since,
        appview=appview,
        plc=plc,
        pds=pds,
        timeout=timeout,
        max_wait=max_wait,
        backoff=backoff,
        page_size=page_size,
        progress=progress,
    )
    run, created = _start_run(Path(out), actor, opts)
    result = FetchResult(folder=run.folder, did="", handle=None, run=run.number)
    with _recorded(run, result, created):
        _collect(run, actor, result, opts)
    return result


def _open_folder(folder: Path) -> tuple[dict, bool]:
    """The folder's manifest (a new one for a new or empty folder) and whether the folder was created; partial
    files of a killed run removed, runs left ``running`` marked ``interrupted``. Raises :class:`FetchError`
    for a path that is not a folder, or a folder that holds other files, or a manifest of another shape."""
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
    _check_manifest(folder, manifest)
    remove_partials(folder)
    for r in manifest["runs"]:
        if r.get("status") == "running":
            r["status"] = "interrupted"
    return manifest, created


def _check_manifest(folder: Path, m: dict) -> None:
    """Raise :class:`FetchError` when the parts of a manifest a run builds on (``actor``, ``runs``,
    ``feed.segments``) do not have the shape ``feedtools fetch`` writes (an edited or foreign manifest)."""
    segments = m["feed"].setdefault("segments", [])
    checks = {
        "actor": isinstance(m.setdefault("actor", {}), dict),
        "runs": all(isinstance(r, dict) for r in m["runs"]),
        "feed.segments": isinstance(segments, list) and all(_is_segment(s) for s in segments),
    }
    bad = [name for name, ok in checks.items() if not ok]
    if bad:
        raise FetchError(
            f"{folder.name}/manifest.json: {bad[0]!r} is not as feedtools fetch writes it: choose a new or empty folder"
        )


def _is_segment(seg: object) -> bool:
    """Whether ``seg`` is a segment as :mod:`feedtools.collect.store` describes it: an integer ``id`` and a list
    of page paths (strings) at least."""
    if not isinstance(seg, dict) or not isinstance(seg.get("id"), int):
        return False
    pages = seg.get("pages")
    return isinstance(pages, list) and all(isinstance(p, str) for p in pages)


def _start_run(folder: Path, actor: str, opts: FetchOptions) -> tuple[Run, bool]:
    """The run (client, progress bar, its record appended to the manifest's ``runs``) and whether the folder
    was created for it."""
    from tqdm import tqdm

    from feedtools._version import __version__

    manifest, created = _open_folder(folder)
    http = Http(
        timeout=opts.timeout,
        max_wait=opts.max_wait,
        backoff=opts.backoff,
        user_agent=f"feedtools/{__version__} (research tool; public data, no login)",
    )
    bar = tqdm(desc=f"fetch {actor}", unit=" items", file=sys.stderr, leave=False, disable=not opts.progress)
    run = Run(folder, manifest, http, bar)
    run.info = {
        "run": run.number,
        "started_at": now(),
        "finished_at": None,
        "status": "running",
        "feedtools_version": __version__,
        "actor": actor,
        "options": opts.record(),
        "pages_added": [],
        "items_added": 0,
        "files_added": [],
        "requests": [],
        "retries": [],
        "pauses": [],
        "error": None,
    }
    manifest["runs"].append(run.info)
    manifest["services"] = opts.services()
    return run, created


@contextmanager
def _recorded(run: Run, result: FetchResult, created: bool) -> Iterator[None]:
    """Record the run's outcome in the manifest whatever happens in the block (``complete``, ``stopped: …``,
    ``error`` with the message, ``interrupted``), then close the client and bar and write the manifest, or
    remove the folder when it was created and nothing was saved. Exceptions are raised as they are."""
    http = run.http
    try:
        yield
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
        run.bar.close()
        http.close()
        run.info["finished_at"] = now()
        result.requests = run.requests
        result.retries = len([e for e in http.log if e.get("event") == "retry"])
        if run.m["files"]:
            run.flush()
        elif created:  # nothing was saved (e.g. an unknown handle): leave no folder behind
            run.folder.rmdir()


def _collect(run: Run, actor: str, result: FetchResult, opts: FetchOptions) -> None:
    """The run's steps: who (handle -> DID, then the profile), the author feed, the repository."""
    did = _resolve_account(run, actor, result, opts.appview)
    collect_feed(run, did, result, opts)
    if opts.repo:
        result.repo_file = collect_repo(run, did, plc=opts.plc, pds=opts.pds)


def _resolve_account(run: Run, actor: str, result: FetchResult, appview: str) -> str:
    """The account's DID (resolved from a handle) and profile, saved and recorded in the manifest's ``actor``
    and in ``result``. Raises :class:`FetchError` for an unknown or unavailable account, no valid DID, or a
    folder that holds another account's feed."""
    m, folder = run.m, run.folder
    resolved = None
    if actor.startswith("did:"):
        did = actor
    else:
        params = {"handle": actor}
        resp = run.xrpc(appview, "com.atproto.identity.resolveHandle", params, f"resolve {actor}")
        did = json_object(resp, f"resolve {actor}", folder, "did")["did"]
        if not is_did(did):
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
    return did
