"""The campaigns page's sentences (``campaigns.describe_*``): true for the feed at hand, whatever its size.

Unit tests on empty, one-post and many-post tables check the numbers against the table and that no
``None``/``nan`` is printed; the seed's own findings (once written by hand in the notebook) are asserted at the end.
"""

from __future__ import annotations

import re

import polars as pl
import pytest
from builders import make_posts
from conftest import ROOT

from feedtools import campaigns as cp

SHIPPED = ROOT / "data" / "campaigns.csv"
BAD = re.compile(r"\b(None|nan|NaN|null)\b")


EMPTY = make_posts([])
ONE = make_posts([{"text": "🟣 Hello #Tag @partner.example", "hashtags": ["Tag"], "mentions": ["partner.example"]}])
MANY = make_posts(
    [
        {
            "text": "🟣 #Tag one @p.example",
            "hashtags": ["Tag"],
            "mentions": ["p.example"],
            "author_handle": "a.example",
        },
        {
            "text": "🟣 #tag deux @p.example",
            "hashtags": ["tag"],
            "mentions": ["p.example"],
            "lang": "fr",
            "author_handle": "a.example",
        },
        {"text": "🟣 #Tags tres", "hashtags": ["Tags"], "lang": "es", "author_handle": "b.example"},
        {
            "text": "#Other",
            "hashtags": ["Other"],
            "is_repost": True,
            "reposted_by": "c.example",
            "author_handle": "z.example",
        },
        {"is_placeholder": True, "is_repost": True, "reposted_by": "a.example"},
        {"text": "plain words", "author_handle": "b.example"},
    ]
)


def all_sentences(posts: pl.DataFrame) -> dict[str, str]:
    """Every campaigns describe_* sentence for ``posts`` (with the shipped alias table)."""
    al = cp.load_aliases(SHIPPED)
    n = cp.feed_accounts(posts)
    metrics = cp.campaign_metrics(posts, al)
    voice = cp.voice_summary(posts)
    return {
        "aliases": cp.describe_alias_use(posts, al),
        "campaigns": cp.describe_campaigns(metrics),
        "dates": cp.describe_campaign_dates(metrics, estimated=True),
        "languages": cp.describe_campaign_languages(cp.campaign_languages(posts, al)),
        "accounts": cp.describe_campaign_accounts(cp.campaign_accounts(posts, al), n),
        "suggestions": cp.describe_suggestions(cp.suggest_aliases(posts, al)),
        "voice": cp.describe_voice(voice, cp.voice_by_language(posts), n),
        "amplified": cp.describe_amplified(cp.amplified_accounts(posts), voice, n),
        "pairs": cp.describe_pairs(cp.cross_language_pairs(posts, al)),
        "related": cp.describe_related(cp.related_campaigns(posts, al)),
        "series": cp.describe_series(cp.series_markers(posts, al)),
        "network": cp.describe_network(cp.partner_graph(posts, al)),
    }


@pytest.mark.parametrize("posts", [EMPTY, ONE, MANY], ids=["empty", "one", "many"])
def test_every_sentence_is_plain_text_without_none_or_nan(posts):
    for name, text in all_sentences(posts).items():
        assert isinstance(text, str) and text.strip(), name
        assert not BAD.search(text), (name, text)
        assert "UCLG" not in text and "seed" not in text, (name, text)


def test_empty_feed_says_there_is_nothing():
    s = all_sentences(EMPTY)
    assert s["campaigns"] == "No campaign: no loaded post carries a hashtag."
    assert s["voice"] == "The feed has no rows."
    assert s["amplified"].startswith("No repost")
    assert s["pairs"].startswith("No candidate pair") and s["series"].startswith("No recurring opener")
    assert s["network"].startswith("No network")
    assert s["suggestions"].startswith("No alias suggestion")


def test_alias_use_says_when_the_table_matches_nothing():
    """The shipped table was written for another feed: on one whose tags it does not list, the page says plainly
    that the table did nothing, with the table's own counts."""
    al = cp.load_aliases(SHIPPED)
    use = cp.alias_table_use(MANY, al)
    assert use.height == al.height == 12 and use["posts"].sum() == 0
    assert cp.describe_alias_use(MANY, al).startswith(
        "Not one of the alias table's 12 hashtags (in 4 campaigns) occurs in this feed, so the table joined nothing here"
    )
    assert cp.describe_alias_use(EMPTY, al).startswith("Not one of the alias table's 12 hashtags")
    assert cp.describe_alias_use(MANY, cp.empty_aliases()) == (
        "No alias table: tags are joined by case and accent folding only."
    )
    assert cp.describe_alias_use(MANY, None).startswith("No alias table")


def test_alias_use_counts_folded_spellings_and_loaded_posts_only():
    al = cp.load_aliases(SHIPPED)
    posts = make_posts(
        [
            {"text": "#uclgmeets", "hashtags": ["uclgmeets"]},  # another spelling of the table's #UCLGMeets
            {"text": "#UCLGMeets #ODS", "hashtags": ["UCLGMeets", "ODS"], "lang": "es"},
            {"is_placeholder": True, "is_repost": True},
            {"text": "#Other", "hashtags": ["Other"]},
        ]
    )
    use = {r["hashtag"]: r["posts"] for r in cp.alias_table_use(posts, al).iter_rows(named=True)}
    assert use["UCLGMeets"] == 2 and use["ODS"] == 1 and use["SDGs"] == 0 and sum(use.values()) == 3
    text = cp.describe_alias_use(posts, al)
    assert text.startswith(
        "2 of the alias table's 12 hashtags (in 4 campaigns) occur in this feed, from 2 of its campaigns: "
        "#UCLGMeets (2 posts) and #ODS (1 post). Not in the feed: #LRGs,"
    )
    assert text.endswith("Here it joins no two tags: each of its campaigns met in the feed is one tag.")


def test_one_post_uses_singulars():
    s = all_sentences(ONE)
    assert s["campaigns"].startswith("1 campaign (0 from the alias table, 1 single tags); 0 campaigns run")
    assert "#Tag (1 post)" in s["campaigns"]
    assert s["voice"].startswith("1 of 1 row (100%) is the account's own posts")
    assert s["network"].startswith("2 nodes (1 campaign, 1 account) and 1 line in 1 connected part")
    assert s["series"].startswith("No recurring opener")  # one post is no series


def test_many_posts_numbers_match_the_tables():
    s = all_sentences(MANY)
    m = cp.campaign_metrics(MANY, cp.load_aliases(SHIPPED))
    assert s["campaigns"].startswith(f"{m.height} campaigns")
    # #Tag and #tag fold into one campaign in two languages; #Tags stays apart (a suggestion)
    assert "#Tag (2 posts)" in s["campaigns"]
    assert "1 campaign runs in more than one detected language" in s["campaigns"]
    assert "#Tag (en 1 and fr 1)" in s["languages"]
    own = MANY.filter(~pl.col("is_repost")).height
    assert s["voice"].startswith(f"In this collection of 3 accounts, {own} of {MANY.height} rows")
    assert "original posts (not reposts)" in s["voice"] and "own posts" not in s["voice"]
    assert "#Tag / #Tags (plural" in s["suggestions"]
    assert "🟣 opens 3 posts" in s["series"]
    assert "Reposting accounts: a.example (1) and c.example (1)" in s["amplified"]
    assert "z.example (1)" in s["amplified"]  # the named author of the loaded repost
    assert s["accounts"].startswith("A collection of 3 accounts; 0 campaigns of 3 are posted or reposted by two")


def test_campaign_accounts_lists_who_pushes_each_campaign():
    posts = make_posts(
        [
            {"hashtags": ["Tag"], "author_did": "did:plc:a"},
            {"hashtags": ["Tag"], "author_did": "did:plc:a"},
            {"hashtags": ["Tag"], "author_did": "did:plc:b"},
            {"hashtags": ["Tag"], "is_repost": True, "reposted_by": "did:plc:c", "author_did": "did:plc:x"},
            {"hashtags": ["Solo"], "author_did": "did:plc:b"},
        ]
    )
    acc = cp.campaign_accounts(posts)
    assert acc.columns == ["campaign_id", "label", "n_accounts", "accounts"]
    first = acc.row(0, named=True)
    assert first["campaign_id"] == "tag" and first["n_accounts"] == 3
    assert first["accounts"] == ["did:plc:a:2", "did:plc:b:1", "did:plc:c:1"]
    text = cp.describe_campaign_accounts(acc, cp.feed_accounts(posts))
    assert text.startswith("A collection of 3 accounts; 1 campaign of 2 is posted or reposted by two or more accounts.")
    assert "#Tag (3 accounts: did:plc:a (2), did:plc:b (1) and did:plc:c (1))" in text
    assert cp.campaign_accounts(make_posts([])).height == 0


def test_recorded_feed_kind_wins_over_the_account_count():
    voice = cp.voice_summary(MANY)
    langs = cp.voice_by_language(MANY)
    # one author of original posts, reposted by others: a collection with one account
    assert cp.describe_voice(voice, langs, 1, kind="collection").startswith("In this collection of 1 account, ")
    assert "the account's own posts" in cp.describe_voice(voice, langs, 5, kind="account")
    acc = cp.campaign_accounts(MANY)
    assert cp.describe_campaign_accounts(acc, 5, kind="account").startswith("The rows come from one account")
    assert "Reposting accounts" not in cp.describe_amplified(cp.amplified_accounts(MANY), voice, 5, kind="account")


def test_one_account_feed_keeps_own_posts_against_reposts():
    text = cp.describe_campaign_accounts(cp.campaign_accounts(ONE), 1)
    assert "one account" in text and "Voice and amplification" in text


def test_long_lists_are_cut():
    posts = make_posts([{"hashtags": [f"T{i}x"], "text": f"#T{i}x"} for i in range(12)])
    text = cp.describe_campaigns(cp.campaign_metrics(posts))
    assert text.startswith("12 campaigns") and "… and 7 more" in text


def test_campaign_dates_unknown_and_known():
    m = cp.campaign_metrics(ONE)
    assert cp.describe_campaign_dates(m, estimated=False) == "No campaign post has a known date (no timestamps)."
    dated = ONE.with_columns(pl.lit("2025-03-08").str.to_date().alias("date_est"))
    text = cp.describe_campaign_dates(cp.campaign_metrics(dated), estimated=True)
    assert text == "Largest campaigns by estimated dates: #Tag on 2025-03-08."


# ------------------------------------------------------------------------------------------- the seed's findings


@pytest.fixture(scope="module")
def seed_sentences(seed_feed):
    return all_sentences(seed_feed.posts)


def test_seed_voice_and_amplification(seed_feed, seed_sentences):
    # once hand-written: "51 of 80 rows are own posts, 15 loaded reposts and 14 reposts that never loaded;
    # Spanish is used only in the account's own voice"
    v = cp.voice_summary(seed_feed.posts)
    assert v["posts"].to_list() == [51, 15, 14]
    assert seed_sentences["voice"].startswith(
        "51 of 80 rows (64%) are the account's own posts; 15 (19%) are reposts whose content loaded and 14 (18%)"
    )
    assert "Used only in the account's own posts: es." in seed_sentences["voice"]
    # the reposts mostly mention the account itself
    assert "Accounts mentioned most in the reposts: uclg.bsky.social (13 of 29)" in seed_sentences["amplified"]
    assert cp.feed_accounts(seed_feed.posts) == 1


def test_seed_alias_use(seed_feed, seed_sentences):
    """The shipped table on the feed it was written for: 7 of its 12 tags occur; counts from the hashtags."""
    posts = seed_feed.posts.filter(~pl.col("is_placeholder"))
    folded = posts.select(t=pl.col("hashtags").list.eval(pl.element().str.to_lowercase()).list.unique()).explode("t")
    counts = dict(folded.group_by("t").len().iter_rows())
    use = cp.alias_table_use(seed_feed.posts, cp.load_aliases(SHIPPED))
    assert {r["hashtag"]: r["posts"] for r in use.iter_rows(named=True)} == {
        t: counts.get(t.lower(), 0) for t in use["hashtag"]
    }
    a = seed_sentences["aliases"]
    assert a.startswith(
        "7 of the alias table's 12 hashtags (in 4 campaigns) occur in this feed, from 4 of its campaigns: "
        "#UCLGMeets (18 posts), #LRGs (6 posts), #CiudadesYTerritoriosDePaz (6 posts), #GLRs (3 posts)"
    )
    assert "Not in the feed: #LRG, #GLR, #VillesEtTerritoiresDePaix, #SDG and #ODD." in a
    assert a.endswith(
        "Here the table joins tags in 3 campaigns: Local and regional governments, World Forum of Cities and "
        "Territories of Peace and Sustainable Development Goals."
    )


def test_seed_campaigns_in_words(seed_sentences):
    c = seed_sentences["campaigns"]
    assert c.startswith("53 campaigns (4 from the alias table, 49 single tags); 6 campaigns run in more than one")
    assert "uclgmeets (UCLGMeets (16) and UCLGmeets (2))" in c and "lrgs (LRGs (6) and GLRs (3))" in c
    assert "sdgs (SDGs (2) and ODS (1))" in c
    langs = seed_sentences["languages"]
    assert "UCLG statutory meetings (#UCLGMeets) (en 13, fr 3 and es 2)" in langs
    assert "Local and regional governments (en 6, fr 2 and es 1)" in langs
    assert "#WorldSocialJusticeDay (en 4, fr 3 and es 1)" in langs  # World Social Justice Day: 4 en, 3 fr, 1 es
    assert "#Listen2Cities (en 7 and es 1)" in langs
    assert "World Forum of Cities and Territories of Peace (es 5 and en 1)" in langs


def test_seed_campaign_dates(seed_feed):
    from feedtools import timeline

    posts = seed_feed.posts
    dated = timeline.with_timeline(posts, timeline.build_timeline(posts))
    m = {r["campaign_id"]: r for r in cp.campaign_metrics(dated, cp.load_aliases(SHIPPED)).iter_rows(named=True)}
    # World Social Justice Day posts fall on 20-21 February 2025, the peace forum in April-May 2025
    wsj = m["worldsocialjusticeday"]
    assert (wsj["first_date"].isoformat(), wsj["last_date"].isoformat()) == ("2025-02-20", "2025-02-21")
    peace = m["peace-forum"]
    assert 4 <= peace["first_date"].month <= peace["last_date"].month == 5  # announced in April, held 2-3 May


def test_seed_suggestions_pairs_series_network(seed_sentences):
    s = seed_sentences["suggestions"]
    assert "Strongest: #LocalGov / #LocalGovs (plural, score 0.95), #SDG3 / #SDGs (spelling, score 0.75)" in s
    assert "#SDG3 / #SDGs (spelling" in s
    assert "Numbered pairs such as #CSW68 / #CSW69" in s
    # the English and Spanish Executive Bureau posts in Seville are among the strongest, with the words they share
    assert seed_sentences["pairs"].startswith(
        "53 candidate pairs; 10 of the top 10 share words or exact partners, links, dates or numbers, not only a "
        "place in the feed. Strongest: positions 59 (en) and 65 (fr)"
    )
    assert (
        "positions 40 (en) and 42 (es), score 0.28 (content 0.24; words: sevilla, bureau, uclgmeets, executive~ejecutivo; "
        "partners: worldledforum"
    ) in seed_sentences["pairs"]
    # campaigns that only go together are related, not aliases
    assert seed_sentences["related"].startswith(
        "15 related campaign pairs. Strongest: montevideo (en) / peace-forum (es), score 0.76 (together in 1 post"
    )
    series = seed_sentences["series"]
    assert series.startswith("10 recurring openers: 🟡 opens 8 posts, campaigns uclgmeets (7)")
    assert "💜 opens 7 posts, campaigns worldsocialjusticeday (5)" in series
    assert "💦 opens 4 posts" in series and "ccre-cemr.bsky.social (4) and platforma4dev.bsky.social (4)" in series
    assert "🟠 opens 4 posts, campaigns uclgmeets (3)" in series
    # the account's own handle sits in the middle of the network
    assert "Best-connected (weighted degree): uclg.bsky.social (account, 31)" in seed_sentences["network"]


def test_seed_gender_equality_tags_cluster(seed_feed):
    g = cp.partner_graph(seed_feed.posts, cp.load_aliases(SHIPPED))
    assert g.has_edge("campaign:beijing30", "campaign:csw69")
    assert g["campaign:beijing30"]["campaign:csw69"]["weight"] == 2
    assert {"campaign:uclgmeets", "campaign:lrgs"} <= set(g.neighbors("campaign:worldsocialjusticeday"))


def test_voice_on_a_collection_speaks_of_original_posts():
    posts = pl.DataFrame({"is_repost": [False, False, True], "is_placeholder": [False, False, False]})
    summary = cp.voice_summary(posts, kind="collection")
    assert summary["kind"].to_list() == ["original post", "repost", "repost not loaded"]
    assert cp.voice_summary(posts)["kind"].to_list()[0] == "own post"
    by_lang = cp.voice_by_language(posts.with_columns(lang=pl.lit("en")))
    text = cp.describe_voice(summary, by_lang, 2, kind="collection")
    assert text.startswith("In this collection of 2 accounts, 2 of 3 rows") and "original posts" in text
