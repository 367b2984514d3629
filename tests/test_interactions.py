"""Who the posts talk to: replies, mentions and quotes by DID, with handles where known (issue 14)."""

from __future__ import annotations

import polars as pl

from feedtools import interactions
from feedtools.schema import conform

ME = "did:plc:me"
ANA = "did:plc:ana"
BOB = "did:plc:bob"


def _posts(rows: list[dict]) -> pl.DataFrame:
    base = {
        "is_placeholder": False,
        "is_repost": False,
        "author_did": ME,
        "author_handle": "me.example",
        "image_count": 0,
        "mentions": [],
        "mention_dids": [],
    }
    return conform(
        pl.DataFrame(
            [{**base, "position": i, "post_uri": f"at://{ME}/app.bsky.feed.post/{i}", **r} for i, r in enumerate(rows)],
            infer_schema_length=None,
        )
    )


def _describe(posts: pl.DataFrame) -> str:
    return interactions.describe_talks_to(interactions.talks_to(posts), interactions.interaction_summary(posts))


def test_empty_feed_says_there_is_nothing_to_read():
    posts = _posts([]).head(0)
    assert interactions.talks_to(posts).height == 0
    assert interactions.interaction_summary(posts).row(0) == (0, 0, 0, 0, 0, 0, 0, 0)
    assert _describe(posts) == "No original post is loaded, so no reply, mention or quote can be read."


def test_one_post_that_talks_to_no_one():
    posts = _posts([{"text": "hello"}])
    assert interactions.talks_to(posts).height == 0
    assert _describe(posts) == "The 1 original post does not reply to, mention or quote another account."


def test_one_post_replying_and_mentioning():
    posts = _posts([{"reply_parent_author": ANA, "reply_parent_handle": "ana.example", "mention_dids": [BOB]}])
    table = interactions.talks_to(posts)
    assert table.rows() == [("@ana.example", ANA, 1, 1, 0, 0), (BOB, BOB, 1, 0, 1, 0)]
    text = _describe(posts)
    assert text.startswith(
        "Of the 1 original post, 1 post (100%) talks to other accounts: 1 replies to one and "
        "1 mentions one. It addresses 2 accounts; 2 share the lead, @ana.example first"
    )


def test_many_posts_merge_dids_handles_and_leave_self_replies_out():
    posts = _posts(
        [
            # a reply to Ana (handle hydrated in this item) that also mentions her by facet: one post, two ways
            {"reply_parent_author": ANA, "reply_parent_handle": "Ana.Example", "mention_dids": [ANA]},
            # a scrape-like mention typed in the text, no facet: merged with Ana's DID through the handle
            {"mentions": ["ana.example"]},
            # a quote of Bob (DID only) and a typed mention of an unknown account
            {"quote_author": BOB, "mentions": ["zoe.example"]},
            # a thread continuation and a self-mention: not talking to anyone
            {"reply_parent_author": ME, "mention_dids": [ME]},
            # a repost and a placeholder never count (they are not the account's posts)
            {"is_repost": True, "reply_parent_author": BOB},
            {"is_placeholder": True, "mentions": ["bob.example"]},
            # the same post seen twice counts once
            {"post_uri": f"at://{ME}/app.bsky.feed.post/0", "reply_parent_author": ANA},
        ]
    )
    table = interactions.talks_to(posts)
    assert table.rows() == [
        ("@ana.example", ANA, 2, 1, 2, 0),
        ("@zoe.example", None, 1, 0, 1, 0),
        (BOB, BOB, 1, 0, 0, 1),
    ]
    summary = interactions.interaction_summary(posts)
    assert summary.row(0, named=True) == {
        "posts": 4,
        "context_known": 4,
        "replying": 1,
        "mentioning": 3,
        "quoting": 1,
        "addressing": 3,
        "self_replies": 1,
        "accounts": 3,
    }
    text = _describe(posts)
    assert text == (
        "Of the 4 original posts, 3 posts (75%) talk to other accounts: 1 replies to one, 3 mention "
        "one and 1 quotes one. They address 3 accounts; the one in most posts is @ana.example "
        "(2 posts: 1 reply and 2 mentions). 1 reply continues the author's own threads."
    )
    long = interactions.interactions(posts)
    assert set(long.filter(pl.col("is_self"))["kind"]) == {"reply", "mention"}


def test_a_scrape_says_replies_and_quotes_are_unknown():
    posts = _posts([{"mentions": ["ana.example"], "image_count": None, "mention_dids": None, "author_did": None}])
    text = _describe(posts)
    assert "1 mentions one" in text and "It addresses one account, @ana.example" in text
    assert text.endswith(
        "This format does not record whom a post replies to or quotes (a profile page scrape): "
        "only mentions typed in the text are counted."
    )


def test_campaign_posts_show_whom_each_campaign_addresses():
    posts = _posts(
        [
            {"hashtags": ["Climate"], "mention_dids": [ANA], "author_handle": "me.example"},
            {
                "hashtags": ["climate", "COP30"],
                "mentions": ["ana.example"],
                "reply_parent_author": ANA,
                "reply_parent_handle": "ana.example",
            },
            {"hashtags": ["COP30"], "quote_author": BOB},
            {"hashtags": [], "mention_dids": [BOB]},  # in no campaign: left out
        ]
    )
    tagged = interactions.campaign_posts(posts)
    assert tagged.height == 3
    table = interactions.talks_to(tagged)
    assert table.columns[-1] == "campaigns"
    assert table.rows() == [("@ana.example", ANA, 2, 1, 2, 0, ["climate", "cop30"]), (BOB, BOB, 1, 0, 0, 1, ["cop30"])]
    text = interactions.describe_talks_to(table, interactions.interaction_summary(tagged), what="campaign post")
    assert text.startswith("Of the 3 campaign posts, 3 posts (100%) talk to other accounts")
    none = interactions.campaign_posts(posts.head(0))
    assert interactions.describe_talks_to(
        interactions.talks_to(none), interactions.interaction_summary(none), what="campaign post"
    ) == ("No campaign post is loaded, so no reply, mention or quote can be read.")
