"""Cross-language content similarity (feedtools.similarity) and the post pairs it ranks, measured on hand labels."""

from __future__ import annotations

import polars as pl
import pytest
from test_campaigns import make_posts

import feedtools.campaigns as cp
from feedtools import similarity as sim


def frame(*rows: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "_row": list(range(len(rows))),
            "position": list(range(len(rows))),
            "lang": [r[0] for r in rows],
            "text": [r[1] for r in rows],
        }
    )


def test_hashtags_split_into_folded_words():
    words = sim.post_words(frame(("es", "#CiudadesYTerritoriosDePaz en Séville"), ("en", "#UCLGMeets #UCLGmeets")))
    assert words.filter(pl.col("_row") == 0)["word"].to_list() == ["ciudades", "seville", "territorios"]
    assert words.filter(pl.col("_row") == 1)["word"].to_list() == ["uclgmeets"]


def test_features_read_numbers_dates_mentions_links_and_tags():
    f = sim.post_features(frame(("en", "On 2-3 May, 2025 with @forum.org see https://www.example.org/x #Peace")))
    values = set(f["feature"].to_list())
    assert {"n:2025", "d:05-02", "d:05-03", "@:forum.org", "u:example.org/x", "h:peace", "g:pea"} - values == {
        "g:pea"
    }  # 4-grams only
    assert {"g: pea", "g:peac", "g:eace", "g:ace "} <= values


def test_names_and_cognates_beat_unrelated_neighbours():
    posts = frame(
        ("en", "Our Executive Bureau meets in Seville on April 1 to discuss municipal finance"),
        ("es", "Nuestro Bureau Ejecutivo se reúne en Sevilla el 1 de abril para debatir la financiación municipal"),
        ("fr", "Le séminaire annuel des maires a lieu à Lyon"),
        ("es", "Hoy celebramos el día de la mujer en todas las ciudades"),
    )
    pairs = sim.content_pairs(posts, window=3, min_similarity=0.0)
    best = pairs.sort("similarity", descending=True).row(0, named=True)
    assert (best["_row_a"], best["_row_b"]) == (0, 1) and best["similarity"] > 0.3
    words = sim.shared_words(posts, pairs.head(1))["words"][0].to_list()
    assert "bureau" in words and "seville~sevilla" in words and "executive~ejecutivo" in words
    assert pairs.filter((pl.col("_row_a") == 0) & (pl.col("_row_b") == 2)).height == 0  # nothing in common
    # same language is never paired; outside the window neither
    assert sim.content_pairs(posts.with_columns(lang=pl.lit("en")), window=3).height == 0
    assert sim.content_pairs(posts.with_columns(position=pl.col("position") * 10), window=3).height == 0


def test_chunking_gives_the_same_pairs():
    texts = [
        ("en", "Forum of Cities of Peace in Montevideo"),
        ("es", "Foro de Ciudades de Paz en Montevideo"),
        ("fr", "Forum des villes de paix à Montevideo"),
        ("en", "Water academy day 2 on climate resilience"),
        ("es", "Academia del agua día 2 sobre resiliencia climática"),
    ] * 7
    posts = frame(*texts)
    whole = sim.content_pairs(posts, window=4)
    assert whole.height > 0 and whole.equals(sim.content_pairs(posts, window=4, chunk=3))
    with pytest.raises(ValueError):
        sim.content_pairs(posts, window=-1)


# Same-announcement pairs of the bundled seed, labelled by hand by position (cross-language, loaded posts):
# the 5th World Forum of Cities and Territories of Peace in Montevideo (22 en; 23-27 es), the Executive Bureau in
# Seville (31, 33, 35, 40 en; 42 es), the World Assembly of Local and Regional Governments at FfD4 in Seville
# (11 fr; 13, 28 en), day 4 of the Retreat and its "New Essentials" session (68 es; 71, 73 en; 72, 74, 75 fr).
SEED_SAME = {
    (22, 23),
    (22, 24),
    (22, 25),
    (22, 26),
    (22, 27),
    (31, 42),
    (33, 42),
    (35, 42),
    (40, 42),
    (11, 13),
    (11, 28),
    (73, 74),
    (73, 75),
    (71, 72),
    (71, 74),
    (68, 71),
    (68, 72),
    (68, 74),
}


def test_seed_pairs_ranked_by_content(seed_feed):
    pairs = cp.cross_language_pairs(seed_feed.posts)
    got = list(zip(pairs["position_a"], pairs["position_b"], strict=True))
    # before this ranking (shared partners/numbers/campaigns + proximity): precision at 10 was 0.5, 6 of the
    # 18 labelled pairs in the top 15, recall 7/18
    assert sum(g in SEED_SAME for g in got[:10]) >= 8  # precision at 10: 0.8
    assert sum(g in SEED_SAME for g in got[:15]) >= 10
    assert sum(g in SEED_SAME for g in got) >= 15  # recall 15/18 (11-28 is 17 positions apart: beyond the window)
    top = pairs.head(10)
    # no top pair rests on proximity alone: each shares words, or exact partners, links, dates or numbers
    assert (top["shared_words"].list.len() > 0).all() and (top["content"] > 0.1).all()
    row = pairs.filter((pl.col("position_a") == 40) & (pl.col("position_b") == 42)).row(0, named=True)
    assert {"sevilla", "bureau"} <= set(row["shared_words"]) and "worldledforum.bsky.social" in row["shared_partners"]
    assert pairs["score"].to_list() == sorted(pairs["score"].to_list(), reverse=True)


# The second feed: hand-made parallel announcements (en/es/fr) interleaved with unrelated posts, bundled as
# data/parallel_announcements.csv (26 posts, 7 announcements, 13 labelled cross-language pairs).
def test_parallel_feed_precision_and_recall():
    from feedtools.paths import DATA

    q = sim.measure_labelled()
    assert (q["posts"], q["labelled"]) == (26, 13)
    # before (ranking by shared partners, numbers, campaigns and proximity) the first 6 labelled pairs of this
    # feed were found 4 of 6; now every labelled pair is ranked and the top 10 are all labelled
    assert q["precision_at_k"] == 1.0 and q["recall"] == 1.0
    # the same through the posts table and cross_language_pairs
    df = pl.read_csv(DATA / "parallel_announcements.csv", comment_prefix="#")
    posts = make_posts([{"lang": lang, "text": text} for lang, text in df.select("lang", "text").iter_rows()])
    pairs = cp.cross_language_pairs(posts)
    got = list(zip(pairs["position_a"], pairs["position_b"], strict=True))
    lab = df.with_row_index("p").filter(pl.col("announcement").is_not_null())
    labelled = {
        (a, b)
        for a, b, la, lb in lab.join(lab, on="announcement")
        .filter(pl.col("p") < pl.col("p_right"))
        .select("p", "p_right", "lang", "lang_right")
        .iter_rows()
        if la != lb
    }
    assert len(labelled) == 13 and set(got[:13]) == labelled
    assert "Measured on 26 hand-labelled posts" in sim.describe_quality(
        q
    ) and "precision at 10 1.00" in sim.describe_quality(q)


def test_ranking_quality_counts():
    q = sim.ranking_quality([(1, 2), (3, 4), (5, 6)], {(1, 2), (5, 6), (7, 8)}, k=2)
    assert q == {"precision_at_k": 0.5, "recall": 2 / 3, "found": 2, "labelled": 3, "k": 2}
    assert sim.ranking_quality([], set())["precision_at_k"] == 0.0


def test_measure_labelled_rejects_a_file_without_labels(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("lang,text\nen,hello\n")
    with pytest.raises(ValueError, match="announcement"):
        sim.measure_labelled(str(bad))


def test_no_shared_feature_gives_no_pair_even_with_words():
    posts = frame(("en", "Good morning"), ("fr", "Bonne nuit"))
    assert sim.content_pairs(posts, words=True).columns == ["_row_a", "_row_b", "similarity", "words"]
    assert sim.content_pairs(posts, words=True).height == 0


def timed(*rows: tuple[str, str, int]) -> pl.DataFrame:
    """A frame like :func:`frame` with ``time`` = 2025-03-01 plus the given minutes."""
    import datetime as dt

    start = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    return frame(*[(lang, text) for lang, text, _ in rows]).with_columns(
        time=pl.Series([start + dt.timedelta(minutes=m) for _, _, m in rows])
    )


FORUM_EN = "Forum of Cities of Peace opens in Montevideo with the mayors of Rosario and Bogotá"
FORUM_ES = "Se abre en Montevideo el Foro de Ciudades de Paz con las alcaldías de Rosario y Bogotá"


def test_time_window_pairs_by_date_not_feed_order():
    import datetime as dt

    filler = [("fr", f"Note numéro {i} sur le budget", 60 + i) for i in range(20)]
    # the two announcements are 22 positions apart but 45 minutes apart in time; a look-alike es post sits
    # right after the English one in the feed but three days later
    posts = timed(
        ("en", FORUM_EN, 0),
        ("es", FORUM_ES.replace("Se abre", "Tres días después se cierra"), 3 * 24 * 60),
        *filler,
        ("es", FORUM_ES, 45),
    )
    by_pos = sim.content_pairs(posts, window=12, min_similarity=0.2)
    by_time = sim.content_pairs(posts, time_window=dt.timedelta(hours=2), min_similarity=0.2)
    assert set(zip(by_pos["_row_a"], by_pos["_row_b"], strict=True)) == {(0, 1)}
    assert set(zip(by_time["_row_a"], by_time["_row_b"], strict=True)) == {(0, 22)}  # _row_a: earlier in the feed
    # a wider time window finds both; max_neighbours bounds the posts compared in time order
    wide = sim.content_pairs(posts, time_window=dt.timedelta(days=4), min_similarity=0.2)
    assert set(zip(wide["_row_a"], wide["_row_b"], strict=True)) == {(0, 1), (0, 22)}
    near = sim.content_pairs(posts, time_window=dt.timedelta(days=4), max_neighbours=1, min_similarity=0.2)
    assert set(zip(near["_row_a"], near["_row_b"], strict=True)) == {(0, 22)}  # next in time order
    # chunks of 3 posts give the same pairs; a post with no time is not compared
    assert wide.equals(sim.content_pairs(posts, time_window=dt.timedelta(days=4), min_similarity=0.2, chunk=3))
    undated = posts.with_columns(time=pl.when(pl.col("_row") == 22).then(None).otherwise(pl.col("time")))
    assert sim.content_pairs(undated, time_window=dt.timedelta(days=4), min_similarity=0.2)["_row_b"].to_list() == [1]
    with pytest.raises(ValueError, match="time window"):
        sim.content_pairs(posts, time_window=dt.timedelta(hours=-1))
    with pytest.raises(ValueError, match="max_neighbours"):
        sim.content_pairs(posts, time_window=dt.timedelta(hours=1), max_neighbours=0)


def test_chunks_stream_the_same_pairs():
    posts = frame(
        *[
            (("en", FORUM_EN), ("es", FORUM_ES), ("fr", "Forum des villes de paix à Montevideo"))[i % 3]
            for i in range(30)
        ]
    )
    parts = list(sim.iter_content_pairs(posts, window=4, chunk=7))
    assert len(parts) == 5 and all(p.columns == ["_row_a", "_row_b", "similarity"] for p in parts)
    assert pl.concat(parts).sort("_row_a", "_row_b").equals(sim.content_pairs(posts, window=4))
    # each chunk holds the pairs whose earlier post is in it
    assert all(p["_row_a"].is_between(7 * i, 7 * i + 6).all() for i, p in enumerate(parts))


# The second real multilingual feed: the Bluesky captures in ../shared/bluesky-samples were searched for posts
# that translate or re-announce each other in another language. There are none: jetstream_expected_v1.jsonl
# holds 17 posts (en 11, und 3, ja, cs, ru), the twitwi firehose file 9 (en 7, ja, de; its hydrated twin the
# same 9), the repo CAR 6 (en 3, und 3), every one about something else. So no pair is labelled there and the
# hand-made parallel feed above stays the measure of recall; what the captures measure is the false candidates.
CAPTURES = {
    "jetstream_expected_v1.jsonl": {"en": 11, "und": 3, "ja": 1, "cs": 1, "ru": 1},
    "twitwi_bluesky-firehose-posts.json": {"en": 7, "ja": 1, "de": 1},
}


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_real_multilingual_captures_hold_no_translations(samples, name):
    import feedtools

    posts = feedtools.load(samples / name).posts.filter(~pl.col("is_placeholder"))
    assert dict(posts.group_by("lang").len().iter_rows()) == CAPTURES[name]
    pairs = cp.cross_language_pairs(posts)
    # every candidate is a false one (nothing is labelled): precision 0 on 3 + 2 candidates, and none of them
    # shares an exact partner, link, date or number, only word fragments (political~politika, en / cs)
    assert pairs.height == {"jetstream_expected_v1.jsonl": 3, "twitwi_bluesky-firehose-posts.json": 2}[name]
    exact = ["shared_partners", "shared_links", "shared_dates", "shared_numbers"]
    assert pairs.select(pl.sum_horizontal(pl.col(c).list.len() for c in exact)).to_series().sum() == 0
