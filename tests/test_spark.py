"""feedtools.spark: the same rows and values as feedtools.read, on Spark in local[2] (one session per test run).

Skipped with the reason where pyspark or Java is missing.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

import feedtools

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

CHECKED = [
    "position",
    "post_id",
    "source",
    "source_line",
    "source_location",
    "text",
    "text_clean",
    "lang",
    "hashtags",
    "mentions",
    "domains",
    "urls",
    "created_at",
    "reposted_at",
    "is_repost",
    "reposted_by",
    "duplicate_of",
    "duplicate_kind",
]


@pytest.fixture(scope="session")
def spark():
    from feedtools.spark import _env_check

    why = _env_check()
    if why:
        pytest.skip(why)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("feedtools-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "Europe/Paris")  # results must not depend on it
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _same(paths, spark, **options):
    from feedtools.spark import read_feed, to_polars

    feed = read_feed(spark, paths, **options)
    got = to_polars(feed.posts)
    ref = feedtools.load(paths)
    assert got.height == ref.posts.height
    assert_frame_equal(got.select(CHECKED), ref.posts.select(CHECKED))  # the values a reader of a page sees
    assert_frame_equal(got, ref.posts)  # and every other column
    assert dict(feed.stats) == dict(ref.stats)
    assert feed.meta == ref.meta
    assert_frame_equal(feed.rejects, ref.rejects)
    return feed, ref


def test_seed_reads_the_same_on_spark(spark, seed_path):
    _, ref = _same(seed_path, spark)
    assert ref.stats["duplicates"] > 0 and ref.posts["is_repost"].sum() > 0  # the seed has both: compared


def test_every_sample_capture_reads_the_same_on_spark(spark, samples):
    from feedtools.readers import FeedError, detect_format

    read = 0
    for path in sorted(samples.iterdir()):
        try:
            detect_format(path)
        except FeedError:
            continue  # not a feed (README, expected-output tables)
        _same(path, spark)
        read += 1
    assert read >= 3


def _events(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _post(i: int, text: str, op: str = "create", did: str = "did:plc:aaa") -> str:
    return json.dumps(
        {
            "did": did,
            "time_us": 1714550400000000 + i * 3_600_000_000,
            "kind": "commit",
            "commit": {
                "rev": "r",
                "operation": op,
                "collection": "app.bsky.feed.post",
                "rkey": f"k{i}",
                "record": {
                    "$type": "app.bsky.feed.post",
                    "text": text,
                    "langs": ["en"],
                    "createdAt": f"2024-05-{1 + i % 20:02d}T10:00:00Z",
                },
            },
        }
    )


def test_byte_ranges_and_several_inputs_give_the_rows_of_one_read(spark, tmp_path, seed_path, samples):
    # A capture split into many byte ranges: repeats and edits across ranges, a bad line, blank lines, a BOM.
    lines = ["\ufeff" + _post(0, "Hello #Cities https://gold.uclg.org/x @someone.bsky.social")]
    lines += [_post(i, f"post {i % 7} #Tag{i % 3}") for i in range(1, 60)]
    lines += ["", "{not json", _post(5, "post 5 #Tag2"), _post(7, "edited", op="update"), "  "]
    lines += [_post(i, "HELLO #cities!!" if i % 2 else "hello  #Cities") for i in range(60, 70)]
    big = _events(tmp_path / "capture.jsonl", lines)
    _, ref = _same(big, spark, split_bytes=700)
    assert ref.stats["skipped_repeated"] == 1 and ref.stats["skipped_update"] == 1 and ref.stats["rejected"] == 1
    assert ref.posts["duplicate_kind"].drop_nulls().unique().sort().to_list() == ["exact", "normalised"]
    # Several inputs: the seed, a sample capture, the split capture and a second capture repeating posts.
    again = _events(
        tmp_path / "again.jsonl",
        [_post(i, f"post {i % 7} #Tag{i % 3}") for i in range(50, 55)] + [_post(200, "new one")],
    )
    paths = [seed_path, samples / "jetstream_expected_v1.jsonl", big, again]
    _, ref = _same(paths, spark, split_bytes=700)
    assert ref.meta["inputs"][3]["stats"]["skipped_repeated"] == 5


def test_an_unreadable_input_is_one_clear_error(spark, tmp_path):
    from feedtools.readers import FeedError
    from feedtools.spark import read

    bad = _events(tmp_path / "bad.jsonl", ['{"did": "did:plc:x", "time_us": 1, "kind": "commit"}'] * 3)
    with pytest.raises(FeedError, match="no record could be read"):
        read(spark, bad, format="jetstream")
    with pytest.raises(FeedError, match="no such file"):
        read(spark, tmp_path / "missing.jsonl")


def test_spark_dataset_reads_back_and_builds_the_same_tables(spark, tmp_path, seed_path, samples):
    from feedtools import explore
    from feedtools.spark import campaign_day_counts, daily_counts, local, read_feed, write

    paths = [seed_path, samples / "jetstream_expected_v1.jsonl"]
    feed = read_feed(spark, paths)
    out = tmp_path / "ds"
    write(feed, str(out))
    back = feedtools.load(out)
    ref = feedtools.load(paths)
    assert_frame_equal(back.posts, ref.posts)
    assert back.stats == ref.stats and back.meta == ref.meta
    # The tables and sentences notebook 01 (explore) shows, from the Spark-written dataset and from the raw feeds.
    for fn in (
        explore.volume,
        explore.top_hashtags,
        explore.top_mentions,
        explore.top_domains,
        explore.language_table,
        explore.duplicates_sample,
        explore.input_summary,
        explore.data_quality,
        explore.accounts_table,
        explore.rejects_by_reason,
    ):
        assert_frame_equal(fn(back), fn(ref))
    assert explore.headline(back) == explore.headline(ref)
    assert explore.describe_feed(back) == explore.describe_feed(ref)
    # Spark aggregations: the same small tables as the polars versions.
    assert_frame_equal(daily_counts(feed.posts), local.daily_counts(ref.posts))
    got = campaign_day_counts(feed.posts)
    assert_frame_equal(got, local.campaign_day_counts(ref.posts))
    assert got.height > 0
    # Every command reads the folder: a CLI run on it.
    import subprocess

    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("feedtools")),
            "parse",
            str(out),
            "-o",
            str(tmp_path / "one.parquet"),
            "-q",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert_frame_equal(feedtools.read(tmp_path / "one.parquet"), ref.posts)


def test_bench_has_a_spark_row_with_the_rows_of_the_polars_parse(spark, tmp_path):
    import subprocess

    exe = str(Path(sys.executable).with_name("feedtools"))
    r = subprocess.run(
        [
            exe,
            "bench",
            "--sizes",
            "300",
            "--formats",
            "jetstream",
            "--texts",
            "distinct",
            "--no-baseline",
            "--analyses-up-to",
            "1",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert r.returncode == 0, r.stderr
    rows = [
        [c.strip() for c in line.strip("|").split("|")]
        for line in r.stdout.splitlines()
        if line.startswith("| jetstream")
    ]
    by_step = {row[3]: row for row in rows}
    polars_row, spark_row = by_step["parse"], by_step["parse (Spark local[2])"]
    assert spark_row[4] == polars_row[4] and int(spark_row[4].replace(",", "")) > 0  # same rows
    assert float(spark_row[5]) > 0 and float(spark_row[8].replace(",", "")) > 0  # seconds, peak MB
    assert list(tmp_path.iterdir()) == []


def test_the_exploration_notebook_from_the_spark_dataset_equals_the_raw_feed_one(spark, tmp_path, seed_path):
    import shutil

    from conftest import ROOT

    from feedtools.report import build_reports
    from feedtools.spark import read_feed, write

    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "01_exploration.py", notebooks)
    folder = tmp_path / "spark" / seed_path.name  # named like the file, since the page names its input
    write(read_feed(spark, seed_path), str(folder))
    build_reports(seed_path, tmp_path / "raw_out", notebooks_dir=notebooks, progress=None, cache_dir=tmp_path / "c1")
    build_reports(folder, tmp_path / "spark_out", notebooks_dir=notebooks, progress=None, cache_dir=tmp_path / "c2")
    for page in ("01_exploration.html", "index.html"):
        raw = (tmp_path / "raw_out" / page).read_text(encoding="utf-8")
        assert (tmp_path / "spark_out" / page).read_text(encoding="utf-8") == raw, page


def test_a_dataset_folder_that_cannot_be_written_is_one_line_exit_1(spark, tmp_path, seed_path, monkeypatch, capsys):
    from feedtools.spark import __main__ as spark_main
    from feedtools.spark import read_feed, write

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError, match=r"a-file/ds: cannot write the dataset folder \(Parent path is not a directory"):
        write(read_feed(spark, seed_path), str(blocker / "ds"))
    # The entry point: the session given (not stopped, the other tests share it); one line and exit status 1.
    monkeypatch.setattr(spark_main, "_session", lambda master: spark)
    monkeypatch.setattr(spark, "stop", lambda: None)
    code = spark_main.main(["parse", str(seed_path), "-o", str(blocker / "ds")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and err[-1].startswith("feedtools: error: ") and "cannot write the dataset folder" in err[-1]
    assert not any(line.startswith(("Traceback", "py4j")) for line in err)
    assert blocker.read_text() == "not a folder"
