"""The posts table contract."""

from __future__ import annotations

import polars as pl
import pytest

from feedtools.schema import COLUMNS, POSTS_SCHEMA, conform

REQUIRED = [
    "position",
    "post_id",
    "source_line",
    "author_handle",
    "author_name",
    "is_repost",
    "reposted_by",
    "is_pinned",
    "is_placeholder",
    "text",
    "text_clean",
    "lang",
    "lang_confidence",
    "langs_declared",
    "hashtags",
    "mentions",
    "urls",
    "domains",
    "url_truncated",
    "emojis",
    "created_at",
    "duplicate_of",
    "reply_to",
    "like_count",
    "repost_count",
    "reply_count",
    "quote_count",
]


def test_required_columns_present_and_documented():
    assert set(REQUIRED) <= set(POSTS_SCHEMA.names())
    assert all(c.doc.strip() for c in COLUMNS)
    assert len({c.name for c in COLUMNS}) == len(COLUMNS)


def test_conform_adds_nulls_and_rejects_unknown():
    out = conform(pl.DataFrame({"text": ["a"]}))
    assert out.schema == POSTS_SCHEMA
    assert out["like_count"].to_list() == [None]  # unknown, never 0
    with pytest.raises(ValueError, match="not in the posts schema"):
        conform(pl.DataFrame({"bogus": [1]}))


def test_loaded_feed_has_canonical_schema(seed_feed):
    assert seed_feed.posts.schema == POSTS_SCHEMA


def test_schema_command_prints_one_table_row_per_column(monkeypatch):
    import subprocess
    import sys

    # `python -m feedtools schema` is the same command line as `feedtools schema`.
    out = subprocess.run(
        [sys.executable, "-m", "feedtools", "schema"], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    lines = out.splitlines()
    assert lines[:2] == ["| column | type | filled by | meaning |", "| --- | --- | --- | --- |"]
    assert [line.split(" | ")[0] for line in lines[2:]] == [f"| `{c.name}`" for c in COLUMNS]
    assert all(line.endswith(" |") and line.count(" | ") == 3 for line in lines[2:])  # pipes in docs escaped

    from feedtools import schema

    monkeypatch.setattr(schema, "COLUMNS", [schema.Column("x", pl.String(), "a | b\nc", "reader")])
    assert schema.markdown_table().splitlines()[2] == "| `x` | `String` | reader | a \\| b c |"
