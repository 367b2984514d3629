"""The streaming parse (feedtools parse) writes the same table as the in-memory load; progress on a terminal."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
from concurrent.futures import wait

import polars as pl
import pytest
from conftest import FIXTURES, SAMPLES, SEED, write_feed
from polars.testing import assert_frame_equal

import feedtools
import feedtools.enrich as enrich_module
from feedtools.clean import duplicate_keys, mark_duplicates, resolve_duplicates
from feedtools.pipeline import enrich, parse_to_file, summary_line
from feedtools.readers import read_raw

FIXTURES_AUTHORFEED = FIXTURES / "authorfeed_pages.json"
EXE = os.path.join(os.path.dirname(sys.executable), "feedtools")


@pytest.mark.parametrize("batch_rows", [7, 1000])
def test_streaming_parse_equals_in_memory_load(tmp_path, batch_rows):
    """Slices of 7 rows put duplicates in other slices than their first copy: still found."""
    feed = feedtools.load(SEED)
    out = tmp_path / "posts.parquet"
    res = parse_to_file(SEED, out, batch_rows=batch_rows)
    assert_frame_equal(pl.read_parquet(out), feed.posts)
    assert summary_line(res) == summary_line(feed)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # temporary slices removed


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_streaming_text_outputs_equal_write_table(tmp_path, suffix):
    from feedtools.export import write_table

    parse_to_file(SEED, tmp_path / f"stream{suffix}", batch_rows=9)
    write_table(feedtools.read(SEED), tmp_path / f"memory{suffix}")
    assert (tmp_path / f"stream{suffix}").read_bytes() == (tmp_path / f"memory{suffix}").read_bytes()


def test_duplicates_across_batches_from_keys():
    posts = enrich(read_raw(SEED).posts)
    keys = pl.concat([duplicate_keys(posts.slice(i, 10)) for i in range(0, posts.height, 10)])
    found = resolve_duplicates(keys)
    whole = mark_duplicates(posts)
    assert found["duplicate_of"].to_list() == whole["duplicate_of"].to_list()
    assert found["duplicate_kind"].to_list() == whole["duplicate_kind"].to_list()
    assert found["duplicate_of"].drop_nulls().len() == 1  # the seed's one exact repeat


def test_normalised_duplicate_found_in_a_later_batch(tmp_path):
    text = "Name\nBio\n- Hello World, again!\n- other post\n- hello world again\n- HELLO   WORLD AGAIN\n"
    out = tmp_path / "p.parquet"
    parse_to_file(write_feed(tmp_path, text), out, batch_rows=1)
    got = pl.read_parquet(out)
    assert got["duplicate_of"].to_list() == [None, None, 0, 0]
    assert got["duplicate_kind"].to_list() == [None, None, "normalised", "normalised"]


def test_unknown_output_suffix_fails_before_reading(tmp_path):
    with pytest.raises(ValueError, match="unknown output type"):
        parse_to_file(tmp_path / "missing.txt", tmp_path / "out.xlsx")


def _run_on_terminal(*args: str) -> tuple[int, str]:
    """Run the command with stderr on a pseudo-terminal (as in an interactive shell); return code and stderr."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.Popen([EXE, *args], stdout=subprocess.DEVNULL, stderr=child, env=env)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", errors="replace")


def test_progress_bar_on_a_terminal_only(tmp_path):
    summary = "82 lines, 51 posts, 29 reposts, 14 placeholders, 1 duplicates, 0 rejected; no rejects"
    code, err = _run_on_terminal("parse", str(SEED), "-o", str(tmp_path / "a.parquet"))
    assert code == 0
    assert "posts/s" in err and "80" in err  # count and rate
    assert err.replace("\r", "\n").strip().splitlines()[-1].strip() == summary  # the summary stays last
    code, err = _run_on_terminal("parse", str(SEED), "-o", str(tmp_path / "b.parquet"), "--quiet")
    assert code == 0 and err.strip() == summary
    piped = subprocess.run(
        [EXE, "parse", str(SEED), "-o", str(tmp_path / "c.parquet")], capture_output=True, text=True, timeout=300
    )
    assert piped.returncode == 0 and piped.stderr.strip() == summary  # not a terminal: no bar


def test_language_workers_give_the_same_answers(monkeypatch):
    from feedtools import language

    posts = read_raw(SEED).posts
    texts = [t for t in posts["text"].to_list() if t] * 3
    monkeypatch.setattr(language, "PARALLEL_MIN_TEXTS", 1)
    assert language.detect(texts, workers=2) == language.detect(texts, workers=1)


def test_enrich_in_worker_processes_gives_the_same_table(monkeypatch):
    """Cleaning, entities and language of each chunk in its own process: the same table, byte for byte."""

    frames = [read_raw(SEED).posts, read_raw(FIXTURES_AUTHORFEED).posts]  # facets from the reader too
    hydrated = SAMPLES / "twitwi_bluesky-hydrated-firehose-posts.json"
    if hydrated.exists():  # real postViews with facets and embeds, when the captures are present
        frames.append(read_raw(hydrated).posts)
    posts = pl.concat(frames, how="vertical_relaxed")
    posts = pl.concat([posts] * 3).with_columns(position=pl.int_range(pl.len(), dtype=pl.Int64))
    one = enrich(posts, workers=1)
    monkeypatch.setattr(enrich_module, "PARALLEL_MIN_ROWS", 1)
    several = enrich(posts, workers=3)
    assert_frame_equal(several, one)
    keyed, keys = enrich_module.enrich_with_keys(posts, workers=3)  # each chunk's keys from its own process
    assert_frame_equal(keyed, one)
    assert_frame_equal(keys, duplicate_keys(one))
    sliced = list(enrich_module.enrich_slices(posts, 50, workers=3))  # next slice queued while one is taken
    assert [s[0].height for s in sliced[:-1]] == [50] * (len(sliced) - 1) and len(sliced) > 2
    assert_frame_equal(pl.concat([s[0] for s in sliced]), one)
    assert_frame_equal(pl.concat([s[1] for s in sliced]), keys)
    for kind in ("parquet", "ndjson"):  # the files written are the same bytes (in-memory buffers may differ)
        a, b = io.BytesIO(), io.BytesIO()
        getattr(one, f"write_{kind}")(a)
        getattr(several, f"write_{kind}")(b)
        assert a.getvalue() == b.getvalue()
    assert one["hashtags"].list.len().sum() > 0 and one["lang"].n_unique() > 1  # the work was done


@pytest.mark.parametrize(("how", "safe"), [("-c", True), ("script", False)])
def test_load_uses_workers_only_where_the_main_module_is_safe(tmp_path, how, safe):
    code = "from feedtools.language import parallel_safe; print(parallel_safe())"
    """A script's top level may start the load again in each spawned worker: no workers unless asked."""
    if how == "-c":
        cmd = [sys.executable, "-c", code]
    else:
        (tmp_path / "analysis.py").write_text(code + "\n")
        cmd = [sys.executable, str(tmp_path / "analysis.py")]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(safe)


def test_load_progress_bar_only_when_asked_or_big(capsys, seed_path):
    import feedtools

    feedtools.load(seed_path)  # default: not in a notebook, and a small feed: quiet
    assert capsys.readouterr().err == ""
    feed = feedtools.load(seed_path, progress=True)
    err = capsys.readouterr().err
    assert "enriching 000_802a2c4cd511184e.txt" in err and "80" in err
    assert feed.posts.height == 80


# --- feed kind, several inputs, parsed Parquet as input ---------------------------------------------------------


def test_feed_kind_from_the_data(samples, seed_feed):
    jet = feedtools.load(samples / "jetstream_expected_v1.jsonl")
    car = feedtools.load(samples / "jetstream_repo.car")
    assert (jet.meta["kind"], jet.meta["accounts"], jet.meta["account"]) == ("collection", 15, None)
    assert (car.meta["kind"], car.meta["accounts"]) == ("account", 1)
    assert car.meta["account"]["did"] == car.meta["did"] == "did:plc:53iucmf5ldftgqyf2ac7hmhd"
    assert (seed_feed.meta["kind"], seed_feed.meta["accounts"]) == ("account", 1)
    assert seed_feed.meta["account"] == {"did": None, "handle": None, "name": "United Cities"}


def test_feed_kind_is_decided_by_authors_not_format():
    from feedtools.pipeline import feed_kind

    def rows(authors, reposters=()):
        own = [
            {"author_did": a, "author_handle": None, "author_name": None, "is_repost": False, "reposted_by": None}
            for a in authors
        ]
        rep = [
            {"author_did": "did:x", "author_handle": None, "author_name": None, "is_repost": True, "reposted_by": r}
            for r in reposters
        ]
        return pl.DataFrame(
            own + rep,
            schema={
                "author_did": pl.String,
                "author_handle": pl.String,
                "author_name": pl.String,
                "is_repost": pl.Boolean,
                "reposted_by": pl.String,
            },
        )

    assert feed_kind(rows(["did:a", "did:a"], ["did:a"]))["kind"] == "account"
    assert feed_kind(rows(["did:a", "did:b"]))["kind"] == "collection"
    assert feed_kind(rows(["did:a"], ["did:b"]))["kind"] == "collection"  # someone else reposts: many accounts
    only_reposts = feed_kind(rows([], ["Some Org"]))
    assert only_reposts == {
        "kind": "account",
        "accounts": 0,
        "account": {"did": None, "handle": None, "name": "Some Org"},
    }
    assert feed_kind(rows([], ["a.bsky.social", "b.bsky.social"]))["kind"] == "collection"


TWO = """Other Org
bio
- Un message en français #Villes
- Reposted by Other OrgA shared post about #Cities
"""


def test_two_files_load_into_one_table_with_per_source_accounting(tmp_path, samples):
    other = write_feed(tmp_path, TWO, "other.txt")
    jet = samples / "jetstream_expected_v1.jsonl"
    feed = feedtools.load([SEED, other, jet, SEED])  # the seed twice: its second copy is all repeats
    seed_rows = feedtools.load(SEED).posts.height
    assert feed.posts["source"].value_counts(sort=True).rows() == [
        ("000_802a2c4cd511184e.txt", seed_rows),
        ("jetstream_expected_v1.jsonl", 32),
        ("other.txt", 2),
    ]
    assert feed.posts["position"].is_unique().all() and feed.posts["position"].is_sorted()
    assert feed.posts["post_id"].is_unique().all()
    inputs = feed.meta["inputs"]
    assert [i["source"] for i in inputs] == [
        "000_802a2c4cd511184e.txt",
        "other.txt",
        "jetstream_expected_v1.jsonl",
        "000_802a2c4cd511184e.txt",
    ]
    assert [i["rows"] for i in inputs] == [80, 2, 32, 0]
    assert inputs[3]["stats"]["skipped_repeated"] == 80 and inputs[3]["stats"]["records"] == 80
    for i in inputs:  # each file accounted for on its own
        st = i["stats"]
        assert st["records"] == i["rows"] + st["rejected"] + st["skipped"]
    assert feed.stats["records"] == 80 + 2 + 152 + 80
    assert feed.stats["records"] == feed.posts.height + feed.stats["rejected"] + feed.stats["skipped"]
    assert feed.meta["kind"] == "collection" and feed.meta["accounts"] == 1 + 1 + 15
    assert feed.meta["format"] == "mixed" and feed.meta["source"].startswith("000_802a2c4cd511184e.txt, other.txt")
    # parse A B -o OUT writes the same table and accounting, streaming
    out = tmp_path / "all.parquet"
    result = parse_to_file([SEED, other, jet, SEED], out, batch_rows=7)
    assert_frame_equal(pl.read_parquet(out), feed.posts)
    assert summary_line(result) == summary_line(feed)
    assert result.meta["inputs"] == inputs


def test_streamed_parse_in_worker_processes_writes_the_same_file(tmp_path, monkeypatch):
    """Several inputs (one repeated: its posts are skipped), enriched and keyed in worker processes: the same
    file, byte for byte, as in one process, duplicates found across inputs and slices."""
    other = write_feed(tmp_path, TWO + "- Some words, said twice!\n", "other.txt")
    again = write_feed(tmp_path, "Other Org\nbio\n- some words said twice\n", "again.txt")
    one, several = tmp_path / "one.parquet", tmp_path / "several.parquet"
    res1 = parse_to_file([SEED, other, SEED, again], one, batch_rows=9, workers=1)
    monkeypatch.setattr(enrich_module, "PARALLEL_MIN_ROWS", 1)
    res2 = parse_to_file([SEED, other, SEED, again], several, batch_rows=9, workers=2)
    assert one.read_bytes() == several.read_bytes()
    assert summary_line(res1) == summary_line(res2) and res2.stats["skipped"] >= 80
    posts = pl.read_parquet(several)
    assert posts["position"].is_sorted() and posts["duplicate_of"].is_not_null().sum() == res2.stats["duplicates"] >= 2
    last = posts.filter(pl.col("source") == "again.txt").row(0, named=True)
    assert last["duplicate_kind"] == "normalised"


def test_duplicates_are_resolved_across_inputs(tmp_path):
    a = write_feed(tmp_path, "Org\nbio\n- Same words, said twice!\n", "a.txt")
    b = write_feed(tmp_path, "Org\nbio\n- same words said twice\n", "b.txt")
    posts = feedtools.load([a, b]).posts
    assert posts.select("source", "position", "duplicate_of", "duplicate_kind").rows() == [
        ("a.txt", 0, None, None),
        ("b.txt", 1, 0, "normalised"),
    ]


def test_parquet_round_trip_keeps_stats_rejects_and_meta(tmp_path):
    from feedtools.pipeline import PARQUET_META_KEY, is_parquet

    feed = feedtools.load(FIXTURES_AUTHORFEED)  # has a rejected record and skipped repeats
    assert feed.rejects.height == 1
    out = tmp_path / "posts.parquet"
    parse_to_file(FIXTURES_AUTHORFEED, out)
    assert is_parquet(out) and PARQUET_META_KEY in pl.read_parquet_metadata(out)
    again = feedtools.load(out)
    assert_frame_equal(again.posts, feed.posts)
    assert again.stats == feed.stats and again.meta == feed.meta
    assert_frame_equal(again.rejects, feed.rejects)
    renamed = tmp_path / "posts.txt"  # recognised by content, not name
    renamed.write_bytes(out.read_bytes())
    assert feedtools.load(renamed).meta == feed.meta
    # a Parquet input of a parse gives the same file again
    out2 = tmp_path / "again.parquet"
    result = parse_to_file(out, out2)
    assert_frame_equal(pl.read_parquet(out2), feed.posts)
    assert summary_line(result) == summary_line(feed)


def test_a_parquet_that_is_not_a_posts_table_is_one_clear_error(tmp_path):
    path = tmp_path / "other.parquet"
    pl.DataFrame({"a": [1]}).write_parquet(path)
    with pytest.raises(feedtools.FeedError, match=r"^other.parquet: a Parquet file, but not a feedtools posts table"):
        feedtools.load(path)
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(b"PAR1" + b"\0" * 50)
    with pytest.raises(feedtools.FeedError, match=r"^damaged.parquet: a Parquet file that cannot be read"):
        feedtools.load(damaged)


def test_cli_parse_several_inputs(tmp_path):
    other = write_feed(tmp_path, TWO, "other.txt")
    out = tmp_path / "all.parquet"
    run = subprocess.run([EXE, "parse", str(SEED), str(other), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (
        run.stderr.strip().splitlines()[-1] == "86 lines, 52 posts, 30 reposts, 14 placeholders, 1 duplicates, "
        "0 rejected; no rejects"
    )
    feed = feedtools.load(out)
    assert [i["source"] for i in feed.meta["inputs"]] == ["000_802a2c4cd511184e.txt", "other.txt"]
    run = subprocess.run([EXE, "parse", str(out), "-o", str(tmp_path / "b.csv")], capture_output=True, text=True)
    assert run.returncode == 0 and run.stderr.strip().splitlines()[-1].startswith("86 lines, 52 posts")


def test_streamed_parquet_is_written_slice_by_slice(tmp_path, monkeypatch):
    """``feedtools parse``'s Parquet output: one row group per enriched slice (at most ROW_GROUP_ROWS rows), the
    same table, types and accounting as the in-memory load, and loading it gives the feed back."""
    import pyarrow.parquet as pq

    from feedtools import streamparse
    from feedtools.pipeline import read_parquet_feed

    monkeypatch.setattr(streamparse, "ROW_GROUP_ROWS", 5)
    out = tmp_path / "posts.parquet"
    res = parse_to_file(SEED, out, batch_rows=12)
    feed = feedtools.load(SEED)
    sizes = [pq.ParquetFile(out).metadata.row_group(i).num_rows for i in range(pq.ParquetFile(out).num_row_groups)]
    assert sizes == [5, 5, 2] * 6 + [5, 3] and sum(sizes) == feed.posts.height == 80  # slices of 12, split at 5
    back = read_parquet_feed(out)
    assert_frame_equal(back.posts, feed.posts)
    assert pl.read_parquet_schema(out) == dict(feed.posts.schema)
    assert (back.stats, back.rejects.height, summary_line(back)) == (res.stats, 0, summary_line(feed))


def test_a_parsed_table_read_in_several_slices_keeps_its_inputs(tmp_path, samples):
    """Re-parsing a parsed Parquet file of several inputs: its per-input accounting survives whatever the slice
    size (only the first slice carries the file's metadata)."""
    first = tmp_path / "a.parquet"
    parse_to_file([SEED, samples / "jetstream_expected_v1.jsonl"], first)
    loaded = feedtools.load(first)
    for batch_rows in (1000, 7):
        res = parse_to_file(first, tmp_path / f"b{batch_rows}.parquet", batch_rows=batch_rows)
        assert [e["source"] for e in res.meta["inputs"]] == ["000_802a2c4cd511184e.txt", "jetstream_expected_v1.jsonl"]
        assert res.meta["inputs"] == loaded.meta["inputs"] and res.stats == loaded.stats


def _mixed_posts() -> pl.DataFrame:
    """Seed and author-feed rows (facets from the reader too), three times over, positions renumbered."""
    posts = pl.concat([read_raw(SEED).posts, read_raw(FIXTURES_AUTHORFEED).posts], how="vertical_relaxed")
    return pl.concat([posts] * 3).with_columns(position=pl.int_range(pl.len(), dtype=pl.Int64))


@pytest.mark.parametrize("backlog", [0, 10**9])
def test_enriched_slices_do_not_depend_on_which_process_enriched_which_chunk(monkeypatch, backlog):
    """Chunks shared between this process and a worker as each gets free (this process taking back the chunks no
    worker has started, early with no backlog allowed, else at the end): the slices, keys and bytes are those
    of one process, and both processes did some of the work."""
    posts = _mixed_posts()
    one = enrich(posts, workers=1)
    monkeypatch.setattr(enrich_module, "PARALLEL_MIN_ROWS", 1)
    monkeypatch.setattr(enrich_module, "CHUNK_ROWS", 7)
    waits = []  # this process waits for a worker's chunk, never spins on one already finished
    monkeypatch.setattr(enrich_module, "wait", lambda fs, **kw: waits.append(wait(fs, **kw)))
    with enrich_module.Enricher(2, backlog=backlog) as enricher:
        enricher.put(posts.slice(0, 100), 30)
        got = list(enricher.results())  # what is finished now; with no backlog, this process works meanwhile
        enricher.put(posts.slice(100), 30)
        got += list(enricher.results(final=True))
        assert posts.height == 255 and 0 < enricher.mine < enricher.chunks == 17 + 26  # slices of 30 in chunks of 7
    assert len(waits) <= enricher.chunks - enricher.mine
    assert [g[0].height for g in got[:3]] == [30, 30, 30] and got[3][0].height == 10
    assert_frame_equal(pl.concat([g[0] for g in got]), one)
    assert_frame_equal(pl.concat([g[1] for g in got]), duplicate_keys(one))
    a, b = io.BytesIO(), io.BytesIO()
    one.write_parquet(a)
    pl.concat([g[0] for g in got]).write_parquet(b)
    assert a.getvalue() == b.getvalue()


def test_rows_waiting_for_the_workers_are_bounded_in_bytes(monkeypatch):
    """A reader far ahead of the workers: with no bound on queued rows but one on their bytes, this process
    enriches queued chunks itself once more bytes wait than the bound, so what waits stays under it (plus the
    batch just queued), and the slices are those of one process."""
    posts = _mixed_posts()
    one = enrich(posts, workers=1)
    monkeypatch.setattr(enrich_module, "PARALLEL_MIN_ROWS", 1)
    monkeypatch.setattr(enrich_module, "CHUNK_ROWS", 5)
    batch = 15
    bound = posts.slice(0, batch).estimated_size()  # about one batch's rows may wait
    got, waiting = [], []
    with enrich_module.Enricher(2, backlog=10**9, backlog_bytes=bound) as enricher:
        for start in range(0, posts.height, batch):
            enricher.put(posts.slice(start, batch), batch)
            got += list(enricher.results())
            waiting.append(enricher.queued_bytes)
        got += list(enricher.results(final=True))
        assert enricher.mine > 0  # this process took chunks from the queue before the end
    assert max(waiting) <= bound
    assert_frame_equal(pl.concat([g[0] for g in got]), one)


def test_streamed_parse_is_the_same_file_whatever_the_chunks(tmp_path, monkeypatch):
    """``parse_to_file`` with chunks smaller than its slices, shared with a worker: the bytes of one process."""
    one, several = tmp_path / "one.parquet", tmp_path / "several.parquet"
    parse_to_file(SEED, one, batch_rows=30, workers=1)
    monkeypatch.setattr(enrich_module, "PARALLEL_MIN_ROWS", 1)
    monkeypatch.setattr(enrich_module, "CHUNK_ROWS", 4)
    parse_to_file(SEED, several, batch_rows=30, workers=2)
    assert one.read_bytes() == several.read_bytes()


def test_a_worker_process_that_dies_is_one_clear_error(monkeypatch):
    """A worker killed (out of memory, a signal) while it enriches: one FeedtoolsError, and the next parallel
    enrichment starts a new worker and works."""
    import signal

    from feedtools.errors import FeedtoolsError
    from feedtools.language import worker_pool

    posts = _mixed_posts()
    monkeypatch.setattr(enrich_module, "PARALLEL_MIN_ROWS", 1)
    monkeypatch.setattr(enrich_module, "CHUNK_ROWS", 5)
    one = enrich(posts, workers=2)  # the pool is running
    for pid in list(worker_pool(1)._processes):
        os.kill(pid, signal.SIGKILL)
    with (
        pytest.raises(FeedtoolsError, match="worker process .* ended before finishing"),
        enrich_module.Enricher(2, warm=True) as enricher,
    ):
        enricher.put(posts, 40)
        list(enricher.results(final=True))
    assert_frame_equal(enrich(posts, workers=2), one)


def test_slices_are_written_to_the_output_while_the_feed_is_read(tmp_path, monkeypatch):
    """A row's copy is always an earlier row, so a slice goes to the output once the slices before it are known:
    the temporary slices waiting beside the output stay few (at most about 1/FLUSH_SHARE of the rows read), not
    the whole table, and the file is the in-memory load's."""
    from feedtools import streamparse

    lines = ["Org", "bio"] + [f"- post {i % 40} about #Tag{i % 7}" for i in range(900)]  # copies across slices
    feed_path = write_feed(tmp_path, "\n".join(lines) + "\n", "big.txt")
    out_dir = tmp_path / "out"
    waiting: list[int] = []

    def progress(rows: int) -> None:
        (tmp,) = [p for p in out_dir.iterdir() if p.is_dir()]  # the temporary slices' folder
        waiting.append(len(list(tmp.iterdir())))

    res = parse_to_file(feed_path, out_dir / "posts.parquet", batch_rows=10, progress=progress)
    assert len(waiting) == 90 and max(waiting) <= 90 // streamparse.FLUSH_SHARE + 1
    assert waiting[-1] <= 90 // streamparse.FLUSH_SHARE + 1 and sum(w == 0 for w in waiting) >= 10
    feed = feedtools.load(feed_path)
    assert_frame_equal(pl.read_parquet(out_dir / "posts.parquet"), feed.posts)
    assert res.stats["duplicates"] == feed.stats["duplicates"] == 620  # 280 distinct texts
    assert sorted(p.name for p in out_dir.iterdir()) == ["posts.parquet"]


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_a_parsed_table_out_of_position_order_is_written_in_order(tmp_path, suffix):
    """A parsed table whose rows were reordered (e.g. sorted by another column, then saved) is parsed again into
    rows in ``position`` order, with the duplicates of the table in order."""
    parsed = tmp_path / "posts.parquet"
    parse_to_file(SEED, parsed)
    table = pl.read_parquet(parsed)
    shuffled = tmp_path / "shuffled.parquet"
    table.sample(fraction=1.0, shuffle=True, seed=3).write_parquet(shuffled)
    out = tmp_path / f"again{suffix}"
    res = parse_to_file(shuffled, out, batch_rows=9)
    got = pl.read_parquet(out) if suffix == ".parquet" else pl.read_ndjson(out, schema=table.schema)
    assert_frame_equal(got, table)
    assert res.stats["duplicates"] == 1
