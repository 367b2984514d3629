"""The ``feedtools`` command. Each subcommand calls the same functions as the Python API.

Subcommands are listed in :data:`feedtools.commands.COMMANDS`; each is a thin builder over library
functions, which also return the summary line printed on stderr.

Errors in the input or the arguments (:class:`feedtools.errors.FeedtoolsError`, and ``OSError``) print
one line (``feedtools: error: …``, control characters in paths neutralised) and exit non-zero (1 for
input that cannot be read or a step that fails, 2 for bad arguments); they never show a traceback
unless ``--debug`` (or ``FEEDTOOLS_DEBUG=1``) asks for it. Any other exception is a bug and says so
(``feedtools: internal error …``), so that it is never mistaken for bad input. Before reading
anything, every command checks its output paths with one function
(:func:`feedtools.safeio.check_outputs`): known suffix, and never a path that resolves to an input.
Every output is written whole or not at all (:mod:`feedtools.safeio`); SIGTERM is
turned into an exception so temporary files are removed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from feedtools import __version__
from feedtools.commands import COMMANDS
from feedtools.errors import FeedtoolsError, TableError, UsageError
from feedtools.export import LIST_SEPARATOR, SUFFIXES, write_table
from feedtools.paths import NOTEBOOKS as DEFAULT_NOTEBOOKS
from feedtools.paths import SEED as DEFAULT_FEED
from feedtools.readers import FORMATS
from feedtools.safeio import check_outputs, default_rejects_path, describe_oserror, same_file, terminal_safe

if TYPE_CHECKING:
    import polars as pl

EXIT_INPUT = 1  # the input could not be read / a step failed on it
EXIT_USAGE = 2  # argparse's own code for bad arguments

DEBUG_HELP = "on an error, print the traceback too (also FEEDTOOLS_DEBUG=1)"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        self.exit(EXIT_USAGE, f"feedtools: error: {terminal_safe(message)} (see --help)\n")


def _languages(value: str | None) -> tuple[str, ...] | None:
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
    return load(inputs, format=args.format, languages=_languages(args.langs), known_names=args.known_name)


TABLE_SUFFIXES = tuple(SUFFIXES)


def _show_progress(args: argparse.Namespace) -> bool:
    """A progress bar only on a terminal, never in CI or with ``--quiet``."""
    return not getattr(args, "quiet", False) and sys.stderr.isatty() and not os.environ.get("CI")


def _cmd_parse(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from feedtools.dataset import expand_inputs
    from feedtools.pipeline import parse_to_file, summary_line

    # -o DIR/ (trailing slash) or an existing folder: a dataset folder of Parquet parts with a manifest.
    dataset = str(args.output).endswith(("/", os.sep)) or Path(args.output).is_dir()
    args.output = Path(args.output)
    rejects_path = args.rejects or default_rejects_path(args.output)
    rejects_option = "--rejects" if args.rejects else "the default rejects file (choose another with --rejects)"
    if dataset:
        if any(same_file(args.output, p) for p in args.input):
            raise UsageError(terminal_safe(f"-o/--output: refusing to overwrite the input {args.output}"))
        check_outputs([*args.input], [(rejects_option, rejects_path, TABLE_SUFFIXES)])
    else:
        check_outputs(
            [*args.input],
            [("-o/--output", args.output, TABLE_SUFFIXES), (rejects_option, rejects_path, TABLE_SUFFIXES)],
        )
    expanded = expand_inputs(args.input)
    inputs = expanded if len(expanded) > 1 else expanded[0]
    # Streams: batches are enriched and written as they are read (feedtools.pipeline, the row-local seam).
    with tqdm(
        desc="parse", unit=" posts", unit_scale=True, file=sys.stderr, leave=False, disable=not _show_progress(args)
    ) as bar:
        result = parse_to_file(
            inputs,
            args.output,
            format=args.format,
            languages=_languages(args.langs),
            known_names=args.known_name,
            progress=bar.update,
            workers=os.cpu_count() or 1,
            dataset=dataset,
        )
    # Rejects are written when there are any, or when --rejects asked for the file (then maybe header only).
    if result.rejects.height or args.rejects:
        write_table(result.rejects, rejects_path)
        where = f"rejects in {rejects_path}"
    else:
        where = "no rejects"
        if rejects_path.exists():
            where += f" ({rejects_path.name}, from an earlier run, left as it was)"
    print(terminal_safe(f"{summary_line(result)}; {where}"), file=sys.stderr)  # always the last line on stderr
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from feedtools.bench import run_from_args

    return run_from_args(args)


def _cmd_schema(args: argparse.Namespace) -> int:
    from feedtools.schema import COLUMNS

    print("| column | type | filled by | meaning |\n| --- | --- | --- | --- |")
    for c in COLUMNS:
        print(f"| `{c.name}` | {c.dtype} | {c.filled_by} | {c.doc} |")
    return 0


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return n


def add_fetch_options(p: argparse.ArgumentParser) -> None:
    """Options of `fetch`, shared by `report --handle`."""
    from feedtools.collect import DEFAULT_APPVIEW, DEFAULT_PLC, FILTERS

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
        type=_positive_int,
        default=None,
        metavar="N",
        help="stop after N new items (whole pages are kept; fetch again without it to continue)",
    )
    p.add_argument(
        "--since",
        type=_date_arg,
        default=None,
        metavar="YYYY-MM-DD",
        help="stop paging once items are older than this day (UTC)",
    )
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
        progress=_show_progress(args),
    )
    print(result.summary(), file=sys.stderr)
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
        languages=_languages(args.langs),
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


def _cmd_campaigns(args: argparse.Namespace) -> int:
    from feedtools import campaigns as cp
    from feedtools.analyses import run_campaigns
    from feedtools.scan import CAMPAIGN_COLUMNS

    path = None if args.no_aliases else (args.aliases or cp.default_aliases_path())
    check_outputs(
        [*args.input, path],
        [
            ("-o/--output", args.output, TABLE_SUFFIXES),
            ("--posts", args.posts, TABLE_SUFFIXES),
            ("--suggestions", args.suggestions, TABLE_SUFFIXES),
            ("--pairs", args.pairs, TABLE_SUFFIXES),
            ("--related", args.related, TABLE_SUFFIXES),
            ("--network", args.network, cp.GRAPH_SUFFIXES),
        ],
    )
    if args.no_aliases:
        aliases, table = cp.empty_aliases(), "no alias table"
    else:
        if path is None:
            raise TableError(
                "no alias table: the shipped data/campaigns.csv is not there; "
                "give one with --aliases PATH or use --no-aliases"
            )
        aliases, table = cp.load_aliases(path), f"alias table {Path(path).name}"
    run = run_campaigns(
        load_input(args, CAMPAIGN_COLUMNS).posts,
        aliases,
        table=table,
        per_post=bool(args.posts),
        pairs=bool(args.pairs),
        related=bool(args.related),
        network=bool(args.network),
        max_tags_per_post=args.max_tags_per_post,
        max_suggestions=args.max_suggestions,
    )
    for frame, out in (
        (run.metrics, args.output),
        (run.posts, args.posts),
        (run.suggestions, args.suggestions),
        (run.pairs, args.pairs),
        (run.related, args.related),
    ):
        if out and frame is not None:
            write_table(frame, out)
    if args.network:
        cp.write_graph(run.network, args.network)
    print(terminal_safe(run.summary(suggestions_written=bool(args.suggestions))), file=sys.stderr)
    return 0


def _date_arg(value: str):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _year_arg(value: str) -> int:
    """A calendar year Python's dates can hold (1 to 9999)."""
    try:
        year = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {value!r}") from None
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise argparse.ArgumentTypeError(f"year {value} out of range ({dt.MINYEAR}-{dt.MAXYEAR})")
    return year


def _timezone_arg(value: str) -> str:
    """An IANA time zone name that both Python and polars know (``UTC``, ``Europe/Madrid``)."""
    from feedtools.timeline import _check_timezone  # the check build_timeline itself runs

    try:
        _check_timezone(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return value


def _count_arg(value: str) -> int:
    """A whole number >= 1."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return n


def _cmd_timeline(args: argparse.Namespace) -> int:
    from feedtools import timeline as tlm
    from feedtools.analyses import timeline_summary
    from feedtools.dataset import expand_inputs
    from feedtools.dates import load_observances
    from feedtools.paths import OBSERVANCES
    from feedtools.scan import TIMELINE_INPUT_COLUMNS, parsed_table, write_joined

    check_outputs(
        [*args.input, args.calendar or OBSERVANCES],
        [
            ("-o/--output", args.output, TABLE_SUFFIXES),
            ("--events", args.events, TABLE_SUFFIXES),
            ("--evidence", args.evidence, TABLE_SUFFIXES),
            ("--contradictions", args.contradictions, TABLE_SUFFIXES),
        ],
    )
    calendar = load_observances(args.calendar)  # TableError names the file and line of a bad row
    table = parsed_table(expand_inputs(args.input))
    posts = load_input(args, TIMELINE_INPUT_COLUMNS).posts
    tl = tlm.build_timeline(
        posts,
        calendar=calendar,
        year_hint=args.year_hint,
        capture_date=args.capture_date,
        timezone=args.tz,
        use_timestamps=not args.hide_timestamps,
    )
    if table is None:
        write_table(tlm.with_timeline(posts, tl), args.output)
    else:  # every column of the table, streamed from the Parquet, with the timeline's columns
        del posts
        write_joined(table, tl.posts.select("position", *tlm.TIMELINE_COLUMNS), args.output)
    if args.events:
        write_table(tl.events, args.events)
    if args.evidence:
        write_table(tl.evidence, args.evidence)
    if args.contradictions:
        write_table(tl.contradictions, args.contradictions)
    print(terminal_safe(timeline_summary(tl, contradictions_written=bool(args.contradictions))), file=sys.stderr)
    return 0


def _add_parse(sub) -> None:
    """The ``parse`` subcommand's options."""
    p = sub.add_parser(
        "parse",
        help=COMMANDS["parse"],
        description="Read a feed (Bluesky profile scrape, author feed, post list, repository CAR or Jetstream "
        "capture), clean and enrich it, and write the canonical posts table. Records that cannot be "
        "read are written to a rejects file with their location and reason. A one-line summary goes "
        "to stderr: 'N lines, P posts, R reposts, U placeholders, D duplicates, X rejected' (P counts "
        "own posts, R reposts; for formats without lines N counts records and a skipped count follows).",
        epilog=f"Output format by suffix: {', '.join(SUFFIXES)}. In CSV, list columns are joined with "
        f"'{LIST_SEPARATOR}' (a '|' inside a value is written %7C) and cells starting with = + - @ tab or CR "
        "are prefixed with ' so spreadsheets do not run them as formulas. Exit status: 0 on success, 1 when "
        "the input cannot be read, 2 on bad arguments.",
    )
    add_input_options(p)
    p.add_argument(
        "-o",
        "--output",
        type=str,
        required=True,
        help="output file: .parquet, .jsonl/.ndjson or .csv; or DIR/ (trailing slash, or an existing "
        "folder): a dataset folder of Parquet parts with a manifest of the inputs",
    )
    p.add_argument(
        "--rejects",
        type=Path,
        default=None,
        help="where to write rejected records (default: OUTPUT's name with .rejects.csv)",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar (it is shown only when stderr is a terminal and CI is not set)",
    )
    p.set_defaults(func=_cmd_parse)


def _add_schema(sub) -> None:
    """The ``schema`` subcommand's options."""
    p = sub.add_parser("schema", help=COMMANDS["schema"])
    p.set_defaults(func=_cmd_schema)


def _add_bench(sub) -> None:
    """The ``bench`` subcommand's options."""
    from feedtools.bench import add_arguments as add_bench_arguments

    p = sub.add_parser(
        "bench",
        help=COMMANDS["bench"],
        description="Build feeds of the given sizes from real items (the bundled seed, and the Bluesky samples "
        "in ../shared/bluesky-samples/ when present) as profile scrapes and Jetstream captures, with "
        "repeated and with distinct texts, in a temporary folder deleted afterwards; run feedtools "
        "parse (and the campaign and timeline steps) on each as a subprocess and print a Markdown "
        "table of seconds, rows per second and peak memory; time a pandas/re/langdetect notebook "
        "baseline on each scrape (on a sample, extrapolated, where it is too slow) and print the ratio.",
        epilog="Needs the bench extra (pandas, langdetect) for the baseline. Exit status: 0, or 2 on bad arguments.",
    )
    add_bench_arguments(p)
    p.set_defaults(func=_cmd_bench)


def _add_campaigns(sub) -> None:
    """The ``campaigns`` subcommand's options."""
    p = sub.add_parser(
        "campaigns",
        help=COMMANDS["campaigns"],
        description="Group hashtags into campaigns (case- and accent-folded, plus the alias table "
        "data/campaigns.csv, which you can edit) and write one row per campaign: posts, own posts and "
        "reposts, share of the feed, detected languages and their shares, languages of the tags, "
        "co-occurring campaigns, partners (mentions), link domains, first and last position. A "
        "summary line goes to stderr, with the number of alias suggestions (never applied).",
        epilog=f"Tables: {', '.join(SUFFIXES)} by suffix (CSV lists joined with '{LIST_SEPARATOR}', formula-like "
        "cells neutralised). Network: .gexf or .graphml. Exit status: 0 on success, 1 when the input or "
        "the alias table cannot be read (the message names the file and line), 2 on bad arguments.",
    )
    add_input_options(p)
    p.add_argument("-o", "--output", type=Path, required=True, help="campaign table: .csv, .parquet or .jsonl")
    p.add_argument(
        "--posts",
        type=Path,
        default=None,
        help="also write the per-post table (position, hashtags, campaigns, series marker, text)",
    )
    aliases = p.add_mutually_exclusive_group()
    aliases.add_argument(
        "--aliases",
        type=Path,
        default=None,
        metavar="PATH",
        help="alias table CSV (campaign_id,label,lang,hashtag[,note]; default: the shipped data/campaigns.csv)",
    )
    aliases.add_argument("--no-aliases", action="store_true", help="use case/accent folding only, no alias table")
    p.add_argument(
        "--suggestions",
        type=Path,
        default=None,
        help="also write suggested aliases (near-identical spellings, tags that say the same in "
        "two languages) with score and evidence",
    )
    p.add_argument(
        "--pairs",
        type=Path,
        default=None,
        help="also write cross-language post pairs (posts announcing the same thing in two languages)",
    )
    p.add_argument(
        "--related",
        type=Path,
        default=None,
        help="also write related campaigns: campaigns in different languages that share posts, partners "
        "or neighbours without being aliases",
    )
    p.add_argument(
        "--network",
        type=Path,
        default=None,
        help="also write the partner network (campaigns and mentioned accounts): .gexf or .graphml",
    )
    # Defaults are feedtools.campaigns.MAX_TAGS_PER_POST and MAX_SUGGESTIONS (not imported at start-up: heavy;
    # tests/test_cli_safety.py checks the help matches them).
    p.add_argument(
        "--max-tags-per-post",
        type=_count_arg,
        default=None,
        metavar="N",
        help="distinct tags of one post paired for co-occurrence, network edges and suggestions "
        "(default 30; the summary says what the cap left out)",
    )
    p.add_argument(
        "--max-suggestions",
        type=_count_arg,
        default=None,
        metavar="N",
        help="keep the N strongest alias suggestions (default 1000; the summary counts them all)",
    )
    p.set_defaults(func=_cmd_campaigns)


def _add_timeline(sub) -> None:
    """The ``timeline`` subcommand's options."""
    p = sub.add_parser(
        "timeline",
        help=COMMANDS["timeline"],
        description="Infer each post's date from the evidence in its text (dates, ranges, weekdays, years, "
        "observance days from the calendar, event-day ordinals, tense) and the feed order (newest "
        "first; pinned items left out), or take it from timestamps when the feed has them; group "
        "posts into events. The posts output is the posts table plus date_min, date_max, date_est, "
        "date_source (timestamp|evidence|neighbours|unknown) and event_id. A summary line goes to "
        "stderr.",
        epilog=f"Tables: {', '.join(SUFFIXES)} by suffix (CSV lists joined with '{LIST_SEPARATOR}', formula-like "
        "cells neutralised). Exit status: 0 on success, 1 when the input or the calendar cannot be read "
        "(the message names the file and line), 2 on bad arguments.",
    )
    add_input_options(p)
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="posts with their date windows and event: .parquet, .jsonl or .csv",
    )
    p.add_argument("--events", type=Path, default=None, help="also write the events table")
    p.add_argument("--evidence", type=Path, default=None, help="also write the date evidence table")
    p.add_argument(
        "--contradictions",
        type=Path,
        default=None,
        help="also write the evidence set aside because it contradicts the feed order",
    )
    p.add_argument(
        "--calendar",
        type=Path,
        default=None,
        metavar="PATH",
        help="observance calendar CSV (key,date,hashtags,names,notes; default: the shipped data/observances.csv)",
    )
    p.add_argument(
        "--tz",
        default="UTC",
        metavar="ZONE",
        type=_timezone_arg,
        help="time zone in which timestamps become days (IANA name, default UTC)",
    )
    p.add_argument(
        "--year-hint",
        type=_year_arg,
        default=None,
        metavar="YEAR",
        help="year of dates written without one (default: the feed's most frequent explicit year)",
    )
    p.add_argument(
        "--capture-date",
        type=_date_arg,
        default=None,
        metavar="YYYY-MM-DD",
        help="day the feed was captured: no post is later (default: unknown)",
    )
    p.add_argument(
        "--hide-timestamps",
        action="store_true",
        help="ignore timestamps and infer from evidence and order only (to measure the inference)",
    )
    p.set_defaults(func=_cmd_timeline)


def _add_report(sub) -> None:
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


def _add_fetch(sub) -> None:
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


def _add_notebooks(sub) -> None:
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


#: How each registered command (:data:`feedtools.commands.COMMANDS`) adds its subparser.
_ADDERS = {
    "parse": _add_parse,
    "schema": _add_schema,
    "bench": _add_bench,
    "campaigns": _add_campaigns,
    "timeline": _add_timeline,
    "report": _add_report,
    "fetch": _add_fetch,
    "notebooks": _add_notebooks,
}


def build_parser() -> argparse.ArgumentParser:
    """The ``feedtools`` argument parser: one subcommand per entry of :data:`feedtools.commands.COMMANDS`, in its
    order, each with ``--debug`` (also accepted before the subcommand)."""
    parser = _Parser(prog="feedtools", description="Read, clean and analyse an organisation's social-media feed.")
    parser.add_argument("--version", action="version", version=f"feedtools {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        _ADDERS[name](sub)
        # SUPPRESS: `feedtools --debug parse …` is not undone by the subcommand's default.
        sub.choices[name].add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    return parser


class Terminated(BaseException):
    """SIGTERM, raised as an exception so that ``finally`` blocks run and temporary files are removed."""


def _on_sigterm(signum, frame):
    raise Terminated()


def _debug(args: argparse.Namespace | None) -> bool:
    """``--debug`` given, or ``FEEDTOOLS_DEBUG`` set to anything but empty or ``0``."""
    return bool(getattr(args, "debug", False)) or os.environ.get("FEEDTOOLS_DEBUG", "") not in ("", "0")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    A :class:`~feedtools.errors.FeedtoolsError` (bad input, a bad user table, a report or fetch that fails,
    bad arguments) or an ``OSError`` prints one line ``feedtools: error: …`` and returns its exit code (1; 2 for
    bad arguments). Any other exception is a bug in feedtools, never reported as bad input: one line
    ``feedtools: internal error …`` and 1. With ``--debug`` or ``FEEDTOOLS_DEBUG=1`` the traceback is printed
    before that line. 130 on Ctrl-C, 143 on SIGTERM, 0 when stdout is closed early (``| head``).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = _debug(args)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and closed early
        return 0
    except FeedtoolsError as e:
        if debug:
            traceback.print_exc(file=sys.stderr)
        print(f"feedtools: error: {terminal_safe(e)}", file=sys.stderr)
        return e.exit_code
    except OSError as e:
        if debug:
            traceback.print_exc(file=sys.stderr)
        print(f"feedtools: error: {describe_oserror(e)}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("feedtools: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - a bug, or a library's own error feedtools did not turn into a FeedtoolsError
        if debug:
            traceback.print_exc(file=sys.stderr)
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        print(
            f"feedtools: internal error (a bug in feedtools, not a problem with the input): "
            f"{type(e).__name__}: {terminal_safe(first)}"
            + ("" if debug else " (run with --debug, or FEEDTOOLS_DEBUG=1, for the traceback)"),
            file=sys.stderr,
        )
        return EXIT_INPUT
    except Terminated:
        print("feedtools: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
