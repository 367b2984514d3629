"""The small helpers that turn numbers, dates and lists into the notebooks' sentences."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from feedtools import prose
from feedtools.schema import conform


@pytest.mark.parametrize("n, word", [(0, "0 posts"), (1, "1 post"), (2, "2 posts"), (11, "11 posts")])
def test_plural(n, word):
    assert prose.plural(n, "post") == word


def test_plural_irregular():
    assert prose.plural(1, "entry", "entries") == "1 entry"
    assert prose.plural(3, "entry", "entries") == "3 entries"


def test_pct_rounds_and_guards_zero():
    assert prose.pct(51, 80) == "64%"
    assert prose.pct(0, 0) == "n/a"


def test_join_list_zero_one_many_and_long():
    assert prose.join_list([]) == ""
    assert prose.join_list(["a"]) == "a"
    assert prose.join_list(["a", "b"]) == "a and b"
    assert prose.join_list(["a", "b", "c"]) == "a, b and c"
    assert prose.join_list([str(i) for i in range(9)], 3) == "0, 1, 2 … and 6 more"


def test_unknown_values_never_print_as_none_or_nan():
    assert prose.join_list(["a", None, float("nan"), "None", "b"]) == "a and b"
    for value in (None, float("nan"), "nan", "None", "null", " "):
        assert prose.known(value) == "unknown"
    assert prose.known(0) == "0"
    assert prose.day(None) == "unknown"
    assert prose.day(dt.datetime(2025, 2, 20, 23, 0)) == "2025-02-20"


def test_counted_reads_value_count_lists():
    assert prose.counted(["en:13", "fr:3", "es:2"]) == "en (13), fr (3) and es (2)"
    assert prose.counted(["a.bsky.social:2"]) == "a.bsky.social (2)"
    assert prose.counted([]) == "" and prose.counted(None) == ""
    assert prose.counted([f"t{i}:1" for i in range(7)], 2) == "t0 (1), t1 (1) … and 5 more"


def test_span_all_cases():
    a, b = dt.date(2025, 2, 20), dt.date(2025, 3, 1)
    assert prose.span(a, b) == "from 2025-02-20 to 2025-03-01"
    assert prose.span(a, a) == "on 2025-02-20"
    assert prose.span(a, None) == "from 2025-02-20 on"
    assert prose.span(None, b) == "until 2025-03-01"
    assert prose.span(None, None) == "on unknown dates"


def _rows(rows: list[dict]) -> pl.DataFrame:
    base = {
        "position": 0,
        "is_repost": False,
        "is_placeholder": False,
        "author_handle": None,
        "author_did": None,
        "reposted_by": None,
    }
    return conform(pl.DataFrame([{**base, "position": i, **r} for i, r in enumerate(rows)], infer_schema_length=None))


def test_count_accounts_one_account_feed_with_reposts_of_others():
    # an author feed: own posts by the account, reposts of other authors put in the feed by the account
    posts = _rows(
        [
            {"author_handle": "Org.example.org", "author_did": "did:plc:org"},
            {"author_handle": "other.example", "is_repost": True, "reposted_by": "org.example.org"},
            {"author_handle": "third.example", "is_repost": True, "reposted_by": "org.example.org"},
        ]
    )
    assert prose.count_accounts(posts) == 1


def test_count_accounts_collection_and_unnamed_rows():
    posts = _rows(
        [{"author_did": f"did:plc:{i}"} for i in range(4)] + [{"is_repost": True, "reposted_by": "did:plc:9"}]
    )
    assert prose.count_accounts(posts) == 5
    assert prose.count_accounts(_rows([{}, {}])) == 0  # a scrape names no author for own posts
