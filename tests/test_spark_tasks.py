"""feedtools.spark._tasks without Spark: what an executor does with a byte range of a Jetstream capture."""

from __future__ import annotations

from collections import Counter

import pytest
from test_readers_jetstream_batch import LIKE, POST

from feedtools.readers import FeedError
from feedtools.readers.jetstream import read_batches
from feedtools.spark._tasks import _read_range


def _task(path, start: int, end: int, r: int) -> dict:
    return {"input": 0, "range": r, "path": str(path), "format": "jetstream", "start": start, "end": end, "split": True}


def test_byte_ranges_hold_the_lines_starting_in_them_and_count_them(tmp_path):
    lines = [LIKE, POST % b"a", b"", b"{broken", POST % b"b", LIKE, POST % b"a"]  # a repeat in another range
    path = tmp_path / "c.jsonl"
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(data)
    mid = len(data) // 2 + 3  # inside a line
    first, second = _read_range(_task(path, 0, mid, 0)), _read_range(_task(path, mid, len(data), 1))
    assert first[2]["_lines"] + second[2]["_lines"] == len(lines)
    rejects = [*first[1]["line"], *(line + first[2]["_lines"] for line in second[1]["line"])]
    assert rejects == [4]
    ids = [*first[0]["post_id"], *second[0]["post_id"]]
    whole = [p for b in read_batches(path) for p in b.posts["post_id"]]
    assert ids[: len(whole)] == whole and len(ids) == len(whole) + 1  # the repeat is the driver's to drop
    stats = Counter(first[2]) + Counter(second[2])
    assert stats["records"] == 6 and stats["skipped_like"] == 2 and stats["rejected"] == 1


def test_the_first_range_refuses_a_capture_whose_first_records_are_all_rejected(tmp_path):
    path = tmp_path / "bad.jsonl"
    data = b"\n".join([b"{nope"] * 5 + [LIKE] * 5) + b"\n"
    path.write_bytes(data)
    cut = data.index(LIKE)
    with pytest.raises(FeedError, match=r"no record could be read as jetstream \(line 1: not valid JSON\)"):
        _read_range(_task(path, 0, cut, 0))
    later = _read_range(_task(path, cut, len(data), 1))  # a later range is never the one that decides
    assert later[2]["records"] == 5
    good = tmp_path / "good.jsonl"
    good.write_bytes(b"\n".join([LIKE] + [b"{nope"] * 5) + b"\n")
    assert _read_range(_task(good, 0, good.stat().st_size, 0))[2]["rejected"] == 5
