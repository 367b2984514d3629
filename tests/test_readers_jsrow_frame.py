"""The batch's columns built with fewer passes: list columns whose lists are all empty or null, time columns that
are all null, and columns whose first value is set; the same columns as the general path gives."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal, assert_series_equal

from feedtools.readers.atproto import ROW_COLUMNS, RowBuffer
from feedtools.readers.atproto.rows import _created_and_reposted, _series, _string_lists
from feedtools.readers.atproto.times import _parse_struct, parse_time_series


@pytest.mark.parametrize(
    "values",
    [[(), None, (), None], [None, ()], [(), ()], [[], None, ()], [None, ("a",), None], [("a", "b"), None, ()]],
)
def test_lists_all_empty_or_null_are_the_column_pyarrow_builds(values):
    want = pl.Series("x", pa.array(values, type=pa.list_(pa.string())), dtype=pl.List(pl.String))
    got = _string_lists("x", values)
    assert got is not None
    assert_series_equal(got, want)
    assert got.to_list() == [None if v is None else list(v) for v in values]


@pytest.mark.parametrize("with_ref", [False, True])
def test_all_null_times_are_what_parsing_gives(with_ref):
    raw = pl.Series("_r", [None, None, None], dtype=pl.String)
    ref = pl.Series("_ref_us", [1, None, 3], dtype=pl.Int64) if with_ref else None
    assert_frame_equal(parse_time_series(raw, ref), _every_pass(raw, ref))
    mixed = pl.Series("_r", [None, "2024-05-01T10:00:00", "nope"], dtype=pl.String)
    assert_frame_equal(parse_time_series(mixed, ref), _every_pass(mixed, ref))


def _every_pass(raw: pl.Series, ref: pl.Series | None) -> pl.DataFrame:
    """What parse_time_series gives through every pass of the parse (no shortcut for a column of nulls)."""
    ref = pl.Series([None] * raw.len(), dtype=pl.Int64) if ref is None else ref
    return _parse_struct(pl.DataFrame({"_r": raw, "_ref": ref}).to_struct("p")).struct.unnest()


@pytest.mark.parametrize("dtype", [pl.String, pl.Int64, pl.Boolean])
def test_a_column_set_in_its_first_row_keeps_its_nulls(dtype):
    value = {pl.String: "a", pl.Int64: 7, pl.Boolean: True}[dtype]
    values = [value, None, None, value]
    assert_series_equal(_series("c", values, dtype), pl.Series("c", values, dtype=dtype))


def test_batches_of_reposts_only_or_posts_only_are_the_frame_of_the_dicts():
    """A batch without any repost (``_reposted_raw`` all null) or without any post (``created_at_raw`` all
    null) gives the table the row dicts give, with typed null time columns."""
    post = {"post_id": "p", "text": "hi", "created_at_raw": "2024-05-01T10:00:00Z", "_ref_us": 1714557600000000}
    repost = {"post_id": "r", "is_repost": True, "is_placeholder": True, "_reposted_raw": "2024-05-01T11:00:00Z"}
    for dicts in ([post], [repost], [post, repost]):
        rows = [tuple(d.get(c) for c in ROW_COLUMNS) for d in dicts]
        got = RowBuffer.from_tuples(rows, Counter()).frame(source="s", source_format="jetstream")
        want = RowBuffer.from_rows(dicts, Counter()).frame(source="s", source_format="jetstream")
        assert_frame_equal(got, want)
        assert got.schema == want.schema and got["created_at"].dtype == pl.Datetime("us", "UTC")
        assert got["indexed_at"].null_count() == len(dicts) and got["created_at_flag"].null_count() == len(dicts)
    assert got["created_at"].to_list() == [datetime(2024, 5, 1, 10, tzinfo=UTC), None]
    assert got["reposted_at"].to_list() == [None, datetime(2024, 5, 1, 11, tzinfo=UTC)]


CREATED = ["2024-05-01T10:00:00Z", None, "nope", "2024-05-01 10:00:00", None, "2030-01-01T00:00:00Z", "1999-12-31"]
REPOSTED = [None, "2024-05-01T11:00:00+02:00", None, None, "x", None, None]


@pytest.mark.parametrize(
    ("created", "reposted"),
    [
        (CREATED, REPOSTED),  # never both on a row: one pass over the two merged
        (CREATED, [*REPOSTED[:-1], "2024-01-01T00:00:00Z"]),  # both on the last row: two passes
        (CREATED, [None] * len(CREATED)),
        ([None] * len(CREATED), REPOSTED),
    ],
)
def test_created_and_reposted_times_are_two_passes_of_parsing(created, reposted):
    """Time, flag (implausible against when the row was seen, unparseable) and note as two passes give them."""
    ref = pl.Series("_ref_us", [1714557600000000] * len(created), dtype=pl.Int64)
    c, r = pl.Series("created_at_raw", created, dtype=pl.String), pl.Series("_reposted_raw", reposted, dtype=pl.String)
    got_created, got_reposted = _created_and_reposted(c, r, ref)
    assert_frame_equal(got_created, parse_time_series(c, ref))
    assert_series_equal(got_reposted, parse_time_series(r)["t"])
    if created is CREATED:
        assert got_created["f"].to_list()[:6] == [None, None, "unparseable", None, None, "implausible"]


def test_row_columns_are_each_named_once():
    """A row tuple holds each column once (a repeated name would be a slot built and thrown away per row)."""
    assert len(set(ROW_COLUMNS)) == len(ROW_COLUMNS)
