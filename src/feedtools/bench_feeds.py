"""The feeds ``feedtools bench`` times (:mod:`feedtools.bench`), built from real items.

* **items**: the bundled seed feed's 80 items (own posts, reposts, placeholders) and, where
  ``../shared/bluesky-samples/`` is present, the real Jetstream events, post texts and hydrated postViews there
  (read at run time, never copied into the project);
* **formats**: :func:`build_scrape` (profile scrape, one item per line), :func:`build_jetstream` (Jetstream JSON
  Lines) and :func:`build_postviews` (a JSON array of postViews, one JSON document);
* **texts**: ``distinct=False`` cycles the items as they are; ``distinct=True`` appends a unique word to every
  text, so no two posts share a text.

Each builder writes ``n`` items to ``path`` by cycling templates in which :data:`MARK` becomes the cycle number,
and returns ``path``; the same arguments write the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from feedtools.paths import SAMPLES, SEED

__all__ = ["BENCH_DID", "MARK", "build_jetstream", "build_postviews", "build_scrape"]

MARK = "@@N@@"  # replaced by the cycle number in every template line
BENCH_DID = "did:plc:feedtoolsbenchseed0000"


def _seed_lines(seed: Path) -> tuple[list[str], list[str]]:
    """The seed's header lines and item lines (``- …``), as written."""
    lines = seed.read_text(encoding="utf-8").lstrip("\ufeff").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("- "))
    return lines[:first], [line for line in lines[first:] if line.startswith("- ")]


def _sample_events(samples: Path | None) -> list[dict]:
    """Real Jetstream events from the shared samples (empty when the folder is absent)."""
    if samples is None or not samples.is_dir():
        return []
    events = []
    jsonl = samples / "jetstream_expected_v1.jsonl"
    if jsonl.exists():
        events += [orjson.loads(line) for line in jsonl.read_bytes().splitlines() if line.strip()]
    arr = samples / "twitwi_bluesky-firehose-posts.json"
    if arr.exists():
        events += [e for e in orjson.loads(arr.read_bytes()) if isinstance(e, dict)]
    return events


def _post_texts(events: list[dict]) -> list[str]:
    texts = []
    for e in events:
        c = e.get("commit") or {}
        rec = c.get("record") or {}
        if c.get("collection") == "app.bsky.feed.post" and c.get("operation") == "create":
            text = " ".join(str(rec.get("text", "")).split())
            if text:
                texts.append(text)
    return texts


def _write_cycles(path: Path, header: str, templates: list[str], n: int) -> None:
    """Write ``header`` then ``n`` lines cycling through ``templates`` (``MARK`` -> cycle number)."""
    block = "\n".join(templates) + "\n"
    per = len(templates)
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        full, rest = divmod(n, per)
        f.writelines(block.replace(MARK, str(c)) for c in range(full))
        if rest:
            f.write("\n".join(templates[:rest]).replace(MARK, str(full)) + "\n")


def _token(k: int) -> str:
    """A unique word for item ``k`` of a cycle (with the cycle number, unique in the feed)."""
    return f" w{MARK}x{k}"


def build_scrape(path: Path, n: int, *, distinct: bool, seed: Path = SEED, samples: Path | None = SAMPLES) -> Path:
    """Write a profile scrape of ``n`` items: the seed's header, then its items and the samples' post texts."""
    header, items = _seed_lines(seed)
    items = items + ["- " + t for t in _post_texts(_sample_events(samples))]
    if distinct:  # placeholders stay placeholders; every other item gets its own word
        items = [it if it.endswith("[Not loaded yet]") else it + _token(k) for k, it in enumerate(items)]
    _write_cycles(path, "\n".join(header) + "\n", items, n)
    return path


def build_jetstream(path: Path, n: int, *, distinct: bool, seed: Path = SEED, samples: Path | None = SAMPLES) -> Path:
    """Write ``n`` Jetstream v1 events: the seed's items as post/repost creates, then the samples' real events.

    Record keys get the cycle number so every event is a distinct record.
    """
    from feedtools.readers import read_raw

    posts = read_raw(seed, "scrape").posts
    templates = [_seed_event(k, row) for k, row in enumerate(posts.iter_rows(named=True))]
    for e in _sample_events(samples):
        e = json.loads(json.dumps(e))
        c = e.get("commit")
        if isinstance(c, dict) and isinstance(c.get("rkey"), str):
            c["rkey"] = c["rkey"] + "z" + MARK
        templates.append(e)
    lines = []
    for k, e in enumerate(templates):
        rec = (e.get("commit") or {}).get("record") or {}
        if distinct and isinstance(rec.get("text"), str) and rec["text"]:
            rec["text"] = rec["text"] + _token(k)  # appended: facet byte offsets stay valid
        lines.append(orjson.dumps(e).decode("utf-8"))
    _write_cycles(path, "", lines, n)
    return path


def _seed_event(k: int, row: dict) -> dict:
    """Item ``k`` of the seed (a posts-table row) as a Jetstream create event: a repost or a post record."""
    created, time_us = "2025-06-01T12:00:00.000Z", 1748779200000000
    rkey = f"3lbench{k:04d}z{MARK}"
    if row["is_repost"]:
        record = {
            "$type": "app.bsky.feed.repost",
            "createdAt": created,
            "subject": {
                "uri": f"at://did:plc:feedtoolsbenchother00000/app.bsky.feed.post/3lsub{k:04d}",
                "cid": "bafyreibenchsubject",
            },
        }
        coll = "app.bsky.feed.repost"
    else:
        record = {"$type": "app.bsky.feed.post", "createdAt": created, "text": row["text"], "langs": []}
        coll = "app.bsky.feed.post"
    return {
        "did": BENCH_DID,
        "time_us": time_us,
        "kind": "commit",
        "commit": {
            "rev": "3lbenchrev",
            "operation": "create",
            "collection": coll,
            "rkey": rkey,
            "record": record,
            "cid": "bafyreibench",
        },
    }


def _sample_postviews(samples: Path | None) -> list[dict]:
    """Real hydrated postViews from the shared samples (empty when the folder is absent)."""
    if samples is None or not samples.is_dir():
        return []
    path = samples / "twitwi_bluesky-hydrated-firehose-posts.json"
    if not path.exists():
        return []
    return [v for v in orjson.loads(path.read_bytes()) if isinstance(v, dict) and "uri" in v and "record" in v]


def build_postviews(path: Path, n: int, *, distinct: bool, seed: Path = SEED, samples: Path | None = SAMPLES) -> Path:
    """Write a JSON array of ``n`` postViews (as search results and ``getPosts`` return them), one JSON document.

    Items: the seed's own posts as postViews (author, record, counts, viewer, labels, as the AppView
    hydrates them) and the samples' real hydrated postViews, cycled. Every item gets its own URI (the
    reader keeps a repeated URI once); ``distinct`` appends a unique word to every text. About 2.5 KB an
    item, so 100k items make ~250 MB.
    """
    from feedtools.readers import read_raw

    raw = read_raw(seed, "scrape")
    name = raw.meta.get("profile_name") or "Bench"
    own = raw.posts.filter(~raw.posts["is_repost"] & ~raw.posts["is_placeholder"])
    templates = [_seed_postview(k, row["text"], name) for k, row in enumerate(own.iter_rows(named=True))]
    templates += [json.loads(json.dumps(v)) for v in _sample_postviews(samples)]
    blocks = []
    for k, v in enumerate(templates):
        v["uri"] = v["uri"] + "z" + MARK  # a distinct record key in every cycle
        rec = v.get("record") or {}
        if distinct and isinstance(rec.get("text"), str) and rec["text"]:
            rec["text"] = rec["text"] + _token(k)  # appended: facet byte offsets stay valid
        blocks.append(orjson.dumps(v, option=orjson.OPT_INDENT_2).decode("utf-8"))
    _write_array(path, blocks, n)
    return path


def _seed_postview(k: int, text: str, display_name: str) -> dict:
    """Own post ``k`` of the seed as the AppView hydrates a postView (author, record, counts, viewer, labels)."""
    return {
        "uri": f"at://{BENCH_DID}/app.bsky.feed.post/3lbench{k:04d}",
        "cid": "bafyreibenchpostviewcid0000000000000000000000000000000000",
        "author": {
            "did": BENCH_DID,
            "handle": "bench.example.org",
            "displayName": display_name,
            "avatar": f"https://cdn.bsky.app/img/avatar/plain/{BENCH_DID}/bafkreibenchavatar@jpeg",
            "associated": {"activitySubscription": {"allowSubscriptions": "followers"}},
            "viewer": {"muted": False, "blockedBy": False},
            "labels": [],
            "createdAt": "2023-05-01T10:00:00.000Z",
        },
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": "2025-06-01T12:00:00.000Z",
            "text": text,
            "langs": ["en"],
        },
        "bookmarkCount": 0,
        "replyCount": 1,
        "repostCount": 2,
        "likeCount": 5,
        "quoteCount": 0,
        "indexedAt": "2025-06-01T12:00:01.000Z",
        "viewer": {"bookmarked": False, "threadMuted": False, "embeddingDisabled": False},
        "labels": [],
    }


def _write_array(path: Path, blocks: list[str], n: int) -> None:
    """Write a JSON array of ``n`` items cycling through ``blocks`` (JSON texts; ``MARK`` -> cycle number)."""
    per = len(blocks)
    with open(path, "w", encoding="utf-8") as f:
        f.write("[\n")
        for i in range(n):
            c, k = divmod(i, per)
            if k == 0:
                block = (",\n".join(blocks[: min(per, n - i)])).replace(MARK, str(c))
                f.write(("" if i == 0 else ",\n") + block)
        f.write("\n]\n")
