"""The Jetstream fast path (typed msgspec structs) and pre-filter against a full orjson decode of every line:
each field of a post or repost event given odd values (types, ranges, bad UTF-8, lone surrogates) must end
as the same row, reject or count."""

from __future__ import annotations

import itertools

import pytest

from feedtools.readers import jetstream, jetstream_fast
from feedtools.readers.base import ReadResult

HEAD = b'{"did":%(did)s,"time_us":%(us)s,"kind":%(kind)s,"commit":{"rev":"3l","operation":%(op)s,"collection":%(coll)s'
TAIL = b',"rkey":%(rkey)s,"cid":%(cid)s,"record":%(record)s}}'
POST_RECORD = (
    b'{"$type":"app.bsky.feed.post","text":%(text)s,"createdAt":%(created)s,"langs":%(langs)s,'
    b'"facets":[{"index":{"byteStart":0,"byteEnd":3},"features":[{"$type":"app.bsky.richtext.facet#tag",'
    b'"tag":%(tag)s}]}]}'
)
REPOST_RECORD = (
    b'{"$type":"app.bsky.feed.repost","subject":{"uri":%(uri)s,"cid":"c"},"createdAt":%(created)s,"via":%(via)s}'
)
BASE = {
    b"did": b'"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"',
    b"us": b"1751600000000000",
    b"kind": b'"commit"',
    b"op": b'"create"',
    b"coll": b'"app.bsky.feed.post"',
    b"rkey": b'"3lrkey"',
    b"cid": b'"bafy"',
    b"text": b'"#ab and \\ud83d\\udc4b \xc3\xa9"',
    b"created": b'"2025-07-04T03:33:20Z"',
    b"langs": b'["en"]',
    b"tag": b'"ab"',
    b"uri": b'"at://did:plc:bbbbbbbbbbbbbbbbbbbbbbbb/app.bsky.feed.post/b1"',
    b"via": b"null",
}
#: Odd values for each field (every string also with bad UTF-8 and a lone surrogate).
ODD = {
    b"did": [b'"plc:x"', b'""', b"1", b"null", b'"did:\xff"', b'"did:\\udc00"'],
    b"us": [
        b"9223372036854775807",
        b"9223372036854775808",
        b"18446744073709551615",
        b"18446744073709551616",
        b"-9223372036854775808",
        b"-9223372036854775809",
        b"1.0",
        b'"1"',
        b"true",
        b"null",
        b"1e400",
    ],
    b"kind": [b'"Commit"', b'"identity"', b"1", b"null", b'"commit\xff"'],
    b"op": [b'"update"', b'"delete"', b'"CREATE"', b"1", b"null", b'"create\\udc00"'],
    b"coll": [b'"app.bsky.feed.repost"', b'"app.bsky.feed.like"', b'["app.bsky.feed.post"]', b"null"],
    b"rkey": [b'""', b"1", b"null", b'"r\xff"', b'"r\\udc00"', b'"r\\u00e9"'],
    b"cid": [b'""', b"1", b"null", b'"\xc3"'],
    b"text": [b'""', b"1", b"null", b'"a\xff"', b'"a\\udc00"', b'"\xed\xa0\x80"', b'"\\u0000"'],
    b"created": [b"null", b"1", b'"\xf4\x90\x80\x80"', b'"x"'],
    b"langs": [b"null", b'"en"', b'["en",1]', b'["\xff"]', b'["\\udc00"]', b"[]", b"[1e400]"],
    b"tag": [b"1", b'"a\xff"', b'"a\\udc00"', b"123456789012345678901234567890"],
    b"uri": [b'"https://x"', b"1", b'"at://did:\xff/p/1"', b'"at://\\udc00"', b'"at://x"'],
    b"via": [b"{}", b'{"uri":"\xff"}', b"[1e400]", b"123456789012345678901234567890"],
}


def _line(values: dict[bytes, bytes]) -> bytes:
    repost = b"repost" in values[b"coll"]
    record = (REPOST_RECORD if repost else POST_RECORD) % values
    return HEAD % values + TAIL % {**values, b"record": record}


def _lines() -> list[bytes]:
    """Each odd value alone, then some pairs of them, each line with its own record key (unless the record key
    is the odd value); then repeats and edits of lines already read."""
    variants = [{}, *({f: v} for f, vs in ODD.items() for v in vs)]
    pairs = itertools.combinations([(f, v) for f, vs in ODD.items() for v in vs[:2]], 2)
    variants += [{f1: v1, f2: v2} for (f1, v1), (f2, v2) in itertools.islice(pairs, 0, None, 7) if f1 != f2]
    lines = []
    for coll in (b'"app.bsky.feed.post"', b'"app.bsky.feed.repost"'):
        for k, odd in enumerate(variants):
            lines.append(_line({**BASE, b"coll": coll, b"rkey": b'"r%d"' % k, **odd}))
    lines += lines[:5] + [line.replace(b'"create"', b'"update"') for line in lines[:5]]
    return lines


def _read(path, monkeypatch, *, fast: bool) -> ReadResult:
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(jetstream, "fast_row", lambda line, line_no: None)
            m.setattr(jetstream, "_prefilter", lambda line, stats: None)
        return ReadResult.combine(jetstream.read_batches(path, batch_size=50))


def test_odd_fields_end_as_a_full_decode_ends_them(tmp_path, monkeypatch):
    lines = _lines()
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    decided = [jetstream_fast.fast_row(line, i) is not None for i, line in enumerate(lines, 1)]
    fast, full = _read(path, monkeypatch, fast=True), _read(path, monkeypatch, fast=False)
    assert fast.posts.equals(full.posts) and fast.rejects.equals(full.rejects)
    assert dict(fast.stats) == dict(full.stats)
    # the test reaches all three ends, and the fast path decides many lines, not all
    assert fast.posts.height > 40 and fast.rejects.height > 40 and fast.stats["skipped"] > 10
    assert 40 < sum(decided) < len(lines) - 40


@pytest.mark.parametrize("us", [2**63 - 1, 2**63, 2**64 - 1, 2**64])
def test_time_us_near_the_integer_limits_is_read_as_orjson_reads_it(us):
    """Beyond int64 the fast path leaves the line to the full decode (orjson keeps up to 2**64 - 1 as an int)."""
    line = _line({**BASE, b"us": str(us).encode()})
    row = jetstream_fast.fast_row(line, 1)
    if us < 2**63:
        assert row is not None and row[jetstream_fast.COLUMN_INDEX["_ref_us"]] == us
    else:
        assert row is None


@pytest.mark.parametrize("field", [b"text", b"rkey", b"did", b"created", b"tag", b"langs"])
def test_bad_utf8_anywhere_in_a_post_is_never_read_by_the_fast_path(field):
    """msgspec refuses invalid UTF-8 in every string it decodes; the raw parts are decoded by orjson."""
    value = BASE[field].replace(b'"', b'"\xff', 1)
    assert jetstream_fast.fast_row(_line({**BASE, field: value}), 1) is None


def test_embed_columns_are_filled_in_place():
    """The fast path writes an embed's columns as one slice of the row: they must stay consecutive, in the
    order :func:`embed_fields` gives them."""
    from feedtools.readers.atproto import EMBED_COLUMNS, ROW_COLUMNS, embed_fields

    assert ROW_COLUMNS[jetstream_fast._EMBEDS] == EMBED_COLUMNS == tuple(embed_fields(None))
    record = b'{"text":"q","createdAt":"x","embed":{"$type":"app.bsky.embed.images","images":[{"alt":"a"},{"alt":""}]}}'
    line = HEAD % BASE + TAIL % {**BASE, b"record": record}
    row = jetstream_fast.fast_row(line, 1)
    assert row is not None
    got = dict(zip(ROW_COLUMNS, row, strict=True))
    assert (got["embed_kind"], got["image_count"], got["image_alts"]) == ("images", 2, ("a", ""))


@pytest.mark.parametrize(
    "part", [b'"embed":{"a":"\xff"}', b'"embed":{"n":1e400}', b'"langs":["\xff"]', b'"tags":[1e400]']
)
def test_a_repost_with_a_post_part_orjson_refuses_is_rejected(tmp_path, monkeypatch, part):
    """A repost record never reads a post's raw parts, so the fast path must not take a line whose raw part
    only orjson would refuse (invalid UTF-8, a number beyond a double): it is rejected as a full decode."""
    record = REPOST_RECORD.replace(b'"via":%(via)s', part) % BASE
    line = HEAD % {**BASE, b"coll": b'"app.bsky.feed.repost"'} + TAIL % {**BASE, b"record": record}
    assert jetstream_fast.fast_row(line, 1) is None
    path = tmp_path / "repost.jsonl"
    path.write_bytes(line + b"\n" + _line({**BASE, b"coll": b'"app.bsky.feed.repost"', b"rkey": b'"ok"'}) + b"\n")
    fast, full = _read(path, monkeypatch, fast=True), _read(path, monkeypatch, fast=False)
    assert fast.posts.equals(full.posts) and fast.rejects.equals(full.rejects) and dict(fast.stats) == dict(full.stats)
    assert fast.rejects["reason"].to_list() == ["not valid JSON"] and fast.posts.height == 1
