"""Hashtags, mentions, links, domains and emoji as the Bluesky app detects them."""

from __future__ import annotations

import polars as pl
import pytest

from feedtools.entities import add_entities, canonical_urls
from feedtools.schema import conform


def ents(text: str, **reader_cols) -> dict:
    df = conform(
        pl.DataFrame(
            {"text": [text], **{k: [v] for k, v in reader_cols.items()}},
            schema_overrides={k: pl.List(pl.String) for k in reader_cols},
        )
    )
    return add_entities(df).row(0, named=True)


@pytest.mark.parametrize(
    "text, tags",
    [
        ("Join #UCLGMeets and #UCLGmeets!", ["UCLGMeets", "UCLGmeets"]),
        ("#CiudadesYTerritoriosDePaz, #Día2 and #ODS.", ["CiudadesYTerritoriosDePaz", "Día2", "ODS"]),
        ("#2025 is not a tag, #SDG3 is", ["SDG3"]),
        ("🟡#UCLGMeets series marker", ["UCLGMeets"]),
        ("#CiudadesYTerritoriosDePaz🕊️ en Montevideo", ["CiudadesYTerritoriosDePaz"]),
        ("mail me at a#b or see example.com/page#anchor", []),
        ("Full-width ＃タグ works", ["タグ"]),
        ("#" + "a" * 64 + " ok, #" + "b" * 65 + " too long", ["a" * 64]),
        ("#LocalGov... and (#LRGs)", ["LocalGov", "LRGs"]),
        ("#WorldRefugeeDay #WorldRefugeeDay twice", ["WorldRefugeeDay"]),
    ],
)
def test_hashtags(text, tags):
    assert ents(text)["hashtags"] == tags


def test_hashtags_merge_facets_and_text():
    assert ents("Post #Text", hashtags=["FromFacet"])["hashtags"] == ["FromFacet", "Text"]


@pytest.mark.parametrize(
    "text, mentions",
    [
        ("Thanks @UCLG.bsky.social and @emiliasaiz.bsky.social.", ["uclg.bsky.social", "emiliasaiz.bsky.social"]),
        ("with @sorbonne-universite.fr, hi", ["sorbonne-universite.fr"]),
        ("email a@b.com is not a mention; @u is cut; @x.notatld either", []),
    ],
)
def test_mentions(text, mentions):
    assert ents(text)["mentions"] == mentions


@pytest.mark.parametrize(
    "text, urls, domains, truncated",
    [
        ("read gold.uclg.org/sites/defaul... now", ["gold.uclg.org/sites/defaul..."], ["uclg.org"], True),
        ("short t.ly/KeH3- and t.ly/AZp85.", ["t.ly/KeH3-", "t.ly/AZp85"], ["t.ly"], False),
        (
            "see https://unjobs.org/organizations/uclg)",
            ["https://unjobs.org/organizations/uclg"],
            ["unjobs.org"],
            False,
        ),
        ("cut off learningwith.u and e.g this", [], [], False),
        ("programa: forodepazmvd.uy #Paz", ["forodepazmvd.uy"], ["forodepazmvd.uy"], False),
        ("site www.bbc.co.uk/news", ["www.bbc.co.uk/news"], ["bbc.co.uk"], False),
    ],
)
def test_links_and_domains(text, urls, domains, truncated):
    row = ents(text)
    assert (row["urls"], row["domains"], row["url_truncated"]) == (urls, domains, truncated)


def test_facet_links_win_over_display_text():
    row = ents("read gold.uclg.org/sites/defaul...", urls=["https://gold.uclg.org/sites/default/files/report.pdf"])
    assert row["urls"] == ["https://gold.uclg.org/sites/default/files/report.pdf"]
    assert row["domains"] == ["uclg.org"]
    assert row["url_truncated"] is True  # the text still shows a shortened link


def test_emoji_sequences_whole():
    row = ents("👩‍💻 🫱🏼‍🫲🏾 🇬🇧 ❤️ ❤ #️⃣ 👍🏽 © plain")
    assert row["emojis"] == ["👩‍💻", "🫱🏼‍🫲🏾", "🇬🇧", "❤", "❤", "#⃣", "👍🏽"]


def test_null_text_gives_empty_lists():
    row = ents(None)
    assert (row["hashtags"], row["mentions"], row["urls"], row["domains"], row["emojis"]) == ([], [], [], [], [])


def test_canonical_urls_merge_tracking_variants_and_keep_urls_as_posted():
    posts = pl.DataFrame(
        {
            "text": [
                (
                    "a https://Example.ORG:443/report/?utm_source=bsky&utm_medium=social#top and "
                    "https://example.org/report"
                ),
                "b http://www.example.org/report?fbclid=IwAR0x",
                "c example.org/lo...",
            ],
            "hashtags": [[], [], []],
            "mentions": [[], [], []],
            "urls": [[], [], []],
        },
        schema_overrides={"hashtags": pl.List(pl.String), "mentions": pl.List(pl.String), "urls": pl.List(pl.String)},
    )
    out = add_entities(posts)
    assert out["urls"][0].to_list() == [
        "https://Example.ORG:443/report/?utm_source=bsky&utm_medium=social#top",
        "https://example.org/report",
    ]
    assert out["urls_canonical"].to_list() == [
        ["https://example.org/report"],
        ["http://example.org/report"],
        ["example.org/lo..."],
    ]
    assert out["domains"].to_list() == [["example.org"], ["example.org"], ["example.org"]]
    assert canonical_urls(["not a url", ""]) == ["not a url", ""]


def test_canonical_urls_treat_equivalent_spellings_as_one_link():
    same = [
        [
            "https://example.org",
            "HTTP://example.org:80/".replace("HTTP", "https").replace(":80", ":443"),
            "https://WWW.example.org/#section",
        ],
        [
            "https://example.org/news/día?b=2&a=1",
            "https://example.org/news/d%C3%ADa/?a=1&b=2&utm_campaign=x",
            "https://www.example.org/news/día?gclid=abc&a=1&b=2",
        ],
        ["https://tumblr.com/post/1", "https://www.tumblr.com/post/1?source=share"],
        ["https://youtube.com/@channel", "https://www.youtube.com/%40channel/"],
    ]
    for group in same:
        assert len(set(canonical_urls(group))) == 1, canonical_urls(group)
    # what identifies the page stays: the scheme, a non-default port, a real query parameter, the path's case
    distinct = [
        "http://example.org/a",
        "https://example.org/a",
        "https://example.org:8080/a",
        "https://example.org/a?id=3",
        "https://example.org/A",
    ]
    assert len(set(canonical_urls(distinct))) == len(distinct)
    # unparseable or shortened values are kept as posted, one output per input
    odd = ["http://[::1", "http://a.example:port/x", "gold.uclg.org/sites/defaul...", "mailto:a@b.example"]
    assert canonical_urls(odd) == odd
    assert canonical_urls(["https://www.youtube.com/@channel?utm_source=x"]) == ["https://youtube.com/@channel"]


def test_add_entities_sets_its_columns_and_leaves_the_others_in_place():
    posts = pl.DataFrame(
        {
            "urls": [["https://x.org/a"], []],
            "text": ["see example.org/x and @uclg.bsky.social #Tag 🎉", None],
            "other": [1, 2],
            "hashtags": [["Facet"], None],
        },
        schema_overrides={"urls": pl.List(pl.String), "hashtags": pl.List(pl.String)},
    )
    out = add_entities(posts)
    # Replaced columns stay where they were; the new ones follow, in a fixed order.
    assert out.columns == [
        "urls", "text", "other", "hashtags", "emojis", "url_truncated", "mentions", "urls_canonical", "domains"
    ]  # fmt: skip
    assert out["other"].to_list() == [1, 2]
    assert out.row(0, named=True) | {"text": None} == {
        "urls": ["https://x.org/a"],  # facet links win over the text's
        "text": None,
        "other": 1,
        "hashtags": ["Facet", "Tag"],
        "emojis": ["🎉"],
        "url_truncated": False,
        "mentions": ["uclg.bsky.social"],
        "urls_canonical": ["https://x.org/a"],
        "domains": ["x.org"],
    }
    assert out.row(1, named=True) | {"text": None} == {
        "urls": [],
        "text": None,
        "other": 2,
        "hashtags": [],
        "emojis": [],
        "url_truncated": False,
        "mentions": [],
        "urls_canonical": [],
        "domains": [],
    }
