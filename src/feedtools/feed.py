"""A feed as the drivers return it, and its accounting: :class:`Feed`, :class:`ParseResult`, one input's
entry in ``meta["inputs"]``, the feed's kind and its summary line.

:func:`feed_kind` decides from the data whether a feed is one account's (a profile scrape, an author feed,
a repository CAR) or a ``collection`` of many (post lists, Jetstream captures, several organisations'
files): the distinct authors of original (non-repost) rows, and the reposting accounts.

Everything here is re-exported by :mod:`feedtools.pipeline` (import it from there).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from feedtools.readers.base import AccountInfo, FeedKind, FeedMeta, InputEntry
from feedtools.schema import empty_rejects

__all__ = [
    "Feed",
    "ParseResult",
    "account_key",
    "as_paths",
    "count_repeats",
    "feed_kind",
    "input_entry",
    "summary_line",
]


@dataclass
class Feed:
    """A read and enriched feed: the posts table plus everything needed to account for the input.

    ``posts``: canonical schema. ``rejects``: records that could not be read, with
    location and reason. ``stats``: counts (``records == posts + rejected + skipped``).
    ``meta``: ``format``, ``source`` (file name; several joined with ``, ``), ``sha256``,
    ``size_bytes``, format-specific facts (``profile_name``, ``profile_bio`` for a scrape),
    ``inputs`` (one dict per input file: ``source``, ``format``, ``sha256``, ``size_bytes``,
    ``stats``, ``rows``) and the feed's kind (:func:`feed_kind`: ``kind``, ``accounts``,
    ``account``); the keys are typed by :class:`feedtools.readers.base.FeedMeta`.
    """

    posts: pl.DataFrame
    rejects: pl.DataFrame
    stats: Counter[str] = field(default_factory=Counter)
    meta: FeedMeta = field(default_factory=lambda: FeedMeta())


@dataclass
class ParseResult:
    """What :func:`feedtools.pipeline.parse_to_file` wrote: counts for the summary line, the rejects, and the input's ``meta``."""

    rows: int = 0
    reposts: int = 0
    placeholders: int = 0
    rejects: pl.DataFrame = field(default_factory=empty_rejects)
    stats: Counter[str] = field(default_factory=Counter)
    meta: FeedMeta = field(default_factory=lambda: FeedMeta())


def as_paths(path: str | Path | Sequence[str | Path]) -> list[Path]:
    """One path or a list of paths as a list of ``Path``; :class:`FeedError` for an empty list."""
    from feedtools.readers import FeedError

    if isinstance(path, (str, Path)):
        return [Path(path)]
    paths = [Path(p) for p in path]
    if not paths:
        raise FeedError("no input given")
    return paths


def input_entry(meta: FeedMeta, stats: Counter[str], rows: int) -> InputEntry:
    """One input's provenance and accounting, as kept in ``meta["inputs"]``."""
    return {
        "source": meta.get("source"),
        "format": meta.get("format"),
        "sha256": meta.get("sha256"),
        "size_bytes": meta.get("size_bytes"),
        "unit": meta.get("unit", "records"),
        "rows": rows,
        "stats": {k: int(v) for k, v in sorted(stats.items()) if k != "duplicates"},  # a whole-feed count
    }


def count_repeats(entry: InputEntry, n: int) -> None:
    """Move ``n`` rows of an input entry from ``posts`` to ``skipped_repeated`` (a post read from an earlier input)."""
    st = entry["stats"]
    st["posts"] = st.get("posts", 0) - n
    st["skipped"] = st.get("skipped", 0) + n
    st["skipped_repeated"] = st.get("skipped_repeated", 0) + n
    entry["rows"] -= n


def account_key() -> pl.Expr:
    """The author of a row as one string: DID, else handle, else display name (null when none is known)."""
    return pl.coalesce(pl.col("author_did"), pl.col("author_handle"), pl.col("author_name"))


def feed_kind(posts: pl.DataFrame | pl.LazyFrame) -> FeedKind:
    """Whether a posts table is one account's feed or a collection of many, decided from the data.

    Returns ``{"kind": "account" | "collection", "accounts": N, "account": {...} | None}``.
    ``accounts`` counts the distinct authors (:func:`account_key`) of original (non-repost)
    rows. The feed is one ``account``'s when at most one author wrote its original rows
    and every repost was made by that same account (``reposted_by`` equal to its DID,
    handle or name, or one reposting account when there is no original row); otherwise
    it is a ``collection``. ``account`` (one-account feeds only) holds ``did``,
    ``handle`` and ``name`` (null where the format does not say). An empty table is one
    account's with 0 accounts and no ``account``.
    """
    lf = posts.lazy()
    authors = (
        lf.filter(~pl.col("is_repost").fill_null(False))
        .select(account_key().alias("key"), "author_did", "author_handle", "author_name")
        .drop_nulls("key")
        .group_by("key")
        .agg(pl.len().alias("n"), pl.col("author_did", "author_handle", "author_name").drop_nulls().first())
        .sort(["n", "key"], descending=[True, False])
        .collect()
    )
    reposters = (
        lf.filter(pl.col("is_repost").fill_null(False))
        .select(pl.col("reposted_by").drop_nulls().unique().sort())
        .collect()["reposted_by"]
        .to_list()
    )
    accounts = authors.height
    account: AccountInfo | None = None
    if accounts == 1:
        a = authors.row(0, named=True)
        account = {"did": a["author_did"], "handle": a["author_handle"], "name": a["author_name"]}
        ids = [v for v in (account["did"], account["handle"], account["name"]) if v]
        names = set(ids) | {v.lower() for v in ids}
        one = all(r in names or r.lower() in names for r in reposters)
    elif accounts == 0:
        one = len(reposters) <= 1
        if reposters:
            r = reposters[0]
            account = {
                "did": r if r.startswith("did:") else None,
                "handle": r.lower() if "." in r and " " not in r and not r.startswith("did:") else None,
                "name": None if r.startswith("did:") or ("." in r and " " not in r) else r,
            }
    else:
        one = False
    if not one:
        return {"kind": "collection", "accounts": accounts, "account": None}
    return {"kind": "account", "accounts": accounts, "account": account}


def summary_line(feed: Feed | ParseResult) -> str:
    """One line accounting for the input: ``N lines, P posts, R reposts, U placeholders, D duplicates, X rejected``.

    ``P`` counts own posts and ``R`` reposts (so ``P + R`` is the number of rows);
    for formats without lines the first figure counts records, and records skipped
    by design are added at the end.
    """
    if isinstance(feed, Feed):
        p = feed.posts
        rows = p.height
        reposts = int(p["is_repost"].sum()) if p.height else 0
        placeholders = int(p["is_placeholder"].sum()) if p.height else 0
    else:
        rows, reposts, placeholders = feed.rows, feed.reposts, feed.placeholders
    unit = feed.meta.get("unit", "records")
    first = feed.stats.get("lines") if unit == "lines" else feed.stats.get("records", 0)
    line = (
        f"{first} {unit}, {rows - reposts} posts, {reposts} reposts, {placeholders} placeholders, "
        f"{feed.stats.get('duplicates', 0)} duplicates, {feed.stats.get('rejected', 0)} rejected"
    )
    if unit != "lines":
        line += f", {feed.stats.get('skipped', 0)} skipped"
    return line
