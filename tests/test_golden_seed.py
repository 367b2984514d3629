"""Golden test on the bundled seed feed: the figures a reader of the feed can check by eye, and a snapshot.

Regenerate the snapshot after an intended change with:
    FEEDTOOLS_UPDATE_GOLDEN=1 python -m pytest tests/test_golden_seed.py
and review the diff of tests/golden/seed_posts.csv before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from feedtools.export import csv_safe
from feedtools.paths import SEED_LANGUAGES

GOLDEN = Path(__file__).parent / "golden" / "seed_posts.csv"
SNAPSHOT_COLUMNS = [
    "position",
    "post_id",
    "source_line",
    "author_name",
    "is_repost",
    "reposted_by",
    "is_pinned",
    "is_placeholder",
    "lang",
    "hashtags",
    "mentions",
    "urls",
    "urls_canonical",
    "domains",
    "url_truncated",
    "emojis",
    "duplicate_of",
    "duplicate_kind",
]

# Read by hand: the language of every loaded post of the seed (also what `feedtools bench` checks labels against).
LANGUAGES = pl.read_csv(SEED_LANGUAGES, comment_prefix="#")


def test_seed_counts(seed_feed):
    p = seed_feed.posts
    assert p.height == 80
    own, reposts = p.filter(~pl.col("is_repost")), p.filter(pl.col("is_repost"))
    assert own.height == 51 and reposts.height == 29
    assert reposts["is_placeholder"].sum() == 14 and own["is_placeholder"].sum() == 0
    assert p.filter(pl.col("duplicate_of").is_not_null()).select(
        "position", "duplicate_of", "duplicate_kind"
    ).rows() == [(25, 23, "exact")]
    assert not p["text"].drop_nulls().str.starts_with("Reposted by").any()
    assert set(reposts["reposted_by"]) == {"United Cities"}
    assert seed_feed.rejects.height == 0


def test_seed_languages(seed_feed):
    p = seed_feed.posts
    expected = dict(LANGUAGES.iter_rows())
    assert sorted(expected) == p.filter(~pl.col("is_placeholder"))["position"].to_list()  # every loaded post
    assert [len(LANGUAGES.filter(pl.col("lang") == lang)) for lang in ("en", "es", "fr")] == [50, 10, 6]
    got = dict(p.filter(~pl.col("is_placeholder")).select("position", "lang").iter_rows())
    assert got == expected
    assert set(p.filter(pl.col("is_placeholder"))["lang"]) == {"und"}


def test_seed_snapshot(seed_feed):
    current = csv_safe(seed_feed.posts.select(SNAPSHOT_COLUMNS)).write_csv()
    if os.environ.get("FEEDTOOLS_UPDATE_GOLDEN") or not GOLDEN.exists():
        GOLDEN.write_text(current, encoding="utf-8")
    assert current == GOLDEN.read_text(encoding="utf-8"), "seed table changed: see the module docstring to update"
