"""The analyses as the command line runs them (feedtools.analyses): the tables and summary line the
`campaigns` and `timeline` commands print come from these library calls."""

from __future__ import annotations

import polars as pl

from feedtools import campaigns as cp
from feedtools.analyses import run_campaigns, timeline_summary
from feedtools.paths import CAMPAIGN_ALIASES


def test_run_campaigns_on_the_seed_gives_the_command_line_summary(seed_feed):
    posts = seed_feed.posts
    run = run_campaigns(
        posts, cp.load_aliases(CAMPAIGN_ALIASES), table="alias table campaigns.csv", per_post=True, network=True
    )
    # The line `feedtools campaigns` prints on the seed (tests/test_cli_campaigns.py checks the command).
    assert (
        run.summary() == "53 campaigns (4 from the alias table campaigns.csv) in 59 of 66 loaded posts; "
        "11 alias suggestions"
    )
    assert run.summary(suggestions_written=False).endswith("11 alias suggestions (write them with --suggestions FILE)")
    assert run.metrics.height == 53 and run.suggestions.height == 11 and run.pairs is None and run.related is None
    assert run.posts is not None and run.posts.height == posts.height and run.network.number_of_nodes() > 53
    assert run.metrics.equals(cp.campaign_metrics(posts, cp.load_aliases(CAMPAIGN_ALIASES)))


def test_run_campaigns_reports_what_the_caps_left_out(seed_feed):
    run = run_campaigns(
        seed_feed.posts, cp.empty_aliases(), table="no alias table", max_tags_per_post=1, max_suggestions=2
    )
    line = run.summary()
    assert line.startswith(
        f"{run.metrics.height} campaigns (no alias table) in 59 of 66 loaded posts; "
        f"2 strongest of {run.stats['suggestions_found']} alias suggestions (--max-suggestions)"
    )
    assert run.stats["suggestions_found"] > 2 and run.suggestions.height == 2
    assert f"; {run.stats['posts_over_tags_cap']} posts have more than 1 tags: " in line
    assert run.stats["posts_over_tags_cap"] > 0


def test_timeline_summary_on_the_seed(seed_feed):
    from feedtools.timeline import build_timeline

    tl = build_timeline(seed_feed.posts)
    assert timeline_summary(tl) == (
        "80 posts: 0 by timestamp, 26 by evidence, 54 by neighbours, 0 unknown; "
        "median window 28 days; 7 events; 1 contradictions"
    )
    assert timeline_summary(tl, contradictions_written=False).endswith(
        "1 contradictions (write them with --contradictions)"
    )
    by_source = tl.posts["date_source"].value_counts()
    assert by_source.filter(pl.col("date_source") == "evidence")["count"].item() == 26
