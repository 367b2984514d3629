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

import os
import tempfile
from pathlib import Path

import orjson

from feedtools.collect.http import FetchError

MANIFEST = "manifest.json"
FORMAT = "feedtools-fetch"
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
    return {"format": FORMAT, "manifest_version": VERSION, "actor": {}, "services": {},
            "feed": {"segments": []}, "repo": None, "files": {}, "runs": []}


def read_manifest(folder: Path) -> dict | None:
    """The folder's manifest, None when there is none. Raises :class:`FetchError` when it is unreadable
    or not a feedtools fetch manifest."""
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        value = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as e:
        raise FetchError(f"{folder.name}/{MANIFEST}: unreadable ({e})") from None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        raise FetchError(f"{folder.name}/{MANIFEST}: not a feedtools fetch manifest")
    return value


def write_manifest(folder: Path, manifest: dict) -> None:
    """Write the manifest atomically (indented, keys in a fixed order)."""
    atomic_write(folder / MANIFEST, orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")


def feed_pages(manifest: dict) -> list[str]:
    """The author-feed page files in reading order (newest first)."""
    return [p for seg in manifest.get("feed", {}).get("segments", []) for p in seg.get("pages", [])]


def latest_repo(manifest: dict) -> str | None:
    """The most recent repository CAR saved in the folder (relative path), None when there is none."""
    repo = manifest.get("repo")
    return repo.get("file") if isinstance(repo, dict) else None
