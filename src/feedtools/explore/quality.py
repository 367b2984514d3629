"""Data quality and accounting: what was read, how every input record is accounted for (in all and per input
file), the rejects, and the headline figures of a report's front page (see :mod:`feedtools.explore`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from feedtools.explore._frames import lazy, own_noun
from feedtools.explore.accounts import account_count, feed_kind_of
from feedtools.explore.content import language_table
from feedtools.pipeline import Feed
from feedtools.readers.base import InputEntry


def rejects_by_reason(feed: Feed) -> pl.DataFrame:
    """Rejected records grouped by reason: ``reason``, ``records``, ``first_location``
    (where the first one is). Sorted by records descending, then reason."""
    return (
        feed.rejects.lazy()
        .with_row_index("_order")
        .group_by("reason")
        .agg(
            pl.len().cast(pl.Int64).alias("records"),
            pl.col("location").sort_by("_order").first().alias("first_location"),
        )
        .sort(["records", "reason"], descending=[True, False])
        .collect()
    )


def input_summary(feed: Feed) -> pl.DataFrame:
    """What was read: ``field``/``value`` rows for the input file name (never a path), its
    SHA-256, size, format and, for a scrape, the profile's display name and bio (as data); the feed's kind and,
    for one account's feed, the account's handle, DID and name where known; for several inputs, their number
    (each input's name and hash are in :func:`data_quality_by_source`)."""
    meta = feed.meta
    rows = [
        ("file", meta.get("source")),
        ("sha256", meta.get("sha256")),
        ("size_bytes", None if meta.get("size_bytes") is None else str(meta["size_bytes"])),
        ("format", meta.get("format")),
    ]
    for key in ("profile_name", "profile_bio"):
        if key in meta:
            rows.append((key, meta[key]))
    kind = feed_kind_of(feed)
    rows.append(("kind", "one account's feed" if kind == "account" else "collection of accounts"))
    account = meta.get("account")
    if account:
        for key, value in (("handle", account["handle"]), ("did", account["did"]), ("name", account["name"])):
            if value:
                rows.append((f"account {key}", value))
    inputs = meta.get("inputs") or []
    if len(inputs) > 1:  # one file per row would not fit here: the per-source table lists them
        rows[1] = ("sha256", "one per input (see the table by source)")
        rows[2] = ("size_bytes", str(sum(int(i.get("size_bytes") or 0) for i in inputs)))
        rows.append(("inputs", str(len(inputs))))
    return pl.DataFrame(rows, schema={"field": pl.String, "value": pl.String}, orient="row")


def data_quality(feed: Feed) -> pl.DataFrame:
    """Counts that account for every input record, with what each means.

    Columns ``check``, ``count``, ``meaning``. Rows: lines read (line-based formats
    only), records read, rows (own posts + reposts; "original posts" for a collection,
    see :func:`feed_kind_of`), own posts, reposts, unloaded placeholders, rejected, skipped by
    design, duplicates, posts with a truncated link, loaded posts with no text left,
    and ``unaccounted`` = records - rows - rejected - skipped, which must be 0.
    """
    collection = feed_kind_of(feed) == "collection"
    lf = lazy(feed)
    c = (
        lf.select(
            pl.len().alias("rows"),
            pl.col("is_repost").sum().alias("reposts"),
            pl.col("is_placeholder").sum().alias("placeholders"),
            pl.col("duplicate_of").is_not_null().sum().alias("duplicates"),
            pl.col("url_truncated").fill_null(False).sum().alias("truncated"),
            (~pl.col("is_placeholder") & (pl.col("text_clean").fill_null("") == "")).sum().alias("empty"),
        )
        .collect()
        .row(0, named=True)
    )
    stats = feed.stats
    records = int(stats.get("records", c["rows"]))
    rejected = int(stats.get("rejected", feed.rejects.height))
    skipped = int(stats.get("skipped", 0))
    rows = []
    if "lines" in stats:
        rows.append(("lines read", int(stats["lines"]), "input lines: header, items, continuations, blank, rejected"))
    rows += [
        ("records read", records, "feed items (or records) found in the input"),
        ("rows", c["rows"], f"{own_noun(collection)} + reposts: rows of the posts table"),
        (
            own_noun(collection),
            c["rows"] - c["reposts"],
            "posts written by their accounts (not reposts)" if collection else "posts by the account itself",
        ),
        (
            "reposts",
            c["reposts"],
            "posts the accounts reposted" if collection else "other accounts' posts the account reposted",
        ),
        ("unloaded placeholders", c["placeholders"], "reposts whose content never loaded (text unknown)"),
        ("rejected", rejected, "records that could not be read (see the rejects table)"),
        ("skipped", skipped, "records skipped by design (not posts)"),
        ("duplicates", c["duplicates"], "rows repeating an earlier row's text (kept, marked)"),
        ("truncated links", c["truncated"], "posts with a display-shortened link (domain kept, URL lost)"),
        ("loaded but empty", c["empty"], "loaded posts with no text left after cleaning"),
        ("unaccounted", records - c["rows"] - rejected - skipped, "records - rows - rejected - skipped: must be 0"),
    ]
    return pl.DataFrame(rows, schema={"check": pl.String, "count": pl.Int64, "meaning": pl.String}, orient="row")


def headline(feed: Feed) -> dict[str, Any]:
    """The feed's headline figures for a report's front page.

    Keys: ``source`` (file name), ``sha256`` (of the file), ``rows``, ``own`` (own posts), ``reposts`` (all reposts,
    placeholders included, as in the ``parse`` summary line), ``placeholders``,
    ``languages`` (detected languages other than ``und``, most posts first),
    ``first`` and ``last`` (``created_at`` span as ISO dates, None when the feed has no
    dates), ``rejected``, ``kind`` (``account`` or ``collection``) and ``accounts``
    (distinct authors of original posts).
    """
    langs = language_table(feed).filter((pl.col("lang") != "und") & (pl.col("detected") > 0))["lang"].to_list()
    c = (
        lazy(feed)
        .select(
            pl.len().alias("rows"),
            pl.col("is_repost").sum().alias("reposts"),
            pl.col("is_placeholder").sum().alias("placeholders"),
            pl.col("created_at").min().alias("first"),
            pl.col("created_at").max().alias("last"),
        )
        .collect()
        .row(0, named=True)
    )

    def day(value: datetime | None) -> str | None:
        return None if value is None else value.date().isoformat()

    return {
        "source": feed.meta.get("source"),
        "sha256": feed.meta.get("sha256"),
        "rows": int(c["rows"]),
        "own": int(c["rows"] - c["reposts"]),
        "reposts": int(c["reposts"]),
        "placeholders": int(c["placeholders"]),
        "languages": langs,
        "first": day(c["first"]),
        "last": day(c["last"]),
        "rejected": int(feed.stats.get("rejected", feed.rejects.height)),
        "kind": feed_kind_of(feed),
        "accounts": int(feed.meta["accounts"]) if "accounts" in feed.meta else account_count(feed),
    }


#: Columns of :func:`data_quality_by_source`.
_BY_SOURCE_SCHEMA = pl.Schema(
    {
        "source": pl.String,
        "format": pl.String,
        "sha256": pl.String,
        "records": pl.Int64,
        "rows": pl.Int64,
        "rejected": pl.Int64,
        "skipped": pl.Int64,
        "repeated": pl.Int64,
        "duplicates": pl.Int64,
        "unaccounted": pl.Int64,
    }
)


def _input_entries(feed: Feed) -> list[InputEntry]:
    """The feed's inputs (``meta["inputs"]``), or one entry made from its own metadata and stats."""
    return feed.meta.get("inputs") or [
        {
            "source": feed.meta.get("source"),
            "format": feed.meta.get("format"),
            "sha256": feed.meta.get("sha256"),
            "size_bytes": feed.meta.get("size_bytes"),
            "unit": feed.meta.get("unit", "records"),
            "rows": feed.posts.height,
            "stats": dict(feed.stats),
        }
    ]


def _duplicates_by_source(feed: Feed, inputs: list[InputEntry]) -> dict[Any, Any]:
    """Rows marked as duplicates, per input file name (the feed's own count for a single input)."""
    if len(inputs) > 1:
        return dict(
            lazy(feed).filter(pl.col("duplicate_of").is_not_null()).group_by("source").len().collect().iter_rows()
        )
    return {inputs[0]["source"]: int(feed.stats.get("duplicates", 0))}


def _source_row(entry: InputEntry, duplicates: int) -> dict[str, Any]:
    """One input's row of :func:`data_quality_by_source`."""
    st = entry.get("stats", {})
    records, rows_n = int(st.get("records", 0)), int(entry.get("rows", st.get("posts", 0)))
    rejected, skipped = int(st.get("rejected", 0)), int(st.get("skipped", 0))
    return {
        "source": entry.get("source"),
        "format": entry.get("format"),
        "sha256": (entry.get("sha256") or "")[:12] or None,
        "records": records,
        "rows": rows_n,
        "rejected": rejected,
        "skipped": skipped,
        "repeated": int(st.get("skipped_repeated", 0)),
        "duplicates": duplicates,
        "unaccounted": records - rows_n - rejected - skipped,
    }


def data_quality_by_source(feed: Feed) -> pl.DataFrame:
    """Each input file's own record accounting (several inputs, or one), in input order.

    Columns: ``source`` (file name), ``format``, ``sha256`` (first 12 hex digits),
    ``records``, ``rows`` (rows it contributed), ``rejected``, ``skipped`` (of which
    ``repeated``: records already read from an earlier input or page), ``duplicates``
    (its rows marked as copies of an earlier row, in any input) and ``unaccounted`` =
    records - rows - rejected - skipped, which must be 0.
    """
    inputs = _input_entries(feed)
    dups = _duplicates_by_source(feed, inputs)
    rows = []
    seen: set = set()
    for e in inputs:
        first = e["source"] not in seen  # duplicates per file name: counted once when two inputs share a name
        seen.add(e["source"])
        rows.append(_source_row(e, int(dups.get(e["source"], 0)) if first else 0))
    return pl.DataFrame(rows, schema=_BY_SOURCE_SCHEMA)
