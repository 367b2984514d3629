"""Reader for a fetch folder written by ``feedtools fetch`` (a directory holding ``manifest.json``).

The folder is read as one feed, with the existing readers:

* the author-feed pages (:mod:`feedtools.readers.authorfeed`'s ``item_row``), in the
  manifest's reading order (newest first; pages a later run added on top come first).
  An item seen again (the overlap between runs, a pinned post shown twice) is kept
  once, the first time: counted as ``skipped_repeated``;
* the most recent repository CAR, when one was fetched (:mod:`feedtools.readers.car`):
  its posts and reposts that the author feed did not reach (older than ``--limit`` or
  ``--since``, outside ``--filter``, or the whole history when paging stopped early)
  are added after the feed's rows, in the repository's key order. A CAR record whose
  post URI and kind (post or repost) the author feed already gave is counted as
  ``skipped_in_authorfeed``: **the author feed's copy wins**, because it carries what the
  repository lacks (handles, display names, like/repost/reply/quote counts, and the text
  of a reposted post, where the repository holds only a pointer). CAR rows by the
  account get its handle from the fetched profile.

A page or CAR listed in the manifest but missing, or whose SHA-256 no longer matches
the manifest (changed after it was fetched), is not read: it becomes one reject naming
the file. Every record is accounted for: ``records == posts + rejected + skipped``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson
import polars as pl

from feedtools.readers.atproto import BadItem, finish_stats, read_items
from feedtools.readers.base import FeedError, FeedMeta, ReadResult, rejects_frame
from feedtools.schema import conform, empty_posts

FORMAT = "fetchdir"
MANIFEST = "manifest.json"
#: The ``format`` field of a fetch folder's manifest.
MANIFEST_FORMAT = "feedtools-fetch"


def sniff(head: bytes) -> bool:
    """A fetch folder is a directory, recognised by :func:`is_fetch_dir`, never by a file's content."""
    return False


def is_fetch_dir(path: str | Path) -> bool:
    """True when ``path`` is a directory holding a ``manifest.json``."""
    path = Path(path)
    return path.is_dir() and (path / MANIFEST).is_file()


def read_manifest(folder: Path) -> dict | None:
    """The folder's manifest, None when there is none. Raises :class:`FeedError` when it is unreadable
    or not a feedtools fetch manifest."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        return None
    try:
        value = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as e:
        raise FeedError(f"{Path(folder).name}/{MANIFEST}: unreadable ({e})") from None
    if not isinstance(value, dict) or value.get("format") != MANIFEST_FORMAT:
        raise FeedError(f"{Path(folder).name}/{MANIFEST}: not a feedtools fetch manifest")
    for key, kind in (("files", dict), ("runs", list), ("feed", dict)):
        if not isinstance(value.setdefault(key, kind()), kind):
            raise FeedError(f"{Path(folder).name}/{MANIFEST}: '{key}' is not a {kind.__name__}")
    return value


def feed_pages(manifest: dict) -> list[str]:
    """The author-feed page files of a manifest in reading order (newest first)."""
    return [p for seg in manifest.get("feed", {}).get("segments", []) for p in seg.get("pages", [])]


def latest_repo(manifest: dict) -> str | None:
    """The most recent repository CAR saved in the folder (relative path), None when there is none."""
    repo = manifest.get("repo")
    return repo.get("file") if isinstance(repo, dict) else None


def _manifest(path: Path) -> dict:
    m = read_manifest(path)
    if m is None:
        raise FeedError(f"{path.name}: no {MANIFEST}, not a fetch folder")
    return m


def _check_file(path: Path, rel: str, record: dict | None) -> tuple[bytes | None, str | None]:
    """The file's bytes, or None and the reason it cannot be read."""
    f = path / rel
    if not f.is_file():
        return None, f"listed in {MANIFEST} but missing"
    data = f.read_bytes()
    expected = (record or {}).get("sha256")
    if expected and hashlib.sha256(data).hexdigest() != expected:
        return None, f"changed since it was fetched (SHA-256 differs from {MANIFEST}): not read"
    return data, None


def _page_items(path: Path, manifest: dict):
    """``(location, line, item)`` for every item of every saved page, in reading order."""
    for rel in feed_pages(manifest):
        data, problem = _check_file(path, rel, manifest["files"].get(rel))
        if data is None:  # _check_file says why
            yield rel, None, BadItem(f"page {problem}", None)
            continue
        try:
            page = orjson.loads(data)
        except orjson.JSONDecodeError as e:
            yield rel, None, BadItem(f"page is not valid JSON ({e})", data[:500].decode("utf-8", "replace"))
            continue
        feed = page.get("feed") if isinstance(page, dict) else None
        if not isinstance(feed, list):
            yield rel, None, BadItem("page has no list 'feed'", data[:500].decode("utf-8", "replace"))
            continue
        for i, item in enumerate(feed, start=1):
            yield f"{rel} item {i}", None, item


def _profile(path: Path, manifest: dict) -> dict:
    """The most recent saved profile (``app.bsky.actor.getProfile``), {} when none can be read."""
    profiles = sorted(
        rel for rel, rec in manifest.get("files", {}).items() if rec.get("kind") == "app.bsky.actor.getProfile"
    )
    for rel in reversed(profiles):
        data, _problem = _check_file(path, rel, manifest["files"][rel])
        if data is not None:
            try:
                value = orjson.loads(data)
            except orjson.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return value
    return {}


def read_batches(path: str | Path, **_: object) -> Iterator[ReadResult]:
    """Read a fetch folder as one feed. Yields one :class:`ReadResult`.

    Raises :class:`FeedError` when the manifest is missing or unreadable.
    """
    from feedtools.readers import authorfeed

    path = Path(path)
    source = path.name
    manifest = _manifest(path)
    feed = read_items(_page_items(path, manifest), source=source, fmt=authorfeed.FORMAT, to_row=authorfeed.item_row)
    posts = feed.posts if feed.posts.height else empty_posts()
    stats: Counter = Counter(feed.stats)
    rejects = [feed.rejects]
    repo_rel = latest_repo(manifest)
    if repo_rel:
        posts = _add_repository(path, manifest, repo_rel, posts, stats, rejects)
    all_rejects = pl.concat(rejects, how="vertical")
    finish_stats(stats, posts.height, all_rejects.height)
    yield ReadResult(posts=conform(posts), rejects=all_rejects, stats=stats, meta=_meta(path, manifest, repo_rel))


def _add_repository(
    path: Path, manifest: dict, repo_rel: str, posts: pl.DataFrame, stats: Counter, rejects: list[pl.DataFrame]
) -> pl.DataFrame:
    """``posts`` followed by the repository CAR's rows the author-feed pages lack (counted as
    ``skipped_in_authorfeed`` otherwise); the CAR's counts are added to ``stats`` and its rejects (or one reject
    for a CAR that fails its manifest check) to ``rejects``, located by the CAR's path in the folder."""
    from feedtools.readers import car

    source = path.name
    _data, problem = _check_file(path, repo_rel, manifest["files"].get(repo_rel))
    if problem:
        stats["records"] += 1
        reject = {"source": source, "location": repo_rel, "line": None, "reason": f"repository {problem}", "raw": None}
        rejects.append(rejects_frame([reject]))
        return posts
    repo = ReadResult.combine(car.read_batches(path / repo_rel))
    stats.update({k: v for k, v in repo.stats.items() if k not in ("posts", "rejected", "skipped")})
    rejects.append(
        repo.rejects.with_columns(source=pl.lit(source), location=pl.lit(repo_rel + " ") + pl.col("location"))
    )
    seen = posts.select("post_uri", "is_repost").unique()
    extra = repo.posts.join(seen, on=["post_uri", "is_repost"], how="anti", nulls_equal=True)
    stats["skipped_in_authorfeed"] += repo.posts.height - extra.height
    if not extra.height:
        return posts
    actor = manifest.get("actor", {})
    did, handle = actor.get("did"), actor.get("handle")
    mine = pl.col("author_did") == did
    extra = extra.with_columns(
        position=pl.int_range(posts.height, posts.height + extra.height, dtype=pl.Int64),
        source=pl.lit(source),
        source_location=pl.lit(repo_rel + " ") + pl.col("source_location"),
        author_handle=pl.when(mine & ~pl.col("is_repost")).then(pl.lit(handle)).otherwise(pl.col("author_handle")),
        reposted_by=pl.when(pl.col("is_repost") & (pl.col("reposted_by") == did))
        .then(pl.lit(handle) if handle else pl.col("reposted_by"))
        .otherwise(pl.col("reposted_by")),
    )
    return pl.concat([conform(posts), conform(extra)], how="vertical")


def _meta(path: Path, manifest: dict, repo_rel: str | None) -> FeedMeta:
    """The folder's facts: account, pages, repository file, last fetch, and the profile's name and bio."""
    actor = manifest.get("actor", {})
    meta: FeedMeta = {
        "format": FORMAT,
        "source": path.name,
        "unit": "records",
        "did": actor.get("did"),
        "handle": actor.get("handle"),
        "pages": len(feed_pages(manifest)),
        "repo": repo_rel,
        "fetched_at": _last_fetch(manifest),
    }
    profile = _profile(path, manifest)
    name, bio = profile.get("displayName"), profile.get("description")
    if isinstance(name, str) and name.strip():
        meta["profile_name"] = name.strip()
    if isinstance(bio, str) and bio.strip():
        meta["profile_bio"] = bio.strip()
    return meta


def _last_fetch(manifest: dict) -> str | None:
    done = [r.get("finished_at") for r in manifest.get("runs", []) if r.get("finished_at")]
    return max(done) if done else None


def provenance(path: str | Path) -> list[tuple[str, str]]:
    """Where a fetch folder's data came from, as ``(field, value)`` rows for a report's front page:
    the account, the services asked, each run (when, status, what it added) and the SHA-256 of the
    manifest and of the repository CAR. Raises :class:`FeedError` when the manifest is unreadable."""
    path = Path(path)
    m = _manifest(path)
    actor = m.get("actor", {})
    services = m.get("services", {})
    rows: list[tuple[str, str]] = [
        ("account", f"@{actor.get('handle')} ({actor.get('did')})" if actor.get("handle") else str(actor.get("did"))),
        ("fetched from", ", ".join(f"{k} {v}" for k, v in services.items() if v)),
    ]
    for run in m.get("runs", []):
        added = f"{len(run.get('pages_added', []))} pages, {run.get('items_added', 0)} new items"
        if any(f.endswith(".car") for f in run.get("files_added", [])):
            added += ", repository"
        start = str(run.get("started_at") or "?")[:19].replace("T", " ")
        end = str(run.get("finished_at") or "?")[:19].replace("T", " ")
        rows.append(
            (
                f"run {run.get('run')}",
                (f"{start} to {end} UTC: {run.get('status')}; {added}; feedtools {run.get('feedtools_version')}"),
            )
        )
    pages = feed_pages(m)
    rows.append(
        (
            "author-feed pages",
            (f"{len(pages)} files, {sum(m['files'].get(p, {}).get('items') or 0 for p in pages)} items"),
        )
    )
    repo = m.get("repo")
    if isinstance(repo, dict) and repo.get("file") in m.get("files", {}):
        rec = m["files"][repo["file"]]
        rows.append(
            (
                "repository",
                (
                    f"{repo['file']} from {repo.get('pds')}, {rec.get('size')} bytes, "
                    f"rev {rec.get('rev')}, SHA-256 {rec.get('sha256')}"
                ),
            )
        )
    rows.append((f"{MANIFEST} SHA-256", hashlib.sha256((path / MANIFEST).read_bytes()).hexdigest()))
    return rows
