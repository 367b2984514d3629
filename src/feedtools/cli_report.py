"""The ``report``, ``fetch`` and ``notebooks`` subcommands (:mod:`feedtools.cli`): collect a feed, render it.

Thin builders over :func:`feedtools.collect.fetch` (whose result writes its own summary line),
:func:`feedtools.report.build_reports` and :func:`feedtools.report.update_notebooks`.
``report --handle`` fetches first, with the options of ``fetch`` (:func:`add_fetch_options`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from feedtools.cli_options import date_arg, parse_languages, positive_int, show_progress
from feedtools.commands import COMMANDS
from feedtools.paths import NOTEBOOKS as DEFAULT_NOTEBOOKS
from feedtools.paths import SEED as DEFAULT_FEED
from feedtools.safeio import terminal_safe

__all__ = ["add_fetch", "add_fetch_options", "add_notebooks", "add_report"]


def add_fetch_options(p: argparse.ArgumentParser) -> None:
    """Options of `fetch`, shared by `report --handle`."""
    _add_fetch_scope(p)
    _add_fetch_servers(p)
    _add_fetch_requests(p)


def _add_fetch_scope(p: argparse.ArgumentParser) -> None:
    """What to fetch: the repository too, which items, how many, back to which day."""
    from feedtools.collect import FILTERS

    p.add_argument(
        "--repo",
        action="store_true",
        help="also download the account's repository (CAR: every post and repost since its first day) from its PDS",
    )
    p.add_argument(
        "--filter",
        choices=FILTERS,
        default=None,
        help="which items the author feed returns (the API's filter; default: posts with replies)",
    )
    p.add_argument(
        "--limit",
        type=positive_int,
        default=None,
        metavar="N",
        help="stop after N new items (whole pages are kept; fetch again without it to continue)",
    )
    p.add_argument(
        "--since",
        type=date_arg,
        default=None,
        metavar="YYYY-MM-DD",
        help="stop paging once items are older than this day (UTC)",
    )


def _add_fetch_servers(p: argparse.ArgumentParser) -> None:
    """Where from: the AppView, the PLC directory and the PDS."""
    from feedtools.collect import DEFAULT_APPVIEW, DEFAULT_PLC

    p.add_argument(
        "--appview",
        default=DEFAULT_APPVIEW,
        metavar="URL",
        help=f"AppView serving the profile and author feed (default: {DEFAULT_APPVIEW})",
    )
    p.add_argument(
        "--plc",
        default=DEFAULT_PLC,
        metavar="URL",
        help=f"PLC directory resolving did:plc to the PDS (default: {DEFAULT_PLC})",
    )
    p.add_argument(
        "--pds", default=None, metavar="URL", help="PDS to download the repository from (skips DID resolution)"
    )


def _add_fetch_requests(p: argparse.ArgumentParser) -> None:
    """How each request is made: timeouts, the time spent retrying, the page size."""
    p.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="seconds to connect and between bytes read (default: 30)",
    )
    p.add_argument(
        "--max-wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="most time spent on one request, retries and rate-limit waits included (default: 300)",
    )
    p.add_argument(
        "--page-size",
        type=int,
        default=100,
        choices=range(1, 101),
        metavar="N",
        help="items per author-feed page, 1-100 (default: 100, the API's maximum)",
    )


def _fetch(args: argparse.Namespace, actor: str, out: Path):
    from feedtools.collect import fetch

    result = fetch(
        actor,
        out,
        repo=args.repo,
        filter=args.filter,
        limit=args.limit,
        since=args.since,
        appview=args.appview,
        plc=args.plc,
        pds=args.pds,
        timeout=args.timeout,
        max_wait=args.max_wait,
        page_size=args.page_size,
        progress=show_progress(args),
    )
    print(terminal_safe(result.summary()), file=sys.stderr)  # names the actor, as the server spelled it
    return result


def _cmd_fetch(args: argparse.Namespace) -> int:
    _fetch(args, args.actor, args.out)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from feedtools.report import build_reports

    feeds = args.feed or [DEFAULT_FEED]
    if args.handle:
        from feedtools.collect import folder_name
        from feedtools.paths import RAW

        into = args.into or RAW / folder_name(args.handle)
        _fetch(args, args.handle, into)
        feeds = [into]
    build_reports(
        feeds if len(feeds) > 1 else feeds[0],
        args.out,
        show_code=args.show_code,
        notebooks_dir=args.notebooks,
        languages=parse_languages(args.langs),
    )
    return 0


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from feedtools.report import find_notebooks, update_notebooks

    if args.update:
        update_notebooks(args.notebooks, only=args.only)
    else:
        for path in find_notebooks(args.notebooks):
            print(path.name)
    return 0


def add_report(sub) -> None:
    """The ``report`` subcommand's options."""
    p = sub.add_parser(
        "report",
        help=COMMANDS["report"],
        description="Execute every notebook (notebooks/NN_*.py) in order on a feed, render each to one "
        "self-contained HTML page (charts drawn and interactive offline; nothing fetched from outside) "
        "and write index.html linking them with the feed's headline figures. One progress line per "
        "notebook goes to stderr; a failing notebook stops the build with its name and the error.",
        epilog="Exit status: 0 on success, 1 when the feed cannot be read, has no posts, or a notebook fails.",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--feed",
        type=Path,
        action="append",
        default=None,
        help="feed file (or fetch folder) in any supported format, or a posts table written by "
        "'feedtools parse' (.parquet); repeat for several inputs read into one table "
        "(default: the bundled seed feed)",
    )
    source.add_argument(
        "--handle",
        default=None,
        metavar="HANDLE",
        help="fetch this account (handle or DID) first, into data/raw/HANDLE/ (or --into), and "
        "report on it; fetching again adds only what is new (see `feedtools fetch --help`)",
    )
    p.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default: reports)")
    p.add_argument("--show-code", action="store_true", help="show the notebooks' code cells (hidden by default)")
    p.add_argument(
        "--langs",
        metavar="CODES",
        default=None,
        help="candidate languages for detection, comma-separated ISO 639-1 codes (default: any)",
    )
    p.add_argument(
        "--notebooks",
        type=Path,
        default=DEFAULT_NOTEBOOKS,
        metavar="DIR",
        help="folder of the notebook sources (default: the project's notebooks/)",
    )
    p.add_argument(
        "--into",
        type=Path,
        default=None,
        metavar="DIR",
        help="with --handle: the fetch folder (default: data/raw/HANDLE/)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="with --handle: no progress bar")
    add_fetch_options(p)
    p.set_defaults(func=_cmd_report)


def add_fetch(sub) -> None:
    """The ``fetch`` subcommand's options."""
    p = sub.add_parser(
        "fetch",
        help=COMMANDS["fetch"],
        description="Resolve ACTOR (a handle or a DID), save its profile and page through its author feed "
        "(app.bsky.feed.getAuthorFeed), and with --repo download its repository CAR from its PDS. "
        "Every response is saved byte for byte with manifest.json (URLs, parameters, UTC times, HTTP "
        "status, size and SHA-256 of every file, what each run added). Fetching again into the same "
        "folder adds only what is new and continues an interrupted or limited fetch from its saved "
        "cursor. The folder reads as a feed: feedtools parse DIR, feedtools report --feed DIR. "
        "Public data only: no login.",
        epilog="Rate limits (RateLimit-Remaining/-Reset, Retry-After) are honoured; 429, 5xx, timeouts and dropped "
        "connections are retried with exponential backoff and jitter up to --max-wait. Exit status: 0 on "
        "success; 1 for an unknown, deactivated, suspended or taken-down account, an unexpected response "
        "(what was saved is kept) or when retries run out; 2 on bad arguments.",
    )
    p.add_argument("actor", help="handle (name.bsky.social) or DID (did:plc:…, did:web:…)")
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="fetch folder: new or empty, or one fetched before for the same account",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar (shown only when stderr is a terminal and CI is not set)",
    )
    add_fetch_options(p)
    p.set_defaults(func=_cmd_fetch)


def add_notebooks(sub) -> None:
    """The ``notebooks`` subcommand's options."""
    p = sub.add_parser(
        "notebooks",
        help=COMMANDS["notebooks"],
        description="Without options, list the notebooks in order. With --update, execute each notebook source "
        "(NN_name.py) with its default parameters (the bundled seed) and store the result with its "
        "outputs in NN_name.ipynb: run this after an intended change, then review the diff.",
    )
    p.add_argument("--update", action="store_true", help="re-execute the notebooks and store their outputs")
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="with --update: only this notebook (stem, e.g. 01_exploration); repeatable",
    )
    p.add_argument(
        "--notebooks",
        type=Path,
        default=DEFAULT_NOTEBOOKS,
        metavar="DIR",
        help="folder of the notebook sources (default: the project's notebooks/)",
    )
    p.set_defaults(func=_cmd_notebooks)
