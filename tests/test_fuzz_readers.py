"""Property-based fuzzing of every reader on structurally mutated small real captures (issue 12, part 7).

Each example takes a small real capture (``../shared/bluesky-samples`` via the ``samples``
fixture; skipped when absent) or a hand-made fixture, applies one to three structural
mutations — truncation, a known field swapped for a value of another type, a deleted
key, a duplicated key, a repeated or dropped item, a huge or deeply nested value, a loop
in a CAR tree, stray bytes — and reads the result with format detection and with the
reader forced. Each read must:

* raise nothing but :class:`FeedError` (a file that cannot be read at all);
* end within :data:`READ_SECONDS` (an alarm interrupts a hang);
* keep the accounting: ``records == posts + rejected + skipped`` (a scrape: every
  line is header, continuation, post, rejected or skipped), as many rows as ``posts``
  and as many rejects as ``rejected``;
* give each row a unique, non-null ``post_id``;
* keep memory bounded (peak resident growth under :data:`MAX_RSS_GROWTH_MB`).

Profiles (``FEEDTOOLS_FUZZ``): unset or ``default`` — a few dozen examples per reader,
derandomised, the whole file in well under two minutes; ``long`` — a seeded long run
(``FEEDTOOLS_FUZZ=long pytest tests/test_fuzz_readers.py``; ``FEEDTOOLS_FUZZ_EXAMPLES``
overrides its 2,000 examples per test).
"""

from __future__ import annotations

import json
import math
import os
import resource
import signal
from pathlib import Path

import libipld
import pytest
from conftest import FIXTURES, ROOT
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from feedtools.readers import FeedError, read_raw

READ_SECONDS = 20
MAX_RSS_GROWTH_MB = 400

_COMMON = {
    "deadline": None,
    "database": None,
    "derandomize": True,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
}
settings.register_profile("feedtools-default", max_examples=15, **_COMMON)
settings.register_profile(
    "feedtools-long", max_examples=int(os.environ.get("FEEDTOOLS_FUZZ_EXAMPLES", "2000")), **_COMMON
)
PROFILE = "feedtools-long" if os.environ.get("FEEDTOOLS_FUZZ") == "long" else "feedtools-default"
fuzz_settings = settings(settings.get_profile(PROFILE))

SAMPLES = ROOT.parent / "shared" / "bluesky-samples"


# --- reading under watch --------------------------------------------------------------------------------


class ReadTimeout(Exception):
    pass


def _alarm(*_):
    raise ReadTimeout(f"a read took more than {READ_SECONDS} s")


def check_read(path: Path, fmt: str) -> None:
    """Read ``path`` with ``fmt`` under an alarm and check the reader's contract (see the module doc)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, READ_SECONDS)
    try:
        r = read_raw(path, fmt)
    except FeedError as e:
        msg = str(e)
        assert msg and "\n" not in msg and "\x1b" not in msg, repr(msg)
        return
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < MAX_RSS_GROWTH_MB, f"peak memory grew by {grown_mb:.0f} MB"
    s = r.stats
    if r.meta.get("unit") == "lines":  # a scrape accounts for every line of the file
        assert s["lines"] == s["header"] + s["continuation"] + s["posts"] + s["rejected"] + s["skipped"], dict(s)
        assert s["items"] == s["posts"] + s["rejected_items"], dict(s)
    else:
        assert s["records"] == s["posts"] + s["rejected"] + s["skipped"], dict(s)
    assert r.posts.height == s["posts"] and r.rejects.height == s["rejected"], dict(s)
    assert r.posts["post_id"].null_count() == 0
    assert r.posts["post_id"].n_unique() == r.posts.height, "post_id repeated"
    assert r.rejects["location"].null_count() == 0 and r.rejects["reason"].null_count() == 0


def check_both(tmp_path: Path, data: bytes, name: str, fmt: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    check_read(path, "auto")
    check_read(path, fmt)


# --- JSON mutation --------------------------------------------------------------------------------------


class Dup:
    """An object whose key ``key`` appears twice (JSON allows it; parsers keep one)."""

    def __init__(self, obj: dict, key: str, second) -> None:
        self.obj, self.key, self.second = obj, key, second


class Raw:
    """JSON text written as is (a value too deep for the encoders)."""

    def __init__(self, text: str) -> None:
        self.text = text


def dump(v) -> str:
    """JSON text of a value that may hold :class:`Dup` and :class:`Raw` (non-finite floats as numbers)."""
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, Dup):
        items = [f"{json.dumps(k)}:{dump(x)}" for k, x in v.obj.items()]
        items.append(f"{json.dumps(v.key)}:{dump(v.second)}")
        return "{" + ",".join(items) + "}"
    if isinstance(v, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dump(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(dump(x) for x in v) + "]"
    if isinstance(v, float) and not math.isfinite(v):
        return "1e999" if v > 0 else "-1e999"
    return json.dumps(v, ensure_ascii=False)


def deep(depth: int) -> Raw:
    return Raw('{"a":' * depth + "1" + "}" * depth if depth % 2 else "[" * depth + "]" * depth)


#: Values swapped in for a field: every JSON type, edge numbers, empty, huge, deep, hostile text.
BAD_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    2**63,
    -(2**70),
    1.5,
    float("inf"),
    "",
    "x",
    "at://",
    "did:plc:x",
    "2025-13-45T99:99:99Z",
    "\x1b[2J\x00\u202e",
    "\ud83c",
    [],
    [None],
    {},
    {"$type": "x"},
    {"uri": 5},
    "y" * 2_000_000,
    list(range(50_000)),
]


def paths_of(v, prefix=(), out=None, limit=4000):
    """Every (container path, key) in a parsed JSON value, up to ``limit``."""
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(v, dict):
        for k, x in v.items():
            out.append((prefix, k))
            paths_of(x, prefix + (k,), out, limit)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out.append((prefix, i))
            paths_of(x, prefix + (i,), out, limit)
    return out


def _at(v, path):
    for p in path:
        v = v[p]
    return v


def mutate_json(draw, value):
    """Apply one structural mutation to a parsed JSON value in place (returns the possibly new root)."""
    paths = paths_of(value)
    if not paths:
        return draw(st.sampled_from(BAD_VALUES))
    prefix, key = draw(st.sampled_from(paths))
    parent = _at(value, prefix)
    op = draw(st.sampled_from(["swap", "swap", "swap", "delete", "dup_key", "repeat", "deep", "huge_list"]))
    if op == "swap":
        parent[key] = draw(st.sampled_from(BAD_VALUES))
    elif op == "delete":
        del parent[key]
    elif op == "dup_key" and isinstance(parent, dict):
        grand = _at(value, prefix[:-1]) if prefix else None
        replacement = Dup(dict(parent), key, draw(st.sampled_from(BAD_VALUES[:20])))
        if grand is None:
            return replacement
        grand[prefix[-1]] = replacement
    elif op == "repeat" and isinstance(parent, list):
        parent.insert(key, parent[key])
    elif op == "deep":
        parent[key] = deep(draw(st.sampled_from([100, 1000, 5000, 100_000])))
    elif op == "huge_list":
        parent[key] = [parent[key]] * draw(st.sampled_from([2, 1000, 20_000]))
    return value


def mutate_bytes(draw, data: bytes) -> bytes:
    op = draw(st.sampled_from(["truncate", "truncate", "garbage", "nul"]))
    cut = draw(st.integers(0, max(0, len(data) - 1)))
    if op == "truncate":
        return data[:cut]
    if op == "garbage":
        return data[:cut] + draw(st.binary(min_size=1, max_size=64)) + data[cut:]
    return data[:cut] + b"\x00" + data[cut + 1 :]


def json_case(draw, text: bytes, lines: bool) -> bytes:
    """A mutated JSON document or JSON Lines file."""
    if draw(st.integers(0, 4)) == 0:
        return mutate_bytes(draw, text)
    if lines:
        rows = [json.loads(x) for x in text.decode("utf-8").splitlines() if x.strip()]
        for _ in range(draw(st.integers(1, 3))):
            i = draw(st.integers(0, len(rows) - 1))
            rows[i] = mutate_json(draw, rows[i])
        return ("\n".join(dump(r) for r in rows) + "\n").encode("utf-8", "surrogatepass")
    value = json.loads(text)
    for _ in range(draw(st.integers(1, 3))):
        value = mutate_json(draw, value)
    return dump(value).encode("utf-8", "surrogatepass")


def _sample(name: str, max_lines: int | None = None) -> bytes:
    if not SAMPLES.is_dir():
        pytest.skip(f"third-party captures not present at {SAMPLES}")
    data = (SAMPLES / name).read_bytes()
    if max_lines:
        data = b"\n".join(data.splitlines()[:max_lines]) + b"\n"
    return data


# --- the JSON readers -----------------------------------------------------------------------------------


@fuzz_settings
@given(st.data())
def test_fuzz_jetstream_lines(tmp_path_factory, data):
    base = _sample("jetstream_expected_v1.jsonl", max_lines=60)
    case = json_case(data.draw, base, lines=True)
    check_both(tmp_path_factory.mktemp("js"), case, "events.jsonl", "jetstream")


@fuzz_settings
@given(st.data())
def test_fuzz_jetstream_array(tmp_path_factory, data):
    case = json_case(data.draw, _sample("twitwi_bluesky-firehose-posts.json"), lines=False)
    check_both(tmp_path_factory.mktemp("jsa"), case, "firehose.json", "jetstream")


@fuzz_settings
@given(st.data())
def test_fuzz_postviews(tmp_path_factory, data):
    source = data.draw(st.sampled_from(["hydrated", "mixed", "mixed_lines"]))
    if source == "hydrated":
        base, lines = _sample("twitwi_bluesky-hydrated-firehose-posts.json"), False
    else:
        items = json.loads((FIXTURES / "mixed_post_list.json").read_text())
        lines = source == "mixed_lines"
        base = ("\n".join(json.dumps(i) for i in items) + "\n" if lines else json.dumps(items)).encode()
    case = json_case(data.draw, base, lines=lines)
    check_both(tmp_path_factory.mktemp("pv"), case, "posts.json", "postviews")


@fuzz_settings
@given(st.data())
def test_fuzz_authorfeed(tmp_path_factory, data):
    name = data.draw(st.sampled_from(["authorfeed_pages.json", "authorfeed_sdk_dump.json"]))
    case = json_case(data.draw, (FIXTURES / name).read_bytes(), lines=False)
    check_both(tmp_path_factory.mktemp("af"), case, name, "authorfeed")


# --- the scrape reader ----------------------------------------------------------------------------------

SCRAPE = (
    "Example Org\nCities for everyone. #Bio\n- First post #Día2 @partner.bsky.social https://example.org\n"
    "- Reposted by Partner OrgShared news #Climate\n- PinnedOur pinned agenda\n- [Not loaded yet]\n"
    "- Reposted by Partner Org[Not loaded yet]\n- A post\nthat spans lines\n\n- Same text\n- Same text\n"
)
TRICKY_LINES = [
    "- ",
    "-",
    "Reposted by ",
    "- Reposted by ",
    "- Pinned",
    "- [Not loaded yet]",
    "- \x1b[2J\x07",
    "- \x00\x01",
    "\r",
    "- " + "z" * 1_000_000,
    "- " + "#t " * 20_000,
    "\ufeff- bom",
    "- \u202eevil",
]


@fuzz_settings
@given(st.data())
def test_fuzz_scrape(tmp_path_factory, data):
    draw = data.draw
    base = draw(st.sampled_from(["hand", "hostile", "seed"]))
    text = {
        "hand": SCRAPE.encode(),
        "hostile": (FIXTURES / "hostile_feed.txt").read_bytes(),
        "seed": (ROOT / "data" / "raw" / "000_802a2c4cd511184e.txt").read_bytes(),
    }[base]
    lines = text.split(b"\n")
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["insert", "insert", "delete", "repeat", "bytes"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "insert":
            lines.insert(i, draw(st.sampled_from(TRICKY_LINES)).encode("utf-8", "surrogatepass"))
        elif op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "repeat":
            lines[i:i] = [lines[i]] * draw(st.sampled_from([1, 2, 1000]))
        elif op == "bytes":
            lines = mutate_bytes(draw, b"\n".join(lines)).split(b"\n")
    check_both(tmp_path_factory.mktemp("sc"), b"\n".join(lines), "scrape.txt", "scrape")


# --- the CAR reader -------------------------------------------------------------------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def split_car(data: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """A clean CAR as its header bytes and ``(CID, block bytes)`` sections (CIDv1 of 36 bytes)."""

    def varint_at(i):
        v = s = 0
        while True:
            b = data[i]
            v |= (b & 0x7F) << s
            i += 1
            if not b & 0x80:
                return v, i
            s += 7

    n, i = varint_at(0)
    header = data[i : i + n]
    i += n
    blocks = []
    while i < len(data):
        size, j = varint_at(i)
        blocks.append((data[j : j + 36], data[j + 36 : j + size]))
        i = j + size
    return header, blocks


def join_car(header: bytes, blocks) -> bytes:
    out = bytearray(_varint(len(header)) + header)
    for cid, block in blocks:
        out += _varint(len(cid) + len(block)) + cid + block
    return bytes(out)


def mutate_car_value(draw, value, cids: list[bytes]):
    """Like :func:`mutate_json` on a decoded block, with CID links (to any block: loops) among the values."""
    paths = paths_of(value)
    if not paths:
        return draw(st.sampled_from(cids))
    prefix, key = draw(st.sampled_from(paths))
    parent = _at(value, prefix)
    op = draw(st.sampled_from(["link", "link", "swap", "swap", "delete", "repeat", "deep"]))
    if op == "link":
        parent[key] = draw(st.sampled_from(cids))
    elif op == "swap":
        parent[key] = draw(
            st.sampled_from(
                [
                    None,
                    True,
                    0,
                    -1,
                    2**63,
                    1.5,
                    "",
                    "x",
                    b"",
                    b"\x01q",
                    [],
                    {},
                    {"a": 1},
                    [b"x"],
                    "y" * 1_000_000,
                    list(range(20_000)),
                ]
            )
        )
    elif op == "delete":
        del parent[key]
    elif op == "repeat" and isinstance(parent, list):
        parent.insert(key, parent[key])
    elif op == "deep":
        v: object = 1
        for _ in range(draw(st.sampled_from([50, 500, 3000]))):
            v = [v]
        parent[key] = v
    return value


@fuzz_settings
@given(st.data())
def test_fuzz_car(tmp_path_factory, data):
    draw = data.draw
    raw = _sample("jetstream_repo.car")
    header, blocks = split_car(raw)
    assert join_car(header, blocks) == raw
    cids = [c for c, _ in blocks]
    tree = [i for i, (_, b) in enumerate(blocks) if isinstance(v := libipld.decode_dag_cbor(b), dict) and "e" in v]
    if draw(st.integers(0, 5)) == 0:
        case = mutate_bytes(draw, raw)
    else:
        blocks = list(blocks)
        for _ in range(draw(st.integers(1, 3))):
            # tree nodes get most of the mutations: their links make loops and their entries are typed
            i = draw(st.sampled_from(tree)) if draw(st.booleans()) else draw(st.integers(0, len(blocks) - 1))
            cid, block = blocks[i]
            op = draw(st.sampled_from(["value", "value", "value", "drop", "repeat"]))
            if op == "drop":
                blocks[i] = (cid, b"")
                continue
            if op == "repeat":
                blocks.insert(i, blocks[i])
                continue
            value = mutate_car_value(draw, libipld.decode_dag_cbor(block), cids)
            try:
                blocks[i] = (cid, libipld.encode_dag_cbor(value))  # the CID is kept: links still point here
            except (ValueError, TypeError, OverflowError, RecursionError):
                assume(False)
        case = join_car(header, blocks)
    check_both(tmp_path_factory.mktemp("car"), case, "repo.car", "car")
