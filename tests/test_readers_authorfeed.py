"""Author-feed reader: pages, pins, reposts, repeats, byte-offset facets, odd dates, one bad item."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import polars as pl
import pytest
from conftest import FIXTURES, write_feed

import feedtools
from feedtools.readers import detect_format, read_raw

PAGES = FIXTURES / "authorfeed_pages.json"  # 3 pages (page 3 repeats page 1), hand-made
SDK = FIXTURES / "authorfeed_sdk_dump.json"  # page 1 as the Python SDK's model_dump() writes it
ORG = "did:plc:orgorgorgorgorgorgorgorg"


def uri(rkey: str, did: str = ORG) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def test_detected_by_content():
    assert detect_format(PAGES) == "authorfeed"
    assert detect_format(SDK) == "authorfeed"


def test_handmade_feed_gives_the_right_table():
    r = read_raw(PAGES)
    p = r.posts
    assert p["post_uri"].to_list() == [
        uri("3pinned00001"),
        uri("3partner0001", "did:plc:otherotherotherotherothe"),
        uri("3facets00001"),
        uri("3oldpost0001"),
        uri("3reply000001"),
    ]
    assert p["position"].to_list() == [0, 1, 2, 3, 4]
    # pinned post: kept once (its reappearance on page 2 without a reason and page 3's repeat are skipped)
    assert p["is_pinned"].to_list() == [True, False, False, False, False]
    # the repost: reposter, the repost's own time and record URI
    rep = p.row(1, named=True)
    assert rep["is_repost"] and rep["reposted_by"] == "uclg.example.org"
    assert rep["post_id"] == f"at://{ORG}/app.bsky.feed.repost/3repost00001"
    assert str(rep["reposted_at"]) == "2025-02-28 09:30:00+00:00"
    assert rep["author_handle"] == "partner.bsky.social" and rep["author_name"] == "Partner Org"
    assert rep["urls"] == ["https://example.org/report?utm=1"] and rep["hashtags"] == ["ClimateAction"]
    assert (rep["like_count"], rep["repost_count"]) == (40, None)  # absent counts are null, not 0
    assert p["is_repost"].sum() == 1
    # emoji before the hashtag: the tag facet is valid when read as UTF-8 bytes
    pin = p.row(0, named=True)
    assert pin["hashtags"] == ["Día2"] and pin["facets_invalid"] == 0
    assert pin["author_name"] == "United Example Cities" and pin["langs_declared"] == ["es"]
    # out-of-range and character-splitting facets ignored and counted; the mention after an emoji is exact
    fac = p.row(2, named=True)
    assert fac["facets_invalid"] == 2 and fac["mentions"] == ["partner.bsky.social"] and fac["hashtags"] == []
    assert fac["quote_of"] == rep["post_uri"]
    # year 0000: the raw string kept and flagged, nothing crashed (year 0 is no Python datetime: value null)
    old = p.row(3, named=True)
    assert old["created_at_raw"] == "0000-01-01T00:00:00.000Z" and old["created_at_flag"] == "implausible"
    assert old["created_at"] is None
    assert p["created_at_flag"].drop_nulls().to_list() == ["implausible"]
    reply = p.row(4, named=True)
    assert reply["reply_to"] == uri("3facets00001") and reply["reply_root"] == rep["post_uri"]
    assert reply["quote_of"] is None  # unknown embed type ignored
    # the malformed item is the only reject, located by page and item
    assert r.rejects.select("location", "reason").rows() == [("page 2 item 3", "post has no AT-URI")]
    assert r.stats["records"] == 10
    assert r.stats["records"] == r.stats["posts"] + r.stats["rejected"] + r.stats["skipped"]
    assert r.stats["skipped_repeated"] == 4


def test_enriched_table_keeps_facet_values_first():
    feed = feedtools.load(PAGES)
    row = feed.posts.filter(pl.col("position") == 1).row(0, named=True)
    assert row["urls"] == ["https://example.org/report?utm=1"]  # the facet's full URI, not the display text
    assert row["hashtags"][0] == "ClimateAction"
    assert feed.posts.filter(pl.col("position") == 3)["created_at_flag"].to_list() == ["implausible"]
    assert len(feed.posts.to_dicts()) == 5  # every value converts to Python
    assert feed.stats["rejected"] == 1 and feed.meta["unit"] == "records"


def test_sdk_dump_reads_like_the_wire_format():
    wire = read_raw(PAGES).posts.filter(pl.col("source_location").str.starts_with("page 1"))
    sdk = read_raw(SDK).posts
    cols = [c for c in wire.columns if c not in ("source",)]
    assert sdk.select(cols).equals(wire.select(cols))


def test_jsonl_of_feed_items_with_a_bad_line(tmp_path):
    items = json.loads(PAGES.read_text())[0]["feed"]
    lines = [json.dumps(i) for i in items]
    lines.insert(1, '{"post": {"uri": "at://broken"')  # cut off
    lines.insert(3, "")
    path = write_feed(tmp_path, "\n".join(lines) + "\n", name="feed.jsonl")
    r = read_raw(path)
    assert r.posts["source_line"].to_list() == [1, 3, 5]
    assert r.posts["source_location"].to_list() == ["line 1", "line 3", "line 5"]
    assert r.rejects["location"].to_list() == ["line 2"]
    assert r.rejects["reason"][0].startswith("not valid JSON")


def test_single_page_object_and_repost_without_record_uri(tmp_path):
    page = json.loads(PAGES.read_text())[0]
    del page["feed"][1]["reason"]["uri"]  # before 2025-05 reasons had no repost URI
    path = write_feed(tmp_path, json.dumps(page), name="page.json")
    p = read_raw(path).posts
    expected = f"repost:{ORG}:" + uri("3partner0001", "did:plc:otherotherotherotherothe")
    assert p.filter(pl.col("is_repost"))["post_id"].to_list() == [expected]


def run(*args: str) -> subprocess.CompletedProcess:
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("fmt", ["auto", "authorfeed"])
def test_cli_malformed_json_file_one_line_exit_1(tmp_path, fmt):
    text = PAGES.read_text()
    path = write_feed(tmp_path, text[: len(text) // 2], name="broken.json")  # truncated mid-document
    r = run("parse", str(path), "--format", fmt, "-o", str(tmp_path / "o.parquet"))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("feedtools: error: broken.json: not valid JSON")
    assert "Traceback" not in r.stderr


def test_cli_summary_accounts_for_every_record(tmp_path):
    r = run("parse", str(PAGES), "-o", str(tmp_path / "o.csv"))
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip().splitlines()[-1] == (
        "10 records, 4 posts, 1 reposts, 0 placeholders, 0 duplicates, 1 rejected, 4 skipped; "
        f"rejects in {tmp_path / 'o.rejects.csv'}"
    )
    assert pl.read_csv(tmp_path / "o.rejects.csv")["location"].to_list() == ["page 2 item 3"]


def test_forcing_the_wrong_format_gives_one_line(tmp_path):
    # objects that hold no post at all (bare postViews are read: post lists mix them with feed items)
    events = [{"did": "did:plc:x", "time_us": 1, "kind": "identity"}] * 3
    path = write_feed(tmp_path, json.dumps(events), name="events.json")
    r = run("parse", str(path), "--format", "authorfeed", "-o", str(tmp_path / "o.parquet"))
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "feedtools: error: events.json: no record could be read as authorfeed (item 1: feed item has no post)"
    )
    r = run("parse", str(PAGES), "--format", "jetstream", "-o", str(tmp_path / "o.parquet"))
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1


def test_one_line_jsonl_and_empty_page(tmp_path):
    item = json.loads(PAGES.read_text())[0]["feed"][0]
    one = write_feed(tmp_path, json.dumps(item) + "\n", name="one.jsonl")
    assert read_raw(one).posts["source_location"].to_list() == ["line 1"]
    empty = write_feed(tmp_path, '{"feed": [], "cursor": null}', name="empty.json")
    r = read_raw(empty)
    assert r.posts.height == 0 and r.stats["records"] == 0
