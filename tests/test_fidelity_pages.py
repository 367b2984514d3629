"""Link cards, canonical links and alt-text coverage on the exploration page; safe links in tables (issue 14)."""

from __future__ import annotations

import polars as pl

from feedtools import explore
from feedtools.charts import table
from feedtools.schema import conform


def _posts(rows: list[dict]) -> pl.DataFrame:
    base = {"is_placeholder": False, "is_repost": False}
    return conform(pl.DataFrame([{**base, "position": i, **r} for i, r in enumerate(rows)], infer_schema_length=None))


def test_cards_group_by_canonical_url_and_count_posts_once():
    posts = _posts(
        [
            {
                "post_uri": "at://a/app.bsky.feed.post/1",
                "card_url": "https://example.org/r?utm_source=bsky",
                "card_title": "Report",
                "web_url": "https://bsky.app/profile/a.example.org/post/1",
            },
            {"post_uri": "at://a/app.bsky.feed.post/2", "card_url": "https://www.example.org/r/", "card_title": None},
            {
                "post_uri": "at://a/app.bsky.feed.post/1",
                "card_url": "https://example.org/r?utm_source=bsky",
                "is_repost": True,
            },  # the same post reposted: counted once
            {"post_uri": "at://a/app.bsky.feed.post/3", "card_url": "https://other.example/x", "card_title": "X"},
            {"post_uri": "at://a/app.bsky.feed.post/4"},
        ]
    )
    cards = explore.top_cards(posts)
    assert cards.rows() == [
        ("https://example.org/r", "Report", 2, "https://bsky.app/profile/a.example.org/post/1"),
        ("https://other.example/x", "X", 1, None),
    ]
    text = explore.describe_cards(cards, 4)
    assert text.startswith(
        "The table shows the top 2 link cards; the card in most posts is https://example.org/r "
        "(Report), shared by 2 posts (50%"
    )
    assert explore.describe_cards(cards.head(1), 4).startswith("One link card is shared: https://example.org/r")
    assert (
        explore.describe_cards(explore.top_cards(posts.head(0)), 0) == "No link card is shared in the 0 loaded posts."
    )


def test_alt_text_coverage_zero_one_many():
    none = explore.alt_text_coverage(_posts([{"post_uri": "at://a/p/1", "image_count": 0, "image_alts": []}]))
    assert none.row(0) == (1, 0, 0, 0, 0, None)
    assert "no alt text to measure" in explore.describe_alt_text(none)
    one = explore.alt_text_coverage(_posts([{"post_uri": "at://a/p/1", "image_count": 2, "image_alts": ["a map", ""]}]))
    assert one.row(0) == (1, 1, 2, 1, 0, 0.0)
    assert explore.describe_alt_text(one) == (
        "1 loaded post embeds 2 images; it leaves an image undescribed, and 1 of the 2 images have alt text (50%)."
    )
    many = explore.alt_text_coverage(
        _posts(
            [
                {"post_uri": "at://a/p/1", "image_count": 1, "image_alts": ["una plaza"]},
                {"post_uri": "at://a/p/2", "image_count": 2, "image_alts": ["x", "y"]},
                {"post_uri": "at://a/p/3", "image_count": 1, "image_alts": [""]},
                {"post_uri": "at://a/p/4", "image_count": 1, "image_alts": ["z"], "is_placeholder": True},
            ]
        )
    )
    assert many.row(0) == (3, 3, 4, 3, 2, 0.667)
    sentence = explore.describe_alt_text(many)
    assert sentence.startswith("3 loaded posts embed 4 images; 2 of them (67%) describe every image")
    assert "None" not in sentence and "nan" not in sentence


def test_top_links_count_canonical_forms_once():
    posts = _posts(
        [
            {"post_uri": "at://a/p/1", "urls_canonical": ["https://example.org/a"]},
            {"post_uri": "at://a/p/2", "urls_canonical": ["https://example.org/a", "https://b.example/"]},
        ]
    )
    assert explore.top_links(posts).rows() == [("https://example.org/a", 2, 2), ("https://b.example/", 1, 1)]


def test_tables_link_only_https_and_safely():
    df = pl.DataFrame(
        {
            "post": ["a", "b", "c", "d"],
            "example": [
                "https://bsky.app/profile/a/post/1",
                "javascript:alert(1)",
                'https://x.example/"><script>',
                None,
            ],
        }
    )
    html = table(df, links=("example",))._repr_html_()
    assert '<a href="https://bsky.app/profile/a/post/1" rel="noopener noreferrer">' in html
    assert "javascript:alert(1)</td>" in html and 'href="javascript' not in html
    assert "<script>" not in html and 'href="https://x.example/&quot;&gt;&lt;script&gt;"' in html
    assert "<a " not in table(df)._repr_html_()  # without links=, URLs stay text


def test_a_scrape_says_embeds_are_unknown_not_absent():
    scrape = _posts([{"post_id": "scrape:1", "text": "hello"}, {"post_id": "scrape:2", "text": "hi"}])
    coverage = explore.alt_text_coverage(scrape)
    assert coverage["embeds_known"][0] == 0
    assert explore.describe_alt_text(coverage).endswith("so alt-text coverage is unknown.")
    assert "does not record link cards" in explore.describe_cards(explore.top_cards(scrape), 2, 0)
    assert explore._loaded_posts(scrape).height == 2  # posts without a URI are told apart by post_id
