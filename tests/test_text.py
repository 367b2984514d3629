"""The one text module: a hashtag is one key and a date is read one way in every module that uses them."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from builders import text_feed as feed

from feedtools import campaigns as cp
from feedtools import text as tx
from feedtools.dates import extract_evidence
from feedtools.timeline import build_timeline, find_events, period_counts


# ------------------------------------------------------------------------------------------------ folding
@pytest.mark.parametrize(
    "spellings, key",
    [
        (["#DíaMundial", "#dia_mundial", "DIA-MUNDIAL", "#DiaMundial"], "diamundial"),
        (["JournéeMondiale", "journee_mondiale", "#JOURNÉE-MONDIALE"], "journeemondiale"),
        (["UCLGMeets", "#UCLGmeets", "＃ＵＣＬＧmeets"], "uclgmeets"),
    ],
)
def test_fold_tag_gives_one_key_per_spelling(spellings, key):
    assert {tx.fold_tag(s) for s in spellings} == {key}
    assert tx.fold_tags(pl.Series(spellings)).to_list() == [key] * len(spellings)


def test_fold_text_folds_case_and_accents_but_keeps_words_apart():
    assert tx.fold_text("Séville, Día Mundial") == "seville, dia mundial"
    got = pl.select(tx.fold_text_expr(pl.lit("Séville, Día Mundial"))).item()
    assert got == "seville, dia mundial"


def test_campaigns_timelines_and_charts_share_the_hashtag_key():
    posts = feed(
        "Hoy es el #DíaMundial de las ciudades",
        "Celebrating #dia_mundial with partners",
        "Joyeuse #DIA-MUNDIAL à toutes et à tous",
    )
    camp = cp.assign_campaigns(posts)["campaigns"].to_list()
    assert camp == [["diamundial"]] * 3
    events, membership = find_events(posts)
    assert events.height == 1 and "#diamundial" in events["keys"][0]
    assert membership.height == 3
    tl = build_timeline(posts, year_hint=2025)
    counts = period_counts(tl.posts, by="hashtag", posts=posts)
    assert set(counts["group"]) == {"#diamundial"}


def test_observance_hashtags_are_matched_by_the_same_key():
    # the shipped calendar writes JourneeMondialeDesRefugies without accents; the post writes them
    posts = feed("Ce #JournéeMondialeDesRéfugiés nous accueillons", "This #World_Refugee_Day we stand together")
    ev = extract_evidence(posts, year_hint=2025).filter(pl.col("kind") == "observance")
    assert ev["observance"].to_list() == ["WorldRefugee", "WorldRefugee"]
    assert ev["date_min"].to_list() == [dt.date(2025, 6, 20)] * 2


# ------------------------------------------------------------------------------------------------ dates
@pytest.mark.parametrize(
    "name, month",
    [
        ("abr", 4),
        ("Abr.", 4),
        ("ABRIL", 4),
        ("avr", 4),
        ("févr", 2),
        ("fevr", 2),
        ("FÉVRIER", 2),
        ("août", 8),
        ("aout", 8),
        ("sept.", 9),
        ("setiembre", 9),
        ("dic", 12),
        ("déc", 12),
        ("juil", 7),
        ("janv", 1),
        ("ene", 1),
        ("mayo", 5),
        ("Mai", 5),
        ("monday", None),
    ],
)
def test_month_number_reads_en_es_fr_names_any_case_and_accent(name, month):
    assert pl.select(tx.month_number(pl.lit(name))).item() == month


def test_weekday_number():
    got = (
        pl.select(
            pl.Series(["Lunes", "miercoles", "MERCREDI", "Sábado", "sabado", "sunday", "mayo"])
            .to_frame("w")
            .select(tx.weekday_number(pl.col("w")))
        )
        .to_series()
        .to_list()
    )
    assert got == [1, 3, 3, 6, 6, 7, None]


DATE_TEXTS = {
    "Nos vemos el 5 abr en Quito": ["04-05"],
    "Reunión el 5 abr. y más": ["04-05"],
    "El 3 de marzo es el día": ["03-03"],
    "Del 1 al 4 de abril en Sevilla": ["04-01", "04-02", "04-03", "04-04"],
    "1-4 de abril": ["04-01", "04-02", "04-03", "04-04"],
    "See you on October 5th": ["10-05"],
    "From 30 June - 3 July 2025 in Seville": ["06-30", "07-01", "07-02", "07-03"],
    "Rendez-vous le 1er mai": ["05-01"],
    "du 1er au 4 avril": ["04-01", "04-02", "04-03", "04-04"],
    "le 12 févr. à Paris": ["02-12"],
    "on May 2-3 in Montevideo": ["05-02", "05-03"],
    "el 2 y 3 de mayo": ["05-02", "05-03"],
    "Nothing to see on 31 abril": [],  # impossible day: no date anywhere
}


@pytest.mark.parametrize("text", sorted(DATE_TEXTS))
def test_a_date_is_read_the_same_by_dates_and_campaigns(text):
    want = DATE_TEXTS[text]
    posts = feed(text)
    ev = extract_evidence(posts, year_hint=2025).filter(
        pl.col("kind").is_in(["date", "date_range", "weekday"]) & pl.col("date_min").is_not_null()
    )
    days_dates = sorted(
        d.strftime("%m-%d")
        for lo, hi in ev.select("date_min", "date_max").iter_rows()
        for d in pl.date_range(lo, hi, eager=True).to_list()
    )
    tokens = cp._date_tokens(pl.DataFrame({"_row": [0], "_s": [text]}))
    assert days_dates == want
    assert sorted(tokens["value"].to_list()) == want


def test_cross_language_pairs_find_the_abbreviated_spanish_date():
    posts = feed("Workshop on housing on April 5 with @habitat.org", "Taller de vivienda el 5 abr con @habitat.org")
    posts = posts.with_columns(lang=pl.Series(["en", "es"]))
    pairs = cp.cross_language_pairs(posts, min_score=0.0)
    assert pairs.height == 1 and pairs["shared_dates"].to_list() == [["04-05"]]


def test_series_markers_use_the_hashtag_key():
    posts = feed("#DíaMundial: first post", "#dia_mundial: second post", "#DIA-MUNDIAL: third")
    marked = cp.posts_with_campaigns(posts)["series_marker"].to_list()
    assert marked == ["#diamundial"] * 3
    assert cp.series_markers(posts)["marker"].to_list() == ["#diamundial"]
