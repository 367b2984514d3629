"""The campaigns' named tuning parameters (feedtools.campaigns.params): each field changes what it names, the
older keyword arguments map onto it, and the defaults are the numbers the analyses always used."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from test_campaigns import make_posts

from feedtools import campaigns as cp
from feedtools.campaigns import CampaignCaps, PairParams, RelatedParams, SuggestParams


def spelling_feed() -> pl.DataFrame:
    """Three tags in three campaigns: a plural pair, and a prefix pair."""
    return make_posts([{"hashtags": ["LocalGov"]}, {"hashtags": ["LocalGovs"]}, {"hashtags": ["LocalGovernment"]}])


def related_feed() -> pl.DataFrame:
    """#Vivienda (es) and #Housing (en) share a partner and sit side by side; they are not one spelling."""
    rows = []
    for _ in range(3):
        rows += [
            {"hashtags": ["Vivienda"], "lang": "es", "mentions": ["habitat.org"]},
            {"hashtags": ["Housing"], "lang": "en", "mentions": ["habitat.org"]},
        ]
    return make_posts(rows)


def scores(frame: pl.DataFrame) -> dict[tuple[str, str], float]:
    return {(r["tag_a"], r["tag_b"]): r["score"] for r in frame.iter_rows(named=True)}


def test_defaults_are_frozen_and_the_old_numbers():
    assert cp.DEFAULT_CAPS == CampaignCaps(30, 30, 1000)
    assert (cp.DEFAULT_CAPS.max_tags_per_post, cp.DEFAULT_CAPS.max_suggestions) == (
        cp.MAX_TAGS_PER_POST,
        cp.MAX_SUGGESTIONS,
    )
    w = RelatedParams()
    assert (w.cooccurrence, w.partners, w.domains, w.neighbours, w.window, w.min_score) == (
        0.35,
        0.3,
        0.15,
        0.2,
        3,
        0.15,
    )
    assert (PairParams().window, PairParams().min_score, PairParams().max_share) == (12, 0.1, 0.02)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cp.DEFAULT_SUGGEST_PARAMS.plural = 0.5  # type: ignore[misc]


def test_suggest_params_set_the_scores():
    default = scores(cp.suggest_aliases(spelling_feed()))
    assert default[("LocalGov", "LocalGovs")] == 0.95
    assert default[("LocalGov", "LocalGovernment")] == round(0.5 * 8 / 15, 4)
    tuned = scores(cp.suggest_aliases(spelling_feed(), params=SuggestParams(plural=0.99, prefix=1.0)))
    assert tuned[("LocalGov", "LocalGovs")] == 0.99
    # a pair counts once, with its strongest kind: a weaker plural score gives way to the edit distance (1 - 1/9)
    assert scores(cp.suggest_aliases(spelling_feed(), params=SuggestParams(plural=0.8)))[
        ("LocalGov", "LocalGovs")
    ] == round(1 - 1 / 9, 4)
    assert tuned[("LocalGov", "LocalGovernment")] == round(8 / 15, 4)
    # a prefix compared with no longer tag: no prefix pair (the pair is then found as a translation, word by word)
    kinds = set(cp.suggest_aliases(spelling_feed())["kind"])
    assert "prefix" in kinds
    assert "prefix" not in set(cp.suggest_aliases(spelling_feed(), params=SuggestParams(max_prefix_matches=0))["kind"])


def test_caps_and_their_keywords():
    stats: dict = {}
    assert cp.suggest_aliases(spelling_feed(), caps=CampaignCaps(max_suggestions=1), stats=stats).height == 1
    assert stats["suggestions_kept"] == 1 and stats["suggestions_found"] >= 3
    # the keyword of the older signature overrides the field; None (no cap) is a value, not "not given"
    assert cp.suggest_aliases(spelling_feed(), caps=CampaignCaps(max_suggestions=1), max_suggestions=None).height == 3
    feed = make_posts([{"hashtags": ["a1", "b1", "c1"]}])
    edges = cp.partner_graph(feed, caps=CampaignCaps(max_tags_per_post=2)).number_of_edges()
    assert edges == 1 and cp.partner_graph(feed).number_of_edges() == 3
    assert cp.partner_graph(feed, caps=CampaignCaps(max_tags_per_post=2), max_tags_per_post=None).number_of_edges() == 3
    stats = {}
    cp.campaign_metrics(feed, caps=CampaignCaps(max_tags_per_post=1), stats=stats)
    assert stats["tags_over_cap"] == 2


def test_related_params_weigh_the_evidence():
    feed = related_feed()
    base = cp.related_campaigns(feed)
    assert base.height == 1
    score = base["score"][0]
    # the partner overlap is 1 and the neighbouring share 1: score = partners + neighbours
    assert score == round(0.3 + 0.2, 4)
    assert cp.related_campaigns(feed, params=RelatedParams(partners=0.6))["score"][0] == round(0.6 + 0.2, 4)
    assert cp.related_campaigns(feed, params=RelatedParams(min_score=0.9)).height == 0
    assert cp.related_campaigns(feed, params=RelatedParams(min_score=0.9), min_score=0.1).height == 1
    assert cp.related_campaigns(feed, params=RelatedParams(min_kinds=3)).height == 0


def test_pair_params_window():
    rows = [{"text": "Forum in Montevideo on 12 March with @uclg.org", "lang": "en", "mentions": ["uclg.org"]}]
    rows += [{"text": f"Unrelated note {i}", "lang": "fr"} for i in range(4)]
    rows += [{"text": "Foro en Montevideo el 12 de marzo con @uclg.org", "lang": "es", "mentions": ["uclg.org"]}]
    feed = make_posts(rows)
    assert cp.cross_language_pairs(feed).filter(pl.col("distance") == 5).height == 1
    assert cp.cross_language_pairs(feed, params=PairParams(window=4)).filter(pl.col("distance") == 5).height == 0
    assert (
        cp.cross_language_pairs(feed, params=PairParams(window=4), window=5).filter(pl.col("distance") == 5).height == 1
    )


def test_unknown_field_is_a_type_error_and_params_print_as_one_line():
    with pytest.raises(TypeError, match="unknown RelatedParams field"):
        RelatedParams().but(windw=3)
    line = RelatedParams().describe()
    assert line.startswith("RelatedParams(window=3, min_score=0.15, cooccurrence=0.35") and "\n" not in line


def test_pairs_by_time_when_every_post_is_dated():
    """A dated feed is paired within the time window (2 days by default), an undated or partly dated one by
    position; the report sentence says which, and the evidence says how far apart in time."""
    import datetime as dt

    from feedtools.similarity import PROXIMITY_WEIGHT

    t0 = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
    en = "Forum of Cities of Peace opens in Montevideo with @uclg.org"
    es = "Se abre en Montevideo el Foro de Ciudades de Paz con @uclg.org"
    rows = [{"text": en, "lang": "en", "created_at": t0}]
    rows += [{"text": f"Note numéro {i} sur le budget", "lang": "fr", "created_at": t0} for i in range(14)]
    rows += [{"text": es, "lang": "es", "created_at": t0 + dt.timedelta(hours=5)}]  # 15 positions, 5 hours apart
    rows += [{"text": es.replace("abre", "cierra"), "lang": "es", "created_at": t0 + dt.timedelta(days=9)}]
    feed = make_posts(rows)
    assert cp.pair_basis(feed) == "time"
    from feedtools.analyses import run_campaigns

    # the run behind `feedtools campaigns --pairs` takes the same parameters (--pair-hours 4, --pair-hours 0)
    narrow = run_campaigns(
        feed, cp.empty_aliases(), pairs=True, pair_params=PairParams(time_window=dt.timedelta(hours=4))
    )
    by_position = run_campaigns(feed, cp.empty_aliases(), pairs=True, pair_params=PairParams(time_window=None))
    assert narrow.pairs is not None and narrow.pairs.height == 0
    assert by_position.pairs is not None and by_position.pairs.height == 0  # 15 positions > 12
    pairs = cp.cross_language_pairs(feed)
    assert list(zip(pairs["position_a"], pairs["position_b"], strict=True)) == [(0, 15)]
    row = pairs.row(0, named=True)
    assert row["distance"] == 15 and row["evidence"].endswith("; 15 positions and 5.0 h apart")
    gap = 5 * 3600 / (2 * 24 * 3600 + 1)
    assert row["score"] == round(row["content"] + PROXIMITY_WEIGHT * (1 - gap), 4)
    assert cp.describe_pair_window(feed).startswith("Every compared post has a date, so posts at most 48 hours apart")
    # a narrower time window drops it; without a time window (or with one post undated) positions count
    assert cp.cross_language_pairs(feed, params=PairParams(time_window=dt.timedelta(hours=4))).height == 0
    by_pos = cp.cross_language_pairs(feed, time_window=None, window=16)
    assert set(zip(by_pos["position_a"], by_pos["position_b"], strict=True)) == {(0, 15), (0, 16)}
    assert by_pos["evidence"].str.contains(r"; 1 position apart$|; ([02-9]|\d\d+) positions apart$").all()
    partly = feed.with_columns(created_at=pl.when(pl.col("position") == 3).then(None).otherwise(pl.col("created_at")))
    assert cp.pair_basis(partly) == "position" and cp.cross_language_pairs(partly).height == 0  # 15 > 12 positions
    assert cp.describe_pair_window(partly) == (
        "Posts at most 12 positions apart in the feed are compared (1 of the 17 compared posts has no date)."
    )
    undated = feed.with_columns(created_at=None)
    assert cp.describe_pair_window(undated).endswith("(the posts have no dates).")
    # a repost enters the feed when reposted: reposted_at is its time
    late = feed.with_columns(
        is_repost=pl.col("position") == 16,
        reposted_at=pl.when(pl.col("position") == 16).then(pl.lit(t0 + dt.timedelta(hours=1))),
    )
    assert (0, 16) in set(zip(*cp.cross_language_pairs(late).select("position_a", "position_b"), strict=True))
