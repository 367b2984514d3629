"""Test fixture: a small synthetic dated feed for the timeline tests (moved out of the library: it is a fixture,
not a finding about any feed)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from feedtools.pipeline import enrich
from feedtools.schema import conform


def demo_dated_feed() -> pl.DataFrame:
    """A small SYNTHETIC dated feed (canonical schema, 16 posts of a made-up city network in
    en/es/fr, newest first, ``created_at`` set) for testing :func:`feedtools.timeline.hidden_timestamp_error`
    and the timeline charts. It is not real data: texts are written to contain the kinds of evidence the
    seed has (observances, ranges, event days, tense), plus posts with none.
    """
    rows = [
        ("2025-10-31T09:00:00Z", "Happy #WorldCitiesDay! Cities shape the future.", False),
        ("2025-10-30T16:00:00Z", "Thank you to all partners for a great year of work.", False),
        ("2025-10-22T10:00:00Z", "Day 2 of the Urban Forum: housing and climate finance today. #UrbanForum25", False),
        ("2025-10-21T08:30:00Z", "Day 1 of the Urban Forum starts now in Lyon! #UrbanForum25", False),
        ("2025-10-14T12:00:00Z", "Le Forum urbain aura lieu du 21 au 23 octobre à Lyon. #UrbanForum25", False),
        ("2025-10-02T09:00:00Z", "Nuevo informe sobre vivienda asequible en ciudades intermedias.", False),
        ("2025-09-21T10:00:00Z", "On this #PeaceDay we stand with cities building peace.", False),
        ("2025-09-10T15:00:00Z", "Applications for our online course are open until September 30th!", False),
        ("2025-07-15T09:00:00Z", "Today at #HLPF2025 local leaders present their reviews.", False),
        ("2025-06-20T08:00:00Z", "This #WorldRefugeeDay we renew our commitment to welcoming cities.", False),
        ("2025-06-12T11:00:00Z", "Our team visited partner municipalities this week.", False),
        ("2025-05-05T18:00:00Z", "El Foro de Ciudades ha terminado: gracias a todas. #ForoCiudades", False),
        ("2025-05-03T09:00:00Z", "¡Día 2 del Foro de Ciudades en Quito! #ForoCiudades", False),
        ("2025-05-02T09:00:00Z", "¡Empieza el Foro de Ciudades en Quito! #ForoCiudades", False),
        ("2025-04-20T10:00:00Z", "El 2 y 3 de mayo, Quito será sede del Foro de Ciudades. #ForoCiudades", False),
        ("2025-03-08T09:00:00Z", "#IWD2025: women mayors lead the way.", False),
    ]
    df = pl.DataFrame(
        {
            "position": list(range(len(rows))),
            "post_id": [f"demo:{i}" for i in range(len(rows))],
            "source": ["demo"] * len(rows),
            "source_format": ["demo"] * len(rows),
            "author_handle": ["cities.example"] * len(rows),
            "is_repost": [r[2] for r in rows],
            "is_pinned": [False] * len(rows),
            "is_placeholder": [False] * len(rows),
            "text": [r[1] for r in rows],
            "created_at": [dt.datetime.fromisoformat(r[0]) for r in rows],
            "created_at_raw": [r[0] for r in rows],
        }
    )
    return enrich(conform(df), languages=("en", "es", "fr"))
