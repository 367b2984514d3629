"""Jetstream reader: creates/updates of posts and reposts become rows, the rest is counted; batches are global."""

from __future__ import annotations

import json

import polars as pl
import pytest
from conftest import write_feed

from feedtools.readers import detect_format, read_raw
from feedtools.readers.jetstream import read_batches

A = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"
B = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"
T0 = 1_751_600_000_000_000  # 2025-07-04


def commit(did, op, coll, rkey, record=None, t=T0, **extra):
    c = {"rev": "3l", "operation": op, "collection": coll, "rkey": rkey}
    if record is not None:
        c.update(record=record, cid="bafy" + rkey)
    return {"did": did, "time_us": t, "kind": "commit", "commit": c, **extra}


def post(text, created="2025-07-04T03:33:20.000Z", **more):
    return {"$type": "app.bsky.feed.post", "text": text, "createdAt": created, **more}


EVENTS = [
    commit(
        A,
        "create",
        "app.bsky.feed.post",
        "p1",
        post(
            "Hola 👋 #Día2 en vivo",
            langs=["es"],
            facets=[
                {
                    "index": {"byteStart": 10, "byteEnd": 16},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "Día2"}],
                }
            ],
        ),
    ),
    commit(B, "create", "app.bsky.feed.like", "l1", {"$type": "app.bsky.feed.like", "subject": {"uri": "at://x"}}),
    commit(
        A,
        "create",
        "app.bsky.feed.repost",
        "r1",
        {
            "$type": "app.bsky.feed.repost",
            "subject": {"uri": f"at://{B}/app.bsky.feed.post/b1"},
            "createdAt": "2025-07-04T03:40:00Z",
        },
    ),
    {"did": A, "time_us": T0, "kind": "identity", "identity": {"handle": "a.example.org"}},
    commit(A, "delete", "app.bsky.feed.post", "p0"),
    commit(A, "update", "app.bsky.feed.post", "p1", post("Hola 👋 #Día2 en vivo (editado)"), cursor=T0 + 5),
    commit(B, "create", "app.bsky.feed.post", "b2", post("from the future", created="2027-01-01T00:00:00Z")),
    commit(B, "create", "fm.teal.alpha.actor.status", "self", {"x": 1}),
    {"did": B, "time_us": T0, "kind": "account", "account": {"active": True}},
]


def jsonl(events, bad_line_at=None) -> str:
    lines = [json.dumps(e, ensure_ascii=False) for e in events]
    if bad_line_at is not None:
        lines.insert(bad_line_at, '{"did": "did:plc:x", "kind": "comm')
    return "\n".join(lines) + "\n"


def test_rows_skips_and_rejects(tmp_path):
    path = write_feed(tmp_path, jsonl(EVENTS, bad_line_at=3), name="js.jsonl")
    assert detect_format(path) == "jetstream"
    r = read_raw(path)
    p = r.posts
    # the update of p1 (already read) is counted, not a second row with the same post_id
    assert p["post_id"].to_list() == [
        f"at://{A}/app.bsky.feed.post/p1",
        f"at://{A}/app.bsky.feed.repost/r1",
        f"at://{B}/app.bsky.feed.post/b2",
    ]
    assert p["source_line"].to_list() == [1, 3, 8]
    assert p["hashtags"][0].to_list() == ["Día2"] and p["facets_invalid"][0] == 0
    rep = p.row(1, named=True)
    assert rep["is_repost"] and rep["is_placeholder"] and rep["text"] is None
    assert rep["post_uri"] == f"at://{B}/app.bsky.feed.post/b1" and rep["author_did"] == B
    assert rep["reposted_by"] == A and str(rep["reposted_at"]) == "2025-07-04 03:40:00+00:00"
    # createdAt more than a day after Jetstream saw the event: kept, flagged
    assert p["created_at_flag"].to_list() == [None, None, "implausible"]
    assert r.rejects.select("location", "line").rows() == [("line 4", 4)]
    s = r.stats
    assert (s["records"], s["posts"], s["rejected"], s["skipped"]) == (10, 3, 1, 6)
    assert (
        s["skipped_like"],
        s["skipped_delete"],
        s["skipped_identity"],
        s["skipped_account"],
        s["skipped_fm.teal.alpha.actor.status"],
        s["skipped_update"],
    ) == (1, 1, 1, 1, 1, 1)


def test_update_without_its_create_is_a_row_noted_as_edited(tmp_path):
    path = write_feed(tmp_path, jsonl(EVENTS[5:]), name="js.jsonl")
    p = read_raw(path).posts
    assert p["post_id"][0] == f"at://{A}/app.bsky.feed.post/p1" and p["notes"][0] == "edited (update event)"


def test_repeated_events_are_skipped_across_batches(tmp_path):
    """A capture replayed (the same events twice): one row per post_id, the repeats counted, in any batch."""
    path = write_feed(tmp_path, jsonl(EVENTS + EVENTS), name="twice.jsonl")
    for size in (4, 100_000):
        r = read_raw(path, batch_size=size)
        assert r.posts["post_id"].is_unique().all() and r.posts.height == 3
        s = r.stats
        assert (s["records"], s["skipped_repeated"], s["skipped_update"]) == (18, 3, 2)
        assert s["records"] == s["posts"] + s["rejected"] + s["skipped"]


def _cycle(k: int) -> list[dict]:
    """EVENTS with record keys made distinct for cycle ``k`` (the same events replayed would be repeats)."""
    events = json.loads(json.dumps(EVENTS))
    for e in events:
        if "commit" in e:
            e["commit"]["rkey"] += f"c{k}"
    return events


def test_batches_continue_positions_and_lines(tmp_path):
    path = write_feed(tmp_path, jsonl(_cycle(0) + _cycle(1) + _cycle(2)), name="js.jsonl")
    batches = list(read_batches(path, batch_size=4))
    assert len(batches) == 7  # 27 events in batches of 4
    assert [b.stats["records"] for b in batches] == [4, 4, 4, 4, 4, 4, 3]
    posts = pl.concat([b.posts for b in batches])
    assert posts["position"].to_list() == list(range(9))
    assert posts["source_line"].to_list()[:5] == [1, 3, 7, 10, 12]
    whole = read_raw(path).posts
    assert posts.equals(whole)


def test_json_array_of_events(tmp_path):
    path = write_feed(tmp_path, json.dumps(EVENTS + ["not an event"]), name="events.json")
    assert detect_format(path) == "jetstream"
    r = read_raw(path)
    assert r.posts["source_location"].to_list() == ["item 1", "item 3", "item 7"]
    assert r.posts["source_line"].null_count() == 3
    assert r.rejects.select("location", "reason").rows() == [("item 10", "event is str, not an object")]


@pytest.mark.parametrize(
    "event, reason",
    [
        ({"did": A, "time_us": 1, "kind": "commit"}, "commit event without a commit object"),
        ({"did": A, "time_us": 1, "kind": "boom"}, "unknown event kind 'boom'"),
        (
            commit(A, "create", "app.bsky.feed.post", "x", {"createdAt": "2025-01-01T00:00:00Z"}),
            "post record has no text",
        ),
        (commit(A, "create", "app.bsky.feed.repost", "y", {"subject": {}}), "repost record has no subject URI"),
    ],
)
def test_unreadable_events_are_rejected_alone(tmp_path, event, reason):
    path = write_feed(tmp_path, jsonl([EVENTS[0], event, EVENTS[6]]), name="js.jsonl")
    r = read_raw(path)
    assert r.rejects.select("location", "reason").rows() == [("line 2", reason)]
    assert r.posts.height == 2


def test_cursor_framing_without_time_us(tmp_path):
    ev = commit(A, "create", "app.bsky.feed.post", "c1", post("late post", created="2025-07-09T00:00:00Z"))
    del ev["time_us"]
    ev["cursor"] = T0  # seen 2025-07-04: createdAt five days later is implausible
    path = write_feed(tmp_path, jsonl([ev]), name="new.jsonl")
    assert detect_format(path) == "jetstream"
    assert read_raw(path).posts["created_at_flag"].to_list() == ["implausible"]


def _old_way(events_bytes: list[bytes]):
    """The reference: every line decoded in full and read by event_row (what the pre-filter must agree with)."""
    from collections import Counter

    import orjson

    from feedtools.readers.atproto import RecordError
    from feedtools.readers.jetstream import event_row

    stats, rejected = Counter(), 0
    for raw in events_bytes:
        try:
            event_row(orjson.loads(raw), stats)
        except (orjson.JSONDecodeError, RecordError):
            rejected += 1
    return stats, rejected


LIKE = (
    b'{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"create",'
    b'"collection":"app.bsky.feed.like","rkey":"l","record":'
)
ODD_LINES = [
    LIKE + b'{"t":"\xff"}}}',  # invalid UTF-8 inside the record
    LIKE + b'{"t":"\\udc00"}}}',  # lone surrogate
    LIKE + b"[" * 3000 + b"]" * 3000 + b"}}",  # too deep
    b'{"kind":"commit","commit":"nope"}',
    b'{"kind":"commit","commit":{"operation":"merge","collection":"app.bsky.feed.like"}}',
    b'{"kind":"commit","commit":{"operation":"create","collection":["app.bsky.feed.like"]}}',
    b'{"kind":"commit","commit":{"operation":"create"}}',
    b'{"kind":"identity","kind":"commit","commit":{"operation":"delete"}}',
    b'{"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.like"}} trailing',
    b'{"kind":7}',
    b"[1,2]",
    b'"commit"',
    b'{"kind":"account"}',
    b'{"kind":"commit","commit":{"operation":"update","collection":"app.bsky.feed.repost","rkey":"r"}}',
    b'{"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.like"},"x":"\xc3\xa9"}',
]


def test_prefilter_counts_exactly_what_a_full_decode_counts(tmp_path):
    """Lines skipped without being built are counted by kind exactly as decoding them in full counts them;
    odd or broken lines (bad UTF-8, lone surrogates, deep nesting, wrong types) go the full way."""
    lines = [json.dumps(e, ensure_ascii=False).encode() for e in EVENTS] + ODD_LINES
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    r = read_raw(path, "jetstream")
    want, rejected = _old_way(lines)
    got = {k: v for k, v in r.stats.items() if k.startswith("skipped_") and k not in ("skipped_update",)}
    want = {k: v for k, v in want.items() if k.startswith("skipped_")}
    assert got == want
    assert r.stats["rejected"] == rejected and r.rejects.height == rejected
    assert r.stats["records"] == len(lines) == r.stats["posts"] + r.stats["rejected"] + r.stats["skipped"]


def test_lines_numbered_as_the_file(tmp_path):
    """Blank lines, CRLF endings, a BOM and a last line without newline: numbering as in the file."""
    body = [json.dumps(e) for e in EVENTS[:3]]
    data = b"\xef\xbb\xbf" + (body[0] + "\r\n\r\n  \n" + body[1] + "\n" + body[2]).encode()
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(data)
    r = read_raw(path, "jetstream")
    assert r.posts["source_line"].to_list() == [1, 5] and r.stats["skipped_like"] == 1
    assert r.stats["records"] == 3


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_block_reading_gives_the_lines_of_iter_lines(tmp_path, block):
    from feedtools.readers.atproto import iter_lines
    from feedtools.readers.jetstream import _lines

    path = tmp_path / "x.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a":1}\r\n\n \n{"b":"\xc3\xa9"}\n\n{"c":3}')
    assert [(n, line.rstrip(b"\r\n")) for n, line in iter_lines(path)] == [
        (n, line.rstrip(b"\r\n")) for n, line in _lines(path, block=block)
    ]


POST_HEAD = (
    b'{"did":"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa","time_us":1751600000000000,"kind":"commit","commit":{"rev":"3l",'
    b'"operation":"create","collection":"app.bsky.feed.post","rkey":"%s","cid":"bafy","record":'
)
REPOST_HEAD = POST_HEAD.replace(b"feed.post", b"feed.repost")
SUBJECT = b'{"uri":"at://did:plc:bbbbbbbbbbbbbbbbbbbbbbbb/app.bsky.feed.post/b1","cid":"bafy"}'
#: Post and repost lines of the usual shape (read by the fast path) and odd ones it must leave to the full decode.
ROW_LINES = [
    POST_HEAD % b"f1" + b'{"$type":"app.bsky.feed.post","text":"plain","createdAt":"2025-07-04T03:33:20Z"}}}',
    POST_HEAD % b"f2" + b'{"text":"langs","createdAt":"2025-07-04T03:33:20Z","langs":["en",3,"fr"]}}}',
    POST_HEAD % b"f3" + b'{"text":"langs null","createdAt":"2025-07-04T03:33:20Z","langs":null,"facets":null}}}',
    POST_HEAD % b"f4" + b'{"text":"tags #a","createdAt":"x","tags":["b.","#a",1],"facets":[{"index":{"byteStart":5,'
    b'"byteEnd":7},"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"a"}]}]}}}',
    POST_HEAD
    % b"f5"
    + b'{"text":"reply","createdAt":"x","reply":{"parent":{"uri":"at://did:plc:p/app.bsky.feed.post/1"'
    b'},"root":{"uri":"at://did:plc:r/app.bsky.feed.post/2"}},"embed":{"$type":"app.bsky.embed.record","record":'
    b'{"uri":"at://did:plc:q/app.bsky.feed.post/3","cid":"c"}}}}}',
    POST_HEAD % b"f6" + b'{"text":"odd embed","createdAt":"x","embed":{"$type":"x.y.z"},"labels":{"values":[]}}}}',
    POST_HEAD.replace(b"create", b"update") % b"f1" + b'{"text":"edit","createdAt":"x"}}}',
    POST_HEAD.replace(b"create", b"update") % b"f7" + b'{"text":"edit","createdAt":"x"}}}',
    POST_HEAD % b"f1" + b'{"text":"again","createdAt":"x"}}}',
    REPOST_HEAD % b"r1" + b'{"$type":"app.bsky.feed.repost","subject":' + SUBJECT + b',"createdAt":"x","via":{}}}}',
    REPOST_HEAD % b"r2" + b'{"subject":{"uri":"https://x"},"createdAt":"x"}}}',
    REPOST_HEAD % b"r3" + b'{"subject":' + SUBJECT + b"}}}",
    REPOST_HEAD.replace(b"create", b"update") % b"r4" + b'{"subject":' + SUBJECT + b',"createdAt":"x"}}}',
    POST_HEAD % b"o1" + b'{"text":"big","createdAt":"x","embed":{"n":1e400}}}}',
    POST_HEAD % b"o2" + b'{"text":"big","createdAt":"x","labels":[1e400]}}}',
    POST_HEAD % b"o3" + b'{"text":"bad utf-8 \xff","createdAt":"x"}}}',
    POST_HEAD % b"o4" + b'{"text":"deep","createdAt":"x","embed":' + b"[" * 1022 + b"]" * 1022 + b"}}}",
    POST_HEAD % b"o5" + b'{"text":"unknown key","createdAt":"x","bridgy":1}}}',
    POST_HEAD % b"o6" + b'{"text":"snake","created_at":"2025-07-04T03:33:20Z"}}}',
    POST_HEAD % b"o7" + b'{"text":5,"createdAt":"x"}}}',
    POST_HEAD % b"o8" + b"null}}",
    POST_HEAD.replace(b"1751600000000000", b"123456789012345678901234567890") % b"o9"
    + b'{"text":"t","createdAt":"x"}}}',
    POST_HEAD.replace(b"1751600000000000", b"true") % b"oa" + b'{"text":"t","createdAt":"x"}}}',
    POST_HEAD.replace(b"did:plc:a", b"plc:a") % b"ob" + b'{"text":"t","createdAt":"x"}}}',
    POST_HEAD % b"" + b'{"text":"no rkey","createdAt":"x"}}}',
    POST_HEAD.replace(b"commit", b"identity", 1) % b"oc" + b'{"text":"t","createdAt":"x"}}}',
    POST_HEAD.replace(b'"kind"', b'"cursor":5,"kind"') % b"od" + b'{"text":"cursor","createdAt":"x"}}}',
    POST_HEAD.replace(b'"rev"', b'"rev":"x","rev"') % b"oe" + b'{"text":"dup","text":"dup2","createdAt":"x"}}}',
]


def test_fast_path_gives_the_rows_of_the_full_decode(tmp_path, monkeypatch):
    """Post and repost lines read by the typed fast path give the same posts, rejects and counts as the same
    lines decoded in full with orjson and read by event_row; odd lines (unknown keys, SDK spelling, numbers
    orjson refuses, bad UTF-8, deep nesting, wrong types) are left to the full decode."""
    from feedtools.readers import jetstream, jetstream_fast

    lines = [json.dumps(e, ensure_ascii=False).encode() for e in EVENTS] + ROW_LINES + ODD_LINES
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    decided = []

    def counting(line, line_no):
        row = jetstream_fast.fast_row(line, line_no)
        decided.append(row is not None)
        return row

    monkeypatch.setattr(jetstream, "fast_row", counting)
    fast = read_raw(path, "jetstream", batch_size=4)
    assert sum(decided) == 12  # the usual shapes (compact JSON, as Jetstream writes it) took the fast path
    monkeypatch.setattr(jetstream, "fast_row", lambda line, line_no: None)
    full = read_raw(path, "jetstream", batch_size=4)
    assert fast.posts.equals(full.posts) and fast.rejects.equals(full.rejects)
    assert dict(fast.stats) == dict(full.stats)
    assert (fast.posts.height, fast.rejects.height, fast.stats["skipped_update"]) == (17, 18, 2)


def test_row_buffer_from_tuples_is_the_buffer_of_the_same_rows():
    """The Jetstream batch's row tuples become the same table as the row dicts; the tuples are let go."""
    from collections import Counter

    from polars.testing import assert_frame_equal

    from feedtools.readers.atproto import ROW_COLUMNS, RowBuffer

    dicts = [
        {"post_id": "a", "text": "hello", "created_at_raw": "2024-05-01T10:00:00Z", "_ref_us": 1714557600000000},
        {"post_id": "b", "text": None, "embed_other": "app.bsky.embed.other", "post_uri": "at://did:plc:x/p/b"},
    ]
    rows = [tuple(d.get(c) for c in ROW_COLUMNS) for d in dicts]
    s1, s2 = Counter(), Counter()
    got = RowBuffer.from_tuples(rows, s1).frame(source="s", source_format="jetstream", first_position=5)
    want = RowBuffer.from_rows(dicts, s2).frame(source="s", source_format="jetstream", first_position=5)
    assert_frame_equal(got, want)
    assert rows == [] and s1 == s2 == Counter(embeds_nonstandard=1)
    assert got["position"].to_list() == [5, 6] and got["text"].to_list() == ["hello", None]
    with pytest.raises(ValueError):
        RowBuffer.from_tuples([("too", "short")])
    assert len(RowBuffer.from_tuples([])) == 0
