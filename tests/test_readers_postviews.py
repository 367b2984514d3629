"""postViews reader: getPosts/search responses, plain lists, JSON Lines, repeats and a bad view."""

from __future__ import annotations

import json

import polars as pl
from conftest import FIXTURES, write_feed

from feedtools.readers import detect_format, read_raw

VIEWS = [item["post"] for item in json.loads((FIXTURES / "authorfeed_pages.json").read_text())[1]["feed"]]
GOOD = [v for v in VIEWS if "uri" in v]  # page 2 holds one view without a URI


def test_getposts_response(tmp_path):
    path = write_feed(tmp_path, json.dumps({"posts": GOOD}), name="getposts.json")
    assert detect_format(path) == "postviews"
    r = read_raw(path)
    assert r.posts.height == 3 and r.rejects.height == 0
    assert r.posts["is_repost"].to_list() == [False] * 3
    assert r.posts["is_pinned"].null_count() == 3  # postViews say nothing about pins
    assert r.posts["source_format"].unique().to_list() == ["postviews"]
    assert r.posts["like_count"].to_list() == [12, 0, None]


def test_list_with_a_bad_view_and_a_repeat(tmp_path):
    path = write_feed(tmp_path, json.dumps(VIEWS + [GOOD[0]]), name="hydrated.json")
    r = read_raw(path)
    assert r.posts["source_location"].to_list() == ["item 1", "item 2", "item 4"]
    assert r.rejects.select("location", "reason").rows() == [("item 3", "post has no AT-URI")]
    assert (r.stats["records"], r.stats["posts"], r.stats["rejected"], r.stats["skipped_repeated"]) == (5, 3, 1, 1)
    assert r.stats["records"] == r.stats["posts"] + r.stats["rejected"] + r.stats["skipped"]


def test_search_pages_and_jsonl(tmp_path):
    pages = [{"posts": GOOD[:2], "cursor": "1"}, {"posts": GOOD[2:], "hitsTotal": 3}]
    path = write_feed(tmp_path, json.dumps(pages), name="search.json")
    assert read_raw(path).posts["source_location"].to_list() == ["page 1 item 1", "page 1 item 2", "page 2 item 1"]
    lines = write_feed(tmp_path, "\n".join(json.dumps(v) for v in GOOD) + "\n", name="views.jsonl")
    assert detect_format(lines) == "postviews"
    r = read_raw(lines)
    assert r.posts["source_line"].to_list() == [1, 2, 3]
    assert r.posts.select(pl.col("created_at_flag").drop_nulls()).height == 1  # the year-0000 post
