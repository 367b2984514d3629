"""The fetch folder on disk: atomic writes and ``manifest.json``.

Layout of a fetch folder (everything but the manifest is a response body, byte for byte)::

    manifest.json                     what was asked, when, status, size and SHA-256 of every file, runs
    authorfeed/page-00001.json        app.bsky.feed.getAuthorFeed responses (one page each)
    runs/001/resolveHandle.json       com.atproto.identity.resolveHandle (when ACTOR is a handle)
    runs/001/profile.json             app.bsky.actor.getProfile
    runs/001/did.json                 the DID document (with --repo, unless --pds is given)
    runs/001/repo.car                 com.atproto.sync.getRepo (with --repo)

The manifest's ``feed.segments`` lists the author-feed pages in reading order
(newest first): a segment is a run of pages fetched one cursor after another;
``cursor`` is where it continues (None once it reached the end of the feed) and
``joined`` says it reached items of the segment after it.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import orjson

from feedtools.collect.http import FetchError, Http, Response
from feedtools.readers.fetchdir import MANIFEST, MANIFEST_FORMAT, feed_pages, latest_repo, read_manifest

__all__ = [
    "MANIFEST",
    "Run",
    "atomic_write",
    "feed_pages",
    "json_object",
    "latest_repo",
    "new_manifest",
    "now",
    "read_manifest",
    "remove_partials",
    "write_manifest",
]

VERSION = 1


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary name in the same folder, then ``os.replace``:
    the file appears whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_partials(folder: Path) -> int:
    """Delete temporary ``.*.part`` files a killed fetch left in ``folder`` (never a saved file); their number."""
    n = 0
    for p in folder.rglob(".*.part"):
        p.unlink(missing_ok=True)
        n += 1
    return n


def new_manifest() -> dict:
    """An empty manifest."""
    return {
        "format": MANIFEST_FORMAT,
        "manifest_version": VERSION,
        "actor": {},
        "services": {},
        "feed": {"segments": []},
        "repo": None,
        "files": {},
        "runs": [],
    }


def write_manifest(folder: Path, manifest: dict) -> None:
    """Write the manifest atomically (indented, keys in a fixed order)."""
    atomic_write(folder / MANIFEST, orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")


def now() -> str:
    """The current UTC time, ISO 8601 with microseconds and ``Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Run:
    """One fetch run into one folder: the manifest, the client, and what the run added."""

    def __init__(self, folder: Path, manifest: dict, http: Http, progress) -> None:
        self.folder, self.m, self.http, self.bar = folder, manifest, http, progress
        self.number = len(manifest["runs"]) + 1
        self.info: dict = {}
        self.requests = 0

    @property
    def run_dir(self) -> str:
        return f"runs/{self.number:03d}"

    def request_log(self, resp: Response, what: str, params: dict | None, saved: str | None, items=None) -> None:
        self.requests += 1
        self.info["requests"].append(
            {
                "what": what,
                "url": resp.url.split("?")[0],
                "params": params,
                "status": resp.status,
                "size": resp.size,
                "sha256": resp.sha256,
                "attempts": resp.attempts,
                "items": items,
                "saved": saved,
                "at": now(),
            }
        )

    def save(self, rel: str, resp: Response, what: str, params: dict | None, **extra) -> None:
        """Save a response body under ``rel`` (atomically) and record it in the manifest."""
        path = self.folder / rel
        if resp.path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(resp.path, path)
        else:
            atomic_write(path, resp.body)
        self.m["files"][rel] = {
            "kind": what,
            "url": resp.url.split("?")[0],
            "params": params,
            "fetched_at": now(),
            "status": resp.status,
            "size": resp.size,
            "sha256": resp.sha256,
            "attempts": resp.attempts,
            "run": self.number,
            **extra,
        }
        self.info["files_added"].append(rel)
        self.request_log(resp, what, params, rel, extra.get("items"))
        self.flush()

    def flush(self) -> None:
        self.info["retries"] = [e for e in self.http.log if e.get("event") == "retry"]
        self.info["pauses"] = [e for e in self.http.log if e.get("event") != "retry"]
        write_manifest(self.folder, self.m)

    def xrpc(self, base: str, nsid: str, params: dict, what: str) -> Response:
        return self.http.get(f"{base.rstrip('/')}/xrpc/{nsid}", params, what)


def json_object(resp: Response, what: str, folder: Path, need: str | None = None) -> dict:
    try:
        value = orjson.loads(resp.body)
    except orjson.JSONDecodeError as e:
        ctype = resp.headers.get("content-type", "no content type").split(";")[0]
        head = " ".join(resp.body[:40].decode("utf-8", "replace").split())
        kind = "truncated or malformed JSON" if resp.body.lstrip()[:1] in (b"{", b"[") else "not JSON"
        raise FetchError(
            f"{what}: the response is {kind} ({ctype}, {resp.size} bytes, starts {head!r}: {e}); "
            f"nothing more saved, what {folder.name}/ holds is kept"
        ) from None
    if not isinstance(value, dict) or (need and need not in value):
        raise FetchError(
            f"{what}: unexpected response (a JSON {type(value).__name__} without {need!r}); "
            f"what {folder.name}/ holds is kept"
        )
    return value
