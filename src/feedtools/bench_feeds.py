"""The feeds ``feedtools bench`` times (:mod:`feedtools.bench`), built from real items.

* **items**: the bundled seed feed's 80 items (own posts, reposts, placeholders) and, where
  ``../shared/bluesky-samples/`` is present, the real Jetstream events, post texts and hydrated postViews there
  (read at run time, never copied into the project);
* **formats**: :func:`build_scrape` (profile scrape, one item per line), :func:`build_jetstream` (Jetstream JSON
  Lines) and :func:`build_postviews` (a JSON array of postViews, one JSON document);
* **texts**: ``distinct=False`` cycles the items as they are; ``distinct=True`` gives every text a unique word,
  so no two posts share a text: at its start (``at="start"``, the default: no two texts share their first
  :data:`feedtools.language.MAX_CHARS` characters, the line fastText reads) or at its end (``at="end"``: long
  texts then share the line fastText reads, which flatters the once-per-distinct-line language step);
* **Jetstream event mix** (:data:`JETSTREAM_MIXES`): ``real`` (the default) follows the real capture's
  sequence of event kinds (11% post creates, 10% reposts, 79% events only counted: likes, follows, deletes…),
  ``post-heavy`` cycles the seed's items as events followed by every real event once (mostly posts and reposts).

Each builder writes exactly ``n`` items to ``path`` by cycling templates in which :data:`MARK` becomes the cycle
number (seven digits, so a word before a text shifts its facets by a known number of bytes), and returns
``path``; the same arguments write the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from feedtools.paths import SAMPLES, SEED

__all__ = ["BENCH_DID", "JETSTREAM_MIXES", "MARK", "build_jetstream", "build_postviews", "build_scrape"]

MARK = "@@N@@"  # replaced by the cycle number (seven digits) in every template line
BENCH_DID = "did:plc:feedtoolsbenchseed0000"
#: The Jetstream event mixes :func:`build_jetstream` writes, and what the benchmark's notes call them.
JETSTREAM_MIXES = {
    "real": "real event mix (11% posts, 10% reposts, 79% only counted)",
    "post-heavy": "post-heavy event mix (seed items + each real event once)",
}
#: The real Jetstream capture in the samples folder: its sequence of event kinds is the ``real`` mix.
JETSTREAM_SAMPLE = "jetstream_expected_v1.jsonl"
_ROW_KINDS = ("app.bsky.feed.post", "app.bsky.feed.repost")


def _cycle_no(c: int) -> str:
    """What :data:`MARK` becomes in cycle ``c``: always seven digits (10M items of any feed stay under 10^7 cycles)."""
    return f"{c:07d}"


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
        f.writelines(block.replace(MARK, _cycle_no(c)) for c in range(full))
        if rest:
            f.write("\n".join(templates[:rest]).replace(MARK, _cycle_no(full)) + "\n")


def _token(k: int) -> str:
    """A unique word for item ``k`` of a cycle (with the cycle number, unique in the feed)."""
    return f"w{MARK}x{k}"


def _with_word(text: str, k: int, at: str) -> str:
    """``text`` with the unique word of item ``k`` at its start (``at="start"``) or its end (``at="end"``)."""
    if at == "end":
        return f"{text} {_token(k)}"
    if at == "start":
        return f"{_token(k)} {text}"
    raise ValueError(f"at must be 'start' or 'end', not {at!r}")


def _word_record(rec: dict, k: int, at: str) -> None:
    """Give the record's text (when it has one) the unique word of item ``k``, in place. A word before the text
    shifts its facets' byte offsets by the word's length (fixed: :data:`MARK` becomes seven digits)."""
    if not (isinstance(rec.get("text"), str) and rec["text"]):
        return
    rec["text"] = _with_word(rec["text"], k, at)
    if at != "start" or not isinstance(rec.get("facets"), list):
        return
    shift = len(_with_word("", k, at).replace(MARK, _cycle_no(0)).encode("utf-8"))
    for facet in rec["facets"]:
        index = facet.get("index") if isinstance(facet, dict) else None
        if isinstance(index, dict):
            for key in ("byteStart", "byteEnd"):
                if isinstance(index.get(key), int):
                    index[key] += shift


def build_scrape(
    path: Path, n: int, *, distinct: bool, at: str = "start", seed: Path = SEED, samples: Path | None = SAMPLES
) -> Path:
    """Write a profile scrape of ``n`` items: the seed's header, then its items and the samples' post texts.

    ``distinct``: every item but the placeholders gets its own word, at the start of its text (after the
    ``Reposted by NAME`` of a repost) or at its end (``at``)."""
    header, items = _seed_lines(seed)
    items = items + ["- " + t for t in _post_texts(_sample_events(samples))]
    if distinct:  # placeholders stay placeholders; every other item gets its own word
        repost = "- Reposted by " + header[0].strip()
        items = [_scrape_word(it, k, at, repost) for k, it in enumerate(items)]
    _write_cycles(path, "\n".join(header) + "\n", items, n)
    return path


def _scrape_word(item: str, k: int, at: str, repost: str) -> str:
    """Scrape line ``item`` (``- …``) with the unique word of item ``k`` in its text (placeholders unchanged)."""
    if item.endswith("[Not loaded yet]"):
        return item
    prefix = repost if item.startswith(repost) else "- "
    return prefix + _with_word(item[len(prefix) :], k, at)


def build_jetstream(
    path: Path,
    n: int,
    *,
    distinct: bool,
    at: str = "start",
    mix: str = "real",
    seed: Path = SEED,
    samples: Path | None = SAMPLES,
) -> Path:
    """Write ``n`` Jetstream v1 events (exactly ``n`` lines) in the event mix ``mix`` (:data:`JETSTREAM_MIXES`).

    Posts and reposts are the seed's items as creates (:func:`_seed_event`) and the samples' real post and repost
    creates. ``real``: one cycle follows the real capture's sequence of event kinds, repeated until every post
    and repost is used once; a post or repost slot takes the next post or repost, a slot of an event the reader
    only counts (like, follow, delete, identity…) takes that real event. ``post-heavy``: the seed's items, then
    every real event once. Record keys get the cycle number (and the slot), so every event is a distinct record;
    ``distinct`` gives every text a unique word (``at``: start or end). Without the samples both mixes are the
    seed's items alone. Raises ``ValueError`` for an unknown ``mix``.
    """
    from feedtools.readers import read_raw

    if mix not in JETSTREAM_MIXES:
        raise ValueError(f"unknown Jetstream mix {mix!r}: use {', '.join(JETSTREAM_MIXES)}")
    posts = read_raw(seed, "scrape").posts
    seeded = [_seed_event(k, row) for k, row in enumerate(posts.iter_rows(named=True))]
    sample = _sample_events(samples)
    templates = _real_mix(seeded, sample, samples) if mix == "real" else seeded + _keyed(sample, "")
    lines = []
    for k, e in enumerate(templates):
        if distinct:
            _word_record((e.get("commit") or {}).get("record") or {}, k, at)
        lines.append(orjson.dumps(e).decode("utf-8"))
    _write_cycles(path, "", lines, n)
    return path


def _kind(e: dict) -> str:
    """``post`` or ``repost`` for a create event that may become a row, else ``counted`` (only counted)."""
    c = e.get("commit") if e.get("kind") == "commit" else None
    if isinstance(c, dict) and c.get("operation") == "create" and c.get("collection") in _ROW_KINDS:
        return "post" if c["collection"] == _ROW_KINDS[0] else "repost"
    return "counted"


def _keyed(events: list[dict], slot: str) -> list[dict]:
    """Deep copies of ``events`` whose record keys end in ``z`` + :data:`MARK` (+ ``slot``): distinct records."""
    out = []
    for e in events:
        e = json.loads(json.dumps(e))
        c = e.get("commit")
        if isinstance(c, dict) and isinstance(c.get("rkey"), str):
            c["rkey"] = c["rkey"] + "z" + MARK + slot
        out.append(e)
    return out


def _real_mix(seeded: list[dict], sample: list[dict], samples: Path | None) -> list[dict]:
    """One cycle of the ``real`` mix (see :func:`build_jetstream`): the real capture's sequence of event kinds,
    repeated until the posts and the reposts (seed and samples) have each been used once."""
    pattern = [_kind(e) for e in _jetstream_sample(samples)]
    pools: dict[str, list[dict]] = {"post": [], "repost": []}
    for e in seeded + sample:
        kind = _kind(e)
        if kind != "counted":
            pools[kind].append(e)
    counted = [e for e in _jetstream_sample(samples) if _kind(e) == "counted"]
    if not counted or not all(k in pattern for k in pools):  # no real capture: the seed's items alone
        return seeded
    pools["counted"] = counted
    need = max(-(-len(pools[k]) // pattern.count(k)) for k in ("post", "repost"))
    taken = dict.fromkeys(pools, 0)
    cycle = []
    for slot, kind in enumerate(pattern * need):
        event = pools[kind][taken[kind] % len(pools[kind])]
        taken[kind] += 1
        cycle += _keyed([event], f"s{slot}")
    return cycle


def _jetstream_sample(samples: Path | None) -> list[dict]:
    """The events of the real Jetstream capture in the samples (:data:`JETSTREAM_SAMPLE`; empty when absent)."""
    path = None if samples is None else samples / JETSTREAM_SAMPLE
    if path is None or not path.exists():
        return []
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


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


def build_postviews(
    path: Path, n: int, *, distinct: bool, at: str = "start", seed: Path = SEED, samples: Path | None = SAMPLES
) -> Path:
    """Write a JSON array of ``n`` postViews (as search results and ``getPosts`` return them), one JSON document.

    Items: the seed's own posts as postViews (author, record, counts, viewer, labels, as the AppView
    hydrates them) and the samples' real hydrated postViews, cycled. Every item gets its own URI (the
    reader keeps a repeated URI once); ``distinct`` gives every text a unique word (``at``: start or end). About 2.5 KB an
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
        if distinct:
            _word_record(v.get("record") or {}, k, at)
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
                block = (",\n".join(blocks[: min(per, n - i)])).replace(MARK, _cycle_no(c))
                f.write(("" if i == 0 else ",\n") + block)
        f.write("\n]\n")
