"""Repository CAR reader: MST walk to keys and AT-URIs, posts and reposts as rows, other records counted."""

from __future__ import annotations

import hashlib

import libipld
import pytest
from conftest import write_feed

from feedtools.readers import FeedError, detect_format, read_raw

DID = "did:plc:carcarcarcarcarcarcarcarc"
OTHER = "did:plc:otherotherotherotherothe"


def cid_of(block: bytes) -> bytes:
    return b"\x01\x71\x12\x20" + hashlib.sha256(block).digest()  # CIDv1, dag-cbor, sha2-256


def varint(n: int) -> bytes:
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


class Car:
    """A tiny repository written block by block (libipld encodes CID-shaped bytes as links)."""

    def __init__(self):
        self.blocks: list[tuple[bytes, bytes]] = []

    def put(self, value) -> bytes:
        data = libipld.encode_dag_cbor(value)
        return self.put_raw(cid_of(data), data)

    def put_raw(self, cid: bytes, data: bytes) -> bytes:
        self.blocks.append((cid, data))
        return cid

    def bytes(self, root: bytes, skip: tuple[bytes, ...] = ()) -> bytes:
        header = libipld.encode_dag_cbor({"roots": [root], "version": 1})
        out = varint(len(header)) + header
        for cid, data in self.blocks:
            if cid not in skip:
                out += varint(len(cid) + len(data)) + cid + data
        return out


def entry(prev: str, key: str, value: bytes, tree: bytes | None = None) -> dict:
    p = 0
    while p < min(len(prev), len(key)) and prev[p] == key[p]:
        p += 1
    return {"p": p, "k": key[p:].encode(), "v": value, "t": tree}


def build(corrupt_post: bool = False):
    car = Car()
    rec = {
        "profile": car.put(
            {
                "$type": "app.bsky.actor.profile",
                "displayName": "  Example Org ",
                "pinnedPost": {"uri": f"at://{DID}/app.bsky.feed.post/3p1", "cid": "x"},
            }
        ),
        "like": car.put(
            {"$type": "app.bsky.feed.like", "subject": {"uri": "at://x"}, "createdAt": "2025-01-01T00:00:00Z"}
        ),
        "p1": car.put(
            {
                "$type": "app.bsky.feed.post",
                "text": "Bonjour 🌍 #Paris2025",
                "langs": ["fr"],
                "createdAt": "2025-03-01T09:00:00.000Z",
                "facets": [
                    {
                        "index": {"byteStart": 13, "byteEnd": 23},
                        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "Paris2025"}],
                    }
                ],
            }
        ),
        "p2": car.put({"$type": "app.bsky.feed.post", "text": "Second", "createdAt": "1970-01-01T00:00:00Z"}),
        "r1": car.put(
            {
                "$type": "app.bsky.feed.repost",
                "createdAt": "2025-03-02T10:00:00Z",
                "subject": {"uri": f"at://{OTHER}/app.bsky.feed.post/o1", "cid": "y"},
            }
        ),
        "f1": car.put({"$type": "app.bsky.graph.follow", "subject": OTHER, "createdAt": "2025-01-01T00:00:00Z"}),
    }
    if corrupt_post:  # replace p2's block by bytes that are not DAG-CBOR
        car.blocks = [(c, b"\xff\xfe\xfd" if c == rec["p2"] else d) for c, d in car.blocks]
    k = {
        "profile": "app.bsky.actor.profile/self",
        "like": "app.bsky.feed.like/3l1",
        "p1": "app.bsky.feed.post/3p1",
        "p2": "app.bsky.feed.post/3p2",
        "r1": "app.bsky.feed.repost/3r1",
        "f1": "app.bsky.graph.follow/3f1",
    }
    left = car.put(
        {"l": None, "e": [entry("", k["profile"], rec["profile"]), entry(k["profile"], k["like"], rec["like"])]}
    )
    right_of_p1 = car.put({"l": None, "e": [entry("", k["p2"], rec["p2"])]})
    root = car.put(
        {
            "l": left,
            "e": [
                entry("", k["p1"], rec["p1"], right_of_p1),
                entry(k["p1"], k["r1"], rec["r1"]),
                entry(k["r1"], k["f1"], rec["f1"]),
            ],
        }
    )
    commit = car.put({"did": DID, "version": 3, "data": root, "rev": "3migo7fijwi2k", "prev": None, "sig": b"s"})
    return car, commit, rec


def test_walk_gives_keys_uris_and_rows(tmp_path):
    car, commit, _ = build()
    path = write_feed(tmp_path, car.bytes(commit), name="repo.car")
    assert detect_format(path) == "car"
    r = read_raw(path)
    p = r.posts
    assert p["post_id"].to_list() == [
        f"at://{DID}/app.bsky.feed.post/3p1",
        f"at://{DID}/app.bsky.feed.post/3p2",
        f"at://{DID}/app.bsky.feed.repost/3r1",
    ]
    assert p["post_uri"].to_list()[2] == f"at://{OTHER}/app.bsky.feed.post/o1"
    assert p["is_repost"].to_list() == [False, False, True]
    assert p["is_placeholder"].to_list() == [False, False, True] and p["text"][2] is None
    assert p["is_pinned"].to_list() == [True, False, None]
    assert p["author_name"].to_list() == ["Example Org", "Example Org", None]
    assert p["author_did"].to_list() == [DID, DID, OTHER] and p["reposted_by"][2] == DID
    assert p["hashtags"][0].to_list() == ["Paris2025"] and p["facets_invalid"][0] == 0
    assert p["created_at_flag"].to_list() == [None, "implausible", None]
    assert str(p["reposted_at"][2]) == "2025-03-02 10:00:00+00:00"
    assert p["source_location"][0] == "block " + libipld.encode_cid(_rec_cid(car, 2))
    s = r.stats
    assert (s["records"], s["posts"], s["skipped"], s["rejected"]) == (6, 3, 3, 0)
    assert (s["skipped_profile"], s["skipped_like"], s["skipped_follow"]) == (1, 1, 1)
    assert r.meta["did"] == DID and r.meta["rev"] == "3migo7fijwi2k" and r.meta["repo_version"] == 3


def _rec_cid(car: Car, i: int) -> bytes:
    return car.blocks[i][0]


def test_missing_and_corrupt_blocks_are_rejected_alone(tmp_path):
    car, commit, rec = build()
    path = write_feed(tmp_path, car.bytes(commit, skip=(rec["p1"],)), name="partial.car")
    r = read_raw(path)
    assert r.posts["post_id"].to_list() == [
        f"at://{DID}/app.bsky.feed.post/3p2",
        f"at://{DID}/app.bsky.feed.repost/3r1",
    ]
    assert r.rejects["reason"].to_list() == ["record block missing from the file"]
    assert r.rejects["location"][0] == f"block {libipld.encode_cid(rec['p1'])} (app.bsky.feed.post/3p1)"

    car, commit, rec = build(corrupt_post=True)
    path = write_feed(tmp_path, car.bytes(commit), name="corrupt.car")
    r = read_raw(path)
    assert r.posts.height == 2
    assert r.rejects["location"].to_list() == [f"block {libipld.encode_cid(rec['p2'])} (app.bsky.feed.post/3p2)"]
    assert r.rejects["reason"][0].startswith("undecodable block")
    assert r.stats["records"] == r.stats["posts"] + r.stats["rejected"] + r.stats["skipped"]


def test_missing_tree_node_is_reported(tmp_path):
    car, commit, _rec = build()
    left = car.blocks[6][0]  # the left subtree node (profile, like)
    path = write_feed(tmp_path, car.bytes(commit, skip=(left,)), name="nodeless.car")
    r = read_raw(path)
    assert r.posts.height == 3
    assert r.rejects["reason"].to_list() == [
        "tree node block missing from the file: the records below it cannot be listed"
    ]


def test_root_that_is_not_a_commit(tmp_path):
    car = Car()
    root = car.put({"hello": "world"})
    path = write_feed(tmp_path, car.bytes(root), name="notrepo.car")
    with pytest.raises(FeedError, match="not a repository commit"):
        read_raw(path, "car")


# --- damaged trees: loops, depth, wrong-typed entries, repeated keys (issue 12) ---


def _read_within(path, seconds: int = 10):
    """read_raw with an alarm: a walk that loops fails the test instead of exhausting memory."""
    import signal

    def _timeout(*_):
        raise TimeoutError(f"reading {path.name} took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(seconds)
    try:
        return read_raw(path, "car")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _fake_cid(tag: bytes) -> bytes:
    return b"\x01\x71\x12\x20" + hashlib.sha256(tag).digest()


@pytest.mark.parametrize("where", ["left", "subtree"])
def test_tree_linking_to_itself_is_walked_once(tmp_path, where):
    car = Car()
    p1 = car.put({"$type": "app.bsky.feed.post", "text": "one", "createdAt": "2025-03-01T09:00:00Z"})
    node_cid = _fake_cid(b"the looping node")  # the node names its own CID as a child
    e = entry("", "app.bsky.feed.post/3p1", p1, node_cid if where == "subtree" else None)
    node = {"l": node_cid if where == "left" else None, "e": [e]}
    car.put_raw(node_cid, libipld.encode_dag_cbor(node))
    commit = car.put({"did": DID, "version": 3, "data": node_cid, "rev": "3migo7fijwi2k", "prev": None, "sig": b"s"})
    r = _read_within(write_feed(tmp_path, car.bytes(commit), name="loop.car"))
    assert r.posts["post_id"].to_list() == [f"at://{DID}/app.bsky.feed.post/3p1"]
    assert r.rejects.select("location", "reason").rows() == [
        (f"block {libipld.encode_cid(node_cid)}", "tree node linked again (the tree loops): walked once")
    ]
    assert r.stats["records"] == r.stats["posts"] + r.stats["rejected"] + r.stats["skipped"] == 2


def test_every_node_of_the_real_repo_linking_to_itself(samples, tmp_path):
    """The real CAR with every tree node's left link pointed at the node itself: same rows, one reject per node."""
    data = (samples / "jetstream_repo.car").read_bytes()
    size, i = data[0], 1  # the header length fits one varint byte in this file
    out = bytearray(data[: i + size])
    i += size
    nodes = 0
    while i < len(data):
        shift = length = 0
        while True:
            b = data[i]
            i += 1
            length |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        cid, block = data[i : i + 36], data[i + 36 : i + length]
        i += length
        value = libipld.decode_dag_cbor(block)
        if isinstance(value, dict) and "e" in value:
            value["l"] = cid
            block = libipld.encode_dag_cbor(value)
            nodes += 1
        out += varint(len(cid) + len(block)) + cid + block
    r = _read_within(write_feed(tmp_path, bytes(out), name="loops.car"))
    clean = read_raw(samples / "jetstream_repo.car")
    assert r.posts["post_id"].to_list() == clean.posts["post_id"].to_list()
    assert r.rejects.height == nodes > 1
    assert set(r.rejects["reason"]) == {"tree node linked again (the tree loops): walked once"}


def test_tree_deeper_than_the_bound_is_cut_with_a_reject(tmp_path):
    from feedtools.readers.car import MAX_DEPTH

    car = Car()
    p1 = car.put({"$type": "app.bsky.feed.post", "text": "deep", "createdAt": "2025-03-01T09:00:00Z"})
    child = car.put({"l": None, "e": [entry("", "app.bsky.feed.post/3p1", p1)]})
    p2 = car.put({"$type": "app.bsky.feed.post", "text": "top", "createdAt": "2025-03-01T09:00:00Z"})
    for _ in range(MAX_DEPTH + 5):  # a chain of empty nodes, each the left child of the next
        child = car.put({"l": child, "e": []})
    top = car.put({"l": child, "e": [entry("", "app.bsky.feed.post/3p2", p2)]})
    commit = car.put({"did": DID, "version": 3, "data": top, "rev": "3migo7fijwi2k", "prev": None, "sig": b"s"})
    r = _read_within(write_feed(tmp_path, car.bytes(commit), name="deep.car"))
    assert r.posts["text"].to_list() == ["top"]  # the record below the bound is not listed, but reported
    assert r.rejects["reason"].to_list() == [
        f"tree deeper than {MAX_DEPTH} levels: the records below it cannot be listed"
    ]


@pytest.mark.parametrize("field,value", [("v", {"a": 1}), ("p", {"a": 1}), ("k", "text"), ("p", -1), ("v", "cid")])
def test_wrong_typed_tree_entry_is_a_located_reject(tmp_path, field, value):
    car, commit, _rec = build()
    root_i = next(
        i
        for i, (c, d) in enumerate(car.blocks)
        if libipld.decode_dag_cbor(d).get("l") is not None and "e" in libipld.decode_dag_cbor(d)
    )
    root_cid, data = car.blocks[root_i]
    node = libipld.decode_dag_cbor(data)
    node["e"][1][field] = value  # the repost entry; the third (follow) is then lost with it
    car.blocks[root_i] = (root_cid, libipld.encode_dag_cbor(node))
    r = _read_within(write_feed(tmp_path, car.bytes(commit), name="typed.car"))
    assert r.posts["post_id"].to_list() == [f"at://{DID}/app.bsky.feed.post/3p1", f"at://{DID}/app.bsky.feed.post/3p2"]
    assert r.rejects["location"].to_list() == [f"block {libipld.encode_cid(root_cid)}"]
    assert r.rejects["reason"][0].startswith("malformed tree entry")
    assert r.stats["records"] == r.stats["posts"] + r.stats["rejected"] + r.stats["skipped"]


def test_key_listed_twice_is_read_once(tmp_path):
    car = Car()
    p1 = car.put({"$type": "app.bsky.feed.post", "text": "one", "createdAt": "2025-03-01T09:00:00Z"})
    k = "app.bsky.feed.post/3p1"
    root = car.put({"l": None, "e": [entry("", k, p1), {"p": len(k), "k": b"", "v": p1, "t": None}]})
    commit = car.put({"did": DID, "version": 3, "data": root, "rev": "3migo7fijwi2k", "prev": None, "sig": b"s"})
    r = _read_within(write_feed(tmp_path, car.bytes(commit), name="twice.car"))
    assert r.posts.height == 1 and r.stats["skipped_repeated"] == 1
    assert r.stats["records"] == r.stats["posts"] + r.stats["rejected"] + r.stats["skipped"] == 2
