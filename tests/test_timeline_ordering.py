"""The ordering step of the timeline (feedtools.timeline.ordering): the segment tree and the heaviest subset of
posts whose bounds agree with the feed order, checked against brute force on small inputs (property-based)."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from feedtools.timeline.ordering import MaxAddTree, best_ordered_subset, conflict_weights, order_conflicts

D = 10**9  # the open-bound sentinel the timeline uses


def agrees(lo: list[int], hi: list[int], keep: list[bool]) -> bool:
    """Brute-force check: a day can be chosen per kept post, inside its bounds, never increasing down the feed
    (every kept post's minimum is at most every kept post above it's maximum, and its own maximum)."""
    kept = [i for i, k in enumerate(keep) if k]
    return all(lo[i] <= hi[i] for i in kept) and all(lo[j] <= hi[i] for i, j in itertools.combinations(kept, 2))


def heaviest(lo: list[int], hi: list[int], weight: list[int]) -> int:
    best = 0
    for keep in itertools.product([False, True], repeat=len(lo)):
        if agrees(lo, hi, list(keep)):
            best = max(best, sum(w for w, k in zip(weight, keep) if k))
    return best


bound = st.one_of(st.integers(0, 6), st.just(None))


@st.composite
def posts(draw, max_size: int = 7):
    n = draw(st.integers(1, max_size))
    lo, hi = [], []
    for _ in range(n):
        a, b = draw(bound), draw(bound)
        lo.append(-D if a is None else a)
        hi.append(D if b is None else b)
    weight = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    return lo, hi, weight


@settings(max_examples=300, deadline=None)
@given(posts())
def test_best_ordered_subset_is_a_heaviest_agreeing_subset(case):
    lo, hi, weight = case
    keep = best_ordered_subset(np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64), weight).tolist()
    assert agrees(lo, hi, keep)
    assert sum(w for w, k in zip(weight, keep) if k) == heaviest(lo, hi, weight)


@settings(max_examples=200, deadline=None)
@given(posts(), st.data())
def test_unique_heaviest_subset_is_found_exactly(case, data):
    """With weights that make every subset's total distinct (powers of two), the answer is THE heaviest subset."""
    lo, hi, _ = case
    weight = [1 << i for i in data.draw(st.permutations(range(len(lo))))]
    keep = best_ordered_subset(np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64), weight).tolist()
    subsets = [list(k) for k in itertools.product([False, True], repeat=len(lo)) if agrees(lo, hi, list(k))]
    expected = max(subsets, key=lambda k: sum(w for w, x in zip(weight, k) if x))
    assert keep == expected


def test_empty_bounds_are_never_kept():
    keep = best_ordered_subset(np.array([5, 3]), np.array([4, 9]), [100, 1]).tolist()
    assert keep == [False, True]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["add", "set"]), st.integers(0, 8), st.integers(0, 8), st.integers(-5, 5)),
        max_size=25,
    ),
    st.integers(1, 9),
)
def test_max_add_tree_matches_a_plain_list(ops, n):
    """Leaves set to any value, ranges added non-negative values (as the ordering does): every range maximum
    and its leaf agree with a plain list."""
    tree, plain = MaxAddTree(n), [MaxAddTree.UNREACHABLE] * n
    for op, a, b, w in ops:
        a, b = min(a, n - 1), min(b, n)
        if op == "set":
            tree.set(a, w)
            plain[a] = w
        elif a < b:
            tree.add(a, b, abs(w))
            plain[a:b] = [x + abs(w) for x in plain[a:b]]
        for lft in range(n):
            for rgt in range(lft + 1, n + 1):
                top = max(plain[lft:rgt])
                where = max(i for i in range(lft, rgt) if plain[i] == top)  # ties: the rightmost leaf
                assert tree.argmax(lft, rgt) == (top, where)


def test_order_conflicts_sets_aside_the_fewest_and_prefers_copies_then_older_posts():
    days = ["2025-03-01", "2025-05-01", "2025-02-01", "2025-05-02"]
    frame = pl.DataFrame({"position": [0, 1, 2, 3], "own_min": days, "own_max": days}).with_columns(
        pl.col("own_min", "own_max").str.to_date(), ts_min=pl.lit(None, pl.Date), ts_max=pl.lit(None, pl.Date)
    )
    # 1 May and 2 May below 1 March contradict the order: setting both aside is the fewest (the other way round,
    # 1 March and 1 February would go, also two; ties keep the newer posts)
    assert order_conflicts(frame.with_columns(dup=pl.lit(False))) == [1, 3]
    # a copy of another post's text goes first on ties: keeping 1 May and 1 February keeps no copy
    assert order_conflicts(frame.with_columns(dup=pl.col("position") == 0)) == [0, 3]
    # a timestamped post is never set aside
    fixed = frame.with_columns(dup=pl.lit(False), ts_min=pl.when(pl.col("position") == 3).then(pl.col("own_min")))
    assert order_conflicts(fixed) == [0, 1, 2]


def test_conflict_weights_order_the_rules():
    w = conflict_weights(np.array([0, 1, 2]), np.array([False, False, True]), np.array([True, False, False]))
    assert w[2] > w[0] + w[1]  # a timestamped post outweighs all others together
    assert w[1] > w[0]  # not a copy beats a copy, whatever the position
    w2 = conflict_weights(np.array([0, 5]), np.array([False, False]), np.array([False, False]))
    assert w2[0] > w2[1]  # then the newer post
