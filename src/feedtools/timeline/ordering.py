"""Evidence against the feed order: the fewest posts to set aside so that the rest agree with it.

Dates never increase down a feed (newest first). When the posts' own bounds cannot all hold in that order,
:func:`order_conflicts` finds the posts whose evidence is set aside; :func:`best_ordered_subset` is the
dynamic programme behind it, over a :class:`MaxAddTree` (a segment tree with range adds and range maxima).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from feedtools.timeline.core import _BIG, _days


def order_conflicts(ordered: pl.DataFrame) -> list[int]:
    """Positions whose evidence must be set aside so that no post below has a later minimum
    than a post above has maximum.

    Rule: keep the largest set of posts whose bounds agree with the order (set aside the
    fewest); among equally large sets, set aside posts whose text repeats another's
    (``dup``) first; then keep the newer posts (the smallest sum of kept positions).
    Timestamped posts are never set aside (when timestamps themselves disagree with the
    order, step 3 of :func:`infer_windows` reports it). A post in a conflict whose bounds are
    empty (evidence later than the capture date) fits no day and is set aside.

    A set of posts agrees with the order exactly when one day can be chosen for each, inside
    its bounds, never increasing down the feed; taking for each post the least maximum seen
    so far (newest first) is such a choice. So a dynamic programme over that running
    minimum ``h`` (one of the posts' maxima) finds the best set: a post with bounds
    ``[lo, hi]`` joins every state with ``lo <= h < hi`` (range add), and the state ``hi`` is
    reached from the best state ``>= hi`` (range max). A segment tree over the distinct
    maxima makes each step O(log m): O(m log m) in all, m = posts with evidence that is in
    some conflict (an O(m) check finds them; usually few).
    """
    if ordered.height < 2:
        return []
    pos = ordered["position"].to_numpy()
    lo = ordered.select(_days(pl.col("own_min")).fill_null(-_BIG))["own_min"].to_numpy()
    hi = ordered.select(_days(pl.col("own_max")).fill_null(_BIG))["own_max"].to_numpy()
    fixed = ordered.select(pl.col("ts_min").is_not_null() | pl.col("ts_max").is_not_null())["ts_min"].to_numpy()
    dup = ordered["dup"].to_numpy() if "dup" in ordered.columns else np.zeros(len(pos), dtype=bool)
    # only posts with a later minimum than some maximum above, or an earlier maximum than some minimum below,
    # can be in a conflict; the others agree with every post and are kept
    above_hi = np.minimum.accumulate(np.concatenate([[_BIG], hi[:-1]]))
    below_lo = np.concatenate([np.maximum.accumulate(lo[::-1])[::-1][1:], [-_BIG]])
    involved = (lo > above_hi) | (hi < below_lo)
    if not involved.any():
        return []
    pos, lo, hi, fixed, dup = pos[involved], lo[involved], hi[involved], fixed[involved], dup[involved]
    keep = best_ordered_subset(lo, hi, conflict_weights(pos, fixed, dup))
    return sorted(int(p) for p in pos[~keep & ~fixed])


def conflict_weights(pos: np.ndarray, fixed: np.ndarray, dup: np.ndarray) -> list[int]:
    """Weights (Python ints, exact) that make the heaviest set the one :func:`order_conflicts`
    describes: a timestamped post outweighs all others together; each other post counts
    ``a``, more than all the following together; a text that is not a copy adds ``b``, more
    than all the following together; a post at position ``p`` adds ``last - p`` (newer: more)."""
    m, last = len(pos), int(pos.max()) if len(pos) else 0
    b = m * (last + 1) + 1
    a = m * (b + last) + 1
    big = m * (a + b + last) + 1
    return [
        big if f else a + (0 if d else b) + (last - p) for p, f, d in zip(pos.tolist(), fixed.tolist(), dup.tolist())
    ]


class MaxAddTree:
    """A segment tree over leaves ``0..n-1`` holding exact integers (Python ints: weights may exceed 64 bits).

    Operations, each O(log n): :meth:`add` a non-negative value to every leaf of a range, :meth:`set` one
    leaf, and :meth:`argmax` of a range (its maximum and the leaf holding it; ties: the rightmost leaf).
    Leaves start at :attr:`UNREACHABLE`, a value below any sum of weights the ordering adds to it (values
    never go below it: adds are non-negative, and a leaf is set only to a reachable value). Range adds are kept
    lazily at the covering nodes: a node's ``best`` includes the adds at the node and below it, and the adds
    above it are summed on the way up (:meth:`_pending`).
    """

    UNREACHABLE = -(1 << 512)

    def __init__(self, n: int) -> None:
        size = 1
        while size < n:
            size *= 2
        self.size = size
        self.best = [self.UNREACHABLE] * (2 * size)  # max over the node's leaves, adds at the node and below
        self.arg = [0] * size + list(range(size))  # leaf index of that max
        self.lazy = [0] * (2 * size)  # add pending for the whole node
        for p in range(size - 1, 0, -1):
            self._refresh(p)

    def _refresh(self, p: int) -> None:
        lft, rgt = self.best[2 * p], self.best[2 * p + 1]
        if lft > rgt:
            self.best[p], self.arg[p] = lft + self.lazy[p], self.arg[2 * p]
        else:
            self.best[p], self.arg[p] = rgt + self.lazy[p], self.arg[2 * p + 1]

    def _pull(self, p: int) -> None:  # recompute the ancestors of node p
        while p > 1:
            p //= 2
            self._refresh(p)

    def _pending(self, p: int) -> int:  # adds held above node p
        s = 0
        while p > 1:
            p //= 2
            s += self.lazy[p]
        return s

    def _cover(self, lft: int, rgt: int) -> list[int]:  # the O(log n) nodes that cover leaves [lft, rgt)
        nodes = []
        lft, rgt = lft + self.size, rgt + self.size
        while lft < rgt:
            if lft & 1:
                nodes.append(lft)
                lft += 1
            if rgt & 1:
                rgt -= 1
                nodes.append(rgt)
            lft //= 2
            rgt //= 2
        return nodes

    def add(self, lft: int, rgt: int, w: int) -> None:
        """Add ``w`` (>= 0) to leaves ``[lft, rgt)`` (``lft < rgt``)."""
        for p in self._cover(lft, rgt):
            self.best[p] += w
            self.lazy[p] += w
        self._pull(lft + self.size)
        self._pull(rgt - 1 + self.size)

    def set(self, i: int, val: int) -> None:
        """Set leaf ``i`` to ``val``."""
        p = i + self.size
        self.best[p] = val - self._pending(p)
        self._pull(p)

    def argmax(self, lft: int, rgt: int) -> tuple[int, int]:
        """``(maximum, leaf)`` over leaves ``[lft, rgt)``; ties go to the rightmost leaf."""
        top, where = self.UNREACHABLE, -1
        for p in self._cover(lft, rgt):
            val = self.best[p] + self._pending(p)
            if val > top or (val == top and self.arg[p] > where):
                top, where = val, self.arg[p]
        return top, where


def best_ordered_subset(lo: np.ndarray, hi: np.ndarray, weight: list[int]) -> np.ndarray:
    """Boolean mask of the heaviest subset of posts for which one day can be chosen per post, inside its bounds,
    never increasing down the feed.

    ``lo``, ``hi``: each post's bounds as day numbers (int64 arrays, posts in feed order, newest first; open
    bounds as large sentinels; a post with ``lo > hi`` fits no day and is never kept); ``weight``: exact
    integer weights (>= 0). When several subsets are heaviest, one of them is returned.

    The dynamic programme (see :func:`order_conflicts`) runs over the state ``h``, the least maximum kept so
    far, one leaf of a :class:`MaxAddTree` per distinct maximum (plus "no maximum yet"). Each post: the best
    state ``>= hi`` moves to ``hi`` with the post kept (``set``), and every state ``lo <= h < hi`` keeps the post
    without moving (``add``). The chain of moves that reaches the final best state gives the running minimum
    after each post, and the kept posts are those whose bounds hold it. O(m log m) for m posts.
    """
    m = len(lo)
    states = np.unique(np.concatenate([hi, [_BIG]]))
    v = len(states)
    at_hi = np.searchsorted(states, hi).tolist()
    from_lo = np.searchsorted(states, lo, side="left").tolist()
    empty = (lo > hi).tolist()
    tree = MaxAddTree(v)
    tree.set(v - 1, 0)  # nothing kept yet: running minimum +infinity
    node_post: list[int] = []  # chain nodes: the post that moved the running minimum, and the node before
    node_prev: list[int] = []
    node_of = [-1] * v  # the chain that ends in each state
    for j in range(m):
        if empty[j]:
            continue
        k, w = at_hi[j], weight[j]
        top, where = tree.argmax(k, v)
        if where != k:  # coming from a higher state is (at least as) good: a new chain ends in state hi[j]
            node_post.append(j)
            node_prev.append(node_of[where])
            node_of[k] = len(node_post) - 1
        tree.set(k, top + w)
        if from_lo[j] < k:
            tree.add(from_lo[j], k, w)
    n = node_of[tree.argmax(0, v)[1]]
    moves: list[int] = []
    while n >= 0:
        moves.append(node_post[n])
        n = node_prev[n]
    chain = np.array(moves[::-1], dtype=np.int64)
    # the state after each post: the maximum of the last move at or above it (+infinity before the first)
    last = np.searchsorted(chain, np.arange(m), side="right") - 1
    state = np.where(last >= 0, hi[chain[np.maximum(last, 0)]] if len(chain) else _BIG, _BIG)
    return (lo <= state) & (state <= hi)
