"""Shared AT Protocol helpers: post records to columns, facets by UTF-8 byte offsets, tolerant times, sniffing."""

from __future__ import annotations

import polars as pl
import pytest

from feedtools.readers.atproto import RecordError, parse_times, post_fields, sniff_json, tid_micros
from feedtools.readers.base import FeedError


def facet(text: str, sub: str, feature: dict, *, start: int | None = None, end: int | None = None) -> dict:
    data = text.encode()
    s = data.index(sub.encode()) if start is None else start
    e = s + len(sub.encode()) if end is None else end
    return {"index": {"byteStart": s, "byteEnd": e}, "features": [feature]}


TAG = "app.bsky.richtext.facet#tag"
MENTION = "app.bsky.richtext.facet#mention"
LINK = "app.bsky.richtext.facet#link"


def test_facets_are_read_by_utf8_byte_offsets():
    text = "🇪🇸🌍 Gracias @Alcaldia.example.org por #CiudadesDePaz"
    rec = {
        "text": text,
        "createdAt": "2025-01-01T00:00:00Z",
        "facets": [
            facet(text, "@Alcaldia.example.org", {"$type": MENTION, "did": "did:plc:x"}),
            facet(text, "#CiudadesDePaz", {"$type": TAG, "tag": "CiudadesDePaz"}),
        ],
    }
    # read as character offsets these ranges would run past the end of the text: they must not
    assert len(text) < rec["facets"][1]["index"]["byteEnd"]
    out = post_fields(rec)
    assert out["mentions"] == ["alcaldia.example.org"]
    assert out["hashtags"] == ["CiudadesDePaz"]
    assert out["facets_invalid"] == 0


def test_invalid_facets_are_ignored_and_counted():
    text = "Hi 🙏 see example.org"
    n = len(text.encode())
    rec = {
        "text": text,
        "facets": [
            facet(text, "example.org", {"$type": LINK, "uri": "https://example.org/full"}),
            facet(text, "", {"$type": TAG, "tag": "past"}, start=n + 1, end=n + 5),  # out of range
            facet(text, "", {"$type": TAG, "tag": "split"}, start=4, end=6),  # inside the emoji
            facet(text, "", {"$type": TAG, "tag": "empty"}, start=5, end=5),  # start >= end
            {"index": "nonsense", "features": []},  # no index
            facet(text, "Hi", {"$type": "com.example.facet#sparkle"}),  # unknown feature: ignored
        ],
    }
    out = post_fields(rec)
    assert out["urls"] == ["https://example.org/full"]
    assert out["hashtags"] == []
    assert out["facets_invalid"] == 4


Q = "at://did:plc:q/app.bsky.feed.post/3kq"


def test_record_tags_quotes_replies_langs_and_sdk_spelling():
    rec = {
        "py_type": "app.bsky.feed.post",
        "text": "x #A",
        "created_at": "2025-05-01T00:00:00Z",
        "facets": [
            {
                "index": {"byte_start": 2, "byte_end": 4, "py_type": "app.bsky.richtext.facet#byteSlice"},
                "features": [{"py_type": TAG, "tag": "A"}],
            }
        ],
        "tags": ["#B", "A", None],
        "langs": ["pt_BR", 3],
        "reply": {"root": {"uri": "at://r"}, "parent": {"uri": "at://p"}},
        "embed": {"py_type": "app.bsky.embed.recordWithMedia", "record": {"record": {"uri": Q}}},
    }
    out = post_fields(rec)
    assert out["hashtags"] == ["A", "B"]
    assert out["langs_declared"] == ["pt_BR"]
    assert (out["reply_to"], out["reply_root"], out["quote_of"]) == ("at://p", "at://r", Q)
    assert out["created_at_raw"] == "2025-05-01T00:00:00Z"
    assert (
        post_fields({"text": "t", "embed": {"$type": "app.bsky.embed.record", "record": {"uri": Q}}})["quote_of"] == Q
    )
    assert post_fields({"text": "t", "embed": {"$type": "app.bsky.embed.futureThing"}})["quote_of"] is None
    assert post_fields({"text": "no facets"})["facets_invalid"] is None


@pytest.mark.parametrize("bad", [None, "text", [], {"createdAt": "2025-01-01T00:00:00Z"}, {"text": 5}])
def test_unreadable_records_raise_record_error(bad):
    with pytest.raises(RecordError):
        post_fields(bad)


def test_times_parse_tolerantly_and_flag():
    raw = [
        "2025-12-05T10:16:59.78349200Z",
        "2025-12-08T12:28:08.150931+00:00",
        "2024-02-29T23:59:59+01:00",
        "0000-01-01T00:00:00.000Z",
        "1970-01-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "not a date",
        None,
        "2031-01-01T00:00:00Z",
        "2025-01-01T10:00:00",
    ]
    ref = [None] * 8 + [1_800_000_000_000_000, None]  # 2027-01-15
    df = pl.DataFrame({"r": raw, "ref": ref}, schema={"r": pl.String, "ref": pl.Int64})
    when, flag, note = parse_times(pl.col("r"), pl.col("ref"))
    out = df.select(t=when.dt.to_string("%Y-%m-%dT%H:%M:%S%.6f"), f=flag, n=note)
    assert out["t"].to_list() == [
        "2025-12-05T10:16:59.783492",
        "2025-12-08T12:28:08.150931",
        "2024-02-29T22:59:59.000000",
        None,
        "1970-01-01T00:00:00.000000",
        None,
        None,
        None,
        "2031-01-01T00:00:00.000000",
        "2025-01-01T10:00:00.000000",
    ]
    assert out["f"].to_list() == [
        None,
        None,
        None,
        "implausible",
        "implausible",
        "unparseable",
        "unparseable",
        None,
        "implausible",
        None,
    ]
    assert out["n"][9] == "createdAt has no time zone: read as UTC"


def test_tid_timestamp():
    # the sample repository's rev; goat reports its commit on 2026-04-01
    us = tid_micros("3migo7fijwi2k")
    assert pl.Series([us]).cast(pl.Datetime("us", "UTC")).dt.to_string("%Y-%m-%d")[0] == "2026-04-01"
    assert tid_micros("self") is None


@pytest.mark.parametrize(
    "head, shape",
    [
        (b'{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{}}\n{"did"', "jetstream"),
        (b'[{"did":"did:plc:a","time_us":1,"kind":"identity"}]', "jetstream"),
        (b'{"feed":[{"post":{"uri":"at://x","record":{}}}],"cursor":"c"}', "authorfeed"),
        (b'[\n {\n  "feed": [\n   {\n    "post": {\n     "uri": "at://did', "authorfeed"),  # cut off
        (b'{"posts":[]}', "postviews"),
        (b'[{"uri":"at://did:plc:a/app.bsky.feed.post/1","record":{"text":"x"}}]', "postviews"),
        (b'[\n {"uri": "at://did:plc:a/app.bsky.feed.post/1", "cid": "b", "record": {"text": "', "postviews"),
        (b'{"hello": "world"}', None),
        (b"- a scrape line", None),
    ],
)
def test_sniff_json(head, shape):
    assert sniff_json(head) == shape


# --- embeds, facets trusted for what they carry, reply and quote context (issue 14) ---------------------------

IMG = {"$type": "blob", "ref": {"$link": "bafk"}, "mimeType": "image/jpeg", "size": 1}


def test_link_card_images_and_video_are_kept():
    card = post_fields(
        {
            "text": "read",
            "embed": {
                "$type": "app.bsky.embed.external",
                "external": {"uri": "https://example.org/a?utm_source=x", "title": "A title", "description": ""},
            },
        }
    )
    assert (card["embed_kind"], card["card_url"], card["card_title"], card["card_description"]) == (
        "external",
        "https://example.org/a?utm_source=x",
        "A title",
        None,
    )
    assert (card["image_count"], card["image_alts"], card["has_video"], card["quote_of"]) == (0, [], False, None)
    imgs = post_fields(
        {
            "text": "",
            "embed": {
                "$type": "app.bsky.embed.images",
                "images": [{"alt": "Un mapa de la ciudad", "image": IMG}, {"image": IMG}, {"alt": "  ", "image": IMG}],
            },
        }
    )
    assert (imgs["embed_kind"], imgs["image_count"], imgs["image_alts"]) == (
        "images",
        3,
        ["Un mapa de la ciudad", "", ""],
    )
    video = post_fields({"text": "", "embed": {"$type": "app.bsky.embed.video", "video": IMG, "alt": "a dance"}})
    assert (video["embed_kind"], video["has_video"], video["video_alt"]) == ("video", True, "a dance")


def test_record_with_media_gives_the_quote_and_the_media():
    out = post_fields(
        {
            "text": "look",
            "embed": {
                "$type": "app.bsky.embed.recordWithMedia",
                "record": {"$type": "app.bsky.embed.record", "record": {"uri": Q, "cid": "bafyq"}},
                "media": {"$type": "app.bsky.embed.images", "images": [{"alt": "chart", "image": IMG}]},
            },
        }
    )
    assert (out["embed_kind"], out["quote_of"], out["quote_cid"], out["quote_author"]) == (
        "recordWithMedia",
        Q,
        "bafyq",
        "did:plc:q",
    )
    assert (out["image_count"], out["image_alts"]) == (1, ["chart"])


def test_starter_packs_lists_and_feeds_are_not_quotes():
    for uri in (
        "at://did:plc:a/app.bsky.graph.starterpack/3k",
        "at://did:plc:a/app.bsky.graph.list/3k",
        "at://did:plc:a/app.bsky.feed.generator/news",
    ):
        out = post_fields({"text": "join", "embed": {"$type": "app.bsky.embed.record", "record": {"uri": uri}}})
        assert (out["quote_of"], out["quote_author"], out["embedded_record"], out["embed_kind"]) == (
            None,
            None,
            uri,
            "record",
        )


def test_non_standard_embeds_are_kept_by_name_and_a_post_they_name_is_a_quote():
    odd = post_fields({"text": "t", "embed": {"$type": "com.example.embed.poll", "options": ["a", "b"]}})
    assert (odd["embed_kind"], odd["embed_other"], odd["quote_of"]) == (
        "com.example.embed.poll",
        "com.example.embed.poll",
        None,
    )
    quote = post_fields({"text": "t", "embed": {"$type": "fyi.unravel.embed.quote", "record": {"uri": Q}}})
    assert (quote["embed_other"], quote["quote_of"]) == ("fyi.unravel.embed.quote", Q)
    for broken in (
        "x",
        [],
        {"$type": "app.bsky.embed.images", "images": "no"},
        {"$type": "app.bsky.embed.recordWithMedia", "record": 5, "media": None},
    ):
        out = post_fields({"text": "t", "embed": broken})
        assert out["quote_of"] is None and out["image_count"] == 0


def test_hydrated_quote_view_gives_author_handle_and_text():
    view = {
        "$type": "app.bsky.embed.record#view",
        "record": {
            "$type": "app.bsky.embed.record#viewRecord",
            "uri": Q,
            "cid": "bafyq",
            "author": {"did": "did:plc:q", "handle": "Quoted.example.org"},
            "value": {"text": "the original"},
        },
    }
    out = post_fields({"text": "so true", "embed": {"$type": "app.bsky.embed.record", "record": {"uri": Q}}}, view)
    assert (out["quote_of"], out["quote_cid"], out["quote_author"], out["quote_author_handle"], out["quote_text"]) == (
        Q,
        "bafyq",
        "did:plc:q",
        "quoted.example.org",
        "the original",
    )


def test_link_facets_with_broken_ranges_still_give_their_uri():
    text = "🙏 voir le rapport"
    n = len(text.encode())
    rec = {
        "text": text,
        "facets": [
            facet(text, "", {"$type": LINK, "uri": "https://example.org/rapport"}, start=1, end=3),  # inside the emoji
            facet(text, "", {"$type": LINK, "uri": "https://example.org/past"}, start=n, end=n + 9),  # past the end
        ],
    }
    out = post_fields(rec)
    assert out["urls"] == ["https://example.org/rapport", "https://example.org/past"]
    assert out["facets_invalid"] == 2


def test_mention_did_is_kept_and_a_shifted_slice_is_not_a_handle():
    text = "merci eur david @chava.example.org"
    shifted = {"index": {"byteStart": 6, "byteEnd": 22}, "features": [{"$type": MENTION, "did": "did:plc:chava"}]}
    out = post_fields({"text": text, "facets": [shifted]})
    assert out["mention_dids"] == ["did:plc:chava"]
    assert out["mentions"] == []  # "eur david @chava" is not a handle
    good = post_fields(
        {"text": text, "facets": [facet(text, "@chava.example.org", {"$type": MENTION, "did": "did:plc:chava"})]}
    )
    assert (good["mentions"], good["mention_dids"]) == (["chava.example.org"], ["did:plc:chava"])


def test_tag_facets_lose_trailing_punctuation_once():
    text = "Vote #E, #E and #F!"
    rec = {
        "text": text,
        "facets": [
            facet(text, "#E,", {"$type": TAG, "tag": "E,"}),
            facet(text, "#E ", {"$type": TAG, "tag": "E"}),
            facet(text, "#F!", {"$type": TAG, "tag": "F!"}),
        ],
        "tags": ["F."],
    }
    assert post_fields(rec)["hashtags"] == ["E", "F"]


def test_reply_authors_come_from_the_reply_uris():
    out = post_fields(
        {
            "text": "yes",
            "reply": {
                "parent": {"uri": "at://did:plc:p/app.bsky.feed.post/1"},
                "root": {"uri": "at://did:plc:r/app.bsky.feed.post/0"},
            },
        }
    )
    assert (out["reply_parent_author"], out["reply_root_author"]) == ("did:plc:p", "did:plc:r")


def test_json_documents_are_read_lazily_item_by_item(tmp_path):
    """A JSON array (or the ``posts``/``feed`` array of an object) stays undecoded until its items are read;
    what is read equals a whole decode, and anything that is not one JSON document is left to the old path."""
    import orjson

    from feedtools.readers.jsonarray import JsonArray, is_array, load_json_lazily

    doc = {"cursor": "c1", "posts": [{"uri": f"at://x/{i}", "n": i, "t": "é"} for i in range(5)], "feed": 3}
    path = tmp_path / "page.json"
    path.write_bytes(b"\xef\xbb\xbf" + orjson.dumps(doc))
    lazy = load_json_lazily(path)
    assert isinstance(lazy["posts"], JsonArray) and is_array(lazy["posts"]) and len(lazy["posts"]) == 5
    assert not isinstance(lazy["posts"], list)  # a sequence of undecoded items, not a list pretending
    assert list(lazy["posts"]) == doc["posts"] and lazy["posts"][4] == doc["posts"][4]
    assert lazy["posts"][1:3] == doc["posts"][1:3] and (lazy["cursor"], lazy["feed"]) == ("c1", 3)
    from feedtools.readers.atproto import raw_json

    assert orjson.loads(raw_json(lazy)) == doc  # a reject's raw text shows the items, never an empty list
    path.write_bytes(orjson.dumps(doc["posts"]))
    assert list(load_json_lazily(path)) == doc["posts"]
    for bad in (b"", b"[1,2", b'{"a":1}\n{"a":2}\n', b'["\xff"]', b'"text"'):
        path.write_bytes(bad)
        assert load_json_lazily(path) is None
    path.write_bytes(b'[{"a":1},{"a":1e400}]')  # valid JSON, beyond a double: a one-line error when reached
    items = iter(load_json_lazily(path))
    assert next(items) == {"a": 1}
    with pytest.raises(FeedError, match="not valid JSON"):
        next(items)
