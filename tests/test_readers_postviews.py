"""postViews reader: getPosts/search responses, plain lists, JSON Lines, repeats and a bad view."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from conftest import FIXTURES, write_feed

from feedtools.readers import FeedError, detect_format, iter_read, read_raw
from feedtools.readers.base import ReadResult

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


def test_pages_found_after_an_item_that_is_not_a_page(tmp_path):
    # Only items whose JSON holds "posts" are decoded to look for pages; a stray item before them is still a
    # located reject, and a postView whose text mentions "posts" does not make the array a list of pages.
    pages = [{"cursor": "0"}, {"posts": GOOD[:2], "cursor": "1"}]
    r = read_raw(write_feed(tmp_path, json.dumps(pages), name="search.json"), "postviews")
    assert r.posts["source_location"].to_list() == ["page 2 item 1", "page 2 item 2"]
    assert r.rejects.select("location", "reason").rows() == [("page 1", "page has no list 'posts'")]
    talky = [{**GOOD[0], "record": {**GOOD[0]["record"], "text": 'about "posts"'}}, GOOD[1]]
    r = read_raw(write_feed(tmp_path, json.dumps(talky), name="views.json"))
    assert r.posts["source_location"].to_list() == ["item 1", "item 2"] and r.rejects.height == 0


def test_search_pages_and_jsonl(tmp_path):
    pages = [{"posts": GOOD[:2], "cursor": "1"}, {"posts": GOOD[2:], "hitsTotal": 3}]
    path = write_feed(tmp_path, json.dumps(pages), name="search.json")
    assert read_raw(path).posts["source_location"].to_list() == ["page 1 item 1", "page 1 item 2", "page 2 item 1"]
    lines = write_feed(tmp_path, "\n".join(json.dumps(v) for v in GOOD) + "\n", name="views.jsonl")
    assert detect_format(lines) == "postviews"
    r = read_raw(lines)
    assert r.posts["source_line"].to_list() == [1, 2, 3]
    assert r.posts.select(pl.col("created_at_flag").drop_nulls()).height == 1  # the year-0000 post


# --- mixed post lists: bare postViews and feed items {post, reason?, reply?, feedContext?} in one file ---

MIXED = FIXTURES / "mixed_post_list.json"
A, B = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"


def _check_mixed(r, loc):
    """The hand-made mixed list (camelCase and SDK snake_case) read in one pass; ``loc`` names the items."""
    p = r.posts
    assert p["source_location"].to_list() == [loc(i) for i in (1, 2, 3, 4, 5, 6)]
    assert p["is_repost"].to_list() == [True, False, False, False, False, True]
    assert p["is_pinned"].to_list() == [False, None, True, False, None, False]  # bare views say nothing of pins
    assert p["post_id"][0] == f"at://{A}/app.bsky.feed.repost/3lrepost00001"  # the 2025 reason's own uri
    assert p["post_id"][5] == f"repost:{A}:at://did:plc:cccccccccccccccccccccccc/app.bsky.feed.post/3loldtarget01"
    assert p["reposted_by"].to_list() == ["org.example.org", None, None, None, None, "org.example.org"]
    assert p["reposted_at"][0].isoformat() == "2025-03-03T10:00:00+00:00"
    assert p["author_handle"][0] == "partner.bsky.social" and p["hashtags"][0].to_list() == ["Climate"]
    # reply context: item 2's record names its parent; item 4's record lost it, the feed item's context fills it
    assert p["reply_to"].to_list()[:4] == [
        None,
        f"at://{B}/app.bsky.feed.post/3lparent00001",
        None,
        f"at://{B}/app.bsky.feed.post/3lgone0000001",
    ]
    assert p["reply_root"][3] == f"at://{A}/app.bsky.feed.post/3lthread00001"
    assert p["langs_declared"][2].to_list() == ["es"] and p["like_count"][2] == 40  # snake_case counts
    # only items that carry no post are rejected; the repeated bare view is kept once
    assert r.rejects.select("location", "reason").rows() == [
        (loc(7), "feed item has no post"),
        (loc(8), "feed item has no post"),
    ]
    s = r.stats
    assert (s["records"], s["posts"], s["rejected"], s["skipped_repeated"]) == (9, 6, 2, 1)
    assert s["records"] == s["posts"] + s["rejected"] + s["skipped"]


def test_mixed_post_list_reads_in_one_pass():
    # the first item is a feed item, yet the list is a post list: detection looks at the items
    assert detect_format(MIXED) == "postviews"
    r = read_raw(MIXED)
    assert r.posts["source_format"].unique().to_list() == ["postviews"]
    _check_mixed(r, lambda i: f"item {i}")


def test_mixed_post_list_as_json_lines_and_any_forced_reader(tmp_path):
    items = json.loads(MIXED.read_text())
    path = write_feed(tmp_path, "\n".join(json.dumps(v) for v in items) + "\n", name="mixed.jsonl")
    assert detect_format(path) == "postviews"
    _check_mixed(read_raw(path), lambda i: f"line {i}")
    # the author-feed reader reads the same items the same way (bare views included)
    _check_mixed(read_raw(MIXED, "authorfeed"), lambda i: f"item {i}")


def test_mixed_list_cut_at_the_head_is_still_a_post_list(tmp_path):
    """A list larger than the detection head: the complete items inside the head decide."""
    items = json.loads(MIXED.read_text())[:6]
    big = items * 400  # > 64 KiB; repeats are skipped, not rejected
    path = write_feed(tmp_path, json.dumps(big, indent=1), name="big.json")
    assert path.stat().st_size > 65536
    assert detect_format(path) == "postviews"
    r = read_raw(path)
    assert (r.stats["posts"], r.stats["rejected"], r.stats["skipped_repeated"]) == (6, 0, 6 * 399)


def test_real_postviews_mixed_with_wrapped_items(samples, tmp_path):
    """The real hydrated capture, some of its views wrapped as feed items (reposts, pin, reply context)."""
    views = json.loads((samples / "twitwi_bluesky-hydrated-firehose-posts.json").read_text())
    by = {"did": A, "handle": "org.example.org"}
    mixed = []
    for i, v in enumerate(views):
        if i % 3 == 0:
            mixed.append(
                {
                    "post": v,
                    "reason": {
                        "$type": "app.bsky.feed.defs#reasonRepost",
                        "by": by,
                        "indexedAt": "2025-12-06T00:00:00Z",
                    },
                    "feedContext": None,
                }
            )
        elif i % 3 == 1:
            mixed.append({"post": v, "reply": {"parent": {"uri": views[0]["uri"]}, "root": {"uri": views[0]["uri"]}}})
        else:
            mixed.append(v)
    mixed.append(views[2])  # a view seen again
    path = write_feed(tmp_path, json.dumps(mixed), name="mixed_real.json")
    assert detect_format(path) == "postviews"
    r = read_raw(path)
    assert r.rejects.height == 0
    assert r.posts.height == 9 and int(r.posts["is_repost"].sum()) == 3
    assert r.stats["skipped_repeated"] == 1
    assert sorted(r.posts["post_uri"].to_list()) == sorted(v["uri"] for v in views)
    replies = r.posts.filter(pl.col("source_location").is_in([f"item {i + 1}" for i in range(1, 9, 3)]))
    assert replies["reply_to"].to_list() == [views[0]["uri"]] * 3
    assert r.posts.filter(pl.col("is_repost"))["reposted_by"].to_list() == ["org.example.org"] * 3


@pytest.mark.parametrize(
    "fixture, fmt",
    [
        ("mixed_post_list.json", "postviews"),
        ("authorfeed_pages.json", "authorfeed"),
        ("authorfeed_sdk_dump.json", "authorfeed"),
    ],
)
@pytest.mark.parametrize("size", [1, 2, 3])
def test_post_lists_read_in_batches_give_the_same_table(tmp_path, fixture, fmt, size):
    """A post list read in small batches: the same rows, positions, rejects (with their locations) and counts as
    read in one batch; a post repeated in a later batch is still skipped and counted."""
    items = json.loads((FIXTURES / fixture).read_text())
    if isinstance(items, list) and fmt == "postviews":
        items = items + items[:2]  # repeats reach across batch boundaries
    path = write_feed(tmp_path, json.dumps(items), name=fixture)
    whole = read_raw(path, fmt, batch_size=10**9)
    batches = list(iter_read(path, fmt, batch_size=size))
    assert len(batches) > 1 or whole.stats["records"] <= size
    assert all(b.stats["records"] <= size for b in batches[1:])
    joined = ReadResult.combine(batches)
    assert joined.posts.equals(whole.posts)
    assert joined.rejects.equals(whole.rejects)
    assert joined.stats == whole.stats
    assert joined.posts["position"].to_list() == list(range(whole.posts.height))
    assert whole.stats["records"] == whole.stats["posts"] + whole.stats["rejected"] + whole.stats["skipped"]
    if fmt == "postviews":
        assert whole.stats["skipped_repeated"] >= 2


def test_every_view_rejected_fails_in_batches_too(tmp_path):
    """Every record rejected is one FeedError, however small the batches (nothing yielded before it)."""
    path = write_feed(tmp_path, json.dumps([{"uri": 5, "record": 1}] * 5), name="bad.json")
    batches = iter_read(path, "postviews", batch_size=2)
    with pytest.raises(FeedError, match=r"no record could be read as postviews \(item 1: "):
        next(batches)


def test_rejects_before_the_first_row_stay_in_the_first_batch(tmp_path):
    """Rejected views ahead of the first readable one are held in the first batch, with their locations."""
    path = write_feed(tmp_path, json.dumps([{"uri": 5, "record": 1}] * 3 + GOOD), name="late.json")
    batches = list(iter_read(path, "postviews", batch_size=2))
    assert batches[0].rejects["location"].to_list() == ["item 1", "item 2", "item 3"]
    assert batches[0].stats["records"] == 4 and batches[0].posts["source_location"].to_list() == ["item 4"]
    joined = ReadResult.combine(batches)
    assert joined.posts["source_location"].to_list() == [f"item {i}" for i in range(4, 4 + len(GOOD))]
    assert joined.stats["records"] == 3 + len(GOOD) and joined.stats["rejected"] == 3


def _mapped_rss_kb(path) -> int | None:
    """Resident kB of this process's mappings of ``path`` (Linux ``/proc/self/smaps``), None elsewhere."""
    try:
        text = Path("/proc/self/smaps").read_text(encoding="utf-8")
    except OSError:
        return None
    total, inside = 0, False
    for line in text.splitlines():
        first = line.split(" ", 1)[0]
        if "-" in first and not first.endswith(":"):  # a mapping's header line
            inside = line.rstrip().endswith(str(path))
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1])
    return total


def test_big_list_read_in_batches_without_holding_the_file(tmp_path, monkeypatch):
    """A list of postViews read lazily: batches of ``batch_size`` items, every location and count as a whole read
    gives, items still right after the mapped pages are released, and the file not left resident."""
    from feedtools.readers import jsonarray, postviews

    monkeypatch.setattr(jsonarray, "RELEASE_EVERY", 3)  # released often: items must still read right
    views = []
    for k in range(40):
        v = json.loads(json.dumps(GOOD[k % len(GOOD)]))
        v["uri"] += f"x{k}"
        v["record"]["text"] = f"{v['record'].get('text', '')} {'padding ' * 400} #{k}"  # ~3 KB an item
        views.append(v)
    path = write_feed(tmp_path, json.dumps(views + [GOOD[0], views[5]]), name="big.json")
    batches = list(postviews.read_batches(path, batch_size=7))
    assert [b.stats["records"] for b in batches] == [7] * 6  # cut by records read
    assert [b.posts.height for b in batches] == [7] * 5 + [6]  # the last holds the repeat
    posts = pl.concat([b.posts for b in batches])
    assert posts["source_location"].to_list() == [f"item {i}" for i in range(1, 42)]
    assert posts["position"].to_list() == list(range(41))
    assert [t.rsplit("#", 1)[1] for t in posts["text"].to_list()[:40]] == [str(k) for k in range(40)]
    assert sum(b.stats["skipped_repeated"] for b in batches) == 1  # views[5] again
    assert posts.equals(read_raw(path).posts)
    value = jsonarray.load_json_lazily(path)
    assert len(list(value)) == 42
    rss = _mapped_rss_kb(path)
    if rss is not None:
        assert rss <= 64, f"{rss} kB of the {path.stat().st_size // 1024} kB file still resident"


def _padded_views(n: int, pad: int) -> list[dict]:
    """``n`` distinct postViews, each with about ``pad`` bytes more text."""
    views = []
    for k in range(n):
        v = json.loads(json.dumps(GOOD[k % len(GOOD)]))
        v["uri"] += f"x{k}"
        v["record"]["text"] = f"{v['record'].get('text', '')} {'é' * (pad // 2)} #{k}"
        views.append(v)
    return views


def test_batches_of_big_postviews_are_bounded_by_bytes(tmp_path, monkeypatch):
    """Big postViews: fewer of them a batch (about BATCH_BYTES of JSON), with the locations, positions and table
    a whole read gives; a list, a response and pages (whose items hold many posts: records counted) alike."""
    from feedtools.readers import postviews

    views = _padded_views(30, 4000)
    per_view = len(json.dumps(views)) // len(views)
    monkeypatch.setattr(postviews, "BATCH_BYTES", 3 * per_view + per_view // 2)
    for name, doc in (("list.json", views), ("response.json", {"posts": views, "cursor": "c"})):
        path = write_feed(tmp_path, json.dumps(views if name == "list.json" else doc), name=name)
        batches = list(postviews.read_batches(path, batch_size=7))
        assert [b.stats["records"] for b in batches] == [3] * 10, name  # not 7: 3 views make BATCH_BYTES
        posts = pl.concat([b.posts for b in batches])
        assert posts["source_location"].to_list() == [f"item {i}" for i in range(1, 31)]
        assert posts["position"].to_list() == list(range(30)) and posts.equals(read_raw(path).posts)
    pages = [{"posts": views[:15]}, {"posts": views[15:]}]
    path = write_feed(tmp_path, json.dumps(pages), name="pages.json")
    batches = list(postviews.read_batches(path, batch_size=7))
    assert [b.stats["records"] for b in batches] == [7, 7, 7, 7, 2]  # pages: batch_size records
    assert pl.concat([b.posts for b in batches])["source_location"].to_list()[14:16] == [
        "page 1 item 15",
        "page 2 item 1",
    ]
    small = write_feed(tmp_path, json.dumps(_padded_views(6, 0)), name="small.json")  # small: batch_size items
    assert [b.stats["records"] for b in postviews.read_batches(small, batch_size=2)] == [2, 2, 2]
