"""feedtools.explore: small, sorted summary tables of a feed."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import FIXTURES, SEED_SHA256, write_feed

import feedtools
from feedtools import explore

FEED = """Example Org
An example bio
- First post #Cities #cities and #Peace 🌍 @alice.bsky.social gold.uclg.org/sites/defaul...
- Reposted by Example OrgSecond #CITIES post 🌍🌍 https://www.uclg.org/en
- Reposted by Example Org[Not loaded yet]
- Tercer mensaje en español sobre las ciudades y la paz #Paz @bob.bsky.social
- First post #Cities #cities and #Peace 🌍 @alice.bsky.social gold.uclg.org/sites/defaul...
"""


@pytest.fixture
def feed(tmp_path):
    return feedtools.load(write_feed(tmp_path, FEED))


def test_volume_counts_every_row_by_kind(feed):
    v = explore.volume(feed)
    assert v.to_dicts() == [
        {"kind": "own", "posts": 3, "share": 0.6},
        {"kind": "repost", "posts": 1, "share": 0.2},
        {"kind": "unloaded", "posts": 1, "share": 0.2},
    ]
    assert v["posts"].sum() == feed.posts.height


def test_volume_of_an_empty_table_keeps_all_kinds():
    v = explore.volume(feedtools.schema.empty_posts())
    assert v["kind"].to_list() == ["own", "repost", "unloaded"]
    assert v["posts"].to_list() == [0, 0, 0]
    assert v["share"].null_count() == 3


def test_hashtags_are_case_folded_with_spellings_kept(feed):
    tags = explore.top_hashtags(feed)
    first = tags.row(0, named=True)
    assert first["hashtag"] == "cities"
    assert first["posts"] == 3  # two copies of the first post and the repost
    assert first["spellings"] == ["CITIES", "Cities", "cities"]
    assert tags["hashtag"].to_list() == ["cities", "peace", "paz"]  # ties broken by name


def test_top_n_limits_rows_and_accepts_lazy_frames(feed):
    assert explore.top_hashtags(feed.posts.lazy(), n=1).height == 1


def test_mentions_domains_emoji(feed):
    assert explore.top_mentions(feed).to_dicts() == [
        {"mention": "alice.bsky.social", "posts": 2, "uses": 2},
        {"mention": "bob.bsky.social", "posts": 1, "uses": 1},
    ]
    domains = explore.top_domains(feed)
    assert domains.row(0, named=True) == {"domain": "uclg.org", "posts": 3, "uses": 3}
    emoji = explore.top_emoji(feed)
    assert emoji.to_dicts() == [{"emoji": "🌍", "posts": 3, "uses": 4}]


def test_length_stats_leave_placeholders_out(feed):
    stats = explore.length_stats(feed)
    assert stats["kind"].to_list() == ["own", "repost", "all"]
    assert stats.filter(pl.col("kind") == "all")["posts"].item() == 4
    lengths = feed.posts.filter(~pl.col("is_placeholder"))["text"].str.len_chars()
    assert stats.filter(pl.col("kind") == "all")["max"].item() == lengths.max()


def test_length_histogram_bins_account_for_loaded_posts(feed):
    hist = explore.length_histogram(feed, bin_width=10)
    assert hist["posts"].sum() == 4
    assert (hist["bin_end"] - hist["bin_start"] == 10).all()
    with pytest.raises(ValueError):
        explore.length_histogram(feed, bin_width=0)


def test_longest_posts_are_cut_excerpts(feed):
    longest = explore.longest_posts(feed, n=2, excerpt=10)
    assert longest.height == 2
    assert longest["chars"].to_list() == sorted(longest["chars"].to_list(), reverse=True)
    assert all(len(e) <= 11 and e.endswith("…") for e in longest["excerpt"])


def test_language_table_compares_detected_and_declared(feed):
    langs = explore.language_table(feed)
    assert set(langs.columns) == {"lang", "detected", "declared", "agree"}
    assert langs["detected"].sum() == 4  # loaded posts only
    assert "es" in langs["lang"].to_list()
    declared = feed.posts.with_columns(
        pl.when(pl.col("lang") == "es").then(pl.lit(["es"])).otherwise(pl.lit(["fr"])).alias("langs_declared_base")
    )
    both = explore.language_table(declared)
    es = both.filter(pl.col("lang") == "es").row(0, named=True)
    assert es["declared"] == es["agree"] == es["detected"]
    fr = both.filter(pl.col("lang") == "fr").row(0, named=True)
    assert fr["declared"] == 4 - es["declared"] and fr["agree"] == 0


def test_data_quality_accounts_for_every_record(feed):
    q = dict(explore.data_quality(feed).select("check", "count").iter_rows())
    assert q["records read"] == 5
    assert q["rows"] == q["own posts"] + q["reposts"] == 5
    assert q["unloaded placeholders"] == 1
    assert q["duplicates"] == 1
    assert q["truncated links"] == 2
    assert q["unaccounted"] == 0
    assert "every input record is accounted for" in explore.describe_quality(explore.data_quality(feed))


def test_input_summary_names_the_file_never_its_path(seed_feed):
    summary = dict(explore.input_summary(seed_feed).iter_rows())
    assert summary["file"] == "000_802a2c4cd511184e.txt"
    assert summary["sha256"] == SEED_SHA256
    assert "/" not in summary["file"]


def test_duplicates_sample_points_at_first_copy(feed):
    dup = explore.duplicates_sample(feed)
    assert dup.select("position", "duplicate_of").to_dicts() == [{"position": 4, "duplicate_of": 0}]


def test_headline_figures_of_the_seed(seed_feed):
    head = explore.headline(seed_feed)
    assert head == {
        "source": "000_802a2c4cd511184e.txt",
        "sha256": SEED_SHA256,
        "rows": 80,
        "own": 51,
        "reposts": 29,
        "placeholders": 14,
        "languages": ["en", "es", "fr"],
        "first": None,
        "last": None,
        "rejected": 0,
        "kind": "account",
        "accounts": 1,
    }


def test_rejects_by_reason_groups_and_sorts():
    rejects = pl.DataFrame(
        {
            "source": ["f"] * 3,
            "location": ["line 9", "line 3", "line 5"],
            "line": [9, 3, 5],
            "reason": ["b reason", "a reason", "b reason"],
            "raw": ["x", "y", "z"],
        }
    )
    fake = feedtools.Feed(posts=feedtools.schema.empty_posts(), rejects=rejects)
    out = explore.rejects_by_reason(fake)
    assert out.to_dicts() == [
        {"reason": "b reason", "records": 2, "first_location": "line 9"},
        {"reason": "a reason", "records": 1, "first_location": "line 3"},
    ]


def test_hostile_feed_tables_keep_text_as_data():
    feed = feedtools.load(FIXTURES / "hostile_feed.txt")
    summary = dict(explore.input_summary(feed).iter_rows())
    assert summary["profile_name"] == '<b>Evil</b> Org <script>alert("name")</script>'
    longest = explore.longest_posts(feed, n=1)
    assert longest["chars"].item() > 5000
    assert explore.data_quality(feed).filter(pl.col("check") == "unaccounted")["count"].item() == 0


def test_describe_sentences(seed_feed):
    assert explore.describe_volume(explore.volume(seed_feed)).startswith("51 of 80 rows (64%)")
    top = explore.top_hashtags(seed_feed)
    assert "uclgmeets (18 posts" in explore.describe_top(top, "hashtag", "hashtag", 66)
    assert explore.describe_top(top.head(0), "hashtag", "hashtag", 66) == "No hashtag in the 66 loaded posts."
    assert "en 50, es 10, fr 6" in explore.describe_languages(explore.language_table(seed_feed))


# --- one account or a collection: accounts section and kind-aware prose ----------------------------------------


@pytest.fixture(scope="module")
def jetstream(request):
    from conftest import SAMPLES

    path = SAMPLES / "jetstream_expected_v1.jsonl"
    if not path.is_file():
        pytest.skip(f"third-party captures not present at {SAMPLES}")
    return feedtools.load(path)


def test_accounts_of_a_collection_match_the_table(jetstream):
    posts = jetstream.posts
    originals = posts.filter(~pl.col("is_repost"))
    assert jetstream.meta["kind"] == "collection"
    accounts = explore.accounts_table(jetstream, n=100)
    assert explore.account_count(jetstream) == accounts.height == originals["author_did"].n_unique() == 15
    assert int(accounts["posts"].sum()) == originals.height == 17
    assert accounts["posts"].to_list() == sorted(accounts["posts"].to_list(), reverse=True)
    activity = explore.account_activity(jetstream)
    assert activity["rank"].to_list() == list(range(1, 16)) and activity["cumulative_share"][-1] == 1.0
    langs = explore.account_languages(jetstream, n=3)
    assert langs["account"].n_unique() == 3
    assert int(langs["posts"].sum()) == int(accounts.head(3)["posts"].sum()) - int(
        originals.filter(
            pl.col("is_placeholder") & pl.col("author_did").is_in(accounts.head(3)["did"].implode())
        ).height
    )
    amp = explore.amplifiers(jetstream, n=100)
    assert int(amp["reposts"].sum()) == int(posts["is_repost"].sum()) == 15
    assert explore.reposter_count(jetstream) == amp.height


def test_describe_on_a_collection_speaks_of_original_posts(jetstream):
    kind = explore.feed_kind_of(jetstream)
    text = explore.describe_volume(explore.volume(jetstream), kind)
    assert text.startswith("17 of 32 rows (53%) are original posts (not reposts)")
    assert "account's own" not in text
    assert explore.describe_feed(jetstream).startswith(
        "This feed is a collection: its original posts were written by 15 accounts"
    )
    accounts = explore.describe_accounts(explore.accounts_table(jetstream), 15, 17)
    assert accounts.startswith("17 original posts by 15 accounts; most active: ")
    assert "(3)" in accounts and "14 accounts wrote a single post" in accounts
    amp = explore.describe_amplification(explore.amplifiers(jetstream, n=5), kind, explore.reposter_count(jetstream))
    assert amp.startswith("15 accounts reposted posts (the top 5 made 5 reposts); most reposts: ")
    assert explore.describe_lengths(explore.length_stats(jetstream), kind).startswith("original posts: median")
    quality = explore.data_quality(jetstream)
    assert "original posts" in quality["check"].to_list() and "own posts" not in quality["check"].to_list()


def test_describe_one_account(seed_feed):
    assert explore.describe_feed(seed_feed) == (
        "This feed is one account's (United Cities): the pages speak of its "
        "own posts and of what it amplifies (reposts)."
    )
    assert explore.describe_accounts(explore.accounts_table(seed_feed), 1, 51) == (
        "All 51 original posts are by one account, United Cities."
    )
    assert explore.describe_amplification(explore.amplifiers(seed_feed), "account") == (
        "The account reposted 29 posts (15 loaded); their authors are not in the data."
    )


def _one_post(tmp_path):
    return feedtools.load(write_feed(tmp_path, "Solo Org\nbio\n- Only post #One @x.bsky.social\n"))


def test_describe_functions_on_empty_one_and_many(tmp_path, seed_feed):
    empty = seed_feed.posts.head(0)
    one = _one_post(tmp_path)
    # empty
    assert explore.describe_volume(explore.volume(empty)) == "The feed has no rows."
    assert explore.describe_accounts(explore.accounts_table(empty), 0, 0) == (
        "No original post has a known author (0 original posts)."
    )
    assert explore.describe_amplification(explore.amplifiers(empty), "account") == (
        "No repost in this feed: the account amplifies no one here."
    )
    assert explore.describe_amplification(explore.amplifiers(empty), "collection") == (
        "No repost in this feed: no account amplifies another here."
    )
    assert explore.describe_lengths(explore.length_stats(empty)) == "No loaded post has text."
    assert explore.describe_top(explore.top_hashtags(empty), "hashtag", "hashtag", 0) == (
        "No hashtag in the 0 loaded posts."
    )
    # one
    assert explore.describe_volume(explore.volume(one)) == (
        "1 of 1 row (100%) is the account's own post; 0 (0%) are reposts whose content loaded and 0 (0%) are "
        "reposts that never loaded (text unknown)."
    )
    assert explore.describe_top(explore.top_hashtags(one), "hashtag", "hashtag", 1) == (
        "Among 1 loaded post, the hashtag in most posts is one (1 post, 100%); the table and chart show it."
    )
    assert explore.describe_accounts(explore.accounts_table(one), 1, 1) == (
        "The 1 original post is by one account, Solo Org."
    )
    assert "1 record read: 1 row," in explore.describe_quality(explore.data_quality(one))
    assert "1 duplicate," in explore.describe_quality(explore.data_quality(seed_feed))
    # many: no None, nan or "1 posts" anywhere
    for feed in (empty, one, seed_feed):
        texts = [
            explore.describe_volume(explore.volume(feed)),
            explore.describe_lengths(explore.length_stats(feed)),
            explore.describe_languages(explore.language_table(feed)),
            explore.describe_accounts(
                explore.accounts_table(feed),
                explore.account_count(feed),
                int((~explore._lazy(feed).collect()["is_repost"]).sum()),
            ),
            explore.describe_amplification(explore.amplifiers(feed)),
        ]
        for text in texts:
            assert "None" not in text and "nan" not in text and "null" not in text
            assert " 1 posts" not in text and "(1 posts" not in text


def test_data_quality_by_source_accounts_for_each_file(tmp_path):
    a = write_feed(tmp_path, FEED, "a.txt")
    b = write_feed(
        tmp_path,
        "Other Org\nbio\n- Un post en français #Villes\n- First post #Cities #cities and "
        "#Peace 🌍 @alice.bsky.social gold.uclg.org/sites/defaul...\n",
        "b.txt",
    )
    feed = feedtools.load([a, b])
    by_source = explore.data_quality_by_source(feed)
    assert by_source["source"].to_list() == ["a.txt", "b.txt"]
    assert by_source["records"].to_list() == [5, 2] and by_source["rows"].to_list() == [5, 2]
    assert by_source["unaccounted"].to_list() == [0, 0]
    assert by_source["duplicates"].to_list() == [1, 0]  # same text by another author is no duplicate
    assert feed.meta["kind"] == "collection" and feed.meta["accounts"] == 2
    summary = dict(explore.input_summary(feed).iter_rows())
    assert summary["inputs"] == "2" and summary["file"] == "a.txt, b.txt"


def test_kind_labels_call_own_posts_original_in_a_collection():
    vol = explore.volume(pl.DataFrame({"is_repost": [False, True], "is_placeholder": [False, True]}))
    assert explore.kind_labels(vol, "collection")["kind"].to_list() == ["original", "repost", "unloaded"]
    assert explore.kind_labels(vol, "account")["kind"].to_list() == ["own", "repost", "unloaded"]
