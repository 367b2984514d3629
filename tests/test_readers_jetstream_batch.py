"""The Jetstream batch's columns: list columns built from their strings and offsets (no pandas import), empty
columns without a pass over their values, and the fast path's cheap nesting guard; same tables as before."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal

from feedtools.readers.atproto import ROW_COLUMNS, RowBuffer
from feedtools.readers.atproto.rows import _series, _string_lists

LISTS = [("en", "fr"), None, (), ["de"], ("a", "b", "c"), None, ("",), ("é 👋",)]


def test_string_lists_are_the_column_pyarrow_builds():
    """Tuples, lists, empty lists and nulls: the same List(String) column as pa.array gives."""
    want = pl.Series("langs", pa.array(LISTS, type=pa.list_(pa.string())), dtype=pl.List(pl.String))
    got = _string_lists("langs", LISTS)
    assert got is not None and got.name == "langs" and got.dtype == pl.List(pl.String)
    assert_frame_equal(got.to_frame(), want.to_frame())
    assert got.to_list() == [["en", "fr"], None, [], ["de"], ["a", "b", "c"], None, [""], ["é 👋"]]
    assert _string_lists("x", [(), ()]).to_list() == [[], []]


@pytest.mark.parametrize("values", [[("a",), "abc"], [("a", 1)], [("a",), {"b": 1}], [(b"a",)]])
def test_other_values_are_left_to_the_general_path(values):
    """A string where a list belongs (it must not be split into letters), a non-string item: not built here."""
    assert _string_lists("x", values) is None
    got = _series("x", values, pl.List(pl.String))  # the general path still gives a column (or nulls)
    assert got.len() == len(values) and got.dtype == pl.List(pl.String)


@pytest.mark.parametrize("dtype", [pl.String, pl.Int64, pl.Boolean, pl.List(pl.String)])
def test_a_column_no_row_fills_is_typed_nulls(dtype):
    got = _series("c", [None] * 5, dtype)
    assert got.name == "c" and got.dtype == dtype and got.null_count() == 5 and got.len() == 5
    assert_frame_equal(got.to_frame(), pl.Series("c", [None] * 5, dtype=dtype, strict=False).to_frame())


def test_row_buffer_frame_is_unchanged_with_sparse_and_list_columns():
    """Rows with list columns partly null, partly empty, and columns no row fills: the frame of the dicts."""
    dicts = [
        {"post_id": "a", "text": "hi #x", "hashtags": ["x"], "langs_declared": ["en"], "created_at_raw": "2024"},
        {"post_id": "b", "is_repost": True, "post_uri": "at://did:plc:x/app.bsky.feed.post/b"},
        {"post_id": "c", "text": "", "hashtags": [], "langs_declared": [], "image_alts": ["", "alt"]},
    ]
    rows = [tuple(d.get(c) for c in ROW_COLUMNS) for d in dicts]
    got = RowBuffer.from_tuples(rows, Counter()).frame(source="s", source_format="jetstream")
    want = RowBuffer.from_rows(dicts, Counter()).frame(source="s", source_format="jetstream")
    assert_frame_equal(got, want)
    assert got["hashtags"].to_list() == [["x"], None, []] and got["image_alts"].to_list() == [None, None, ["", "alt"]]
    assert got["author_handle"].null_count() == 3 and got["like_count"].dtype == pl.Int64


def test_reading_jetstream_does_not_import_pandas(tmp_path):
    """Building the posts table costs no pandas import (about half a CPU-second and 50 MB per process)."""
    ev = {
        "did": "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
        "time_us": 1_751_600_000_000_000,
        "kind": "commit",
        "commit": {
            "rev": "3l",
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": "p1",
            "cid": "bafy",
            "record": {"text": "hola #a", "createdAt": "2025-07-04T03:33:20Z", "langs": ["es"], "tags": ["b"]},
        },
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(ev) + "\n", encoding="utf-8")
    code = (
        "import sys\nfrom feedtools.readers import read_raw\n"
        f"r = read_raw({str(path)!r}, 'jetstream')\n"
        "print(r.posts.height, r.posts['langs_declared'].to_list(), 'pandas' in sys.modules)\n"
    )
    src = str(Path(__file__).resolve().parents[1] / "src")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": src}
    )
    assert out.stdout.split() == ["1", "[['es']]", "False"]


def test_fast_path_still_leaves_deep_lines_to_the_full_decode():
    """The nesting guard counts brackets only in lines long enough to hold that many; a deep line still goes
    the full way, a short one is still read."""
    from feedtools.readers.jetstream_fast import _MAX_BRACKETS, fast_row

    head = (
        b'{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"create",'
        b'"collection":"app.bsky.feed.post","rkey":"r","record":{"text":"t","createdAt":"x","embed":'
    )
    deep = head + b"[" * (_MAX_BRACKETS + 1) + b"]" * (_MAX_BRACKETS + 1) + b"}}}"
    flat = head + b'{"$type":"x.y"}}}}'
    assert fast_row(deep, 1) is None
    row = fast_row(flat, 2)
    assert row is not None and row[ROW_COLUMNS.index("text")] == "t"


LIKE = (
    b'{"did":"did:plc:bbbbbbbbbbbbbbbbbbbbbbbb","time_us":1751600000000000,"kind":"commit","commit":{"rev":"3l",'
    b'"operation":"create","collection":"app.bsky.feed.like","rkey":"l1","cid":"bafy","record":{"$type":'
    b'"app.bsky.feed.like","subject":{"uri":"at://did:plc:a/app.bsky.feed.post/1","cid":"c"},"createdAt":"x"}}}'
)
POST = (
    b'{"did":"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa","time_us":1751600000000000,"kind":"commit","commit":{"rev":"3l",'
    b'"operation":"create","collection":"app.bsky.feed.post","rkey":"%s","cid":"bafy","record":{"$type":'
    b'"app.bsky.feed.post","text":"hola \xf0\x9f\x91\x8b #a","createdAt":"2025-07-04T03:33:20Z","langs":["es"]}}}'
)
POST_DELETE = (
    b'{"did":"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa","time_us":1751600000000000,"kind":"commit","commit":{"rev":"3l",'
    b'"operation":"delete","collection":"app.bsky.feed.post","rkey":"p0"}}'
)
#: Lines that are not one well-formed event each: every one must end as a row, a counted skip or a reject with its
#: line, exactly as decoding each line in full with orjson gives.
HOSTILE = [
    LIKE + b" " + LIKE,  # two values on a line
    LIKE + b"," + LIKE,
    LIKE[:60],  # a value split over two lines
    LIKE[60:],
    b"",
    b"   ",
    b"\r",
    LIKE + b"\r",
    b" " + LIKE,
    b"\xef\xbb\xbf" + LIKE,  # a BOM that is not at the start of the file
    LIKE.replace(b'"rkey"', b'"n":123456789012345678901234567890,"rkey"'),
    POST_DELETE.replace(b'"rkey"', b'"n":1e400,"rkey"'),
    (POST % b"h1").replace(b'"rkey"', b'"n":1e400,"rkey"'),
    LIKE.replace(b'"record":', b'"x":' + b"[" * 1500 + b"]" * 1500 + b',"record":'),
    LIKE.replace(b'"kind":"commit"', b'"kind":"commit","kind":"identity"'),
    LIKE.replace(b'"operation":"create"', b'"operation":"create","operation":"delete"'),
    LIKE.replace(b'"app.bsky.feed.like","rkey"', b'"app.bsky.feed.like","collection":"app.bsky.feed.post","rkey"'),
    LIKE.replace(b'"rev"', b'"collection":"app.bsky.feed.post","rev"'),
    LIKE.replace(b'"collection":"app.bsky.feed.like"', b'"collection":["app.bsky.feed.like"]'),
    LIKE.replace(b'"collection":"app.bsky.feed.like"', b'"collection":true'),
    LIKE.replace(b'"kind":"commit"', b'"kind":1'),
    LIKE.replace(b'"did"', b'"x":"\\udc00","did"'),
    LIKE.replace(b'"did"', b'"x":"\xff\xfe","did"'),
    (POST % b"h2").replace(b'"text":"', b'"text":"\xff'),
    (POST % b"h3").replace(b'"langs":["es"]', b'"langs":"es"'),
    (POST % b"h4").replace(b'"text":"', b'"text":7,"t":"'),
    b"[" + LIKE + b"]",
    b"null",
    b'"s"',
    b"{}",
    LIKE[:-1],
    LIKE + b"}",
    POST % b"h5",
    POST % b"h5",  # a repeat
    POST_DELETE,
]


def test_hostile_lines_end_as_a_full_decode_ends_them(tmp_path, monkeypatch):
    """Each hostile line is a row, a counted skip or a reject at its own line, as when every line is decoded in
    full with orjson (fast path and pre-filter off); blank lines are numbered but are not records."""
    from feedtools.readers import jetstream
    from feedtools.readers.base import ReadResult

    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join([LIKE, *HOSTILE, LIKE]) + b"\n")
    fast = ReadResult.combine(jetstream.read_batches(path, batch_size=5))
    monkeypatch.setattr(jetstream, "fast_row", lambda line, line_no: None)
    monkeypatch.setattr(jetstream, "_prefilter", lambda line, stats: None)
    full = ReadResult.combine(jetstream.read_batches(path, batch_size=5))
    assert fast.posts.equals(full.posts) and fast.rejects.equals(full.rejects)
    assert dict(fast.stats) == dict(full.stats)
    assert fast.posts["source_line"].to_list() == [26, 34] and fast.stats["skipped_repeated"] == 1
    # two values on a line, a value cut over two lines, a BOM inside, 1e400 in a post or post delete, deep
    # nesting, a lone surrogate, invalid UTF-8, a cut line, a trailing brace: not valid JSON, each at its line
    invalid = [2, 3, 4, 5, 11, 13, 14, 15, 23, 24, 25, 32, 33]
    assert fast.rejects.filter(pl.col("reason") == "not valid JSON")["line"].to_list() == invalid
    assert fast.rejects.height == 20 and fast.rejects["location"][0] == "line 2"
    s = fast.stats
    assert (s["records"], s["skipped_like"], s["skipped_delete"], s["skipped_unknown_collection"]) == (34, 6, 2, 2)


def test_envelopes_equal_as_values_are_decided_alike(tmp_path, monkeypatch):
    """The pre-filter decides each kind of envelope once (a memo keyed by its values): kinds or collections that
    compare equal across types (1, 1.0, true), unhashable ones (a list, an object), read twice, give the counts
    and rejects of a full decode."""
    from feedtools.readers import jetstream
    from feedtools.readers.base import ReadResult

    odd = [b"1", b"true", b"1.0", b"0", b"false", b"null", b'["x"]', b'{"a":1}', b'""', b'"fm.teal.status"']
    lines = [LIKE.replace(b'"app.bsky.feed.like"', v, 1) for v in odd]
    lines += [LIKE.replace(b'"kind":"commit"', b'"kind":' + v) for v in odd]
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b"\n".join(lines + lines) + b"\n")
    fast = ReadResult.combine(jetstream.read_batches(path))
    monkeypatch.setattr(jetstream, "_prefilter", lambda line, stats: None)
    full = ReadResult.combine(jetstream.read_batches(path))
    assert dict(fast.stats) == dict(full.stats) and fast.rejects.equals(full.rejects)
    assert fast.stats["skipped_unknown_collection"] == 2 * 9 and fast.stats["skipped_fm.teal.status"] == 2
    assert fast.rejects.height == 2 * 10  # no kind of event but commit, identity or account


def test_a_number_beyond_a_double_is_counted_in_a_skipped_event_and_rejected_in_a_post(tmp_path):
    """The one documented difference between the pre-filter and a full decode (docs/performance.md): msgspec skips
    ``1e400`` unchecked where orjson refuses it, so a like holding one is counted as a like, not rejected; a post
    or a post's delete holding one is still rejected as not valid JSON, at its line."""
    from feedtools.readers.base import ReadResult
    from feedtools.readers.jetstream import read_batches

    big = b'"n":1e400,"rkey"'
    path = tmp_path / "big.jsonl"
    lines = [LIKE.replace(b'"rkey"', big), (POST % b"p").replace(b'"rkey"', big), POST_DELETE.replace(b'"rkey"', big)]
    path.write_bytes(b"\n".join(lines))
    got = ReadResult.combine(read_batches(path))
    assert got.stats["skipped_like"] == 1 and got.posts.height == 0
    assert got.rejects["line"].to_list() == [2, 3] and set(got.rejects["reason"]) == {"not valid JSON"}


def test_the_garbage_collector_is_paused_only_while_a_batch_is_read(tmp_path):
    """The reader pauses the cyclic GC while it reads and cuts a batch, never while the caller holds one, and
    leaves it as it found it however the reading ends (all read, closed early, GC already off)."""
    import gc

    from feedtools.readers import jetstream

    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\n".join([LIKE, POST % b"a", POST % b"b", LIKE, POST % b"c"]) + b"\n")
    batches = jetstream.read_batches(path, batch_size=2)
    next(batches)
    assert gc.isenabled()  # the caller holds a batch: the GC runs
    batches.close()
    assert gc.isenabled()
    assert len(list(jetstream.read_batches(path, batch_size=2))) == 3 and gc.isenabled()
    gc.disable()
    try:
        list(jetstream.read_batches(path, batch_size=2))
        assert not gc.isenabled()  # left off, as the caller had it
    finally:
        gc.enable()
