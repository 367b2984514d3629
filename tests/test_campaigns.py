"""Campaigns: folding, the alias table (and its errors), metrics, voice, suggestions, pairs, series, network."""

from __future__ import annotations

from datetime import UTC, datetime

import networkx as nx
import polars as pl
import pytest
from builders import make_posts
from conftest import ROOT, write_feed

import feedtools
from feedtools import campaigns as cp

SHIPPED = ROOT / "data" / "campaigns.csv"
HEADER = "campaign_id,label,lang,hashtag,note\n"


def write_aliases(tmp_path, body: str, name: str = "aliases.csv"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------------- folding


@pytest.mark.parametrize(
    "tag, folded",
    [
        ("UCLGMeets", "uclgmeets"),
        ("#UCLGmeets", "uclgmeets"),
        ("CiudadesYTerritoriosDePaz", "ciudadesyterritoriosdepaz"),
        ("DíaMundial", "diamundial"),
        ("Journée_Mondiale", "journeemondiale"),
        ("Local-Gov", "localgov"),
        ("ＯＤＳ", "ods"),  # full-width letters
        ("Straße", "strasse"),  # case-folding, not just lower-casing
        ("SDG3", "sdg3"),
        ("Paz\ufe0f", "paz"),  # variation selector
    ],
)
def test_fold_tag(tag, folded):
    assert cp.fold_tag(tag) == folded


def test_fold_tags_series_keeps_nulls_and_order():
    s = pl.Series("t", ["ÉCOLE", None, "école", "Ecole"])
    assert cp.fold_tags(s).to_list() == ["ecole", None, "ecole", "ecole"]


# ---------------------------------------------------------------------------------------------- alias table


def test_shipped_alias_table_loads_and_groups_the_seed_variants():
    al = cp.load_aliases(SHIPPED)
    camp = dict(zip(al["tag_folded"], al["campaign_id"], strict=True))
    assert camp["lrgs"] == camp["glrs"] == "lrgs"
    assert camp["citiesandterritoriesofpeace"] == camp["ciudadesyterritoriosdepaz"] == "peace-forum"
    assert camp["sdgs"] == camp["ods"] == "sdgs"
    assert camp["uclgmeets"] == "uclgmeets"
    glrs = al.filter(pl.col("hashtag") == "GLRs").row(0, named=True)
    assert glrs["lang"] == ["es", "fr"]
    assert glrs["label"] == "Local and regional governments"  # label given once, carried to every row
    assert glrs["line"] > 1


def test_alias_table_comments_bom_hash_prefix_and_default_label(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(
        ("\ufeff# comment\n\ncampaign_id,hashtag,lang\n  # another comment\nwater,#Agua,es\nwater,Water,\n").encode()
    )
    al = cp.load_aliases(path)
    assert al["hashtag"].to_list() == ["Agua", "Water"]
    assert al["label"].to_list() == ["#Agua", "#Agua"]  # no label column: the first hashtag
    assert al["lang"].to_list() == [["es"], ["und"]]
    assert al["line"].to_list() == [5, 6]


@pytest.mark.parametrize(
    "body, line, words",
    [
        (HEADER.replace("note", "colour") + "a,A,en,Tag,\n", 1, "unknown column 'colour'"),
        ("campaign_id,label\na,A\n", 1, "lacks the column 'hashtag'"),
        (HEADER + "a,A,en,,\n", 2, "empty hashtag"),
        (HEADER + "a,A,en,#,\n", 2, "empty hashtag"),
        (HEADER + ",A,en,Tag,\n", 2, "empty campaign_id"),
        (HEADER + "Peace Forum,A,en,Tag,\n", 2, "campaign_id 'Peace Forum'"),
        (HEADER + "a,A,en,Tag,\n# comment\nb,B,es,TAG,\n", 4, "already listed in campaign 'a' (line 2)"),
        (HEADER + "a,A,en,Paz,\na,,es,paz,\n", 3, "already listed in this campaign (line 2)"),
        (HEADER + "a,A,en,Día,\nb,B,es,Dia,\n", 3, "already listed in campaign 'a'"),
        (HEADER + "a,A,en,Tag,,extra\n", 2, "6 fields, the header (line 1) has 5"),
        (HEADER + "a,A,english,Tag,\n", 2, "language 'english'"),
        (HEADER + "a,A,en,Two Words,\n", 2, "is not one hashtag"),
        (HEADER + "a,A,en,Tag,\na,B,en,Tag2,\n", 3, "has label 'A' on line 2"),
        (HEADER + 'a,A,en,"Tag,\n', 2, "not a CSV row"),
    ],
)
def test_malformed_alias_table_names_file_and_line(tmp_path, body, line, words):
    path = write_aliases(tmp_path, body)
    with pytest.raises(ValueError) as err:
        cp.load_aliases(path)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(f"{path}, line {line}: ")
    assert words in msg


@pytest.mark.parametrize("body", ["", "# only comments\n\n"])
def test_alias_table_without_header(tmp_path, body):
    with pytest.raises(ValueError, match="no header line"):
        cp.load_aliases(write_aliases(tmp_path, body))


def test_alias_table_not_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "a,Paix,fr,Paix,é\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        cp.load_aliases(path)


def test_header_only_table_is_empty(tmp_path):
    al = cp.load_aliases(write_aliases(tmp_path, HEADER))
    assert al.height == 0 and al.schema == cp.empty_aliases().schema


def test_aliases_from_says_which_table_is_used(tmp_path):
    shipped = cp.load_aliases(SHIPPED)
    al, note = cp.aliases_from(SHIPPED)
    assert al.equals(shipped)
    assert note == "alias table campaigns.csv (shipped with feedtools): 12 hashtags in 4 campaigns"
    # the notebooks' default path seen from another folder (a report build) means the shipped table
    al, note1 = cp.aliases_from(tmp_path / "data" / "campaigns.csv")
    assert al.equals(shipped) and note1 == note
    al, note2 = cp.aliases_from(tmp_path / "missing.csv")
    assert al.equals(shipped) and note2 == "missing.csv not found; " + note
    own = write_aliases(tmp_path, HEADER + "x,X,en,Tag,\n")
    al, note = cp.aliases_from(own)
    assert al["campaign_id"].to_list() == ["x"] and note == "alias table aliases.csv: 1 hashtags in 1 campaigns"


# ----------------------------------------------------------------------------------------- posts -> campaigns

ALIASES_BODY = HEADER + "lrgs,Local govs,en,LRGs,\nlrgs,,es|fr,GLRs,\npaz,Peace,es,Paz,\npaz,,en,Peace,\n"


@pytest.fixture
def aliases(tmp_path):
    return cp.load_aliases(write_aliases(tmp_path, ALIASES_BODY))


@pytest.fixture
def feed():
    return make_posts(
        [
            {"hashtags": ["LRGs", "Peace"], "mentions": ["a.org"], "domains": ["x.org"]},  # 0 en own
            {"hashtags": ["glrs"], "lang": "fr", "mentions": ["a.org", "b.org"]},  # 1 fr own
            {
                "hashtags": ["GLRs", "Paz"],
                "lang": "es",
                "is_repost": True,
                "author_handle": "partner.org",
            },  # 2 es repost
            {"is_placeholder": True, "is_repost": True},  # 3 placeholder
            {"hashtags": ["LocalGovs"], "duplicate_of": None},  # 4 en own
            {"hashtags": ["localgovs"], "lang": "und", "duplicate_of": 4},  # 5 und own duplicate
            {"hashtags": []},  # 6 no tags
        ]
    )


def test_assign_campaigns(feed, aliases):
    out = cp.assign_campaigns(feed, aliases)
    assert out.columns == [*feed.columns, "campaigns"]
    assert out["campaigns"].to_list() == [
        ["lrgs", "paz"],
        ["lrgs"],
        ["lrgs", "paz"],
        None,
        ["localgovs"],
        ["localgovs"],
        [],
    ]


def test_without_aliases_only_folding_joins(feed):
    out = cp.assign_campaigns(feed, None)
    assert out["campaigns"].to_list()[:3] == [["lrgs", "peace"], ["glrs"], ["glrs", "paz"]]


def test_campaign_metrics_hand_made(feed, aliases):
    m = cp.campaign_metrics(feed, aliases)
    assert m["campaign_id"].to_list() == ["lrgs", "localgovs", "paz"]  # by posts, then id
    lrgs = m.row(0, named=True)
    assert (lrgs["posts"], lrgs["own_posts"], lrgs["reposts"], lrgs["duplicates"]) == (3, 2, 1, 0)
    assert lrgs["label"] == "Local govs" and lrgs["in_table"] is True
    assert lrgs["hashtags"] == ["GLRs:1", "LRGs:1", "glrs:1"]
    assert lrgs["share_of_feed"] == round(3 / 6, 4)  # 6 loaded rows, the placeholder is not counted
    assert lrgs["langs"] == ["en", "es", "fr"] and lrgs["n_langs"] == 3 and lrgs["multilingual"] is True
    assert lrgs["lang_shares"] == ["en:0.333", "es:0.333", "fr:0.333"]
    assert lrgs["tag_langs"] == ["en", "es", "fr"]
    assert lrgs["co_campaigns"] == ["paz:2"]
    assert lrgs["partners"] == ["a.org:2", "b.org:1"] and lrgs["n_partners"] == 2
    assert lrgs["domains"] == ["x.org:1"]
    assert (lrgs["first_position"], lrgs["last_position"]) == (0, 2)
    assert lrgs["first_date"] is None
    local = m.row(1, named=True)
    assert local["label"] == "#LocalGovs" and local["in_table"] is False  # a tag not in the table: its own campaign
    assert local["duplicates"] == 1 and local["langs"] == ["en"] and local["multilingual"] is False
    assert local["lang_shares"] == ["en:0.5", "und:0.5"]
    assert local["tag_langs"] == ["und"]


def test_campaign_metrics_dates_from_created_at_or_date_est(feed, aliases):
    t = [datetime(2025, 5, d, tzinfo=UTC) for d in range(1, 8)]
    dated = feed.with_columns(created_at=pl.Series(t))
    m = cp.campaign_metrics(dated, aliases).filter(pl.col("campaign_id") == "lrgs").row(0, named=True)
    assert (m["first_date"], m["last_date"]) == (t[0], t[2])
    est = feed.with_columns(date_est=pl.Series([datetime(2024, 1, d).date() for d in range(1, 8)]))
    m = cp.campaign_metrics(est, aliases).filter(pl.col("campaign_id") == "paz").row(0, named=True)
    assert (m["first_date"].day, m["last_date"].day) == (1, 3)


def test_campaign_languages_long_table(feed, aliases):
    langs = cp.campaign_languages(feed, aliases)
    assert langs.filter(pl.col("campaign_id") == "paz").select("lang", "posts").rows() == [("en", 1), ("es", 1)]
    sums = langs.group_by("campaign_id").agg(pl.col("share").sum())
    assert all(abs(s - 1) < 1e-3 for s in sums["share"])


def test_empty_and_placeholder_only_feeds():
    empty = make_posts([])
    assert cp.campaign_metrics(empty).height == 0
    assert cp.suggest_aliases(empty).height == 0
    only = make_posts([{"is_placeholder": True, "is_repost": True}] * 2)
    assert cp.campaign_metrics(only).height == 0
    assert cp.voice_summary(only)["posts"].to_list() == [0, 0, 2]
    assert cp.cross_language_pairs(only).height == 0
    assert cp.series_markers(only).height == 0


# ------------------------------------------------------------------------------------------------------ voice


def test_voice_tables(feed, aliases):
    v = cp.voice_summary(feed)
    assert v.rows() == [
        ("own post", 5, round(5 / 7, 4)),
        ("repost", 1, round(1 / 7, 4)),
        ("repost not loaded", 1, round(1 / 7, 4)),
    ]
    by_lang = {r["lang"]: r for r in cp.voice_by_language(feed).iter_rows(named=True)}
    assert by_lang["und"]["reposts_not_loaded"] == 1 and by_lang["es"]["reposts"] == 1
    by_camp = {r["campaign_id"]: r for r in cp.voice_by_campaign(feed, aliases).iter_rows(named=True)}
    assert (by_camp["lrgs"]["own_posts"], by_camp["lrgs"]["reposts"]) == (2, 1)
    assert by_camp["lrgs"]["repost_share"] == round(1 / 3, 4)


def test_amplified_accounts(feed):
    amp = cp.amplified_accounts(feed.with_columns(reposted_by=pl.when(pl.col("is_repost")).then(pl.lit("Our Org"))))
    rows = {(r["role"], r["account"]): r["reposts"] for r in amp.iter_rows(named=True)}
    assert rows[("author", "partner.org")] == 1
    assert rows[("author", "(unknown)")] == 1  # the placeholder's author is unknown
    assert rows[("reposted_by", "Our Org")] == 2


# ------------------------------------------------------------------------------------------------ suggestions


def test_spelling_suggestions_and_merged_pairs_excluded(aliases):
    posts = make_posts(
        [
            {"hashtags": ["LocalGov"]},
            {"hashtags": ["LocalGovs"]},
            {"hashtags": ["CSW68"]},
            {"hashtags": ["CSW69"]},
            {"hashtags": ["Climate"]},
            {"hashtags": ["Climat"], "lang": "fr"},
            {"hashtags": ["LRGs"]},
            {"hashtags": ["GLRs"], "lang": "fr"},
            {"hashtags": ["Peacebuilding"]},
            {"hashtags": ["Peace"]},
        ]
    )
    s = cp.suggest_aliases(posts, aliases)
    kinds = {(r["tag_a"], r["tag_b"]): (r["kind"], r["score"]) for r in s.iter_rows(named=True)}
    assert kinds[("LocalGov", "LocalGovs")] == ("plural", 0.95)
    assert kinds[("CSW68", "CSW69")][0] == "numbered" and kinds[("CSW68", "CSW69")][1] < 0.5
    assert kinds[("Climat", "Climate")][0] == "spelling"
    assert kinds[("Peace", "Peacebuilding")] == ("prefix", round(0.5 * 5 / 13, 4))
    assert ("GLRs", "LRGs") not in kinds and ("LRGs", "GLRs") not in kinds  # already one campaign
    assert s["score"].to_list() == sorted(s["score"].to_list(), reverse=True)


def test_translated_tags_are_suggested_and_co_occurring_ones_are_only_related():
    posts = make_posts(
        [
            {"hashtags": ["WaterDay"], "mentions": ["water.org"], "domains": ["water.org"]},
            {"hashtags": ["DiaDelAgua"], "lang": "es", "mentions": ["water.org"], "domains": ["water.org"]},
            {"hashtags": ["WaterDay", "DiaDelAgua", "Habitat"], "lang": "es", "mentions": ["water.org"]},
            {"hashtags": ["Habitat", "Vivienda"], "lang": "es", "mentions": ["water.org"]},
            {"hashtags": ["SDG3"]},
            {"hashtags": ["ODS3"], "lang": "es"},
            {"hashtags": ["ODS5"], "lang": "es"},
        ]
        + [{"hashtags": ["Filler"], "mentions": [f"p{i}.org"]} for i in range(10)]
    )
    s = cp.suggest_aliases(posts).filter(pl.col("kind") == "translation")
    got = {(r["tag_a"], r["tag_b"]): r for r in s.iter_rows(named=True)}
    assert set(got) == {("DiaDelAgua", "WaterDay"), ("ODS3", "SDG3")}  # never ODS5 / SDG3: numbers differ
    assert (
        "dia=day" in got[("DiaDelAgua", "WaterDay")]["evidence"]
        and "agua=water" in got[("DiaDelAgua", "WaterDay")]["evidence"]
    )
    # Habitat co-occurs with both and shares their partner: related, never an alias
    related = cp.related_campaigns(posts)
    assert related.height > 0 and "water.org" in " ".join(related["evidence"].to_list())
    assert (
        cp.suggest_aliases(posts)
        .filter(pl.col("tag_a").is_in(["Habitat", "Vivienda"]) | pl.col("tag_b").is_in(["Habitat", "Vivienda"]))
        .height
        == 0
    )
    # once the table merges them, the pair is no longer suggested
    merged = pl.DataFrame(
        {
            "campaign_id": ["water"] * 2,
            "label": ["Water"] * 2,
            "lang": [["en"], ["es"]],
            "hashtag": ["WaterDay", "DiaDelAgua"],
            "tag_folded": ["waterday", "diadelagua"],
            "note": [None, None],
            "line": [2, 3],
        },
        schema=cp.ALIASES_SCHEMA,
    )
    again = cp.suggest_aliases(posts, merged)
    assert (
        again.filter(
            pl.col("tag_a").is_in(["DiaDelAgua", "WaterDay"]) & pl.col("tag_b").is_in(["DiaDelAgua", "WaterDay"])
        ).height
        == 0
    )


@pytest.mark.parametrize(
    "tag, words",
    [
        ("#CiudadesYTerritoriosDePaz", ["ciudades", "y", "territorios", "de", "paz"]),
        ("SDG3", ["sdg", "3"]),
        ("UCLGMeets", ["uclgmeets"]),
        ("Día_Mundial", ["dia", "mundial"]),
        ("GLRs", ["glrs"]),
    ],
)
def test_tag_words(tag, words):
    assert cp.tag_words(tag) == words


def test_bundled_vocabulary_loads():
    vocab = cp.load_vocabulary()
    assert vocab["paz"] == vocab["peace"] == vocab["paix"] and vocab["ods"] == vocab["sdg"]


# --------------------------------------------------------------------------------------------- post pairs


def test_cross_language_pairs_dates_partners_and_order():
    posts = make_posts(
        [
            {
                "text": "Join us on May 2-3 in Montevideo with @forum.org",
                "mentions": ["forum.org"],
                "hashtags": ["Peace"],
            },
            {"text": "Unrelated English post about 2025", "hashtags": []},
            {
                "text": "Nos vemos el 2 y 3 de mayo en Montevideo con @forum.org",
                "lang": "es",
                "mentions": ["forum.org"],
                "hashtags": ["Paz"],
            },
            {"text": "Another English post on May 2 with @forum.org", "mentions": ["forum.org"]},
            {"text": "Texte sans rapport", "lang": "und", "mentions": ["forum.org"]},
        ]
    )
    pairs = cp.cross_language_pairs(posts, min_score=0.0)
    assert pairs.height > 0
    assert set(zip(pairs["lang_a"], pairs["lang_b"], strict=True)) <= {("en", "es"), ("es", "en")}  # never und
    top = pairs.row(0, named=True)
    assert (top["position_a"], top["position_b"]) == (0, 2)
    assert top["shared_dates"] == ["05-02", "05-03"] and top["shared_partners"] == ["forum.org"]
    assert top["distance"] == 2 and "dates: 05-02, 05-03" in top["evidence"]
    assert pairs.row(1, named=True)["shared_dates"] == ["05-02"]  # (2, 3): one day in common
    assert (pairs["position_a"] < pairs["position_b"]).all()


def test_shortener_domains_are_no_evidence():
    posts = make_posts([{"text": "a", "domains": ["t.ly"]}, {"text": "b", "lang": "fr", "domains": ["t.ly"]}])
    assert cp.cross_language_pairs(posts, min_score=0.0).height == 0


# ---------------------------------------------------------------------------------------------------- series


def test_series_markers():
    posts = make_posts(
        [
            {"text": "🟡 #Meets day one", "hashtags": ["Meets"]},
            {"text": "🟡\ufe0f #Meets day two", "hashtags": ["Meets"], "mentions": ["x.org"]},
            {"text": "🟡 reposted marker", "is_repost": True},
            {"text": "BREAKING: news", "lang": "en"},
            {"text": "Breaking: more news", "lang": "fr"},
            {"text": "#Meets opener", "hashtags": ["Meets"]},
            {"text": "💦 only once"},
        ]
    )
    m = cp.series_markers(posts)
    assert m["marker"].to_list() == ["breaking:", "🟡"]
    yellow = m.filter(pl.col("marker") == "🟡").row(0, named=True)
    assert yellow["posts"] == 2 and yellow["positions"] == [0, 1]  # the repost is not the account's series
    assert yellow["campaigns"] == ["meets:2"] and yellow["kind"] == "emoji" and yellow["partners"] == ["x.org:1"]
    m2 = cp.series_markers(posts, include_reposts=True, min_posts=1)
    assert m2.filter(pl.col("marker") == "🟡")["posts"][0] == 3
    assert set(m2["kind"]) == {"emoji", "label", "hashtag"}
    capped = cp.series_markers(posts, max_positions=1).filter(pl.col("marker") == "🟡").row(0, named=True)
    assert capped["posts"] == 2 and capped["positions"] == [0]  # a big feed's table stays small


# ---------------------------------------------------------------------------------------------------- network


def test_partner_graph_and_exports(tmp_path, feed, aliases):
    g = cp.partner_graph(feed, aliases)
    assert g.nodes["campaign:lrgs"]["kind"] == "campaign" and g.nodes["campaign:lrgs"]["posts"] == 3
    assert g.nodes["account:a.org"]["posts"] == 2
    assert g.edges["campaign:lrgs", "account:a.org"] == {"kind": "mention", "weight": 2}
    assert g.edges["campaign:lrgs", "campaign:paz"] == {"kind": "cooccurrence", "weight": 2}
    assert g.edges["account:a.org", "account:b.org"] == {"kind": "comention", "weight": 1}
    a, b = tmp_path / "a.gexf", tmp_path / "b.gexf"
    assert cp.write_graph(g, a) == "gexf"
    cp.write_graph(cp.partner_graph(feed, aliases), b)
    assert a.read_bytes() == b.read_bytes() and b"lastmodifieddate" not in a.read_bytes()
    back = nx.read_gexf(a)
    assert back.number_of_nodes() == g.number_of_nodes() and back.number_of_edges() == g.number_of_edges()
    cp.write_graph(g, tmp_path / "g.graphml")
    assert nx.read_graphml(tmp_path / "g.graphml").edges["campaign:lrgs", "campaign:paz"]["weight"] == 2
    with pytest.raises(ValueError, match="use .gexf or .graphml"):
        cp.write_graph(g, tmp_path / "g.json")


def test_graph_layout_is_deterministic_and_bounded(feed, aliases):
    g = cp.partner_graph(feed, aliases)
    n1, e1 = cp.graph_layout(g, max_nodes=3)
    n2, e2 = cp.graph_layout(cp.partner_graph(feed, aliases), max_nodes=3)
    assert n1.equals(n2) and e1.equals(e2)
    assert n1.height <= 3 and set(e1["source"]) | set(e1["target"]) <= set(n1["id"])


# ------------------------------------------------------------------------------------------------ real feeds


def test_scrape_feed_end_to_end(tmp_path):
    """Language detected from the text (not the tag), on a small profile scrape written here."""
    text = (
        "Example Org\nWe are an example\n"
        "- 🟡 #LRGs are meeting in Seville today to discuss local finance and housing policies @forum.org\n"
        "- 🟡 Les #GLRs se réunissent aujourd'hui à Séville pour parler de finances locales @forum.org\n"
        "- Reposted by Example Org[Not loaded yet]\n"
        "- 🟡 Los #GLRs se reúnen hoy en Sevilla para hablar de finanzas locales y vivienda @forum.org\n"
    )
    posts = feedtools.read(write_feed(tmp_path, text))
    aliases = cp.load_aliases(SHIPPED)
    m = cp.campaign_metrics(posts, aliases).row(0, named=True)
    assert m["campaign_id"] == "lrgs" and m["posts"] == 3
    assert m["lang_shares"] == ["en:0.333", "es:0.333", "fr:0.333"]
    assert m["partners"] == ["forum.org:3"]
    assert cp.series_markers(posts, aliases)["marker"].to_list() == ["🟡"]


def test_seed_campaigns_and_language_mixes(seed_feed):
    aliases = cp.load_aliases(SHIPPED)
    m = {r["campaign_id"]: r for r in cp.campaign_metrics(seed_feed.posts, aliases).iter_rows(named=True)}
    # Checked by reading the posts: #UCLGMeets/#UCLGmeets in 18 posts (es: 42, 61; fr: 65, 74, 75).
    assert m["uclgmeets"]["hashtags"] == ["UCLGMeets:16", "UCLGmeets:2"]
    assert m["uclgmeets"]["lang_shares"] == ["en:0.722", "fr:0.167", "es:0.111"]
    # #LRGs in six English posts, #GLRs in Spanish (42) and French (72, 74).
    assert m["lrgs"]["hashtags"] == ["LRGs:6", "GLRs:3"]
    assert m["lrgs"]["lang_shares"] == ["en:0.667", "fr:0.222", "es:0.111"]
    # The peace forum: five Spanish posts (one a duplicate) and one English repost carrying both tags.
    assert m["peace-forum"]["posts"] == 6 and m["peace-forum"]["lang_shares"] == ["es:0.833", "en:0.167"]
    assert m["peace-forum"]["duplicates"] == 1 and m["peace-forum"]["reposts"] == 1
    # #SDGs (English, 2 and 7) and #ODS (Spanish, 56).
    assert m["sdgs"]["hashtags"] == ["SDGs:2", "ODS:1"] and m["sdgs"]["langs"] == ["en", "es"]
    for cid in ("uclgmeets", "lrgs", "peace-forum", "sdgs"):
        assert m[cid]["multilingual"] and m[cid]["in_table"]
    assert "glrs" not in m and "ods" not in m and "ciudadesyterritoriosdepaz" not in m
    s = cp.suggest_aliases(seed_feed.posts, aliases)
    pairs = set(zip(s["tag_a"], s["tag_b"], strict=True))
    assert ("LocalGov", "LocalGovs") in pairs  # a pair the alias table does not list
    # the seed's cross-language suggestions are aliases, not campaigns that co-occur (ODS / Beijing30 are related)
    assert s.filter(pl.col("kind") == "translation").height == 0  # the table already merges ODS / SDGs ...
    bare = cp.suggest_aliases(seed_feed.posts)
    assert {(r["tag_a"], r["tag_b"]) for r in bare.filter(pl.col("kind") == "translation").iter_rows(named=True)} == {
        ("ODS", "SDGs"),
        ("CitiesAndTerritoriesOfPeace", "CiudadesYTerritoriosDePaz"),
    }  # ... without it, found
    related = cp.related_campaigns(seed_feed.posts, aliases)
    rel = set(zip(related["campaign_a"], related["campaign_b"], strict=True))
    assert ("beijing30", "sdgs") in rel and ("droitshumains", "worldsocialjusticeday") in rel
    assert not rel & {
        (min(r["campaign_a"], r["campaign_b"]), max(r["campaign_a"], r["campaign_b"])) for r in s.iter_rows(named=True)
    }
    markers = cp.series_markers(seed_feed.posts, aliases)
    assert markers["marker"].head(3).to_list() == ["🟡", "💜", "💦"]


# ---------------------------------------------------------------------------------------------------- hostile bounds


def _many_tags_post(n_tags: int, **extra) -> dict:
    return {"hashtags": [f"tag{chr(97 + i % 26)}{i:05d}" for i in range(n_tags)], **extra}


def test_one_post_with_thousands_of_tags_is_capped_and_reported():
    posts = make_posts(
        [
            _many_tags_post(2000, lang="en", mentions=[f"p{i}.bsky.social" for i in range(500)]),
            {"hashtags": ["Paz", "Peace"], "lang": "es"},
        ]
    )
    stats: dict = {}
    graph = cp.partner_graph(posts, stats=stats)
    kinds = [d["kind"] for _, _, d in graph.edges(data=True)]
    assert kinds.count("cooccurrence") == 30 * 29 // 2 + 1  # capped post, plus the small one's pair
    assert kinds.count("comention") == 30 * 29 // 2 and kinds.count("mention") == 30 * 30
    assert graph.nodes["campaign:tagz00025"]["posts"] == 1  # nodes still count every tag
    assert graph.number_of_nodes() == 2000 + 2 + 500
    assert stats == {
        "max_tags_per_post": 30,
        "posts_over_tags_cap": 1,
        "tags_over_cap": 1970,
        "max_mentions_per_post": 30,
        "posts_over_mentions_cap": 1,
        "mentions_over_cap": 470,
    }
    metrics = cp.campaign_metrics(posts, stats=(m := {}))
    assert metrics.height == 2002 and m["tags_over_cap"] == 1970
    first = metrics.filter(pl.col("campaign_id") == "taga00000")
    assert first["co_campaigns"][0].len() == 10 and first["posts"][0] == 1  # co-campaigns among the first 30
    last = metrics.filter(pl.col("campaign_id") == "tagx01999")
    assert last["co_campaigns"][0].to_list() == [] and last["posts"][0] == 1  # beyond the cap: counted, not paired
    wide = cp.partner_graph(posts, max_tags_per_post=None, max_mentions_per_post=None)
    assert sum(d["kind"] == "cooccurrence" for _, _, d in wide.edges(data=True)) == 2000 * 1999 // 2 + 1


def test_suggestions_keep_the_strongest_and_count_all():
    posts = make_posts([{"hashtags": [f"campaign{i:05d}"]} for i in range(1500)])
    everything = cp.suggest_aliases(posts, max_suggestions=None, stats=(full := {}))
    assert full["suggestions_found"] == full["suggestions_kept"] == everything.height > 20_000
    stats: dict = {}
    top = cp.suggest_aliases(posts, max_suggestions=50, stats=stats)
    assert top.height == 50 and stats["suggestions_found"] == everything.height and stats["suggestions_kept"] == 50
    assert top.equals(everything.head(50))  # the strongest, in the documented order
    assert top["score"].min() >= everything["score"][50]
    assert cp.suggest_aliases(posts).height == cp.MAX_SUGGESTIONS


def test_caps_must_be_positive():
    posts = make_posts([{"hashtags": ["a", "b"]}])
    with pytest.raises(ValueError, match="max_tags_per_post must be at least 1"):
        cp.partner_graph(posts, max_tags_per_post=0)
    with pytest.raises(ValueError, match="max_suggestions"):
        cp.suggest_aliases(posts, max_suggestions=-1)
