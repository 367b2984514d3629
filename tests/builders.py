"""Small posts tables for tests, built in memory: the two shapes several test modules share.

* :func:`make_posts` - rows as short dicts, not enriched: the columns an analysis reads are given directly.
* :func:`text_feed` - posts from their texts alone, enriched like a parsed feed (``en``/``es``/``fr``).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from feedtools.pipeline import enrich
from feedtools.schema import conform

#: What a row of :func:`make_posts` holds unless the test says otherwise: an own, loaded post in English.
ROW_DEFAULTS = {
    "is_repost": False,
    "is_placeholder": False,
    "lang": "en",
    "hashtags": [],
    "mentions": [],
    "domains": [],
    "urls": [],
    "text": "",
    "author_handle": None,
    "reposted_by": None,
}


def make_posts(rows: list[dict]) -> pl.DataFrame:
    """A canonical posts table (:func:`conform`) from short row dicts over :data:`ROW_DEFAULTS`; ``position`` is
    the row's index unless given, a placeholder has no text and no entities, ``text_clean`` is ``text``.
    No rows: the empty table with the same columns."""
    full = []
    for i, r in enumerate(rows):
        d = {"position": i, **ROW_DEFAULTS, **r}
        if d["is_placeholder"]:
            d.update(text=None, lang="und", hashtags=[], mentions=[], domains=[], urls=[])
        d["text_clean"] = d["text"]
        full.append(d)
    if not full:
        return make_posts([{}]).clear()
    return conform(pl.DataFrame(full, infer_schema_length=None))


def text_feed(
    *texts: str,
    pinned: int | None = None,
    created: list[str | None] | None = None,
    reposts: tuple[int, ...] = (),
    authors: list[str | None] | None = None,
    source_format: str | None = None,
) -> pl.DataFrame:
    """Posts ``t:0``, ``t:1``… with these texts, in this order, enriched (languages among en/es/fr).

    ``pinned``: the index of the pinned post; ``created``: ISO timestamps (None: undated); ``reposts``: indexes
    of reposts; ``authors``: author DIDs; ``source_format``: the format column (None: left null by conform).
    """
    n = len(texts)
    columns: dict[str, list] = {
        "position": list(range(n)),
        "post_id": [f"t:{i}" for i in range(n)],
        "text": list(texts),
        "is_repost": [i in reposts for i in range(n)],
        "is_pinned": [i == pinned for i in range(n)],
        "is_placeholder": [False] * n,
        "author_did": authors or [None] * n,
        "created_at": [dt.datetime.fromisoformat(c) if c else None for c in (created or [None] * n)],
    }
    if source_format is not None:
        columns["source_format"] = [source_format] * n
    df = pl.DataFrame(
        columns,
        schema_overrides={"text": pl.String, "author_did": pl.String, "created_at": pl.Datetime("us", "UTC")},
    )
    return enrich(conform(df), languages=("en", "es", "fr"))
