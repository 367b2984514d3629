"""Text normalisation and duplicate marking."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from feedtools import clean
from feedtools.clean import DuplicatesSoFar, add_text_clean, mark_duplicates, resolve_duplicates
from feedtools.schema import conform


def test_text_clean_normalises_and_collapses():
    df = conform(pl.DataFrame({"text": ["  Ｆｕｌｌ\u200bwidth\n\n tabs\there  ", None, "ﬁne 👩‍💻"]}))
    assert add_text_clean(df)["text_clean"].to_list() == [
        "Full width tabs here".replace(" width", "width"),
        None,
        "fine 👩‍💻",
    ]


def feed(rows):
    base = {"author_name": "Org", "is_repost": False, "reposted_by": None, "is_placeholder": False}
    df = conform(pl.DataFrame([{**base, **r, "position": i} for i, r in enumerate(rows)]))
    return mark_duplicates(add_text_clean(df))


def test_exact_and_normalised_duplicates():
    out = feed(
        [
            {"text": "Día 2 del Foro!"},
            {"text": "Other"},
            {"text": "Día 2 del Foro!"},
            {"text": "dia 2 del foro"},
            {"text": "Día 2 del Foro!", "is_repost": True, "reposted_by": "Org"},  # a repost is not a copy of a post
        ]
    )
    assert out["duplicate_of"].to_list() == [None, None, 0, 0, None]
    assert out["duplicate_kind"].to_list() == [None, None, "exact", "normalised", None]


def test_placeholders_and_emoji_only_posts_not_duplicates():
    out = feed(
        [
            {"text": None, "is_placeholder": True},
            {"text": None, "is_placeholder": True},
            {"text": "🎉"},
            {"text": "👍"},
            {"text": "🎉"},
        ]
    )
    assert out["duplicate_of"].to_list() == [None, None, None, None, 2]


def test_normalised_duplicates_when_every_text_is_distinct():
    # No text repeats exactly (folding then runs row by row, without a table of distinct texts): copies that
    # differ only in case, accents, punctuation or spacing are still found, and rows without text are not.
    out = feed(
        [
            {"text": "Día 2 del Foro!"},
            {"text": None, "is_placeholder": True},
            {"text": "dia 2 del foro"},
            {"text": "DÍA 2  DEL FORO…"},
            {"text": "🎉"},
            {"text": "Other"},
        ]
    )
    assert out["duplicate_of"].to_list() == [None, None, 0, 0, None, None]
    assert out["duplicate_kind"].to_list() == [None, None, "normalised", "normalised", None, None]


def test_text_clean_controls_and_whitespace_runs_become_one_space():
    # Control characters (C0, C1) become spaces and every run of whitespace then becomes one space, the two
    # steps done in one pass: a control next to spaces, a lone non-space whitespace, a lone space kept as it is.
    texts = ["a\x01b", "a \x01 b", "a\x0b\x0cb", "a\tb", "a\u2028b", "a\x85\x9fb", "a b  c", " \x00x\x1f ", "\x7f"]
    df = conform(pl.DataFrame({"text": texts}))
    assert add_text_clean(df)["text_clean"].to_list() == ["a b", "a b", "a b", "a b", "a b", "a b", "a b c", "x", ""]


def test_duplicate_keys_fold_case_accents_and_punctuation_once_per_text():
    from feedtools.clean import duplicate_keys

    df = add_text_clean(
        conform(
            pl.DataFrame(
                {
                    "position": [0, 1, 2, 3, 4],
                    "text": ["Día 2, del Foro!", "dia 2 del foro", "!!!", "???", None],
                    "author_name": ["Org"] * 5,
                    "is_repost": [False] * 5,
                    "is_placeholder": [False] * 4 + [True],
                }
            )
        )
    )
    keys = duplicate_keys(df)
    assert keys["_f1"][0] == keys["_f1"][1] and keys["_f2"][0] == keys["_f2"][1]
    # Texts that fold to nothing keep their own text as the key: "!!!" and "???" are not copies of each other.
    assert keys["_f1"][2] != keys["_f1"][3]
    assert keys["_f1"][4] is None and keys["_elig"].to_list() == [True, True, True, True, False]


# --- duplicates resolved batch by batch (what a streaming parse writes as it reads) --------------------------------


def _random_keys(n: int, texts: int, seed: int = 1) -> pl.DataFrame:
    """Duplicate keys of ``n`` rows by three authors over ``texts`` texts (many repeats), a tenth not eligible."""
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "position": np.arange(n),
            "_elig": rng.random(n) < 0.9,
            "_k": rng.integers(0, 3, n).astype(np.uint64),
            "_e1": rng.integers(0, texts, n).astype(np.uint64),
            "_e2": np.zeros(n, np.uint64),
            "_f1": rng.integers(0, max(1, texts // 2), n).astype(np.uint64),  # folding merges texts
            "_f2": np.ones(n, np.uint64),
        }
    )


def _in_batches(keys: pl.DataFrame, step: int) -> pl.DataFrame:
    found = DuplicatesSoFar()
    return pl.concat([found.resolve(keys.slice(i, step)) for i in range(0, keys.height, step)])


@pytest.mark.parametrize("step", [1, 7, 333, 5000])
def test_duplicates_so_far_equal_the_whole_feed_step(step):
    keys = _random_keys(2000, 60)
    got = _in_batches(keys, step)
    assert got.equals(resolve_duplicates(keys))
    assert got["duplicate_kind"].value_counts()["count"].min() > 100  # exact and normalised copies both found


def test_duplicates_so_far_with_every_lookup_hash_equal(monkeypatch):
    # A hash collision between two keys must not make them copies: the key columns decide.
    monkeypatch.setattr(clean, "_lookup_hash", lambda cols: pl.lit(0, dtype=pl.UInt64))
    keys = _random_keys(600, 40, seed=2)
    assert _in_batches(keys, 50).equals(resolve_duplicates(keys))


def test_duplicates_so_far_refuse_keys_out_of_order():
    keys = _random_keys(20, 5)
    found = DuplicatesSoFar()
    found.resolve(keys.slice(10, 10))
    with pytest.raises(ValueError, match="out of position order"):
        found.resolve(keys.slice(0, 10))
    with pytest.raises(ValueError, match="out of position order"):
        DuplicatesSoFar().resolve(keys.reverse())
