"""The profile-scrape reader in batches: wherever the file is cut (between items, blocks of bytes), the batches
together give the table, rejects and accounting of the file read whole."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest
from conftest import SEED, write_feed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedtools.readers import FeedError, ReadResult, scrape_lines
from feedtools.readers import scrape as scrape_reader
from feedtools.readers.scrape import PLACEHOLDER, read_batches

#: A scrape with every kind of line, where a cut between items can fall after the header, before a repost
#: label or a placeholder, inside a multi-line item or next to rejected lines.
AWKWARD = (
    "Example Org\nWe are an example #Org\n  and a second bio line\n\n"  # lines 1-4: name, bio, blank
    "- PinnedWelcome to our page\n"  # 5
    "- Same text\n"  # 6
    "- A post\nthat spans\n\n  three lines\n"  # 7-10: an item, its continuation lines and a blank line
    "- Reposted by Example Org[Not loaded yet]\n"  # 11
    "- Reposted by Jane DoeHow can cities act?\n"  # 12: reposter not known in advance
    "bad\x01line\n"  # 13: control characters
    "- \n"  # 14: an item with no text
    "- Reposted by Example Org\n"  # 15: a label with no post after it
    "- [Not loaded yet]\n"  # 16
    "- Same text\n"  # 17
    "- PinnedNot the first item\n"  # 18
    "- Reposted by Jane Doe[Not loaded yet]\n"  # 19
    "- Same text\n  with more\n"  # 20-21
    "- Same text\n"  # 22
)
N_ITEMS = AWKWARD.count("\n- ") + AWKWARD.startswith("- ")


def whole(path, **kw) -> ReadResult:
    return ReadResult.combine(read_batches(path, batch_size=10**9, **kw))


def assert_same(got: ReadResult, want: ReadResult) -> None:
    assert got.posts.equals(want.posts)
    assert got.rejects.equals(want.rejects)
    assert dict(got.stats) == dict(want.stats)
    assert got.meta == want.meta


def test_one_batch_per_item_gives_the_whole_table(tmp_path):
    path = write_feed(tmp_path, AWKWARD)
    want = whole(path)
    batches = list(read_batches(path, batch_size=1))
    assert [b.stats["items"] for b in batches] == [1] * N_ITEMS
    assert_same(ReadResult.combine(batches), want)
    assert want.posts["position"].to_list() == list(range(want.posts.height))
    # The header is read from the first batch and its meta comes with every batch.
    assert {b.meta["profile_name"] for b in batches} == {"Example Org"}
    assert {b.meta["profile_bio"] for b in batches} == {"We are an example #Org\nand a second bio line"}
    assert batches[0].stats["header"] == 3 and batches[0].stats["blank"] == 1
    # A multi-line item keeps its continuation lines (and the blank line among them) in its batch.
    spans = batches[2]
    assert spans.posts["text"].to_list() == ["A post\nthat spans\nthree lines"]
    assert (spans.stats["lines"], spans.stats["continuation"], spans.stats["blank"]) == (4, 2, 1)
    # A rejected line goes with the batch of the item it follows, with its line number in the file.
    assert batches[4].rejects["line"].to_list() == [13]
    assert batches[4].posts["text"].to_list() == ["How can cities act?"]
    assert [b.rejects["line"].to_list() for b in batches[5:7]] == [[14], [15]]
    assert [b.posts.height for b in batches[5:7]] == [0, 0]


def test_positions_and_repeated_ids_continue_across_batches(tmp_path):
    path = write_feed(tmp_path, AWKWARD)
    posts = ReadResult.combine(read_batches(path, batch_size=2)).posts
    same = posts.filter(pl.col("text") == "Same text")
    base = same["post_id"][0]
    assert same["post_id"].to_list() == [base, base + "#2", base + "#3"]
    assert same["position"].to_list() == [1, 6, 10]
    placeholders = posts.filter(pl.col("is_placeholder") & pl.col("reposted_by").is_null())
    assert placeholders.height == 1
    # Only the file's first item can be pinned, whichever batch an item starting with "Pinned" is in.
    assert posts["is_pinned"].to_list() == [True] + [False] * (posts.height - 1)
    assert "PinnedNot the first item" in posts["text"].to_list()


@pytest.mark.parametrize("block_bytes", [1, 3, 7, 40])
@pytest.mark.parametrize("batch_size", [1, 2, 3, 5, 100])
def test_any_batch_and_block_size_gives_the_whole_table(tmp_path, monkeypatch, batch_size, block_bytes):
    data = b"\xef\xbb\xbf" + AWKWARD.replace("\n", "  \r\n").encode() + b"- caf\xc3\xa9 \xff\xfe\n- last, no newline"
    path = write_feed(tmp_path, data)
    want = whole(path)
    assert want.rejects["reason"].str.contains("UTF-8").sum() == 1
    monkeypatch.setattr(scrape_lines, "BLOCK_BYTES", block_bytes)
    assert_same(ReadResult.combine(read_batches(path, batch_size=batch_size)), want)


def test_batches_of_the_seed_give_the_whole_table(tmp_path):
    want = whole(SEED)
    for batch_size in (1, 7, 79):
        assert_same(ReadResult.combine(read_batches(SEED, batch_size=batch_size)), want)


def test_mostly_undecodable_file_is_refused_even_when_the_bad_lines_come_late(tmp_path, monkeypatch):
    monkeypatch.setattr(scrape_lines, "BLOCK_BYTES", 64)
    path = write_feed(tmp_path, b"Name\n" + b"- fine\n" * 40 + b"- \xff\n" * 30)
    with pytest.raises(FeedError, match=r"not UTF-8 text \(30 of 71 lines undecodable\)"):
        list(read_batches(path, batch_size=4))
    path = write_feed(tmp_path, b"Name\n" + b"- fine\n" * 40 + b"- \xff\n" * 20)
    r = ReadResult.combine(read_batches(path, batch_size=4))
    assert r.rejects["line"].to_list() == list(range(42, 62))
    assert r.posts.height == 40


def test_blank_file_longer_than_a_block_is_empty(tmp_path, monkeypatch):
    monkeypatch.setattr(scrape_lines, "BLOCK_BYTES", 16)
    with pytest.raises(FeedError, match="the file is empty"):
        list(read_batches(write_feed(tmp_path, b"\xef\xbb\xbf" + b" \r\n" * 5000)))
    r = ReadResult.combine(read_batches(write_feed(tmp_path, b" \n" * 5000 + b"Name\n- post\n")))
    assert r.posts["text"].to_list() == ["post"] and r.stats["blank"] == 5000


def test_no_items_and_no_header_is_refused_with_small_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(scrape_lines, "BLOCK_BYTES", 4)
    with pytest.raises(FeedError, match="no profile header and no feed items"):
        list(read_batches(write_feed(tmp_path, "\x01\n" + "\n" * 300), batch_size=1))


def test_row_ids_are_the_sha1_of_each_key():
    rows = pl.DataFrame(
        {
            "author_name": ["Org", None, "", "Örg 🌍", None],
            "reposted_by": [None, "you", None, "Jane\x1fDoe", "x"],
            "is_repost": [False, True, False, True, True],
            "text_out": ["Hello", None, "", "Ça va ? 🌍\nline two", "[Not loaded yet]"],
        }
    )

    def one(author, reposted_by, is_repost, text):
        key = "\x1f".join([author or "", "R" if is_repost else "P", reposted_by or "", text or PLACEHOLDER])
        return "scrape:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    ids = scrape_reader._row_ids(rows)
    assert ids["_id"].to_list() == [one(*row) for row in rows.iter_rows()]
    assert scrape_reader._row_ids(rows.slice(2, 2))["_id"].to_list() == ids["_id"].slice(2, 2).to_list()
    assert ids["_key"].n_unique() == rows.height


def test_parse_to_file_with_small_reader_batches_gives_the_same_table(tmp_path, monkeypatch):
    from feedtools.streamparse import parse_to_file

    path = write_feed(tmp_path, AWKWARD + SEED.read_text(encoding="utf-8").split("\n", 2)[2])
    parse_to_file(path, tmp_path / "whole.parquet")
    monkeypatch.setattr(scrape_reader, "BATCH_SIZE", 3)
    monkeypatch.setattr(scrape_lines, "BLOCK_BYTES", 100)
    result = parse_to_file(path, tmp_path / "batched.parquet")
    assert pl.read_parquet(tmp_path / "batched.parquet").equals(pl.read_parquet(tmp_path / "whole.parquet"))
    assert result.stats["duplicates"] >= 1


LINES = st.sampled_from(
    [
        "- Same text",
        "- Other #x",
        "  continuation",
        "more text",
        "",
        "- Reposted by NameHello",
        "- Reposted by Name[Not loaded yet]",
        "- Reposted by Jane DoeHi",
        "- [Not loaded yet]",
        "- ",
        "-",
        "- PinnedWelcome",
        "bad\x01line",
        "- \x1b[2J",
        "- \x85 C1",
        "\r",
        "- tab\t",
    ]
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.one_of(LINES, st.just(b"- \xff bad")), max_size=25),
    header=st.sampled_from(["Name\nBio\n", "Name\n", "", "\n\x01\n"]),
    batch_size=st.integers(1, 6),
    block_bytes=st.sampled_from([1, 5, 13, 1 << 20]),
    final_newline=st.booleans(),
)
def test_batches_never_change_the_result(tmp_path, monkeypatch, lines, header, batch_size, block_bytes, final_newline):
    raw = [x if isinstance(x, bytes) else x.encode() for x in lines]
    data = header.encode() + b"\n".join(raw) + (b"\n" if final_newline else b"")
    path = write_feed(tmp_path, data)
    try:
        want: ReadResult | str = whole(path)
    except FeedError as e:
        want = str(e)
    monkeypatch.setattr(scrape_lines, "BLOCK_BYTES", block_bytes)
    try:
        got: ReadResult | str = ReadResult.combine(read_batches(path, batch_size=batch_size))
    except FeedError as e:
        got = str(e)
    if isinstance(want, str) or isinstance(got, str):
        assert got == want
    else:
        assert_same(got, want)
