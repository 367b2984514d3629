"""Date evidence: each kind in English, Spanish and French; relations from cue words; the calendar file."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from feedtools.dates import extract_evidence, load_observances, observance_date, reference_year
from feedtools.pipeline import enrich
from feedtools.schema import conform

D = dt.date


def feed(*texts: str, reposts: tuple[int, ...] = ()) -> pl.DataFrame:
    """A tiny canonical posts table (newest first) with hashtags filled by the real enrichment."""
    df = pl.DataFrame(
        {
            "position": list(range(len(texts))),
            "post_id": [f"t:{i}" for i in range(len(texts))],
            "text": list(texts),
            "is_repost": [i in reposts for i in range(len(texts))],
            "is_pinned": [False] * len(texts),
            "is_placeholder": [False] * len(texts),
        }
    )
    return enrich(conform(df), languages=("en", "es", "fr"))


def ev_of(text: str, **kw) -> pl.DataFrame:
    return extract_evidence(feed(text), **kw)


def one(ev: pl.DataFrame, kind: str) -> dict:
    rows = ev.filter(pl.col("kind") == kind).to_dicts()
    assert len(rows) == 1, ev
    return rows[0]


@pytest.mark.parametrize(
    "text, kind, start, end",
    [
        ("The summit is on October 5th, 2025.", "date", D(2025, 10, 5), D(2025, 10, 5)),
        ("Nos vemos el 3 de marzo de 2025 en Quito.", "date", D(2025, 3, 3), D(2025, 3, 3)),
        ("Rendez-vous le 1er mai 2025 à Lyon.", "date", D(2025, 5, 1), D(2025, 5, 1)),
        ("El 5º de mayo de 2025 presentamos el informe.", "date", D(2025, 5, 5), D(2025, 5, 5)),
        ("Join us May 2-3, 2025 in Rabat.", "date_range", D(2025, 5, 2), D(2025, 5, 3)),
        ("Bureau Ejecutivo (1-4 de abril de 2025) en Sevilla.", "date_range", D(2025, 4, 1), D(2025, 4, 4)),
        ("El 2 y 3 de mayo de 2025, Montevideo será sede del foro.", "date_range", D(2025, 5, 2), D(2025, 5, 3)),
        ("Le forum aura lieu du 1er au 4 avril 2025.", "date_range", D(2025, 4, 1), D(2025, 4, 4)),
        ("The conference runs 30 June - 3 July 2025 in Seville.", "date_range", D(2025, 6, 30), D(2025, 7, 3)),
    ],
)
def test_explicit_dates_and_ranges(text, kind, start, end):
    row = one(ev_of(text), kind)
    assert (row["date_min"], row["date_max"], row["year_source"]) == (start, end, "explicit")


def test_date_without_year_takes_reference_year_and_says_so():
    ev = extract_evidence(feed("Applications are open until October 5th!", "Our #HLPF2025 report is out."))
    row = one(ev.filter(pl.col("position") == 0), "date")
    assert row["date_min"] == D(2025, 10, 5) and row["year_source"] == "reference"
    # with no year anywhere and no hint the date is kept but bounds nothing
    row = one(ev_of("Applications are open until October 5th!"), "date")
    assert row["date_min"] is None and row["post_max"] is None and "no year" in row["note"]
    assert one(ev_of("Applications are open until October 5th!", year_hint=2023), "date")["date_min"] == D(2023, 10, 5)


@pytest.mark.parametrize(
    "text, hint, expected",
    [
        ("📢 El lunes 3 de marzo es el último día de solicitudes.", 2025, D(2025, 3, 3)),
        ("Deadline: Monday, March 3 for all applications.", 2024, D(2025, 3, 3)),  # 3 March 2024 was a Sunday
        ("Réunion le lundi 3 mars à Paris.", 2026, D(2025, 3, 3)),
    ],
)
def test_weekday_confirms_the_year(text, hint, expected):
    row = one(ev_of(text, year_hint=hint), "weekday")
    assert row["date_min"] == expected and row["year_source"] == "weekday"


def test_weekday_contradicting_an_explicit_year_is_flagged():
    row = one(ev_of("Le mardi 3 mars 2025 nous serons à Lyon."), "weekday")
    assert row["date_min"] == D(2025, 3, 3) and row["note"] == "weekday does not match the date"


@pytest.mark.parametrize(
    "text, years",
    [
        ("As the Retreat 2025 comes to a close, thank you!", [2025]),
        ("Read the report #HLPF2025 #Listen2Cities", [2025]),
        ("En nuestro Retiro #UCLGMeets 2026 presentamos un teaser.", [2026]),
        ("Séminaire 2024 : les priorités des #GLRs", [2024]),
        ("The path to the post-2030 agenda starts now; the 2030 Agenda too.", []),
        ("UNESCO has worked with cities since the 1950s, see example.org/2025/report", []),
    ],
)
def test_years(text, years):
    ev = ev_of(text).filter(pl.col("kind") == "year")
    assert sorted(d.year for d in ev["date_min"]) == years


@pytest.mark.parametrize(
    "text, key, day",
    [
        ("This #WorldRefugeeDay, we stand in solidarity.", "WorldRefugee", D(2025, 6, 20)),
        ("Hoy es el Día Mundial del Refugiado: ciudades de acogida.", "WorldRefugee", D(2025, 6, 20)),
        ("Aujourd'hui, Journée mondiale des réfugiés : nos villes accueillent.", "WorldRefugee", D(2025, 6, 20)),
        ("💜 #WorldSocialJusticeDay Public service workers are the backbone.", "WorldSocialJustice", D(2025, 2, 20)),
        ("#WorldHabitatDay: housing for all.", "WorldHabitat", D(2025, 10, 6)),  # first Monday of October
    ],
)
def test_observances_by_hashtag_and_name(text, key, day):
    row = one(ev_of(text, year_hint=2025), "observance")
    assert (row["observance"], row["date_min"]) == (key, day)


def test_observance_year_from_hashtag_and_relation():
    row = one(ev_of("🟣 #IWD2025 From #CSW68 to #CSW69"), "observance")
    assert row["date_min"] == D(2025, 3, 8) and row["year_source"] == "hashtag"
    assert row["relation"] == "around"  # no cue: within the slack either side
    assert (row["post_min"], row["post_max"]) == (D(2025, 3, 5), D(2025, 3, 11))
    on = one(ev_of("This #WorldRefugeeDay we renew our commitment.", year_hint=2025), "observance")
    assert on["relation"] == "on" and on["post_min"] == on["post_max"] == D(2025, 6, 20)
    # "Peace #IWD2025": the 'ce' inside 'Peace' is not the French 'ce'
    assert one(ev_of("Women & Peace #IWD2025"), "observance")["relation"] == "around"


@pytest.mark.parametrize(
    "text, index",
    [
        ("💦 Day 2 of the Online Training Academy has begun", 2),
        ("🌟 ¡Día 2 del 5º Foro Mundial en Montevideo!", 2),
        ("🟡 4e jour du Séminaire 2025", 4),
        ("We are very excited to start the first day of our Executive Bureau", 1),
        ("Don't miss the final day of the Retreat!", -1),
        ("C'est le dernier jour du forum.", -1),
        ("Segunda jornada del congreso", 2),
        ("👏¡Empieza el 5º Foro Mundial de Ciudades y Territorios de Paz!", 1),
    ],
)
def test_event_day_ordinals(text, index):
    assert one(ev_of(text), "event_day")["day_index"] == index


def test_deadline_is_not_an_event_day():
    ev = ev_of("El lunes 3 de marzo es el último día de solicitudes.", year_hint=2025)
    assert ev.filter(pl.col("kind") == "event_day").height == 0
    assert one(ev, "weekday")["relation"] == "before"


@pytest.mark.parametrize(
    "text, relation",
    [
        ("Today & over the next days we host the Town Hall", "on"),
        ("Hoy empieza la semana de la ciudad", "on"),
        ("Aujourd'hui nous lançons le rapport", "on"),
        ("Speaking this morning at the Climate Summit", "on"),
        ("Ce matin, la session plénière", "on"),
        ("Last night, in the courtyard, the opening took place", "after"),
        ("Anoche se inauguró el foro", "after"),
        ("Hier soir, ouverture officielle", "after"),
    ],
)
def test_relative_words(text, relation):
    assert one(ev_of(text), "relative")["relation"] == relation


@pytest.mark.parametrize(
    "text, relation, post_min, post_max",
    [
        ("The forum will take place on 12 May 2025.", "before", None, D(2025, 5, 12)),
        ("El foro será el 12 de mayo de 2025.", "before", None, D(2025, 5, 12)),
        ("Le forum se tiendra le 12 mai 2025.", "before", None, D(2025, 5, 12)),
        ("Applications are open until 12 May 2025!", "before", None, D(2025, 5, 12)),
        ("The academy held on 12 May 2025 has just finished!", "after", D(2025, 5, 12), None),
        ("La asamblea se celebró el 12 de mayo de 2025.", "after", D(2025, 5, 12), None),
        ("L'Assemblée s'est réunie le 12 mai 2025.", "after", D(2025, 5, 12), None),
        ("Today, 12 May 2025, we open the forum.", "on", D(2025, 5, 12), D(2025, 5, 12)),
        ("Le conseil se réunit le 12 mai 2025.", "on", D(2025, 5, 12), D(2025, 5, 12)),
        ("Report on the 12 May 2025 meeting.", "unknown", None, None),
    ],
)
def test_relation_of_post_to_event(text, relation, post_min, post_max):
    row = one(ev_of(text), "date")
    assert (row["relation"], row["post_min"], row["post_max"]) == (relation, post_min, post_max)


def test_repost_may_come_later_than_the_event():
    ev = extract_evidence(feed("Speaking today, 12 May 2025, at the summit."), repost_lag_days=30)
    assert one(ev, "date")["post_max"] == D(2025, 5, 12)
    ev = extract_evidence(feed("Speaking today, 12 May 2025, at the summit.", reposts=(0,)), repost_lag_days=30)
    row = one(ev, "date")
    assert (row["post_min"], row["post_max"]) == (D(2025, 5, 12), D(2025, 6, 11))


@pytest.mark.parametrize(
    "text",
    [
        "🕒 2–3 hours of practical tools",
        "More than 30% of women are time poor",
        "Jan van Zanen, Mayor of Den Haag",
        "Explore #SDG3 #SDG14 and the 9th GOLD Report",
        "We need inclusive multilateralism",
        "For 3 days, #LocalGovs meet",
        "impossible: 31 de febrero",
    ],
)
def test_no_false_dates(text):
    ev = ev_of(text, year_hint=2025)
    assert ev.filter(pl.col("date_min").is_not_null() & (pl.col("kind") != "year")).height == 0


def test_impossible_date_is_kept_with_a_note():
    row = one(ev_of("Meeting on 30 February 2025"), "date")
    assert row["date_min"] is None and row["note"] == "impossible date"


def test_empty_and_textless_posts():
    assert extract_evidence(feed()).height == 0
    df = feed("no clue here at all", "nothing either")
    assert extract_evidence(df).height == 0


def test_reference_year():
    df = feed("Retreat 2025", "#IWD2025", "Back in 2019")
    assert reference_year(df) == 2025
    assert reference_year(df, year_hint=2021) == 2021
    assert reference_year(feed("no year")) is None


# --------------------------------------------------------------------------------------------- calendar
def test_shipped_calendar_loads_and_has_the_seed_days():
    cal = load_observances()
    days = {r["key"]: (r["month"], r["day"]) for r in cal.iter_rows(named=True)}
    assert days["WorldRefugee"] == (6, 20) and days["IWD"] == (3, 8) and days["WorldSocialJustice"] == (2, 20)
    assert days["WorldCities"] == (10, 31)
    assert cal["key"].n_unique() == cal.height


@pytest.mark.parametrize(
    "line, message",
    [
        ("X,13-45,XTag,,", "line 3: date '13-45' is not a valid MM-DD"),
        ("X,second Sundy of May,XTag,,", "line 3: date 'second Sundy of May' is neither MM-DD"),
        (",06-20,XTag,,", "line 3: empty key"),
        ("A,06-21,ATag,,", "line 3: duplicate key 'A'"),
        ("X,06-21,,,", "line 3: observance 'X' has neither hashtags nor names"),
        ("X,06-21,a,b,c,d,e", "line 3: 7 fields, the header (line 1) has 5"),
    ],
)
def test_malformed_calendar_row_names_the_line(tmp_path, line, message):
    path = tmp_path / "obs.csv"
    path.write_text("key,date,hashtags,names,notes\nA,06-20,ATag,,\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_observances(path)


def test_user_calendar_with_rule_and_comments(tmp_path):
    path = tmp_path / "obs.csv"
    path.write_text(
        "# my days\nkey,date,hashtags,names,notes\nCityDay,last Friday of November,CityDay,Day of Our City,local\n",
        encoding="utf-8",
    )
    cal = load_observances(path)
    assert observance_date(None, None, cal["rule"][0], 2025) == D(2025, 11, 28)
    row = one(extract_evidence(feed("Happy #CityDay2025 to everyone"), calendar=cal), "observance")
    assert row["date_min"] == D(2025, 11, 28) and row["relation"] == "on"
    row = one(extract_evidence(feed("Tomorrow is the Day of Our City"), calendar=cal, year_hint=2024), "observance")
    assert row["date_min"] == D(2024, 11, 29)


def test_observance_date_rules():
    assert observance_date(None, None, "second sunday of may", 2025) == D(2025, 5, 11)
    assert observance_date(None, None, "first monday of october", 2024) == D(2024, 10, 7)
    assert observance_date(2, 29, None, 2025) is None


def test_duplicate_key_is_reported_before_a_bad_date(tmp_path):
    path = tmp_path / "obs.csv"
    path.write_text("key,date,hashtags,names,notes\nA,06-20,ATag,,\nA,13-45,,,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3: duplicate key 'A'"):
        load_observances(path)


def test_the_package_keeps_the_old_module_names():
    """``feedtools.dates`` became a package (issue 18): the names imported from it before still are."""
    from feedtools import dates
    from feedtools.dates import (  # noqa: F401
        AFTER_CUES,
        BEFORE_CUES,
        DAY_FIRST,
        DEFAULT_CALENDAR,
        EVENT_FIRST,
        EVENT_LAST,
        EVIDENCE_CHUNK_ROWS,
        EVIDENCE_SCHEMA,
        MONTH_FIRST,
        MONTHS,
        ON_CUES,
        WEEKDAYS,
        YEAR_IN_TEXT,
    )
    from feedtools.timeline import events

    assert set(dates.__all__) <= set(dir(dates))
    assert DEFAULT_CALENDAR.name == "observances.csv" and list(EVIDENCE_SCHEMA)[:3] == ["position", "post_id", "kind"]
    assert events.resolve_event_days.__module__ == "feedtools.timeline.event_days" and callable(events.event_spans)


def test_evidence_is_read_a_chunk_of_rows_at_a_time(monkeypatch):
    """The chunk size set on ``feedtools.dates`` is the one used (the chunked-timeline test relies on it), and
    the evidence is the same whatever it is."""
    from feedtools import dates

    texts = ("Day 2 of the Forum #IWD2025", "Nos vemos el 3 de marzo", "Today, 1-4 April 2025", "nothing", "#HLPF2024")
    whole = extract_evidence(feed(*texts))
    calls = []
    chunk = dates._chunk_evidence
    monkeypatch.setattr(dates, "_chunk_evidence", lambda posts, *a: calls.append(posts.height) or chunk(posts, *a))
    monkeypatch.setattr(dates, "EVIDENCE_CHUNK_ROWS", 2)
    assert extract_evidence(feed(*texts)).equals(whole)
    assert calls == [2, 2, 1]
