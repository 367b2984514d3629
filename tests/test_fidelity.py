"""Everything a post carries, on the real captures in ../shared/bluesky-samples (issue 14).

Expected values were read by hand from the raw JSON (embeds, facets, CIDs); the captures are
read in place and the tests skip when the folder is absent.
"""

from __future__ import annotations

import json

import polars as pl
import pytest

import feedtools

HYDRATED = "twitwi_bluesky-hydrated-firehose-posts.json"
FIREHOSE = "twitwi_bluesky-firehose-posts.json"
JETSTREAM = "jetstream_expected_v1.jsonl"
CAR = "jetstream_repo.car"
ALL = (HYDRATED, FIREHOSE, JETSTREAM, CAR)

#: rkey -> link card URL, read from each record's app.bsky.embed.external
CARDS = {
    "3m7hzqrjojp2o": "https://www.amazon.com/dp/B0B8H1C4GM?tag=douglas0bd0-20",
    "3m7hzqrq7ol2i": "https://gaming-matome.com/?p=14256",
    "3m7hzqqc2vc2z": "https://sm.eatright.org/soapvsanitizer",
    "3m7hzqsq3xk2h": "https://www.germanistik.uni-rostock.de/forschung/digital-humanities/rosdh/ringvorlesung/"
    "2025-26/n/disiecta-membra-als-disiecta-data-herausforderungen-in-einem-archaeologischen-"
    "langzeitvorhaben-245593/",
    "3mptbyoeyc22k": "https://www.youtube.com/watch?v=V5lDo-jw8mA",
    "3mptbyoigog2b": "https://www.ufofeed.com/266486/has-anyone-properly-debunked-tic-tac-video/",
    "3mptbyproxc2q": "https://static.klipy.com/ii/f87f46a2c5aeaeed4c68910815f73eaf/7d/09/g1bpFVOm.gif"
    "?hh=498&ww=498&mp4=IrGBygbn&webm=1Tnl61JE",
}
#: rkey -> image count (every image in these captures has an empty alt)
IMAGES = {"3m7hzqr7la225": 3, "3m7hzqjyes22l": 4, "3mptbxs3hq22j": 1, "3mptbyo7tas2u": 1}
#: rkey -> link facet URIs
LINK_FACETS = {
    "3m7hzqqc2vc2z": ["https://sm.eatright.org/soapvsanitizer"],
    "3mptbypt22l26": ["https://denikn.cz/2113523"],
    "3mptbyo7tas2u": [
        (
            "https://www.tumblr.com/tempo-tales/765681292369166336/behind-them-timmi-and-wankyu-follow-"
            "silently-but?source=share"
        )
    ],
}
#: rkey -> mention facet DIDs
MENTION_DIDS = {
    "3m7hzqjyes22l": ["did:plc:dpham6cjmebj2wjaseb55k32", "did:plc:2qbv2k7oxxhkscjrjhqroiwp"],
    "3ly3oz7vwhc2u": ["did:plc:4uz2445cjiw7w4nobfgnu35f"],
    "3ly3qkmcavs2u": ["did:plc:4uz2445cjiw7w4nobfgnu35f"],
}


@pytest.fixture(scope="module")
def posts():
    from tests.conftest import SAMPLES

    if not SAMPLES.is_dir():
        pytest.skip(f"third-party captures not present at {SAMPLES}")
    frames = {name: feedtools.load(SAMPLES / name).posts for name in ALL}
    return {
        name: df.filter(~pl.col("is_placeholder")).with_columns(rkey=pl.col("post_uri").str.split("/").list.last())
        for name, df in frames.items()
    }


def _by_rkey(df: pl.DataFrame, column: str) -> dict:
    return dict(zip(df["rkey"].to_list(), df[column].to_list(), strict=True))


@pytest.mark.parametrize("name", ALL)
def test_every_link_card_url_is_in_the_card_column(posts, name):
    df = posts[name]
    cards = {k: v for k, v in _by_rkey(df, "card_url").items() if v is not None}
    assert cards == {k: v for k, v in CARDS.items() if k in set(df["rkey"])}
    assert set(df.filter(pl.col("card_url").is_not_null())["embed_kind"]) <= {"external"}


def test_card_titles_and_descriptions_are_kept(posts):
    df = posts[HYDRATED]
    row = df.filter(pl.col("rkey") == "3m7hzqqc2vc2z").row(0, named=True)
    assert row["card_title"] == "Which Is Best, Hand Sanitizer or Soap and Water?"
    assert row["card_description"] == (
        "Hand sanitizer or soap: When you want to disinfect your hands fast, what works best?"
    )
    # an empty description is unknown, not ""
    assert df.filter(pl.col("rkey") == "3m7hzqrjojp2o")["card_description"].to_list() == [None]


@pytest.mark.parametrize("name", ALL)
def test_images_are_counted_with_one_alt_text_each(posts, name):
    df = posts[name]
    counts = {k: v for k, v in _by_rkey(df, "image_count").items() if v}
    assert counts == {k: v for k, v in IMAGES.items() if k in set(df["rkey"])}
    assert (df["image_alts"].list.len() == df["image_count"]).all()


def test_alt_texts_and_video_alt_are_kept(posts):
    car = posts[CAR]
    video = car.filter(pl.col("has_video"))
    assert video["rkey"].to_list() == ["3m2a2fwazy22o"] and video["video_alt"].to_list() == ["test"]
    assert video["embed_kind"].to_list() == ["video"]
    assert posts[JETSTREAM].filter(pl.col("rkey") == "3mptbxs3hq22j")["image_alts"].to_list() == [[""]]


@pytest.mark.parametrize("name", ALL)
def test_every_link_facet_uri_is_in_urls(posts, name):
    df = posts[name]
    urls = _by_rkey(df, "urls")
    for rkey, expected in LINK_FACETS.items():
        if rkey in urls:
            assert set(expected) <= set(urls[rkey]), rkey


@pytest.mark.parametrize("name", ALL)
def test_no_hashtag_keeps_trailing_punctuation_and_quotes_are_posts(posts, name):
    df = posts[name]
    tags = df["hashtags"].explode().drop_nulls()
    assert not tags.str.contains(r"[\p{P}]$").any()
    quotes = df["quote_of"].drop_nulls()
    assert quotes.str.contains(r"^at://[^/]+/app\.bsky\.feed\.post/[^/]+$").all()


@pytest.mark.parametrize("name", ALL)
def test_mention_dids_match_the_facets(posts, name):
    df = posts[name]
    dids = {k: v for k, v in _by_rkey(df, "mention_dids").items() if v}
    assert dids == {k: v for k, v in MENTION_DIDS.items() if k in set(df["rkey"])}


def test_cids_match_the_independent_listing(posts, samples):
    oracle = {}
    for line in (samples / "jetstream_repo_car_expected_records.tsv").read_text().splitlines():
        key, cid = line.split("\t")
        if key.startswith("app.bsky.feed.post/"):
            oracle[key.split("/")[1]] = cid
    assert _by_rkey(posts[CAR], "cid") == oracle
    # postViews and Jetstream carry the CID beside the record: both formats agree
    assert _by_rkey(posts[HYDRATED], "cid") == _by_rkey(posts[FIREHOSE], "cid")
    raw = json.loads((samples / HYDRATED).read_text())
    assert _by_rkey(posts[HYDRATED], "cid") == {p["uri"].rsplit("/", 1)[1]: p["cid"] for p in raw}


def test_web_addresses_use_the_handle_when_known(posts):
    hyd = _by_rkey(posts[HYDRATED], "web_url")
    assert hyd["3m7hzqqc2vc2z"] == "https://bsky.app/profile/dietitianonline.bsky.social/post/3m7hzqqc2vc2z"
    fh = _by_rkey(posts[FIREHOSE], "web_url")  # Jetstream has no handles: the DID
    assert fh["3m7hzqqc2vc2z"] == "https://bsky.app/profile/did:plc:6jrgkhgxjkwn6kn72pdj325g/post/3m7hzqqc2vc2z"
    assert _by_rkey(posts[HYDRATED], "indexed_at")["3m7hzqqc2vc2z"].isoformat() == "2025-12-08T12:28:08.728000+00:00"


def test_reply_authors_come_from_the_record(posts):
    row = posts[HYDRATED].filter(pl.col("rkey") == "3m7hzqqgw622p").row(0, named=True)
    assert row["reply_parent_author"] == "did:plc:4h65nhr2m7biwnispzw7ewqg"
    assert row["reply_root_author"] == row["reply_root"].split("/")[2]


def test_feed_item_reply_views_give_the_handles(tmp_path):
    parent = "at://did:plc:parent/app.bsky.feed.post/3kp"
    root = "at://did:plc:root/app.bsky.feed.post/3kr"
    item = {
        "post": {
            "uri": "at://did:plc:me/app.bsky.feed.post/3km",
            "cid": "bafyme",
            "author": {"did": "did:plc:me", "handle": "me.example.org"},
            "record": {
                "text": "agreed",
                "createdAt": "2025-01-01T00:00:00Z",
                "reply": {"parent": {"uri": parent}, "root": {"uri": root}},
            },
            "indexedAt": "2025-01-01T00:00:01Z",
        },
        "reply": {
            "parent": {"uri": parent, "author": {"did": "did:plc:parent", "handle": "Parent.example.org"}},
            "root": {"uri": root, "author": {"did": "did:plc:root", "handle": "bad handle"}},
        },
    }
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"feed": [item]}))
    row = feedtools.load(path).posts.row(0, named=True)
    assert (row["reply_parent_author"], row["reply_parent_handle"]) == ("did:plc:parent", "parent.example.org")
    assert (row["reply_root_author"], row["reply_root_handle"]) == ("did:plc:root", None)  # not a valid handle
    assert row["web_url"] == "https://bsky.app/profile/me.example.org/post/3km"
    assert row["cid"] == "bafyme"


def test_non_standard_embeds_are_counted_in_the_reader_stats(tmp_path):
    views = [
        {
            "uri": f"at://did:plc:a/app.bsky.feed.post/3k{i}",
            "author": {"did": "did:plc:a"},
            "record": {"text": "t", "createdAt": "2025-01-01T00:00:00Z", "embed": embed},
        }
        for i, embed in enumerate(
            [{"$type": "com.example.embed.poll"}, {"$type": "app.bsky.embed.images", "images": []}, None]
        )
    ]
    path = tmp_path / "posts.json"
    path.write_text(json.dumps({"posts": views}))
    feed = feedtools.load(path)
    assert feed.posts["embed_other"].to_list() == ["com.example.embed.poll", None, None]
    assert feed.stats["embeds_nonstandard"] == 1
