"""JSON documents read lazily (feedtools.readers.jsonarray): the value-by-value check of the outer levels
gives what a whole decode gives, wherever values, blanks and multi-byte characters fall, and keeps the file's
pages from staying resident while it checks."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import orjson
import pytest

from feedtools.readers import FeedError, jsonarray
from feedtools.readers.jsonarray import JsonArray, load_json_lazily

#: Items whose JSON holds what a byte-level cut gets wrong: separators and brackets inside strings, escaped
#: quotes and backslashes, multi-byte characters, nesting, and values that are not objects.
AWKWARD = [
    {"uri": "at://a/1", "text": 'a, "quoted" ], }, [{ \\ end\\', "n": [1, [2, {"k": "v,]"}]]},
    'a string item, with ] and } and \\" inside',
    12.5e3,
    None,
    [],
    {},
    [{"posts": []}, "é ü ß 日本語 🦋"],
    {"posts": [{"uri": "at://p/1"}], "cursor": "c,]"},
    {"text": "🦋" * 40 + "\u2028" + "\\u0000"},
    True,
]


def _write(tmp_path, data: bytes, name: str = "doc.json"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _as_read(value):
    """A lazily loaded document as plain Python values (every JsonArray read in full)."""
    if isinstance(value, JsonArray):
        return list(value)
    if isinstance(value, dict):
        return {k: _as_read(v) for k, v in value.items()}
    return value


def _layouts(doc) -> list[bytes]:
    """``doc`` as JSON text laid out in several ways: compact, indented, blanks of every kind around tokens."""
    compact = orjson.dumps(doc)
    return [
        compact,
        orjson.dumps(doc, option=orjson.OPT_INDENT_2),
        json.dumps(doc, ensure_ascii=False, indent="\t", separators=(" ,\r\n", " :\t")).encode(),
        json.dumps(doc, ensure_ascii=True).encode(),
        b" \n\t\r" + compact + b"\r\n \t",
        b"\xef\xbb\xbf" + compact,
    ]


@pytest.mark.parametrize("release", [1, 1 << 20])
@pytest.mark.parametrize("utf8_chunk", [1, 3, 1 << 20])
def test_arrays_read_value_by_value_equal_a_whole_decode(tmp_path, monkeypatch, release, utf8_chunk):
    """Pages released after every value and UTF-8 checked a byte at a time: still the same items, in order."""
    monkeypatch.setattr(jsonarray, "SCAN_RELEASE_BYTES", release)
    monkeypatch.setattr(jsonarray, "UTF8_CHUNK", utf8_chunk)
    monkeypatch.setattr(jsonarray, "WALK_MIN_BYTES", 0)
    monkeypatch.setattr(jsonarray, "_shallow", _no_whole_check)  # the value-by-value walk, never the old path
    for doc in (AWKWARD, [], [[]], [AWKWARD[0]], {"posts": AWKWARD, "cursor": "x"}, {}):
        for data in _layouts(doc):
            value = load_json_lazily(_write(tmp_path, data))
            assert _as_read(value) == doc, data[:80]


def _no_whole_check(*_a, **_k):
    raise AssertionError("the document was checked whole")


def test_objects_keep_their_members_as_a_whole_decode_does(tmp_path, monkeypatch):
    """``feed`` / ``posts`` arrays lazily, other members decoded; a repeated key keeps its last value."""
    monkeypatch.setattr(jsonarray, "WALK_MIN_BYTES", 0)
    monkeypatch.setattr(jsonarray, "_shallow", _no_whole_check)
    data = b'{"feed": [1, {"a": "]"}], "cursor": {"x": [1, 2]}, "posts": "not an array", "feed": [3], "z": null}'
    value = load_json_lazily(_write(tmp_path, data))
    assert isinstance(value["feed"], JsonArray) and list(value["feed"]) == [3]
    assert list(value) == ["feed", "cursor", "posts", "z"] == list(json.loads(data))
    assert _as_read(value) == json.loads(data)
    esc = b'{"po\\u0073ts": [{"uri": "u"}], "feed": 3}'  # a key written with an escape is still "posts"
    value = load_json_lazily(_write(tmp_path, esc))
    assert isinstance(value["posts"], JsonArray) and _as_read(value) == json.loads(esc)


BAD = [
    b"[1,2",
    b"[1,2,]",
    b"[,1]",
    b"[1 2]",
    b"[1,2]]",
    b"[1,2] x",
    b'[{"a": 1}, {"a": ]',
    b'[{"a": "unterminated}]',
    b'{"a" 1}',
    b'{"a": 1,}',
    b"{1: 2}",
    b'{"posts": [1, 2}',
    b'{"posts": [1], "a": 1',
    b'["\xff"]',
    b'["\xe6\x97"]',
    b'{"posts": ["ok"], "x": "\xc3"}',
    b'"text"',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":1}\n{"a":2}\n',
]


@pytest.mark.parametrize("walk_from", [0, 1 << 30])
@pytest.mark.parametrize("data", BAD, ids=range(len(BAD)))
def test_anything_but_one_json_document_is_left_to_the_old_path(tmp_path, monkeypatch, data, walk_from):
    """Malformed, cut, not UTF-8, a scalar, JSON Lines: None (the caller then reads the file whole, with the
    same errors as before), whether the walk or the whole check finds it, wherever the pages are released."""
    monkeypatch.setattr(jsonarray, "SCAN_RELEASE_BYTES", 1)
    monkeypatch.setattr(jsonarray, "WALK_MIN_BYTES", walk_from)
    assert load_json_lazily(_write(tmp_path, data)) is None


def test_a_document_the_walk_cannot_read_is_checked_whole(tmp_path, monkeypatch):
    """Should msgspec word its errors otherwise, the whole-document check gives the same answer."""
    monkeypatch.setattr(jsonarray, "WALK_MIN_BYTES", 0)
    monkeypatch.setattr(jsonarray, "_TRAILING", "no such message")
    data = orjson.dumps({"posts": AWKWARD, "cursor": 1})
    assert _as_read(load_json_lazily(_write(tmp_path, data))) == {"posts": AWKWARD, "cursor": 1}
    assert load_json_lazily(_write(tmp_path, b"[1,")) is None


def test_numbers_beyond_a_double_fail_when_read(tmp_path):
    """msgspec accepts 1e400, orjson does not: one line naming the file when the item is read (as before)."""
    items = iter(load_json_lazily(_write(tmp_path, b'[{"a":1},{"a":1e400}]', name="big.json")))
    assert next(items) == {"a": 1}
    with pytest.raises(FeedError, match=r"big\.json: not valid JSON"):
        next(items)
    with pytest.raises(FeedError, match="not valid JSON"):
        load_json_lazily(_write(tmp_path, b'{"posts": [], "n": 1e400}'))


@pytest.mark.parametrize("walk_from", [0, 1 << 30])
def test_items_containing_a_needle(tmp_path, monkeypatch, walk_from):
    """Only the items whose JSON holds the needle are decoded, in order, whatever the release interval; the
    items' bytes counted (for batches bounded by bytes) span the array, whichever check read it."""
    monkeypatch.setattr(jsonarray, "RELEASE_EVERY", 1)
    monkeypatch.setattr(jsonarray, "WALK_MIN_BYTES", walk_from)
    data = orjson.dumps(AWKWARD)
    value = load_json_lazily(_write(tmp_path, data))
    assert list(value.containing(b'"posts"')) == [AWKWARD[6], AWKWARD[7]]
    assert value[1:3] == AWKWARD[1:3] and value[-1] is True and value[::4] == AWKWARD[::4]
    assert len(data) - 2 - (len(AWKWARD) - 1) <= value.nbytes <= len(data) - 2  # the items (commas or not)


def test_small_documents_are_checked_in_one_pass(tmp_path, monkeypatch):
    """Below WALK_MIN_BYTES the whole document is checked by one msgspec pass (faster on many small items)."""

    def no_walk(self):
        raise AssertionError("walked")

    monkeypatch.setattr(jsonarray._Scan, "document", no_walk)
    assert _as_read(load_json_lazily(_write(tmp_path, orjson.dumps({"posts": AWKWARD})))) == {"posts": AWKWARD}


@pytest.mark.parametrize("release", [1, 2, 7, 1 << 20])
def test_search_for_a_needle_finds_the_items_a_copy_of_each_finds(tmp_path, monkeypatch, release):
    """The items found by searching the map stretch by stretch are those whose own JSON holds the needle, also
    when a stretch ends inside the needle or the needle spans the blanks between two items."""
    monkeypatch.setattr(jsonarray, "SCAN_RELEASE_BYTES", release)
    monkeypatch.setattr(jsonarray, "WALK_MIN_BYTES", 0)
    for data in _layouts(AWKWARD)[:3]:
        value = load_json_lazily(_write(tmp_path, data))
        raws = value._raws
        for needle in (b'"posts"', b"],", b"}", b'"', b"\n", b"0", b", ", b"\n{", b"\xf0\x9f\xa6\x8b", b"", b"absent"):
            expected = [orjson.loads(bytes(raws[i])) for i in range(len(raws)) if needle in bytes(raws[i])]
            assert list(value.containing(needle)) == expected, (data[:40], needle)


_PEAK_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from feedtools.readers.jsonarray import load_json_lazily
    import orjson

    def peak_kb():  # this process's own peak (ru_maxrss carries the parent's across fork and exec)
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))

    orjson.loads(b'{"warm": ["up", 1]}')
    before = peak_kb()
    value = load_json_lazily(Path(sys.argv[1]))
    n = sum(1 for _ in value)
    print(n, (peak_kb() - before) // 1024)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="peak RSS from /proc/self/status: Linux")
def test_checking_a_big_array_does_not_hold_the_file_resident(tmp_path):
    """A 96 MB array checked and read in a fresh process: its peak resident memory grows by a bounded amount
    (the pages of the stretch being checked), not by the file's size as when msgspec checked the whole map."""
    item = orjson.dumps({"uri": "at://did:plc:x/app.bsky.feed.post/1", "record": {"text": "é 🦋 " + "w" * 1900}})
    n = (96 << 20) // (len(item) + 2)
    path = tmp_path / "big.json"
    with open(path, "wb") as f:
        f.write(b"[\n")
        f.write(b",\n".join([item] * n))
        f.write(b"\n]\n")
    out = subprocess.run(
        [sys.executable, "-c", _PEAK_SCRIPT, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(out[0]) == n
    grown_mb = int(out[1])
    assert grown_mb < 40, f"peak RSS grew by {grown_mb} MB reading a {path.stat().st_size >> 20} MB array"
