"""Options and argument types the ``feedtools`` subcommands share (:mod:`feedtools.cli`).

* :func:`add_input_options` and :func:`load_input`: the inputs of every command that reads a feed;
* the argparse ``type=`` checks (:func:`positive_int`, :func:`count_arg`, :func:`date_arg`, :func:`year_arg`,
  :func:`timezone_arg`): each raises ``argparse.ArgumentTypeError``, which the parser prints as one line
  with exit status 2.

Imports no subcommand module, so each ``feedtools.cli_*`` module can import it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from feedtools.export import SUFFIXES
from feedtools.readers import FORMATS

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "TABLE_SUFFIXES",
    "add_input_options",
    "count_arg",
    "date_arg",
    "load_input",
    "parse_languages",
    "positive_int",
    "show_progress",
    "timezone_arg",
    "year_arg",
]

#: The suffixes a table output may have (:data:`feedtools.export.SUFFIXES`), as :func:`~feedtools.safeio.check_outputs`
#: takes them.
TABLE_SUFFIXES = tuple(SUFFIXES)


def parse_languages(value: str | None) -> tuple[str, ...] | None:
    """The ``--langs`` value ``"en, ES,fr"`` -> ``("en", "es", "fr")``; ``None`` (any language) when not given."""
    if not value:
        return None
    return tuple(v.strip().lower() for v in value.split(",") if v.strip())


def add_input_options(p: argparse.ArgumentParser) -> None:
    """Options every command that reads a feed shares."""
    p.add_argument(
        "input",
        type=Path,
        nargs="+",
        help="feed file(s) in any supported format, or a posts table written by 'feedtools parse' "
        "(.parquet, or a folder of Parquet parts; recognised by content); several files, a "
        "folder of feed files or a quoted glob are read into one table, with the "
        "file of each row in the 'source' column",
    )
    p.add_argument(
        "--format",
        default="auto",
        choices=["auto", *FORMATS],
        help="input format; 'auto' (default) detects it from the content, not the file name",
    )
    p.add_argument(
        "--langs",
        metavar="CODES",
        default=None,
        help="candidate languages for detection, comma-separated ISO 639-1 codes (e.g. en,es,fr); "
        "default: any of 176 languages",
    )
    p.add_argument(
        "--known-name",
        action="append",
        default=[],
        metavar="NAME",
        help="(scrape) display name of a reposting account, to split 'Reposted by NAME' labels "
        "exactly; repeatable. The profile's own name is always known.",
    )


def load_input(args: argparse.Namespace, columns: Sequence[str | pl.Expr] | None = None):
    """The feed of the command's inputs; with ``columns``, a single parsed posts table (Parquet file or
    dataset folder) is scanned and only those columns are collected (:mod:`feedtools.scan`)."""
    from feedtools.dataset import expand_inputs
    from feedtools.pipeline import load
    from feedtools.scan import load_columns, parsed_table

    expanded = expand_inputs(args.input)
    table = parsed_table(expanded) if columns else None
    if table is not None and columns:
        return load_columns(table, columns)
    inputs = expanded if len(expanded) > 1 else expanded[0]
    return load(inputs, format=args.format, languages=parse_languages(args.langs), known_names=args.known_name)


def show_progress(args: argparse.Namespace) -> bool:
    """A progress bar only on a terminal, never in CI or with ``--quiet``."""
    return not getattr(args, "quiet", False) and sys.stderr.isatty() and not os.environ.get("CI")


def positive_int(value: str) -> int:
    """A whole number >= 1 (``--limit``); the message says 'not a positive whole number'."""
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return n


def count_arg(value: str) -> int:
    """A whole number >= 1 (the campaign caps); 'not a whole number' or 'must be at least 1'."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return n


def hours_arg(value: str) -> float:
    """A number of hours >= 0 (a time window); 'not a number of hours' or 'must be 0 or more'."""
    try:
        h = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of hours: {value!r}") from None
    if not h >= 0 or h == float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be 0 or more hours: {value}")
    return h


def date_arg(value: str) -> dt.date:
    """A day written ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def year_arg(value: str) -> int:
    """A calendar year Python's dates can hold (1 to 9999)."""
    try:
        year = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {value!r}") from None
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise argparse.ArgumentTypeError(f"year {value} out of range ({dt.MINYEAR}-{dt.MAXYEAR})")
    return year


def timezone_arg(value: str) -> str:
    """An IANA time zone name that both Python and polars know (``UTC``, ``Europe/Madrid``)."""
    from feedtools.timeline import _check_timezone  # the check build_timeline itself runs

    try:
        _check_timezone(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return value
