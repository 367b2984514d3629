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
* **Jetstream event mix**: ``real`` (the default: the real capture's proportions, 11% post
  creates, 10% reposts, 79% events only counted) or ``post-heavy`` (``--jetstream-mix``;
  the notes of its rows say which);
* **texts**: ``repeated`` (the items cycled as they are: few distinct texts, which
  flatters the once-per-distinct-text work), ``distinct`` (a unique word at the start of
  every text, so no two posts share the line fastText reads) and ``distinct-end`` (the
  word appended: long texts share that line, which flatters language identification).

For each feed it runs ``feedtools parse`` (and ``feedtools campaigns`` and
``feedtools timeline`` where they exist) as a subprocess and reports wall time,
posts per second and the child's peak resident memory (``os.wait4``). On each
profile scrape it also times a baseline written the way a research notebook
usually does this work (pandas, Python ``re``, ``langdetect`` per row) in a
subprocess; where that is too slow for the whole feed it runs on a sample and is
extrapolated linearly, and the table says so.

The feeds are built by :mod:`feedtools.bench_feeds`, the steps run by :mod:`feedtools.bench_steps` and the
table printed by :mod:`feedtools.bench_table`; this module holds the options, the run over every feed
(:func:`run_bench`), and what the children it starts measure (the notebook baseline and the floors).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import orjson

from feedtools.bench_feeds import BENCH_DID, JETSTREAM_MIXES, MARK, build_jetstream, build_postviews, build_scrape
from feedtools.bench_steps import (
    Run,
    analysis_rows,
    baseline_row,
    jetstream_floor_rows,
    language_floor_row,
    pairs_row,
    parse_row,
    run_measured,
    seed_language_row,
    spark_row,
    startup_row,
)
from feedtools.bench_table import Table
from feedtools.bench_targets import seed_language_agreement, target_lines
from feedtools.errors import OptionError
from feedtools.paths import SAMPLES

__all__ = [
    "BENCH_DID",
    "MARK",
    "SIZES",
    "Run",
    "build_jetstream",
    "build_postviews",
    "build_scrape",
    "decode_floor",
    "fasttext_floor",
    "fasttext_lines",
    "main",
    "notebook_baseline",
    "parse_sizes",
    "read_only",
    "run_bench",
    "run_measured",
]

SIZES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
#: Profile scrapes larger than this are not built (a profile page never has millions of items; see the table's note).
SCRAPE_MAX_ITEMS = 2_000_000
#: JSON-array post lists larger than this are not built (the row measures memory against the file; 100k is ~250 MB).
POSTVIEWS_MAX_ITEMS = 200_000
#: Baseline: rows run through pandas + re, and texts through langdetect, before extrapolating.
BASELINE_ROWS = 100_000
BASELINE_LANG_TEXTS = 2_000

BENCH_FORMATS = ("scrape", "jetstream", "postviews")
SUFFIX = {"scrape": "txt", "jetstream": "jsonl", "postviews": "json"}
#: How each format's feed is built.
BUILDERS = {"scrape": build_scrape, "jetstream": build_jetstream, "postviews": build_postviews}
#: The text variants (``--texts``): whether each text gets a unique word, and where (see :mod:`bench_feeds`).
VARIANTS = {"repeated": (False, "start"), "distinct": (True, "start"), "distinct-end": (True, "end")}


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
    # Imported before any clock starts, as a notebook imports them in its first cell.
    import emoji  # noqa: F401
    import langdetect  # noqa: F401
    import pandas  # noqa: F401

    t0 = time.perf_counter()
    name, items = _scrape_items(path)
    t_read = time.perf_counter() - t0
    n_items = len(items)

    t0 = time.perf_counter()
    df = _notebook_table(items[:max_rows], name)
    t_table = time.perf_counter() - t0
    n_table = len(df)

    texts = df.loc[~df["is_placeholder"], "text_clean"]
    text_share = len(texts) / max(1, n_table)
    t_lang = _langdetect_seconds(texts.head(lang_texts))
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


def _scrape_items(path: Path) -> tuple[str, list[str]]:
    """The baseline's reading: the profile's name (first line) and the items (``- …`` lines, without the dash)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    return lines[0].strip(), [line[2:] for line in lines if line.startswith("- ")]


def _notebook_table(items: list[str], name: str):
    """The baseline's table work, as a notebook writes it: a pandas frame of the items with the repost split,
    cleaned text, hashtags, mentions, links, domains, emoji and duplicates, one Python call per row."""
    import re
    import unicodedata
    from urllib.parse import urlparse

    import emoji
    import pandas as pd

    df = pd.DataFrame({"raw": items})
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
    return df


def _langdetect_seconds(texts) -> float:
    """Seconds ``langdetect`` takes on each of ``texts`` (a pandas Series), applied row by row (``und`` where it
    cannot tell)."""
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0

    def lang(t: str) -> str:
        try:
            return detect(t)
        except LangDetectException:
            return "und"

    t0 = time.perf_counter()
    texts.apply(lang)
    return time.perf_counter() - t0


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
    jetstream_mixes: Sequence[str] = ("real",),
) -> list[dict]:
    """Build every feed, run the commands on it, print one Markdown table row per step; return the rows.

    ``variants``: keys of :data:`VARIANTS`; ``jetstream_mixes``: keys of
    :data:`feedtools.bench_feeds.JETSTREAM_MIXES` (each Jetstream row's note starts with its mix).
    ``spark``: also parse each feed with ``python -m feedtools.spark parse`` in ``local[2]`` (a row
    ``parse (Spark local[2])``), skipped with a note where pyspark or Java is missing."""
    table = Table(out)
    baseline, spark = _available(table, baseline=baseline, spark=spark)
    commands = _subcommands()
    analyses = [s for s in ("campaigns", "timeline") if s in commands]
    tmp = Path(tempfile.mkdtemp(prefix="feedtools-bench-", dir=workdir))
    samples = SAMPLES if SAMPLES.is_dir() else None
    table.say(
        f"feedtools bench: items from the seed feed{' and ' + str(SAMPLES) if samples else ''}; "
        f"{os.cpu_count()} cores; temp folder {tmp} (deleted at the end)"
    )
    table.header()
    try:
        startup_row(tmp, table.emit)
        seed_language_row(tmp, table.emit)
        for label, n in sizes:
            for fmt in formats:
                if _skipped(table, fmt, label, n):
                    continue
                for variant in variants:
                    for mix in jetstream_mixes if fmt == "jetstream" else [""]:
                        feed = tmp / f"{fmt}_{variant}_{mix}_{label}.{SUFFIX[fmt]}"
                        distinct, at = VARIANTS[variant]
                        if mix:
                            build_jetstream(feed, n, distinct=distinct, at=at, mix=mix, samples=samples)
                        else:
                            BUILDERS[fmt](feed, n, distinct=distinct, at=at, samples=samples)
                        _flush_to_disk(feed)
                        emit = _noted(table, JETSTREAM_MIXES[mix]) if mix else table.emit
                        try:
                            base = {"format": fmt, "texts": variant, "size": label, "items": n}
                            steps = analyses if n <= analyses_up_to else []
                            _bench_feed(feed, n, base, tmp, emit, analyses=steps, spark=spark, baseline=baseline)
                        finally:
                            feed.unlink(missing_ok=True)
        table.say("\nAgainst the targets (docs/performance.md), from this run:\n")
        for line in target_lines(table.rows):
            table.say(line)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return table.rows


def _flush_to_disk(path: Path) -> None:
    """Write ``path``'s pages out before it is timed (fsync): a parse started right after the feed was built
    otherwise shares the cores with the kernel writing those pages back (measured: 1M scrape items parsed in
    30-32 s just after building, 25-26 s once written out)."""
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _noted(table: Table, label: str):
    """:meth:`Table.emit` with ``label`` at the start of every row's note."""

    def emit(row: dict) -> None:
        table.emit({**row, "note": f"{label}; {row['note']}"})

    return emit


def _available(table: Table, *, baseline: bool, spark: bool) -> tuple[bool, bool]:
    """``(baseline, spark)``: each as asked, turned off (saying why, before the table) where what it needs is
    missing (pandas and langdetect; pyspark and Java)."""
    import importlib.util

    if baseline and not all(importlib.util.find_spec(m) for m in ("pandas", "langdetect")):
        table.say("notebook baseline skipped: pandas and langdetect are not installed (pip install feedtools[bench])")
        baseline = False
    if spark:
        from feedtools.spark import _env_check

        why = _env_check()
        if why:
            table.say(f"Spark rows skipped: {why}")
            spark = False
    return baseline, spark


def _skipped(table: Table, fmt: str, label: str, n: int) -> bool:
    """Whether the feed of ``fmt`` with ``n`` items is too large to build (a line in the table says why)."""
    if fmt == "scrape" and n > SCRAPE_MAX_ITEMS:
        table.skipped(
            "scrape",
            label,
            f"profile scrapes are built up to {SCRAPE_MAX_ITEMS:,} items (a profile page never has {n:,}); "
            f"memory at this scale is measured on Jetstream.",
        )
        return True
    if fmt == "postviews" and n > POSTVIEWS_MAX_ITEMS:
        table.skipped(
            "postviews",
            label,
            f"JSON-array post lists are built up to {POSTVIEWS_MAX_ITEMS:,} items (~2.5 KB each on disk)",
        )
        return True
    return False


def _bench_feed(
    feed: Path, n: int, base: dict, tmp: Path, emit, *, analyses: Sequence[str], spark: bool, baseline: bool
) -> None:
    """Every step on one built feed of ``n`` items: parse, then (unless parse failed or the feed is a JSON-array
    post list, parse only) the floors of its format, Spark, the analyses on the parsed table, the pairs, the
    baseline on a scrape. ``emit`` prints and keeps a row."""
    parsed = tmp / "posts.parquet"
    row = parse_row(feed, parsed, n, base, tmp, emit)
    if row is None or base["format"] == "postviews":  # postviews: the steps after parse read the same table
        return
    if base["format"] == "jetstream":
        jetstream_floor_rows(feed, base, row, tmp, emit)
    language_floor_row(feed, base, row, tmp, emit)  # scrape and Jetstream: their posts' language
    if spark:
        spark_row(feed, base, tmp, emit)
    analysis_rows(analyses, parsed, base, row["rows"], tmp, emit)
    if "campaigns" in analyses:
        pairs_row(feed, base, row["rows"], tmp, emit)
    if baseline and base["format"] == "scrape":
        baseline_row(feed, base, row, tmp, emit)


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


def fasttext_lines(texts: Sequence[str | None]) -> list[str]:
    """The lines ``feedtools parse`` gives fastText for these post texts, each once
    (:func:`feedtools.language.fasttext_lines`: the library's own preparation). In one process: the lines of a
    parse sharing the work between processes are split by chunk of rows, so it may score a few lines more than
    once."""
    import polars as pl

    from feedtools import language

    return language.fasttext_lines(pl.Series(list(texts), dtype=pl.String))


def fasttext_floor(path: Path) -> tuple[int, int, float]:
    """The floor of language identification on a feed: fastText alone (best label) on exactly the lines the
    pipeline gives it (:func:`fasttext_lines`).

    Reads the feed and prepares the lines first (not timed), then returns ``(lines, distinct texts, CPU
    seconds)`` of the predict loop alone: no entity stripping, letter counting, slicing or table work.
    """
    from feedtools.language import _model
    from feedtools.readers import read_raw

    texts = read_raw(path).posts["text"]
    lines = fasttext_lines(texts.to_list())
    predict = _model().f.predict
    t0 = time.process_time()
    for line in lines:
        predict(line, 1, 0.0, "strict")
    return len(lines), texts.drop_nulls().n_unique(), time.process_time() - t0


def read_only(path: Path) -> int:
    """The reader alone (no cleaning, language or output), streamed as ``feedtools parse`` reads: the rows of
    each batch of :func:`feedtools.readers.iter_read`, counted and dropped, so the peak memory is the reader's
    (one batch at a time), not a whole table's."""
    from feedtools.readers import iter_read

    rows = 0
    for batch in iter_read(path):
        rows += batch.posts.height
        del batch  # not held while the reader builds the next one
    return rows


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
        help="repeated (items cycled as they are), distinct (a unique word at the start of every text), "
        "distinct-end (the word appended: long texts share the 200 characters fastText reads), comma-separated "
        "(default: repeated,distinct)",
    )
    p.add_argument(
        "--jetstream-mix",
        default="real",
        help="Jetstream event mix(es), comma-separated: real (the real capture's 11%% posts, 10%% reposts, "
        "79%% events only counted) and/or post-heavy (the seed's items as events, then each real event once) "
        "(default: real)",
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
    bad = [v for v in variants if v not in VARIANTS]
    if bad or not variants:
        raise OptionError(f"unknown text variant(s) {bad or variants}: use {', '.join(VARIANTS)}")
    mixes = [m.strip() for m in getattr(args, "jetstream_mix", "real").split(",") if m.strip()]
    bad = [m for m in mixes if m not in JETSTREAM_MIXES]
    if bad or not mixes:
        raise OptionError(f"unknown Jetstream mix(es) {bad or mixes}: use {', '.join(JETSTREAM_MIXES)}")
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
        jetstream_mixes=mixes,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m feedtools.bench``: the benchmark, or (``--baseline-only FILE``) one baseline run as JSON."""
    p = argparse.ArgumentParser(prog="python -m feedtools.bench", description=__doc__.splitlines()[0])
    p.add_argument("--baseline-only", type=Path, default=None, metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--floor-only", type=Path, default=None, metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--read-only", type=Path, default=None, metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--fasttext-only", type=Path, default=None, metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--seed-language-only", type=Path, default=None, metavar="FILE", help=argparse.SUPPRESS)
    add_arguments(p)
    args = p.parse_args(argv)
    if args.floor_only is not None:
        print(decode_floor(args.floor_only))
        return 0
    if args.read_only is not None:
        print(read_only(args.read_only))
        return 0
    if args.fasttext_only is not None:
        n, texts, cpu = fasttext_floor(args.fasttext_only)
        print(f"{n} {texts} {cpu:.3f}")
        return 0
    if args.seed_language_only is not None:
        print(*seed_language_agreement(labels=args.seed_language_only))
        return 0
    if args.baseline_only is not None:
        print(json.dumps(notebook_baseline(args.baseline_only)))
        return 0
    return run_from_args(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
