"""The analyses as ``feedtools campaigns`` and ``feedtools timeline`` run them: every table, and the summary.

The command line is a thin builder over these functions: it checks the output paths, loads the feed, calls
:func:`run_campaigns` (or :func:`feedtools.timeline.build_timeline` and :func:`timeline_summary`), writes the
tables asked for and prints the summary line these functions return. A notebook or a script gets the same
tables and the same line from the same call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from feedtools.series import scalar_float

if TYPE_CHECKING:
    from feedtools.campaigns import PairParams
    from feedtools.timeline import Timeline

__all__ = ["NO_ALIAS_TABLE", "CampaignsRun", "run_campaigns", "timeline_summary"]

#: The ``table`` name of a run without an alias table (``--no-aliases``): the summary then counts no campaigns
#: "from" it.
NO_ALIAS_TABLE = "no alias table"


@dataclass
class CampaignsRun:
    """What :func:`run_campaigns` computed: the campaign table, the alias suggestions, and the optional
    per-post table, cross-language pairs, related campaigns and partner network (``None`` when not asked
    for); ``stats`` holds
    what the per-post caps left out (keys as :func:`feedtools.campaigns.campaign_metrics` documents)."""

    metrics: pl.DataFrame
    suggestions: pl.DataFrame
    tagged_posts: int
    loaded_posts: int
    table: str
    posts: pl.DataFrame | None = None
    pairs: pl.DataFrame | None = None
    related: pl.DataFrame | None = None
    network: Any = None
    stats: dict = field(default_factory=dict)

    def summary(self, *, suggestions_written: bool = True) -> str:
        """One line: campaigns and how many come from the alias table, posts tagged of those loaded, alias
        suggestions (and how many the ``max_suggestions`` cap kept), and what the per-post caps left out.
        With ``suggestions_written=False`` it says how to write the suggestions (``--suggestions FILE``)."""
        caps = self.stats
        found, kept = caps["suggestions_found"], caps["suggestions_kept"]
        source = (
            self.table
            if self.table == NO_ALIAS_TABLE
            else f"{int(self.metrics['in_table'].sum())} from the {self.table}"
        )
        line = (
            f"{self.metrics.height} campaigns ({source}) in "
            f"{self.tagged_posts} of {self.loaded_posts} loaded posts; "
            + (
                f"{kept} alias suggestions"
                if kept == found
                else f"{kept} strongest of {found} alias suggestions (--max-suggestions)"
            )
            + ("" if suggestions_written else " (write them with --suggestions FILE)")
        )
        if caps.get("posts_over_tags_cap"):
            line += (
                f"; {caps['posts_over_tags_cap']} posts have more than {caps['max_tags_per_post']} tags: "
                f"{caps['tags_over_cap']} tags left out of pairs and edges (--max-tags-per-post)"
            )
        if caps.get("posts_over_mentions_cap"):
            line += (
                f"; {caps['posts_over_mentions_cap']} posts have more than {caps['max_mentions_per_post']} "
                f"mentions: {caps['mentions_over_cap']} left out of network edges"
            )
        return line


def run_campaigns(
    posts: pl.DataFrame,
    aliases: pl.DataFrame,
    *,
    table: str = "alias table",
    per_post: bool = False,
    pairs: bool = False,
    related: bool = False,
    network: bool = False,
    max_tags_per_post: int | None = None,
    max_suggestions: int | None = None,
    pair_params: PairParams | None = None,
) -> CampaignsRun:
    """Campaigns of the posts table ``posts`` grouped with ``aliases`` (from
    :func:`feedtools.campaigns.load_aliases`, or :func:`~feedtools.campaigns.empty_aliases`): the campaign
    table and the alias suggestions always; the per-post table, the cross-language pairs, the related
    (co-occurring) campaigns and the partner network when ``per_post``, ``pairs``, ``related``, ``network``
    ask for them. ``table`` names the alias table in the
    summary (``"alias table campaigns.csv"``, :data:`NO_ALIAS_TABLE`). ``max_tags_per_post`` and
    ``max_suggestions`` default to the module's caps; ``pair_params`` (default
    :data:`~feedtools.campaigns.DEFAULT_PAIR_PARAMS`) says which posts the pairs compare. Raises :class:`~feedtools.errors.OptionError` (a ``ValueError``)
    for a cap below 1 (or 0).
    """
    from feedtools import campaigns as cp

    stats: dict = {}
    cap: dict[str, Any] = {} if max_tags_per_post is None else {"max_tags_per_post": max_tags_per_post}
    most: dict[str, Any] = {} if max_suggestions is None else {"max_suggestions": max_suggestions}
    metrics = cp.campaign_metrics(posts, aliases, stats=stats, **cap)
    run = CampaignsRun(
        metrics=metrics,
        posts=cp.posts_with_campaigns(posts, aliases) if per_post else None,
        suggestions=cp.suggest_aliases(posts, aliases, stats=stats, **cap, **most),
        pairs=cp.cross_language_pairs(posts, aliases, params=pair_params or cp.DEFAULT_PAIR_PARAMS) if pairs else None,
        related=cp.related_campaigns(posts, aliases, **cap) if related else None,
        network=cp.partner_graph(posts, aliases, stats=stats, **cap) if network else None,
        tagged_posts=int(cp.assign_campaigns(posts, aliases)["campaigns"].list.len().fill_null(0).gt(0).sum()),
        loaded_posts=int((~posts["is_placeholder"].fill_null(False)).sum()),
        table=table,
        stats=stats,
    )
    return run


def timeline_summary(timeline: Timeline, *, contradictions_written: bool = True) -> str:
    """One line for a :class:`feedtools.timeline.Timeline`: posts dated by timestamp, evidence, neighbours or
    not at all, the median window in days, events and contradictions. With ``contradictions_written=False``
    and some contradictions, it says how to write them (``--contradictions``)."""
    tl = timeline
    src = dict(tl.posts.group_by("date_source").len().iter_rows())
    widths = tl.posts["window_days"].drop_nulls()
    return (
        f"{tl.posts.height} posts: {src.get('timestamp', 0)} by timestamp, {src.get('evidence', 0)} by "
        f"evidence, {src.get('neighbours', 0)} by neighbours, {src.get('unknown', 0)} unknown; "
        + (f"median window {scalar_float(widths.median()):g} days; " if widths.len() else "no bounded window; ")
        + f"{tl.events.height} events; {tl.contradictions.height} contradictions"
        + ("" if contradictions_written or not tl.contradictions.height else " (write them with --contradictions)")
    )
