"""The steps ``feedtools bench`` times (:mod:`feedtools.bench`) on each built feed.

Every step runs as a child process (:func:`run_measured`: wall time, CPU time and peak resident memory of that
child, from ``os.wait4``) and adds its rows to the table through ``emit`` (:meth:`feedtools.bench_table.Table.emit`);
a step that fails gives a row whose note starts with ``FAILED`` and the last line of its output, never an
exception. ``base`` is the part of a row that names the feed (``format``, ``texts``, ``size``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Run",
    "analysis_rows",
    "baseline_row",
    "jetstream_floor_rows",
    "language_floor_row",
    "pairs_row",
    "parse_row",
    "run_measured",
    "seed_language_row",
    "spark_row",
    "startup_row",
]

Emit = Callable[[dict], None]


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


def _bench_only(option: str, feed: Path) -> list[str]:
    """``python -m feedtools.bench --OPTION FEED``: one measurement of :mod:`feedtools.bench` in a child."""
    return [sys.executable, "-m", "feedtools.bench", option, str(feed)]


def _row(base: dict, step: str, run: Run, rows: int, note: str, *, seconds: float | None = None, cpu: str = "") -> dict:
    """A table row for ``step`` measured by ``run`` (``seconds`` and ``cpu`` replace the run's when given)."""
    return {
        **base,
        "step": step,
        "rows": rows,
        "seconds": run.seconds if seconds is None else seconds,
        "cpu": cpu or f"{run.cpu_seconds:.1f}",
        "peak_mb": run.peak_mb,
        "note": note,
        "cpu_seconds": run.cpu_seconds if not cpu else None,  # unrounded, for ratios (None: ``cpu`` given)
    }


def _failed(run: Run) -> str:
    return f"FAILED ({run.returncode}): {run.last_line[:80]}"


def startup_row(tmp: Path, emit: Emit) -> None:
    """What every command pays before reading anything (imports), to read the other rows against."""
    r = run_measured(_feedtools("--version"), tmp / "log")
    base = {"format": "-", "texts": "-", "size": "-"}
    emit(_row(base, "startup (feedtools --version)", r, 0, "imports only; included in every row"))


def parse_row(feed: Path, parsed: Path, n: int, base: dict, tmp: Path, emit: Emit) -> dict | None:
    """``feedtools parse FEED -o PARSED`` (``n`` items); return its row, or ``None`` when it failed (a FAILED row)."""
    r = run_measured(_feedtools("parse", str(feed), "-o", str(parsed), "--quiet"), tmp / "log")
    if r.returncode != 0:
        emit(_row(base, "parse", r, 0, _failed(r)))
        return None
    size_mb = feed.stat().st_size / 2**20
    note = f"{n:,} items, {size_mb:,.0f} MB"
    if base["format"] == "postviews":  # one JSON document: memory against the file is what this row is for
        note += (
            f"; peak {r.peak_mb / size_mb:.2f}x the file"
            if size_mb >= 1
            else "; file under 1 MB (peak is the startup's)"
        )
    row = {**_row(base, "parse", r, _rows_of(parsed), note), "file_mb": size_mb}
    emit(row)
    return row


def seed_language_row(tmp: Path, emit: Emit) -> None:
    """A row for the labels a parse gives the bundled seed's loaded posts against the hand-read ones
    (:func:`feedtools.bench_targets.seed_language_agreement`, in a child), with ``agree`` kept in the row."""
    from feedtools.bench_targets import LANGUAGE_STEP
    from feedtools.paths import SEED_LANGUAGES

    r = run_measured(_bench_only("--seed-language-only", SEED_LANGUAGES), tmp / "log")
    base = {"format": "-", "texts": "-", "size": "seed"}
    try:
        agree, labelled = (int(x) for x in r.last_line.split())
    except ValueError:
        emit(_row(base, LANGUAGE_STEP, r, 0, f"FAILED: {r.last_line[:80]}"))
        return
    note = f"{agree} of {labelled} loaded posts get the language read by hand ({SEED_LANGUAGES.name})"
    emit({**_row(base, LANGUAGE_STEP, r, labelled, note), "agree": agree})


def spark_row(feed: Path, base: dict, tmp: Path, emit: Emit) -> None:
    """``python -m feedtools.spark parse`` on the same feed in ``local[2]``."""
    sdir = tmp / "spark_posts"
    cmd = [sys.executable, "-m", "feedtools.spark", "parse", str(feed), "-o", str(sdir), "--master", "local[2]"]
    sr = run_measured(cmd, tmp / "log")
    ok = sr.returncode == 0
    note = (
        "same inputs; includes JVM and session start; peak MB is the largest "
        "process (the JVM or a Python worker), not their sum"
        if ok
        else _failed(sr)
    )
    emit(_row(base, "parse (Spark local[2])", sr, _rows_of_dataset(sdir) if ok else 0, note))
    shutil.rmtree(sdir, ignore_errors=True)


def analysis_rows(steps: Sequence[str], parsed: Path, base: dict, n_rows: int, tmp: Path, emit: Emit) -> None:
    """Each analysis command (``campaigns``, ``timeline``) on the parsed Parquet table."""
    for step in steps:
        target = tmp / f"{step}.parquet"
        a = run_measured(_feedtools(step, str(parsed), "-o", str(target)), tmp / "log")
        note = "on the parsed Parquet (columns it needs, scanned)" if a.returncode == 0 else _failed(a)
        emit(_row(base, step, a, n_rows, note))


def pairs_row(feed: Path, base: dict, n_rows: int, tmp: Path, emit: Emit) -> None:
    """``campaigns --pairs``: cross-language pairs (:mod:`feedtools.similarity`), the feed read twice in chunks."""
    pq = tmp / "pairs.parquet"
    a = run_measured(
        _feedtools("campaigns", str(feed), "-o", str(tmp / "c.parquet"), "--pairs", str(pq)),
        tmp / "log",
    )
    note = f"{_rows_of(pq):,} cross-language pairs (window 12)" if a.returncode == 0 else _failed(a)
    emit(_row(base, "campaigns --pairs", a, n_rows, note))
    pq.unlink(missing_ok=True)


def baseline_row(feed: Path, base: dict, parsed_row: dict, tmp: Path, emit: Emit) -> None:
    """The notebook baseline (:func:`feedtools.bench.notebook_baseline`) on a scrape, and how much faster parse is."""
    b = run_measured(_bench_only("--baseline-only", feed), tmp / "log")
    try:
        res = json.loads(b.last_line)
    except json.JSONDecodeError:
        emit(_row(base, "notebook baseline", b, 0, f"FAILED: {b.last_line[:80]}"))
        return
    ratio = res["seconds"] / parsed_row["seconds"] if parsed_row["seconds"] else float("nan")
    how = (
        f"EXTRAPOLATED from {res['table_rows']:,} rows (pandas+re) and {res['lang_texts']:,} texts (langdetect)"
        if res["extrapolated"]
        else "measured"
    )
    note = f"{how}; parse is {ratio:,.1f}x faster"
    emit(_row(base, "notebook baseline", b, res["items"], note, seconds=res["seconds"], cpu="-"))


def jetstream_floor_rows(feed: Path, base: dict, parsed_row: dict, tmp: Path, emit: Emit) -> None:
    """Rows for the reader alone and for the decode floor, measured now, with the ratios to the floor."""
    runs = {what: run_measured(_bench_only(f"--{what}-only", feed), tmp / "log") for what in ("floor", "read")}
    floor, read = runs["floor"], runs["read"]
    ok = floor.returncode == 0 and read.returncode == 0 and floor.cpu_seconds > 0
    note = "the floor: decoding alone" if ok else f"FAILED: {(floor if floor.returncode else read).last_line[:80]}"
    emit(_row(base, "decode floor (orjson, every line)", floor, int(floor.last_line or 0) if ok else 0, note))
    if not ok:
        return
    note = (
        f"streamed batch by batch (iter_read), each dropped; {read.cpu_seconds / floor.cpu_seconds:.1f}x the floor (CPU); "
        f"whole parse {float(parsed_row['cpu']) / floor.cpu_seconds:.1f}x (CPU), "
        f"{parsed_row['seconds'] / floor.seconds:.1f}x (time)"
    )
    emit(_row(base, "read (reader only)", read, int(read.last_line), note))


def language_floor_row(feed: Path, base: dict, parsed_row: dict, tmp: Path, emit: Emit) -> None:
    """A row for fastText alone on the lines the pipeline gives it (:func:`feedtools.bench.fasttext_floor`),
    measured now, with the whole parse's CPU time as a multiple of it."""
    step = "language floor (fastText alone)"
    r = run_measured(_bench_only("--fasttext-only", feed), tmp / "log")
    try:
        n_lines, n_texts, cpu = (float(x) for x in r.last_line.split())
    except ValueError:
        emit(_row(base, step, r, 0, f"FAILED: {r.last_line[:80]}", cpu="-"))
        return
    from feedtools.language import MAX_CHARS

    ratio = float(parsed_row["cpu"]) / cpu if cpu > 0 else float("nan")
    note = (
        f"predict loop only (seconds = its CPU) on the {n_lines:,.0f} lines parse gives fastText "
        f"(entities stripped, first {MAX_CHARS} chars, lower-cased, each distinct line once) from {n_texts:,.0f} distinct "
        f"texts; whole parse {ratio:.1f}x (CPU)"
    )
    if base["texts"] == "distinct-end":
        note += "; texts differ only at their end, which flatters per-line deduplication"
    emit(_row(base, step, r, int(n_lines), note, seconds=cpu, cpu=f"{cpu:.1f}"))


def _rows_of(parquet: Path) -> int:
    import polars as pl

    return int(pl.scan_parquet(parquet).select(pl.len()).collect().item())


def _rows_of_dataset(folder: Path) -> int:
    from feedtools.dataset import part_files

    files = part_files(folder)
    return sum(_rows_of(f) for f in files)
