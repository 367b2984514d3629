"""The profile-scrape reader: every line accounted for, labels split, placeholders kept, bad input rejected."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import write_feed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedtools.readers import FeedError, detect_format, read_raw
from feedtools.readers.scrape import split_repost_label

HEADER = "Example Org\nWe are an example #Org\n"


def read(tmp_path, text, **kw):
    return read_raw(write_feed(tmp_path, text), "scrape", **kw)


def test_labels_are_split_from_text(tmp_path):
    r = read(
        tmp_path,
        HEADER + "- PinnedWelcome to our page\n- Own post #A\n"
        '- Reposted by Example Org"Quoted" words\n- Reposted by Example Org[Not loaded yet]\n'
        "- Reposted by youHello\n",
    )
    p = r.posts
    assert p["text"].to_list() == ["Welcome to our page", "Own post #A", '"Quoted" words', None, "Hello"]
    assert p["is_pinned"].to_list() == [True, False, False, False, False]
    assert p["is_repost"].to_list() == [False, False, True, True, True]
    assert p["reposted_by"].to_list() == [None, None, "Example Org", "Example Org", "you"]
    assert p["is_placeholder"].to_list() == [False, False, False, True, False]
    assert p["author_name"].to_list() == ["Example Org", "Example Org", None, None, None]
    assert r.meta["profile_name"] == "Example Org"
    assert r.meta["profile_bio"] == "We are an example #Org"


def test_pinned_only_on_first_item(tmp_path):
    r = read(tmp_path, HEADER + "- First\n- Pinned down by rain, the summit moved online\n")
    assert r.posts["is_pinned"].to_list() == [False, False]
    assert r.posts["text"][1].startswith("Pinned down")


@pytest.mark.parametrize(
    "rest, name, text",
    [
        ("Jane DoeHow can cities act?", "Jane Doe", "How can cities act?"),
        ('Jane Doe"Culture matters"', "Jane Doe", '"Culture matters"'),
        ("Ville de Nantes🌍 Learn more", "Ville de Nantes", "🌍 Learn more"),
        ("Jane Doe@uclg.bsky.social said", "Jane Doe", "@uclg.bsky.social said"),
    ],
)
def test_unknown_reposter_heuristic(rest, name, text):
    assert split_repost_label(rest)[:2] == (name, text)


def test_unknown_reposter_in_feed_is_kept_with_note(tmp_path):
    r = read(
        tmp_path,
        HEADER + "- Reposted by Jane DoeHow can cities act?\n- Reposted by Jane Doe[Not loaded yet]\n"
        "- Reposted by janedoe lowercase glued\n",
    )
    p = r.posts
    assert p["reposted_by"].to_list() == ["Jane Doe", "Jane Doe", None]
    assert p["is_placeholder"].to_list() == [False, True, False]
    assert p["text"][2] == "janedoe lowercase glued"
    assert "not separable" in p["notes"][2]


def test_known_names_split_exactly(tmp_path):
    r = read(tmp_path, HEADER + "- Reposted by CEMR 2025The congress\n", known_names=("CEMR 2025",))
    assert r.posts["reposted_by"].to_list() == ["CEMR 2025"]
    assert r.posts["text"].to_list() == ["The congress"]


def test_every_line_accounted_for(tmp_path):
    text = HEADER + "\n- One\n  second line of one\n\n- Two\n-\n- Reposted by Example Org\nbad\x01line\n- Three\n"
    r = read(tmp_path, text)
    s = r.stats
    n_lines = text.count("\n")
    assert s["lines"] == n_lines
    assert s["header"] + s["items"] + s["continuation"] + s["blank"] + (s["rejected"] - s["rejected_items"]) == n_lines
    assert r.posts["text"].to_list() == ["One\nsecond line of one", "Two", "Three"]
    rej = r.rejects.sort("line")
    assert rej["line"].to_list() == [8, 9, 10]
    assert rej["reason"].to_list() == [
        "feed item with no text",
        "label with no post text after it",
        "control characters in line (binary or corrupted text)",
    ]


def test_bom_crlf_and_trailing_spaces_give_same_table(tmp_path, seed_path):
    plain = read_raw(seed_path, "scrape").posts
    data = seed_path.read_bytes().replace(b"\n", b"  \r\n")
    other = read_raw(write_feed(tmp_path, b"\xef\xbb\xbf" + data), "scrape").posts
    cols = [c for c in plain.columns if c != "source"]
    assert other.select(cols).equals(plain.select(cols))


def test_invalid_utf8_line_rejected_alone(tmp_path):
    data = (HEADER + "- Good one\n").encode() + b"- bad \xff\xfe bytes\n" + b"- Good two\n"
    r = read_raw(write_feed(tmp_path, data), "scrape")
    assert r.posts["text"].to_list() == ["Good one", "Good two"]
    assert r.rejects["line"].to_list() == [4]
    assert "UTF-8" in r.rejects["reason"][0]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
        (bytes(range(256)) * 64, "binary"),
        (b'{"feed": 1}', "known"),
        (b"just some\nprose lines\nwith no feed items\nat all\n", "known"),
    ],
)
def test_unreadable_files_raise_one_line(tmp_path, content, message):
    path = write_feed(tmp_path, content, name="input.bin")
    with pytest.raises(FeedError) as err:
        read_raw(path, "auto")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_detects_scrape_by_content(tmp_path, seed_path):
    assert detect_format(seed_path) == "scrape"
    assert detect_format(write_feed(tmp_path, HEADER + "- post\n", name="feed.json")) == "scrape"


def test_post_ids_stable_and_unique(tmp_path):
    text = (
        HEADER + "- Same\n- Other\n- Same\n- Reposted by Example Org[Not loaded yet]\n"
        "- Reposted by Example Org[Not loaded yet]\n"
    )
    a = read(tmp_path, text).posts
    b = read(tmp_path, HEADER + "- New on top\n" + text[len(HEADER) :]).posts
    assert a["post_id"].n_unique() == a.height
    assert a["post_id"][2] == a["post_id"][0] + "#2"
    assert set(a["post_id"]) <= set(b["post_id"])  # adding a post on top keeps earlier ids


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=60),
            st.sampled_from(
                [
                    "- ",
                    "- Reposted by X",
                    "- [Not loaded yet]",
                    "- Reposted by you[Not loaded yet]",
                    "",
                    "- Pinned",
                    "-",
                ]
            ),
        ),
        max_size=30,
    )
)
def test_never_crashes_and_accounts_for_every_line(tmp_path, lines):
    text = "\n".join(["Name", "Bio", *lines]) + "\n"
    path = write_feed(tmp_path, text)
    try:
        r = read_raw(path, "scrape")
    except FeedError as e:
        assert "\n" not in str(e)
        return
    s = r.stats
    line_rejects = s["rejected"] - s["rejected_items"]
    assert s["header"] + s["items"] + s["continuation"] + s["blank"] + line_rejects == s["lines"]
    assert s["items"] == r.posts.height + s["rejected_items"]
    assert r.posts["position"].to_list() == list(range(r.posts.height))
    assert isinstance(r.posts, pl.DataFrame)
