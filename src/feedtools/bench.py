"""The scale benchmark: ``feedtools bench`` (docs/performance.md). It prints; it is not a test.

It builds feeds of the requested sizes from real items, in a temporary folder that
is deleted afterwards:

* **items**: the bundled seed feed's 80 items (own posts, reposts, placeholders) and,
  where ``../shared/bluesky-samples/`` is present, the real Jetstream events and post
  texts there (read at run time, never copied into the project);
* **formats**: profile scrape (one item per line), Jetstream JSON Lines (seed items
  as post and repost events, plus the real events: likes, follows, deletes… which the
  reader counts as skipped) and a JSON array of postViews (search results, ``getPosts``:
  one JSON document, whose peak memory is printed against the file's size);
* **texts**: ``repeated`` (the items cycled as they are: few distinct texts, which
  flatters the once-per-distinct-text work) and ``distinct`` (a unique word appended
  to every text, so no two posts share a text).

For each feed it runs ``feedtools parse`` (and ``feedtools campaigns`` and
``feedtools timeline`` where they exist) as a subprocess and reports wall time,
posts per second and the child's peak resident memory (``os.wait4``). On each
profile scrape it also times a baseline written the way a research notebook
usually does this work (pandas, Python ``re``, ``langdetect`` per row) in a
subprocess; where that is too slow for the whole feed it runs on a sample and is
extrapolated linearly, and the table says so.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

__all__ = [
    "SIZES",
    "build_jetstream",
    "build_postviews",
    "build_scrape",
    "decode_floor",
    "fasttext_floor",
    "main",
    "notebook_baseline",
    "parse_sizes",
    "read_only",
    "run_bench",
]

SIZES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
from feedtools.errors import OptionError
from feedtools.paths import SAMPLES, SEED

MARK = "@@N@@"  # replaced by the cycle number in every template line
BENCH_DID = "did:plc:feedtoolsbenchseed0000"
#: Profile scrapes larger than this are not built (the reader reads one file at once; see the table's note).
SCRAPE_MAX_ITEMS = 2_000_000
#: JSON-array post lists larger than this are not built (the row measures memory against the file; 100k is ~250 MB).
POSTVIEWS_MAX_ITEMS = 200_000
#: Baseline: rows run through pandas + re, and texts through langdetect, before extrapolating.
BASELINE_ROWS = 100_000
BASELINE_LANG_TEXTS = 2_000


def parse_sizes(value: str) -> list[tuple[str, int]]:
    """``"100k,1m,10m"`` -> ``[("100k", 100000), …]``; plain numbers and ``k``/``m`` suffixes are accepted.

    Raises :class:`~feedtools.errors.OptionError` (a ``ValueError``, one line) for anything else.
    """
    out = []
    for part in (p.strip().lower() for p in value.split(",")):
        if not part:
            continue
        mult = {"k": 1_000, "m": 1_000_000}.get(part[-1], 1)
        digits = part[:-1] if mult > 1 else part
        try:
            n = int(float(digits) * mult)
        except ValueError:
            raise OptionError(f"bad size {part!r}: use e.g. 100k, 1m, 10m or a number") from None
        if n <= 0:
            raise OptionError(f"bad size {part!r}: must be positive")
        out.append((part, n))
    if not out:
        raise OptionError("no sizes given")
    return out


# ---------------------------------------------------------------------------------------------- feeds


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
    templates: list[dict] = []
    created, time_us = "2025-06-01T12:00:00.000Z", 1748779200000000
    for k, row in enumerate(posts.iter_rows(named=True)):
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
        templates.append(
            {
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
        )
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
    handle = "bench.example.org"
    templates: list[dict] = []
    own = raw.posts.filter(~raw.posts["is_repost"] & ~raw.posts["is_placeholder"])
    for k, row in enumerate(own.iter_rows(named=True)):
        templates.append(
            {
                "uri": f"at://{BENCH_DID}/app.bsky.feed.post/3lbench{k:04d}",
                "cid": "bafyreibenchpostviewcid0000000000000000000000000000000000",
                "author": {
                    "did": BENCH_DID,
                    "handle": handle,
                    "displayName": raw.meta.get("profile_name") or "Bench",
                    "avatar": f"https://cdn.bsky.app/img/avatar/plain/{BENCH_DID}/bafkreibenchavatar@jpeg",
                    "associated": {"activitySubscription": {"allowSubscriptions": "followers"}},
                    "viewer": {"muted": False, "blockedBy": False},
                    "labels": [],
                    "createdAt": "2023-05-01T10:00:00.000Z",
                },
                "record": {
                    "$type": "app.bsky.feed.post",
                    "createdAt": "2025-06-01T12:00:00.000Z",
                    "text": row["text"],
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
        )
    templates += [json.loads(json.dumps(v)) for v in _sample_postviews(samples)]
    blocks = []
    for k, v in enumerate(templates):
        v["uri"] = v["uri"] + "z" + MARK  # a distinct record key in every cycle
        rec = v.get("record") or {}
        if distinct and isinstance(rec.get("text"), str) and rec["text"]:
            rec["text"] = rec["text"] + _token(k)  # appended: facet byte offsets stay valid
        blocks.append(orjson.dumps(v, option=orjson.OPT_INDENT_2).decode("utf-8"))
    per = len(blocks)
    with open(path, "w", encoding="utf-8") as f:
        f.write("[\n")
        for i in range(n):
            c, k = divmod(i, per)
            if k == 0:
                block = (",\n".join(blocks[: min(per, n - i)])).replace(MARK, str(c))
                f.write(("" if i == 0 else ",\n") + block)
        f.write("\n]\n")
    return path


# ---------------------------------------------------------------------------------------------- running


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    peak_mb: float
    returncode: int
    last_line: str


def run_measured(cmd: Sequence[str], log: Path) -> Run:
    """Run ``cmd`` as a child process: wall time, CPU time and peak RSS of that child (``os.wait4``), exit code,
    last line of its output."""
    t0 = time.perf_counter()
    with open(log, "wb") as err:
        proc = subprocess.Popen(list(cmd), stdout=err, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return Run(
        seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, lines[-1] if lines else ""
    )


def _feedtools(*args: str) -> list[str]:
    return [sys.executable, "-m", "feedtools.cli", *args]


def _subcommands() -> set[str]:
    """The commands this version has, from the public registry (never from the argument parser)."""
    from feedtools.commands import COMMANDS

    return set(COMMANDS)


def notebook_baseline(path: Path, *, max_rows: int = BASELINE_ROWS, lang_texts: int = BASELINE_LANG_TEXTS) -> dict:
    """Time the usual notebook approach on a profile scrape: pandas, Python ``re``, ``langdetect`` row by row.

    The table work runs on the first ``max_rows`` items and language detection on the
    first ``lang_texts`` texts; times are extrapolated linearly to the whole feed when
    it is larger (``extrapolated`` says so). Returns seconds and counts.
    """
    import re
    import unicodedata
    from urllib.parse import urlparse

    import emoji
    import pandas as pd
    from langdetect import DetectorFactory, LangDetectException, detect

    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    name = lines[0].strip()
    items = [line[2:] for line in lines if line.startswith("- ")]
    t_read = time.perf_counter() - t0
    n_items = len(items)

    t0 = time.perf_counter()
    df = pd.DataFrame({"raw": items[:max_rows]})
    df["is_repost"] = df["raw"].str.startswith("Reposted by ")
    df["text"] = df["raw"].str.replace("^Reposted by " + re.escape(name), "", regex=True)
    df["is_placeholder"] = df["text"] == "[Not loaded yet]"
    df["text_clean"] = df["text"].apply(lambda t: " ".join(unicodedata.normalize("NFKC", t).split()))
    df["hashtags"] = df["text"].apply(lambda t: re.findall(r"#(\w+)", t))
    df["mentions"] = df["text"].apply(lambda t: [m.lower() for m in re.findall(r"@([\w-]+(?:\.[\w-]+)+)", t)])
    df["urls"] = df["text"].apply(lambda t: re.findall(r"(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?", t))
    df["domains"] = df["urls"].apply(lambda us: [urlparse(u if "://" in u else "http://" + u).netloc for u in us])
    df["emojis"] = df["text"].apply(lambda t: [e["emoji"] for e in emoji.emoji_list(t)])
    df["duplicate"] = df.duplicated(subset=["is_repost", "text_clean"]) & ~df["is_placeholder"]
    t_table = time.perf_counter() - t0
    n_table = len(df)

    DetectorFactory.seed = 0

    def lang(t: str) -> str:
        try:
            return detect(t)
        except LangDetectException:
            return "und"

    texts = df.loc[~df["is_placeholder"], "text_clean"]
    text_share = len(texts) / max(1, n_table)
    t0 = time.perf_counter()
    texts.head(lang_texts).apply(lang)
    t_lang = time.perf_counter() - t0
    n_lang = min(lang_texts, len(texts))

    per_row = t_table / max(1, n_table)
    per_text = t_lang / max(1, n_lang)
    total = t_read + per_row * n_items + per_text * n_items * text_share
    return {
        "items": n_items,
        "seconds": total,
        "table_rows": n_table,
        "lang_texts": n_lang,
        "extrapolated": n_table < n_items or n_lang < n_items * text_share,
        "langdetect_per_s": n_lang / t_lang if t_lang else None,
    }


def _fmt_rate(n: float, s: float) -> str:
    return f"{n / s:,.0f}" if s > 0 else "-"


BENCH_FORMATS = ("scrape", "jetstream", "postviews")
SUFFIX = {"scrape": "txt", "jetstream": "jsonl", "postviews": "json"}


def run_bench(
    sizes: Sequence[tuple[str, int]],
    *,
    formats: Sequence[str] = BENCH_FORMATS,
    variants: Sequence[str] = ("repeated", "distinct"),
    baseline: bool = True,
    analyses_up_to: int = 1_000_000,
    workdir: Path | None = None,
    out=sys.stdout,
    spark: bool = True,
) -> list[dict]:
    """Build every feed, run the commands on it, print one Markdown table row per step; return the rows.

    ``spark``: also parse each feed with ``python -m feedtools.spark parse`` in ``local[2]`` (a row
    ``parse (Spark local[2])``), skipped with a note where pyspark or Java is missing."""
    import importlib.util

    if baseline and not all(importlib.util.find_spec(m) for m in ("pandas", "langdetect")):
        print(
            "notebook baseline skipped: pandas and langdetect are not installed (pip install feedtools[bench])",
            file=out,
        )
        baseline = False
    if spark:
        from feedtools.spark import _env_check

        why = _env_check()
        if why:
            print(f"Spark rows skipped: {why}", file=out)
            spark = False
    commands = _subcommands()
    analyses = [s for s in ("campaigns", "timeline") if s in commands]
    rows: list[dict] = []
    tmp = Path(tempfile.mkdtemp(prefix="feedtools-bench-", dir=workdir))
    samples = SAMPLES if SAMPLES.is_dir() else None
    print(
        f"feedtools bench: items from the seed feed{' and ' + str(SAMPLES) if samples else ''}; "
        f"{os.cpu_count()} cores; temp folder {tmp} (deleted at the end)",
        file=out,
    )
    print("| format | texts | items | step | rows | seconds | CPU s | rows/s | peak MB | note |", file=out)
    print("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |", file=out, flush=True)

    def emit(row: dict) -> None:
        rows.append(row)
        print(
            f"| {row['format']} | {row['texts']} | {row['size']} | {row['step']} | {row['rows']:,} | "
            f"{row['seconds']:.1f} | {row['cpu']} | {_fmt_rate(row['rows'], row['seconds'])} | "
            f"{row['peak_mb']:,.0f} | {row['note']} |",
            file=out,
            flush=True,
        )

    try:
        # What every command pays before reading anything (imports), to read the rows below against.
        r = run_measured(_feedtools("--version"), tmp / "log")
        emit(
            {
                "format": "-",
                "texts": "-",
                "size": "-",
                "step": "startup (feedtools --version)",
                "rows": 0,
                "seconds": r.seconds,
                "cpu": f"{r.cpu_seconds:.1f}",
                "peak_mb": r.peak_mb,
                "note": "imports only; included in every row",
            }
        )
        for label, n in sizes:
            for fmt in formats:
                if fmt == "scrape" and n > SCRAPE_MAX_ITEMS:
                    print(
                        f"| scrape | - | {label} | parse | - | - | - | - | - | skipped: the scrape reader holds "
                        f"one file in memory (~1.3 GB per million items); a profile page never has "
                        f"{n:,} items. Memory at this scale is measured on Jetstream. |",
                        file=out,
                        flush=True,
                    )
                    continue
                if fmt == "postviews" and n > POSTVIEWS_MAX_ITEMS:
                    print(
                        f"| postviews | - | {label} | parse | - | - | - | - | - | skipped: JSON-array post lists "
                        f"are built up to {POSTVIEWS_MAX_ITEMS:,} items (~2.5 KB each on disk) |",
                        file=out,
                        flush=True,
                    )
                    continue
                for variant in variants:
                    feed = tmp / f"{fmt}_{variant}_{label}.{SUFFIX[fmt]}"
                    build = {"scrape": build_scrape, "jetstream": build_jetstream, "postviews": build_postviews}[fmt]
                    build(feed, n, distinct=(variant == "distinct"), samples=samples)
                    base = {"format": fmt, "texts": variant, "size": label}
                    out_parquet = tmp / "posts.parquet"
                    r = run_measured(_feedtools("parse", str(feed), "-o", str(out_parquet), "--quiet"), tmp / "log")
                    if r.returncode != 0:
                        emit(
                            {
                                **base,
                                "step": "parse",
                                "rows": 0,
                                "seconds": r.seconds,
                                "cpu": f"{r.cpu_seconds:.1f}",
                                "peak_mb": r.peak_mb,
                                "note": f"FAILED ({r.returncode}): {r.last_line[:80]}",
                            }
                        )
                        feed.unlink(missing_ok=True)
                        continue
                    n_rows = _rows_of(out_parquet)
                    size_mb = feed.stat().st_size / 2**20
                    note = f"{n:,} items, {size_mb:,.0f} MB"
                    if fmt == "postviews":  # one JSON document: memory against the file is what this row is for
                        note += (
                            f"; peak {r.peak_mb / size_mb:.1f}x the file"
                            if size_mb >= 1
                            else "; file under 1 MB (peak is the startup's)"
                        )
                    parse_row = {
                        **base,
                        "step": "parse",
                        "rows": n_rows,
                        "seconds": r.seconds,
                        "cpu": f"{r.cpu_seconds:.1f}",
                        "peak_mb": r.peak_mb,
                        "note": note,
                    }
                    emit(parse_row)
                    if fmt == "postviews":  # parse only: the steps after it read the same Parquet table
                        feed.unlink(missing_ok=True)
                        continue
                    if fmt == "jetstream":
                        _jetstream_floor_rows(feed, base, parse_row, n_rows, tmp, emit)
                    if fmt == "scrape":
                        _language_floor_row(feed, base, parse_row, tmp, emit)
                    if spark:
                        sdir = tmp / "spark_posts"
                        sr = run_measured(
                            [
                                sys.executable,
                                "-m",
                                "feedtools.spark",
                                "parse",
                                str(feed),
                                "-o",
                                str(sdir),
                                "--master",
                                "local[2]",
                            ],
                            tmp / "log",
                        )
                        ok = sr.returncode == 0
                        emit(
                            {
                                **base,
                                "step": "parse (Spark local[2])",
                                "rows": _rows_of_dataset(sdir) if ok else 0,
                                "seconds": sr.seconds,
                                "cpu": f"{sr.cpu_seconds:.1f}",
                                "peak_mb": sr.peak_mb,
                                "note": "same inputs; includes JVM and session start; peak MB is the largest "
                                "process (the JVM or a Python worker), not their sum"
                                if ok
                                else f"FAILED ({sr.returncode}): {sr.last_line[:80]}",
                            }
                        )
                        shutil.rmtree(sdir, ignore_errors=True)
                    for step in analyses:
                        if n > analyses_up_to:
                            continue
                        target = tmp / f"{step}.parquet"
                        a = run_measured(_feedtools(step, str(out_parquet), "-o", str(target)), tmp / "log")
                        note = (
                            "on the parsed Parquet (columns it needs, scanned)"
                            if a.returncode == 0
                            else f"FAILED ({a.returncode}): {a.last_line[:80]}"
                        )
                        emit(
                            {
                                **base,
                                "step": step,
                                "rows": n_rows,
                                "seconds": a.seconds,
                                "cpu": f"{a.cpu_seconds:.1f}",
                                "peak_mb": a.peak_mb,
                                "note": note,
                            }
                        )
                    if "campaigns" in analyses and n <= analyses_up_to:
                        # cross-language pairs (feedtools.similarity): the feed read twice in chunks of posts
                        pq = tmp / "pairs.parquet"
                        a = run_measured(
                            _feedtools("campaigns", str(feed), "-o", str(tmp / "c.parquet"), "--pairs", str(pq)),
                            tmp / "log",
                        )
                        ok = a.returncode == 0
                        emit(
                            {
                                **base,
                                "step": "campaigns --pairs",
                                "rows": n_rows,
                                "seconds": a.seconds,
                                "cpu": f"{a.cpu_seconds:.1f}",
                                "peak_mb": a.peak_mb,
                                "note": f"{_rows_of(pq):,} cross-language pairs (window 12)"
                                if ok
                                else f"FAILED ({a.returncode}): {a.last_line[:80]}",
                            }
                        )
                        pq.unlink(missing_ok=True)
                    if baseline and fmt == "scrape":
                        b = run_measured(
                            [sys.executable, "-m", "feedtools.bench", "--baseline-only", str(feed)], tmp / "log"
                        )
                        try:
                            res = json.loads(b.last_line)
                        except json.JSONDecodeError:
                            emit(
                                {
                                    **base,
                                    "step": "notebook baseline",
                                    "rows": 0,
                                    "seconds": b.seconds,
                                    "cpu": f"{b.cpu_seconds:.1f}",
                                    "peak_mb": b.peak_mb,
                                    "note": f"FAILED: {b.last_line[:80]}",
                                }
                            )
                        else:
                            ratio = res["seconds"] / parse_row["seconds"] if parse_row["seconds"] else float("nan")
                            how = (
                                f"EXTRAPOLATED from {res['table_rows']:,} rows (pandas+re) and "
                                f"{res['lang_texts']:,} texts (langdetect)"
                                if res["extrapolated"]
                                else "measured"
                            )
                            emit(
                                {
                                    **base,
                                    "step": "notebook baseline",
                                    "rows": res["items"],
                                    "seconds": res["seconds"],
                                    "cpu": "-",
                                    "peak_mb": b.peak_mb,
                                    "note": f"{how}; parse is {ratio:,.1f}x faster",
                                }
                            )
                    feed.unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def decode_floor(path: Path) -> int:
    """The floor of reading a JSON Lines capture: decode every non-blank line with orjson, build nothing else.
    Returns the number of lines decoded (undecodable lines are counted too)."""
    loads, n = orjson.loads, 0
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                n += 1
                try:
                    loads(line)
                except orjson.JSONDecodeError:
                    pass
    return n


def fasttext_floor(path: Path) -> tuple[int, float]:
    """The floor of language identification on a feed: fastText alone (best label) on each distinct text.

    Reads the feed first (not timed), then returns ``(texts, CPU seconds)`` of the predict loop
    alone: no entity stripping, letter counting, slicing or table work.
    """
    from feedtools.language import _model
    from feedtools.readers import read_raw

    texts = read_raw(path).posts["text"].drop_nulls().unique().str.replace_all("\n", " ", literal=True).to_list()
    predict = _model().f.predict
    t0 = time.process_time()
    for t in texts:
        predict(t + "\n", 1, 0.0, "strict")
    return len(texts), time.process_time() - t0


def read_only(path: Path) -> int:
    """The reader alone (no cleaning, language or output): rows of :func:`feedtools.readers.read_raw`."""
    from feedtools.readers import read_raw

    return read_raw(path).posts.height


def _jetstream_floor_rows(feed: Path, base: dict, parse_row: dict, n_rows: int, tmp: Path, emit) -> None:
    """Rows for the reader alone and for the decode floor, measured now, with the ratios to the floor."""
    runs = {}
    for what in ("floor", "read"):
        runs[what] = run_measured([sys.executable, "-m", "feedtools.bench", f"--{what}-only", str(feed)], tmp / "log")
    floor, read = runs["floor"], runs["read"]
    ok = floor.returncode == 0 and read.returncode == 0 and floor.cpu_seconds > 0
    emit(
        {
            **base,
            "step": "decode floor (orjson, every line)",
            "rows": int(floor.last_line or 0) if ok else 0,
            "seconds": floor.seconds,
            "cpu": f"{floor.cpu_seconds:.1f}",
            "peak_mb": floor.peak_mb,
            "note": "the floor: decoding alone" if ok else f"FAILED: {floor.last_line[:80]}",
        }
    )
    if not ok:
        return
    emit(
        {
            **base,
            "step": "read (reader only)",
            "rows": int(read.last_line),
            "seconds": read.seconds,
            "cpu": f"{read.cpu_seconds:.1f}",
            "peak_mb": read.peak_mb,
            "note": f"{read.cpu_seconds / floor.cpu_seconds:.1f}x the floor (CPU); "
            f"whole parse {float(parse_row['cpu']) / floor.cpu_seconds:.1f}x",
        }
    )


def _language_floor_row(feed: Path, base: dict, parse_row: dict, tmp: Path, emit) -> None:
    """A row for fastText alone on the feed's distinct texts (:func:`fasttext_floor`), measured now, with the
    whole parse's CPU time as a multiple of it."""
    r = run_measured([sys.executable, "-m", "feedtools.bench", "--fasttext-only", str(feed)], tmp / "log")
    try:
        n_texts, cpu = (float(x) for x in r.last_line.split())
    except ValueError:
        emit(
            {
                **base,
                "step": "language floor (fastText alone)",
                "rows": 0,
                "seconds": r.seconds,
                "cpu": "-",
                "peak_mb": r.peak_mb,
                "note": f"FAILED: {r.last_line[:80]}",
            }
        )
        return
    ratio = float(parse_row["cpu"]) / cpu if cpu > 0 else float("nan")
    emit(
        {
            **base,
            "step": "language floor (fastText alone)",
            "rows": int(n_texts),
            "seconds": cpu,
            "cpu": f"{cpu:.1f}",
            "peak_mb": r.peak_mb,
            "note": f"predict loop only, distinct texts (seconds = its CPU); whole parse {ratio:.1f}x (CPU)",
        }
    )


def _rows_of(parquet: Path) -> int:
    import polars as pl

    return int(pl.scan_parquet(parquet).select(pl.len()).collect().item())


def _rows_of_dataset(folder: Path) -> int:
    from feedtools.dataset import part_files

    files = part_files(folder)
    return sum(_rows_of(f) for f in files)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``feedtools bench`` (also used by ``python -m feedtools.bench``)."""
    p.add_argument(
        "--sizes",
        default="100k,1m,10m",
        help="feed sizes in items (scrape) or events (Jetstream), comma-separated, e.g. 100k,1m (default: 100k,1m,10m)",
    )
    p.add_argument(
        "--formats",
        default=",".join(BENCH_FORMATS),
        help="scrape, jetstream and/or postviews (a JSON array of postViews, parse only), comma-separated "
        "(default: all three)",
    )
    p.add_argument(
        "--texts",
        default="repeated,distinct",
        help="repeated (items cycled as they are), distinct (a unique word appended to every text) "
        "or both (default: both)",
    )
    p.add_argument("--no-baseline", action="store_true", help="skip the pandas/re/langdetect notebook baseline")
    p.add_argument(
        "--analyses-up-to",
        default="1m",
        metavar="SIZE",
        help="run the campaign and timeline steps (on the parsed Parquet) on feeds up to this size (default 1m)",
    )
    p.add_argument(
        "--no-spark",
        action="store_true",
        help="skip the Spark rows (python -m feedtools.spark parse in local[2]; needs the spark extra "
        "and Java; skipped with a note where they are missing)",
    )
    p.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where to build the temporary feeds (default: the system temp folder)",
    )


def run_from_args(args: argparse.Namespace, out=sys.stdout) -> int:
    """Validate the options and run the benchmark; :class:`~feedtools.errors.OptionError` (one line) for bad options."""
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in BENCH_FORMATS]
    if bad or not formats:
        raise OptionError(f"unknown format(s) {bad or formats}: use scrape, jetstream and/or postviews")
    variants = [v.strip() for v in args.texts.split(",") if v.strip()]
    bad = [v for v in variants if v not in ("repeated", "distinct")]
    if bad or not variants:
        raise OptionError(f"unknown text variant(s) {bad or variants}: use repeated and/or distinct")
    if "jetstream" in formats:
        from feedtools.readers import FORMATS

        if "jetstream" not in FORMATS:
            raise OptionError("the Jetstream reader is not available in this version")
    run_bench(
        parse_sizes(args.sizes),
        formats=formats,
        variants=variants,
        baseline=not args.no_baseline,
        analyses_up_to=parse_sizes(args.analyses_up_to)[0][1],
        workdir=args.workdir,
        out=out,
        spark=not getattr(args, "no_spark", False),
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m feedtools.bench``: the benchmark, or (``--baseline-only FILE``) one baseline run as JSON."""
    p = argparse.ArgumentParser(prog="python -m feedtools.bench", description=__doc__.splitlines()[0])
    p.add_argument("--baseline-only", type=Path, default=None, metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--floor-only", type=Path, default=None, metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--read-only", type=Path, default=None, metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--fasttext-only", type=Path, default=None, metavar="FILE", help=argparse.SUPPRESS)
    add_arguments(p)
    args = p.parse_args(argv)
    if args.floor_only is not None:
        print(decode_floor(args.floor_only))
        return 0
    if args.read_only is not None:
        print(read_only(args.read_only))
        return 0
    if args.fasttext_only is not None:
        n, cpu = fasttext_floor(args.fasttext_only)
        print(f"{n} {cpu:.3f}")
        return 0
    if args.baseline_only is not None:
        print(json.dumps(notebook_baseline(args.baseline_only)))
        return 0
    return run_from_args(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
