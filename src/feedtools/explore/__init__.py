"""Exploration of one feed: small summary tables computed from the canonical posts table.

Every function takes the posts table (a ``pl.DataFrame`` or ``pl.LazyFrame`` in the
canonical schema, :mod:`feedtools.schema`) or a :class:`feedtools.Feed`, and returns a
small ``pl.DataFrame``: an aggregate whose size depends on the number of distinct
values shown (bounded by ``n``), never on the number of posts, so the same calls work
on a million-post feed. Rows are sorted deterministically (count descending, then
the key ascending), so printed tables and charts are stable from run to run.

Kinds of row used throughout: ``own`` (original posts, not reposts: the account's own
posts in a one-account feed), ``repost`` (reposts whose content loaded) and
``unloaded`` (placeholders: the row counts, its text is unknown).

One account's feed or a collection
----------------------------------
:func:`feedtools.pipeline.feed_kind` (recorded by ``load`` in ``feed.meta["kind"]``)
says whether a feed is one account's or a ``collection`` of many. The ``describe_*``
functions take that ``kind`` and speak of "the account's own posts" or of "original
posts (not reposts)" accordingly; :func:`accounts_table`, :func:`account_activity`,
:func:`account_languages` and :func:`amplifiers` describe the accounts of a collection
(they work on any feed: a one-account feed has one row). Every ``describe_*`` handles
zero, one and many (``1 post``, ``2 posts``) and never prints ``None`` or ``nan``.

Modules: :mod:`~feedtools.explore.content` (what the posts hold), :mod:`~feedtools.explore.accounts` (who wrote
and amplified them), :mod:`~feedtools.explore.quality` (record accounting, headline figures) and
:mod:`~feedtools.explore.describe` (the ``describe_*`` sentences); every public name is importable from
``feedtools.explore``.
"""

from __future__ import annotations

from feedtools.explore._frames import KINDS, kind_expr
from feedtools.explore._frames import lazy as _lazy  # noqa: F401  (the old private name, used by tests)
from feedtools.explore._frames import loaded_posts as _loaded_posts  # noqa: F401  (likewise)
from feedtools.explore.accounts import (
    account_activity,
    account_count,
    account_languages,
    accounts_table,
    amplifiers,
    feed_kind_of,
    reposter_count,
)
from feedtools.explore.content import (
    alt_text_coverage,
    duplicates_sample,
    kind_labels,
    language_table,
    length_histogram,
    length_stats,
    longest_posts,
    top_cards,
    top_domains,
    top_emoji,
    top_hashtags,
    top_links,
    top_mentions,
    volume,
)
from feedtools.explore.describe import (
    describe_accounts,
    describe_alt_text,
    describe_amplification,
    describe_cards,
    describe_feed,
    describe_languages,
    describe_lengths,
    describe_quality,
    describe_top,
    describe_volume,
)
from feedtools.explore.quality import data_quality, data_quality_by_source, headline, input_summary, rejects_by_reason

__all__ = [
    "KINDS",
    "account_activity",
    "account_count",
    "account_languages",
    "accounts_table",
    "alt_text_coverage",
    "amplifiers",
    "data_quality",
    "data_quality_by_source",
    "describe_accounts",
    "describe_alt_text",
    "describe_amplification",
    "describe_cards",
    "describe_feed",
    "describe_languages",
    "describe_lengths",
    "describe_quality",
    "describe_top",
    "describe_volume",
    "duplicates_sample",
    "feed_kind_of",
    "headline",
    "input_summary",
    "kind_expr",
    "kind_labels",
    "language_table",
    "length_histogram",
    "length_stats",
    "longest_posts",
    "rejects_by_reason",
    "reposter_count",
    "top_cards",
    "top_domains",
    "top_emoji",
    "top_hashtags",
    "top_links",
    "top_mentions",
    "volume",
]
