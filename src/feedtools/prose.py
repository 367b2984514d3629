"""Small helpers for the sentences the notebooks print (``describe_*`` functions of the analysis modules).

Every finding a page states is computed; these helpers only turn numbers, dates and lists
into words, the same way everywhere: counts with the right plural (:func:`plural`), shares
(:func:`pct`), lists cut to the first few with "… and K more" (:func:`join_list`), and
unknown values said as ``unknown`` (:func:`known`, :func:`day`), never ``None``/``nan``/``null``.

:func:`posting_account` and :func:`count_accounts` say how many accounts posted the rows
of a feed (the reposting account for a repost, the author for a post), which decides
whether a page speaks of "the account's own posts" or of "original posts" of a collection.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

import polars as pl

__all__ = [
    "UNKNOWN",
    "count_accounts",
    "counted",
    "day",
    "is_unknown",
    "join_list",
    "known",
    "pct",
    "plural",
    "posting_account",
    "span",
]

#: How an unknown value is said.
UNKNOWN = "unknown"


def is_unknown(value: Any) -> bool:
    """True for None, NaN and the strings ``None``/``nan``/``null``/empty (after stripping)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in ("", "none", "nan", "null")


def known(value: Any, unknown: str = UNKNOWN) -> str:
    """``str(value)``, or ``unknown`` when the value is None, NaN or an empty/``None``-like string."""
    return unknown if is_unknown(value) else str(value)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``"1 post"``, ``"3 posts"``, ``"0 posts"`` (``plural_form`` defaults to ``singular + "s"``)."""
    return f"{n} {singular if n == 1 else (plural_form or singular + 's')}"


def pct(part: float, whole: float) -> str:
    """``part`` as a whole-number percentage of ``whole`` (``"64%"``); ``"n/a"`` when ``whole`` is 0."""
    return f"{100 * part / whole:.0f}%" if whole else "n/a"


def join_list(items: Iterable[Any], limit: int = 5, *, conjunction: str = "and") -> str:
    """Items as an English list: ``"a"``, ``"a and b"``, ``"a, b and c"``; beyond ``limit`` items the
    first ``limit`` and ``"… and K more"``. Unknown items are left out; an empty list gives ``""``."""
    shown = [str(x) for x in items if not is_unknown(x)]
    if len(shown) > limit:
        return ", ".join(shown[:limit]) + f" … and {len(shown) - limit} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + f" {conjunction} " + shown[-1]


def counted(values: Iterable[str] | None, limit: int = 5) -> str:
    """A ``value:count`` list (as the campaign tables hold them) read as ``"value (count), …"``,
    cut with :func:`join_list`; ``""`` for an empty or missing list."""
    out = []
    for item in values or []:
        if is_unknown(item):
            continue
        value, sep, count = str(item).rpartition(":")
        out.append(f"{value} ({count})" if sep and value else str(item))
    return join_list(out, limit)


def day(value: dt.date | dt.datetime | None, unknown: str = UNKNOWN) -> str:
    """An ISO day (``2025-02-20``), or ``unknown`` for a missing value."""
    if value is None:
        return unknown
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def span(first: dt.date | None, last: dt.date | None) -> str:
    """A date range in words: ``"on 2025-02-20"``, ``"from 2025-02-20 to 2025-03-01"``,
    ``"from 2025-02-20 on"``, ``"until 2025-03-01"``, or ``"on unknown dates"``."""
    if first is None and last is None:
        return "on unknown dates"
    if first is None:
        return f"until {day(last)}"
    if last is None:
        return f"from {day(first)} on"
    if first == last:
        return f"on {day(first)}"
    return f"from {day(first)} to {day(last)}"


def posting_account() -> pl.Expr:
    """Expression naming the account that put each row in the feed: the reposting account
    (``reposted_by``) for a repost, else the author's lower-cased handle, else its DID; null when
    the source names none (a profile scrape names no author for the account's own posts). Alias
    ``account``."""
    author = pl.coalesce(pl.col("author_handle").str.to_lowercase(), pl.col("author_did"))
    return pl.when(pl.col("is_repost").fill_null(False)).then(pl.col("reposted_by")).otherwise(author).alias("account")


def count_accounts(posts: pl.DataFrame | pl.LazyFrame) -> int:
    """How many distinct accounts posted the rows of ``posts`` (see :func:`posting_account`).

    A profile scrape, an author feed or a repository CAR give 1 (or 0 when the source
    names no account at all); a post list or a Jetstream capture of many accounts gives
    their number. Rows whose account is unknown are not counted."""
    lf = posts.lazy()
    return int(lf.select(posting_account().drop_nulls().n_unique()).collect().item())
