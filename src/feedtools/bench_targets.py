"""What ``feedtools bench`` judges its own run against (docs/performance.md, "Targets").

Each target is checked on the rows of the same run (:func:`target_lines`), so the distance to it is printed
beside the figures it comes from, never copied from an earlier run; a target whose feed was not in the run is
said to be unmeasured. The language check (:func:`seed_language_agreement`) compares the labels a parse gives
the bundled seed feed with the labels read by hand in ``data/seed_languages.csv``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from feedtools.paths import SEED, SEED_LANGUAGES

__all__ = ["LANGUAGE_STEP", "seed_language_agreement", "target_lines"]

#: The step of the language row (:func:`feedtools.bench_steps.seed_language_row`).
LANGUAGE_STEP = "language on the seed (hand-read labels)"
MIB_PER_GB = 1024


def seed_language_agreement(seed: Path = SEED, labels: Path = SEED_LANGUAGES) -> tuple[int, int]:
    """``(agree, labelled)``: how many of the hand-labelled posts of ``seed`` (``labels``: a CSV of ``position``
    and ``lang``, ``#`` comments) get that language from :func:`feedtools.load`, and how many are labelled.
    Raises ``OSError`` when a file cannot be read."""
    import polars as pl

    import feedtools

    gold = pl.read_csv(labels, comment_prefix="#", schema_overrides={"position": pl.Int64, "lang": pl.String})
    posts = feedtools.load(seed).posts.select("position", pl.col("lang").alias("detected"))
    joined = gold.join(posts, on="position", how="left")
    return joined.filter(pl.col("lang") == pl.col("detected")).height, gold.height


def _find(rows: Sequence[dict], fmt: str, step: str, *, items: int, texts: str | None = None) -> dict | None:
    """The first row of ``fmt``'s feed of ``items`` items (and ``texts``, when given) for ``step``."""
    for row in rows:
        same_feed = (row["format"], row["step"], row.get("items")) == (fmt, step, items) and texts in (
            None,
            row["texts"],
        )
        if same_feed and not str(row["note"]).startswith("FAILED"):
            return row
    return None


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def _jetstream(rows: Sequence[dict]) -> str:
    parse = _find(rows, "jetstream", "parse", items=1_000_000)
    floor = _find(rows, "jetstream", "decode floor (orjson, every line)", items=1_000_000)
    what = "Jetstream, 1M events: whole parse <= 3x the orjson decode floor (time), peak < 1 GB"
    if parse is None or floor is None or floor["seconds"] <= 0:
        return f"{what}: not measured in this run"
    wall = parse["seconds"] / floor["seconds"]
    parse_cpu, floor_cpu = (r.get("cpu_seconds") or float(r["cpu"]) for r in (parse, floor))
    cpu = parse_cpu / floor_cpu if floor_cpu > 0 else float("nan")
    ok = wall <= 3 and parse["peak_mb"] < MIB_PER_GB
    return (
        f"{what}: {parse['seconds']:.1f} s against {floor['seconds']:.1f} s, {wall:.1f}x (CPU {cpu:.1f}x), "
        f"peak {parse['peak_mb']:,.0f} MB{_language_share(rows, parse_cpu, floor_cpu)}: {_verdict(ok)}"
    )


def _language_share(rows: Sequence[dict], parse_cpu: float, floor_cpu: float) -> str:
    """What language identification alone costs on the 1M-event capture's posts (its floor row, when the run
    measured it), and the parse's CPU as a multiple of both floors together; empty without that row."""
    lang = _find(rows, "jetstream", "language floor (fastText alone)", items=1_000_000)
    if lang is None or floor_cpu <= 0:
        return ""
    lang_cpu = float(lang["seconds"])
    return (
        f"; fastText alone on its posts' {lang['rows']:,} lines {lang_cpu:.1f} CPU-s ({lang_cpu / floor_cpu:.1f}x "
        f"the decode floor), the parse {parse_cpu / (floor_cpu + lang_cpu):.1f}x both floors together (CPU)"
    )


def _postviews(rows: Sequence[dict]) -> str:
    parse = _find(rows, "postviews", "parse", items=100_000)
    what = "JSON array of 100k postViews: peak < 1 GB and < 2x the file"
    if parse is None or not parse.get("file_mb"):
        return f"{what}: not measured in this run"
    ratio = parse["peak_mb"] / parse["file_mb"]
    ok = parse["peak_mb"] < MIB_PER_GB and ratio < 2
    return f"{what}: peak {parse['peak_mb']:,.0f} MB, {ratio:.2f}x the {parse['file_mb']:,.0f} MB file: {_verdict(ok)}"


def _scrape(rows: Sequence[dict]) -> str:
    parse = _find(rows, "scrape", "parse", items=1_000_000, texts="distinct")
    what = "Profile scrape, 1M distinct items: <= 30 s, < 2 GB"
    if parse is None:
        return f"{what}: not measured in this run"
    ok = parse["seconds"] <= 30 and parse["peak_mb"] < 2 * MIB_PER_GB
    return f"{what}: {parse['seconds']:.1f} s, peak {parse['peak_mb']:,.0f} MB: {_verdict(ok)}"


def _language(rows: Sequence[dict]) -> str:
    row = next((r for r in rows if r["step"] == LANGUAGE_STEP), None)
    what = "Language on the seed: every hand-labelled post keeps its label"
    if row is None or str(row["note"]).startswith("FAILED"):
        return f"{what}: not measured in this run"
    agree, labelled = row["agree"], row["rows"]
    return f"{what}: {agree} of {labelled}: {_verdict(agree == labelled)}"


def target_lines(rows: Sequence[dict]) -> list[str]:
    """One Markdown list item per target, judged on ``rows`` (the run's rows, with ``items`` and, on parse
    rows, ``file_mb``): the figures, the ratio and **met** / **not met**, or that the run did not measure it."""
    return [f"* {line}" for line in (_jetstream(rows), _postviews(rows), _scrape(rows), _language(rows))]
