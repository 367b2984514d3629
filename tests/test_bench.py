"""The scale benchmark runs end to end on tiny sizes and prints its table (a functional test, not a timing)."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl
import pytest

from feedtools import language
from feedtools.bench import (
    build_jetstream,
    build_postviews,
    build_scrape,
    fasttext_lines,
    parse_sizes,
    read_only,
)
from feedtools.bench_feeds import JETSTREAM_SAMPLE
from feedtools.enrich import enrich
from feedtools.readers import read_raw


def test_parse_sizes():
    assert parse_sizes("100k, 1m,10M") == [("100k", 100_000), ("1m", 1_000_000), ("10m", 10_000_000)]
    assert parse_sizes("2500") == [("2500", 2500)]
    for bad in ("", "ten", "-5", "0"):
        with pytest.raises(ValueError):
            parse_sizes(bad)


@pytest.mark.parametrize("distinct", [False, True])
def test_built_scrape_has_the_requested_items(tmp_path, distinct):
    path = build_scrape(tmp_path / "feed.txt", 500, distinct=distinct, samples=None)
    r = read_raw(path, "scrape")
    assert r.stats["items"] == 500 and r.posts.height == 500 and r.stats["rejected"] == 0
    assert r.posts["is_placeholder"].sum() > 0  # the seed's placeholders are kept as placeholders
    texts = r.posts.filter(~pl.col("is_placeholder"))["text"]
    if distinct:
        assert texts.n_unique() == texts.len()
    else:
        assert texts.n_unique() < 80  # the seed's texts, repeated


def test_built_jetstream_uses_the_real_samples(tmp_path, samples):
    path = build_jetstream(tmp_path / "feed.jsonl", 1000, distinct=True, samples=samples)
    r = read_raw(path, "jetstream")
    assert r.stats["records"] == 1000 and r.stats["rejected"] == 0
    assert r.stats["skipped_like"] > 0  # the samples' likes are in the mix, skipped by design
    own = r.posts.filter(~pl.col("is_repost"))
    assert own["post_id"].n_unique() == own.height  # every event is its own record
    texts = own.filter(pl.col("text").str.len_chars() > 0)["text"]  # posts with only an embed stay empty
    assert texts.n_unique() == texts.len()


def _mix(stats: dict, posts: pl.DataFrame) -> tuple[float, float, float]:
    """Shares of post creates, reposts and events only counted among a Jetstream read's records."""
    n = stats["records"]
    reposts = int(posts["is_repost"].sum())
    return (posts.height - reposts) / n, reposts / n, stats["skipped"] / n


@pytest.mark.parametrize("n", [1000, 4321])
def test_built_jetstream_has_the_real_event_mix(tmp_path, samples, n):
    real = read_raw(samples / JETSTREAM_SAMPLE, "jetstream")
    want = _mix(real.stats, real.posts)
    assert want[2] > 0.7  # the real capture: mostly likes, follows, deletes… only counted
    path = build_jetstream(tmp_path / "feed.jsonl", n, distinct=True, samples=samples)
    assert len(path.read_bytes().splitlines()) == n  # exactly the requested number of events
    r = read_raw(path, "jetstream")
    assert r.stats["records"] == n and r.stats["rejected"] == 0
    got = _mix(r.stats, r.posts)
    assert all(abs(g - w) < 0.02 for g, w in zip(got, want)), (got, want)
    assert r.posts["post_id"].n_unique() == r.posts.height  # every post and repost its own record
    heavy = read_raw(build_jetstream(tmp_path / "h.jsonl", n, distinct=True, mix="post-heavy", samples=samples))
    assert heavy.stats["records"] == n and _mix(heavy.stats, heavy.posts)[2] < 0.6  # the option, still there
    with pytest.raises(ValueError):
        build_jetstream(tmp_path / "x.jsonl", 10, distinct=True, mix="likes", samples=samples)


@pytest.mark.parametrize("fmt", ["scrape", "jetstream", "postviews"])
def test_distinct_texts_differ_within_what_fasttext_reads(tmp_path, samples, fmt):
    build = {"scrape": build_scrape, "jetstream": build_jetstream, "postviews": build_postviews}[fmt]
    n = 2000
    texts = {}
    for at in ("start", "end"):
        r = read_raw(build(tmp_path / f"{at}.feed", n, distinct=True, at=at, samples=samples))
        own = r.posts.filter(~pl.col("is_placeholder") & (pl.col("text").str.len_chars() > 0))
        texts[at] = own["text"]
    start, end = texts["start"], texts["end"]
    assert start.len() == end.len() > 0 and start.n_unique() == start.len()
    assert start.str.slice(0, language.MAX_CHARS).n_unique() == start.len()  # no two share their first 200
    # the word at the end: long texts share what fastText reads, so fewer distinct lines than texts
    assert end.str.slice(0, language.MAX_CHARS).n_unique() < end.len()


def test_a_word_before_the_text_keeps_facets_on_their_text(tmp_path, samples):
    import orjson

    def facet_spans(path):
        spans = []
        for line in path.read_bytes().splitlines():
            rec = (orjson.loads(line).get("commit") or {}).get("record") or {}
            text = rec.get("text", "").encode("utf-8")
            spans += [text[f["index"]["byteStart"] : f["index"]["byteEnd"]] for f in rec.get("facets") or []]
        return spans

    plain = facet_spans(build_jetstream(tmp_path / "a.jsonl", 1500, distinct=False, samples=samples))
    worded = facet_spans(build_jetstream(tmp_path / "b.jsonl", 1500, distinct=True, samples=samples))
    assert plain and worded == plain  # each link, mention and tag still spans the same characters


def test_language_floor_lines_are_what_parse_gives_fasttext(tmp_path, monkeypatch):
    long = "The council met today to discuss housing policy and the future of public transport in the region. " * 3
    items = [
        "Visit https://example.org/a/b?c=1 NOW for the #LocalGov REPORT by @someone.bsky.social today",
        "Visit https://example.org/a/b?c=1 NOW for the #LocalGov REPORT by @someone.bsky.social today",
        "ÉCRIT EN FRANÇAIS: la réunion du conseil municipal aura lieu demain matin à la mairie",
        long + "first ending",
        long + "second ending",
        "ok 👍",
        "Reposted by Bench Profile" + "Ein Beitrag auf Deutsch über die Sitzung des Stadtrats am Montag",
    ]
    feed = tmp_path / "feed.txt"
    feed.write_text("Bench Profile\nA profile.\n" + "".join(f"- {it}\n" for it in items), encoding="utf-8")
    posts = read_raw(feed, "scrape").posts
    seen: list[str] = []
    model = language._model()

    class Recorder:  # the model's predict, recording every line it is given
        class f:  # the attribute fastText's model has
            @staticmethod
            def predict(line, *args):
                seen.append(line)
                return model.f.predict(line, *args)

    monkeypatch.setattr(language, "_model", lambda: Recorder)
    out = enrich(posts)
    assert out["lang"].to_list()[2] == "fr"  # the pipeline ran and detected
    lines = fasttext_lines(posts["text"].to_list())
    assert sorted(lines) == sorted(seen)  # exactly what parse gives fastText, each line once
    assert len(lines) == 4  # the repeated post once; the two long posts share their first 200 characters
    assert all(line == line.lower() and len(line) <= language.MAX_CHARS + 1 for line in lines)
    assert not any("https://" in line or "#localgov" in line for line in lines)  # entities stripped


def test_read_only_streams_the_same_rows_as_the_reader(tmp_path):
    path = build_jetstream(tmp_path / "feed.jsonl", 800, distinct=True, samples=None)
    assert read_only(path) == read_raw(path).posts.height > 0


def test_bench_command_prints_its_table_and_cleans_up(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    r = subprocess.run(
        [
            exe,
            "bench",
            "--sizes",
            "300",
            "--texts",
            "distinct",
            "--analyses-up-to",
            "1",
            "--no-spark",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| format"))
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[header + 2 :] if line.startswith("|")]
    steps = {(row[0], row[3]) for row in rows}
    assert ("scrape", "parse") in steps and ("jetstream", "parse") in steps
    assert ("scrape", "notebook baseline") in steps or "baseline skipped" in r.stdout
    parse = next(row for row in rows if row[:4] == ["scrape", "distinct", "300", "parse"])
    assert int(parse[4].replace(",", "")) == 300 and float(parse[8].replace(",", "")) > 0  # rows, peak MB
    baseline = [row for row in rows if row[3] == "notebook baseline"]
    assert all("faster" in row[9] for row in baseline)  # the ratio is printed
    js = ["jetstream", "distinct", "300"]
    floor = next(row for row in rows if row[:4] == [*js, "decode floor (orjson, every line)"])
    assert int(floor[4].replace(",", "")) == 300  # every line decoded
    read = next(row for row in rows if row[:4] == ["jetstream", "distinct", "300", "read (reader only)"])
    js_parse = next(row for row in rows if row[:4] == ["jetstream", "distinct", "300", "parse"])
    assert read[4] == js_parse[4] and "x the floor (CPU)" in read[9]  # same rows; the ratio is printed
    assert all(row[9].startswith("real event mix") for row in rows if row[0] == "jetstream")  # which mix it is
    lang = next(row for row in rows if row[:4] == ["scrape", "distinct", "300", "language floor (fastText alone)"])
    assert 0 < int(lang[4].replace(",", "")) <= 300 and "whole parse" in lang[9]  # distinct texts; the ratio
    js_lang = next(row for row in rows if row[:4] == [*js, "language floor (fastText alone)"])
    assert 0 < int(js_lang[4].replace(",", "")) < 300 and "whole parse" in js_lang[9]  # the posts' lines only
    pv = next(row for row in rows if row[:4] == ["postviews", "distinct", "300", "parse"])
    assert int(pv[4].replace(",", "")) == 300 and "MB" in pv[9]  # a JSON array of postViews, its size printed
    assert "66 of 66 loaded posts get the language read by hand" in r.stdout  # the seed's labels checked
    targets = r.stdout[r.stdout.index("Against the targets") :].splitlines()[1:]
    assert sum(line.endswith("not measured in this run") for line in targets) == 3  # 300 items: no 1M feed
    assert any(line.startswith("* Language on the seed") and line.endswith("**met**") for line in targets)
    assert list(tmp_path.iterdir()) == []  # the temporary feeds are deleted


def test_bench_measures_cross_language_pairs(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    r = subprocess.run(
        [
            exe,
            "bench",
            "--sizes",
            "300",
            "--texts",
            "distinct",
            "--formats",
            "scrape",
            "--no-baseline",
            "--no-spark",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    row = next(line for line in r.stdout.splitlines() if "| campaigns --pairs |" in line)
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[4] == "300" and "cross-language pairs (window 12)" in cells[9] and "FAILED" not in row


def test_bench_rejects_bad_options():
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    r = subprocess.run([exe, "bench", "--sizes", "lots"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "bad size" in r.stderr
    for option, value, message in [("--jetstream-mix", "likes", "Jetstream mix"), ("--texts", "unique", "variant")]:
        r = subprocess.run([exe, "bench", option, value], capture_output=True, text=True, timeout=120)
        assert r.returncode == 1 and r.stderr.count("\n") == 1 and message in r.stderr, (option, r.stderr)


def test_built_postviews_is_one_json_array_of_distinct_records(tmp_path, samples):
    path = build_postviews(tmp_path / "feed.json", 700, distinct=True, samples=samples)
    assert path.read_bytes().lstrip()[:1] == b"["
    r = read_raw(path)
    assert r.meta["format"] == "postviews"
    assert r.stats["records"] == 700 and r.posts.height == 700 and r.stats["rejected"] == 0
    assert r.posts["post_id"].n_unique() == 700  # every item its own URI: none skipped as repeated
    texts = r.posts.filter(pl.col("text").str.len_chars() > 0)["text"]
    assert texts.n_unique() == texts.len()
    assert r.posts["author_handle"].n_unique() > 1  # the samples' real postViews are in the mix


def _row(fmt: str, step: str, items: int, seconds: float, cpu: float, peak: float, **extra) -> dict:
    size = {1_000_000: "1m", 100_000: "100k"}.get(items, str(items))
    return {"format": fmt, "texts": "distinct", "size": size, "items": items, "step": step, "rows": items,
            "seconds": seconds, "cpu": f"{cpu:.1f}", "peak_mb": peak, "note": "", **extra}  # fmt: skip


def test_targets_are_judged_on_the_rows_of_the_run():
    from feedtools.bench_targets import LANGUAGE_STEP, target_lines

    floor = "decode floor (orjson, every line)"
    met = [
        _row("jetstream", "parse", 1_000_000, 5.0, 8.0, 600),
        _row("jetstream", floor, 1_000_000, 2.0, 2.0, 150),
        _row("postviews", "parse", 100_000, 11.0, 11.0, 300, file_mb=160.0),
        _row("scrape", "parse", 1_000_000, 29.0, 55.0, 1500),
        {**_row("-", LANGUAGE_STEP, 66, 1.0, 1.0, 170), "agree": 66},
    ]
    lines = target_lines(met)
    assert len(lines) == 4 and all(line.endswith("**met**") for line in lines), lines
    assert "5.0 s against 2.0 s, 2.5x (CPU 4.0x), peak 600 MB: **met**" in lines[0]
    lang = {**_row("jetstream", "language floor (fastText alone)", 1_000_000, 2.0, 2.0, 400), "rows": 100_000}
    line = target_lines([*met, lang])[0]  # language identification's share, when the run measured it
    assert "fastText alone on its posts' 100,000 lines 2.0 CPU-s (1.0x the decode floor)" in line
    assert "the parse 2.0x both floors together (CPU): **met**" in line
    assert "1.88x the 160 MB file" in lines[1] and "66 of 66" in lines[3]
    missed = [
        _row("jetstream", "parse", 1_000_000, 6.2, 8.0, 600),  # 3.1x the floor
        _row("jetstream", floor, 1_000_000, 2.0, 2.0, 150),
        _row("postviews", "parse", 100_000, 11.0, 11.0, 330, file_mb=160.0),  # 2.06x the file
        _row("scrape", "parse", 1_000_000, 30.5, 55.0, 1500),
        {**_row("-", LANGUAGE_STEP, 66, 1.0, 1.0, 170), "agree": 65},
    ]
    assert all(line.endswith("**not met**") for line in target_lines(missed))
    big = [_row("jetstream", "parse", 1_000_000, 5.0, 8.0, 1100), _row("jetstream", floor, 1_000_000, 2.0, 2.0, 150)]
    assert target_lines(big)[0].endswith("**not met**")  # fast, but over 1 GB
    small = [_row("scrape", "parse", 100_000, 3.0, 5.0, 700)]  # a smaller feed says nothing of the 1M target
    assert all(line.endswith("not measured in this run") for line in target_lines(small))


def test_seed_language_agreement_counts_hand_labels(tmp_path):
    from feedtools.bench_targets import seed_language_agreement
    from feedtools.paths import SEED_LANGUAGES

    assert seed_language_agreement() == (66, 66)
    wrong = tmp_path / "labels.csv"
    text = SEED_LANGUAGES.read_text(encoding="utf-8")
    wrong.write_text(text.replace("\n11,fr\n", "\n11,en\n").replace("\n23,es\n", "\n23,fr\n"), encoding="utf-8")
    assert seed_language_agreement(labels=wrong) == (64, 66)
