"""Field by field against twitwi (médialab's Bluesky normaliser behind ``minet bsky``) on the real captures.

twitwi is a development tool here, not a dependency (it pulls in ural, GPL-3.0): the test is skipped where it is
not installed (``pip install 'twitwi>=0.25,<0.26'``). On the 35 posts of the three JSON captures both tools
must agree on every field they share, except ``domains``, where feedtools keeps the registrable domain
(``eatright.org``) and twitwi the host (``sm.eatright.org``), by design.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

import feedtools
from feedtools.entities import canonical_urls

twitwi = pytest.importorskip("twitwi.bluesky")


def _utc(v):
    if v is None:
        return None
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v)
    v = v if v.tzinfo else v.replace(tzinfo=dt.UTC)
    return v.astimezone(dt.UTC).replace(microsecond=v.microsecond // 1000 * 1000)


def _images(t: dict) -> list[str]:
    return [
        a
        for m, a in zip(t.get("media_types") or [], t.get("media_alt_texts") or [], strict=False)
        if m.startswith("image")
    ]


#: feedtools column -> value, twitwi field -> value (sets where order is not meaningful)
FIELDS = {
    "post_uri": (lambda f: f["post_uri"], lambda t: t["uri"]),
    "cid": (lambda f: f["cid"], lambda t: t.get("cid")),
    "text": (lambda f: f["text"], lambda t: t.get("original_text")),
    "created_at": (lambda f: int(_utc(f["created_at"]).timestamp()), lambda t: t.get("timestamp_utc")),
    "indexed_at": (lambda f: _utc(f["indexed_at"]), lambda t: _utc(t.get("indexed_at_utc"))),
    "author_did": (lambda f: f["author_did"], lambda t: t.get("user_did")),
    "author_handle": (lambda f: f["author_handle"], lambda t: t.get("user_handle")),
    "author_name": (lambda f: f["author_name"], lambda t: t.get("user_display_name")),
    "web_url": (lambda f: f["web_url"], lambda t: t.get("url")),
    "reply_to": (lambda f: f["reply_to"], lambda t: t.get("to_post_uri")),
    "reply_root": (lambda f: f["reply_root"], lambda t: t.get("to_root_post_uri")),
    "reply_parent_author": (lambda f: f["reply_parent_author"], lambda t: t.get("to_user_did")),
    "reply_root_author": (lambda f: f["reply_root_author"], lambda t: t.get("to_root_user_did")),
    "quote_of": (lambda f: f["quote_of"], lambda t: t.get("quoted_uri")),
    "quote_cid": (lambda f: f["quote_cid"], lambda t: t.get("quoted_cid")),
    "quote_author": (lambda f: f["quote_author"], lambda t: t.get("quoted_user_did")),
    "urls_canonical": (lambda f: set(f["urls_canonical"]), lambda t: set(canonical_urls(t.get("links") or []))),
    "card_url": (lambda f: f["card_url"], lambda t: t.get("card_link")),
    "card_title": (lambda f: f["card_title"], lambda t: t.get("card_title") or None),
    "card_description": (lambda f: f["card_description"], lambda t: t.get("card_description") or None),
    "image_count": (lambda f: f["image_count"], lambda t: len(_images(t))),
    "image_alts": (lambda f: f["image_alts"], _images),
    "has_video": (lambda f: f["has_video"], lambda t: any(m.startswith("video") for m in t.get("media_types") or [])),
    "mention_dids": (lambda f: set(f["mention_dids"]), lambda t: set(t.get("mentioned_user_dids") or [])),
    "mentions": (lambda f: set(f["mentions"]), lambda t: {h.lower() for h in t.get("mentioned_user_handles") or []}),
    "hashtags": (
        lambda f: {h.casefold() for h in f["hashtags"]},
        lambda t: {h.casefold() for h in t.get("hashtags") or []},
    ),
    "langs_declared": (lambda f: set(f["langs_declared"]), lambda t: set(t.get("user_langs") or [])),
    "like_count": (lambda f: f["like_count"], lambda t: t.get("like_count")),
    "repost_count": (lambda f: f["repost_count"], lambda t: t.get("repost_count")),
    "reply_count": (lambda f: f["reply_count"], lambda t: t.get("reply_count")),
    "quote_count": (lambda f: f["quote_count"], lambda t: t.get("quote_count")),
}


@pytest.fixture(scope="module")
def pairs():
    """(feedtools row, twitwi post) for every post of the hydrated, firehose and Jetstream captures."""
    from tests.conftest import SAMPLES as samples

    if not samples.is_dir():
        pytest.skip(f"third-party captures not present at {samples}")
    tw = {}
    for p in json.loads((samples / "twitwi_bluesky-hydrated-firehose-posts.json").read_text()):
        tw["hydrated", p["uri"]] = twitwi.normalize_post(p)
    events = json.loads((samples / "twitwi_bluesky-firehose-posts.json").read_text())
    events_jsonl = [json.loads(line) for line in (samples / "jetstream_expected_v1.jsonl").read_text().splitlines()]
    for key, evs in (("firehose", events), ("jetstream", events_jsonl)):
        for e in evs:
            c = e.get("commit") or {}
            if c.get("collection") == "app.bsky.feed.post" and c.get("operation") == "create":
                q = twitwi.normalize_partial_post(e, collection_source="firehose")
                tw[key, q["uri"]] = q
    ft = {}
    for key, name in (
        ("hydrated", "twitwi_bluesky-hydrated-firehose-posts.json"),
        ("firehose", "twitwi_bluesky-firehose-posts.json"),
        ("jetstream", "jetstream_expected_v1.jsonl"),
    ):
        df = feedtools.load(samples / name).posts.filter(~pl.col("is_placeholder") & ~pl.col("is_repost"))
        ft.update({(key, r["post_uri"]): r for r in df.iter_rows(named=True)})
    assert set(ft) == set(tw) and len(ft) == 35
    return [(ft[k], tw[k]) for k in sorted(ft)]


def _empty(v) -> bool:
    return v in (None, "", 0, False) or v == set() or v == []


@pytest.mark.parametrize("field", list(FIELDS))
def test_feedtools_equals_twitwi(pairs, field):
    ours, theirs = FIELDS[field]
    differ = [
        (f["post_uri"], ours(f), theirs(t))
        for f, t in pairs
        if ours(f) != theirs(t) and not (_empty(ours(f)) and _empty(theirs(t)))
    ]
    assert differ == []


def test_domains_are_registrable_where_twitwi_keeps_the_host(pairs):
    for f, t in pairs:
        hosts = set(t.get("domains") or [])
        assert len(set(f["domains"])) == len(hosts)
        assert all(any(h == d or h.endswith("." + d) for h in hosts) for d in f["domains"])
