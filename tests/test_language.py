"""Language identification: deterministic, offline, `und` when unsure, candidates configurable."""

from __future__ import annotations

import os

import polars as pl
import pytest

from feedtools.language import add_language, detect
from feedtools.schema import conform


@pytest.mark.parametrize(
    "text, lang",
    [
        ("We are very excited to start the first day of our Executive Bureau in Seville", "en"),
        ("Muchas ganas de reunirnos con nuestra red en Sevilla para nuestro Bureau Ejecutivo", "es"),
        ("La journée commence ! Les nouveaux essentiels : les priorités des gouvernements locaux", "fr"),
    ],
)
def test_detects_en_es_fr(text, lang):
    assert detect([text])[0] == [lang]


def test_short_or_empty_is_und():
    langs, confs = detect(["", "Hi!", None])
    assert langs == ["und", "und", "und"] and confs == [None, None, None]


def test_entities_removed_before_detection():
    # Only hashtags, mentions and links: nothing left to detect.
    df = conform(pl.DataFrame({"text": ["#UCLGMeets #Listen2Cities @uclg.bsky.social t.ly/abc 🌍"]}))
    assert add_language(df)["lang"].to_list() == ["und"]


def test_candidates_restrict_answer():
    text = "Bom dia a todos, estamos muito felizes com o encontro de hoje em Lisboa"
    assert detect([text])[0] == ["pt"]
    langs, _confs = detect([text], candidates=["es", "fr"])
    assert langs[0] in {"es", "und"}
    assert detect([text], candidates=["en"])[0] in (["en"], ["und"])


def test_declared_languages_normalised():
    df = conform(
        pl.DataFrame(
            {"text": ["x"], "langs_declared": [["pt_br", "EN", "zh-hant-tw"]]},
            schema_overrides={"langs_declared": pl.List(pl.String)},
        )
    )
    row = add_language(df).row(0, named=True)
    assert row["langs_declared"] == ["pt-BR", "en", "zh-Hant-TW"]
    assert row["langs_declared_base"] == ["pt", "en", "zh"]


def test_deterministic():
    texts = ["Retreat 2025 comes to a close", "El lunes 3 de marzo es el último día"] * 3
    assert detect(texts) == detect(list(reversed(texts)))[::-1] or detect(texts) == detect(texts)
    assert detect(texts) == detect(texts)


def test_letters_counted_in_the_whole_text():
    # Letters are counted in a short prefix first: a text whose letters come late is still read in full.
    late = "2025 · 12:30 · 14/03 · 16:45 · 18:00 · 20:15 · 22:30 · 23:45 · " + "Bonjour à tous, la réunion commence"
    few = "1 2 3 4 5 6 7 8 9 0 " * 5 + "abc def ghi"  # nine letters in all, far apart
    langs, confs = detect([late, few])
    assert langs[0] == "fr" and confs[0] is not None
    assert langs[1] == "und" and confs[1] is None


def test_texts_sharing_their_first_characters_detected_alike():
    # fastText reads the first MAX_CHARS characters of each text, once per distinct line read.
    from feedtools.language import MAX_CHARS

    head = ("Nous sommes ravis de vous accueillir à Séville pour notre Bureau exécutif. " * 4)[:MAX_CHARS]
    texts = [head + " and then some English words", head + " y luego unas palabras", "Hello world, good morning all"]
    together = detect(texts)
    alone = [detect([t]) for t in texts]
    assert together == ([a[0][0] for a in alone], [a[1][0] for a in alone])
    assert together[0][:2] == ["fr", "fr"] and together[0][2] == "en"


@pytest.mark.slow
def test_worker_processes_end_with_a_killed_parent(tmp_path):
    """A parse killed outright leaves no worker behind holding its output pipes open."""
    import signal
    import subprocess
    import sys
    import time

    code = (
        "import os, sys, time\n"
        "from feedtools import language\n"
        "pool = language.worker_pool(1)\n"
        "print(pool.submit(os.getpid).result(), flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=tmp_path
    )
    assert proc.stdout is not None
    worker = int(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(worker, signal.SIGKILL)
        pytest.fail("the worker process outlived its killed parent")
    assert proc.stdout.read() == ""  # the pipe reached its end: no process holds it open


def test_a_signal_while_workers_start_waits_until_they_have_started(monkeypatch):
    """SIGTERM (or Ctrl-C) arriving while the worker processes are being started is handled once they all have
    their start-up data: a worker cut off half-started printed a traceback of its own after the parent's line."""
    import concurrent.futures
    import os
    import signal

    from feedtools import language

    events: list[str] = []

    class StartingPool:
        _max_workers, _broken = 2, False

        def __init__(self, **options):
            pass

        def submit(self, fn, *args):
            os.kill(os.getpid(), signal.SIGTERM)  # arrives in the middle of starting a worker
            events.append("started")

        def shutdown(self, *args, **kwargs):
            pass

    def on_term(signum, frame):
        events.append("handled")
        raise RuntimeError("terminated")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", StartingPool)
    monkeypatch.setattr(language, "_POOL", None)
    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        with pytest.raises(RuntimeError, match="terminated"):
            language._pool(2)
    finally:
        signal.signal(signal.SIGTERM, previous)
        language._POOL = None
    assert events == ["started", "started", "handled"]
    assert signal.getsignal(signal.SIGTERM) is previous
