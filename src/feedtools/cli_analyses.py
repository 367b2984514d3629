"""The ``campaigns`` and ``timeline`` subcommands (:mod:`feedtools.cli`): the two analyses of a whole feed.

Each is a thin builder over the library: :func:`feedtools.analyses.run_campaigns` (whose result writes its
own summary line) and :func:`feedtools.timeline.build_timeline` with
:func:`feedtools.analyses.timeline_summary`. Both read only the columns they need from a parsed Parquet
table (:mod:`feedtools.scan`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from feedtools.cli_options import (
    TABLE_SUFFIXES,
    add_input_options,
    count_arg,
    date_arg,
    hours_arg,
    load_input,
    timezone_arg,
    year_arg,
)
from feedtools.commands import COMMANDS
from feedtools.errors import TableError
from feedtools.export import LIST_SEPARATOR, SUFFIXES, write_table
from feedtools.safeio import check_outputs, terminal_safe

__all__ = ["add_campaigns", "add_timeline"]


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
    aliases, table = _aliases(args, path)
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
        pair_params=_pair_params(args),
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


def _aliases(args: argparse.Namespace, path: Path | None):
    """The alias table the options ask for and the words that name it in the summary line.

    Raises :class:`~feedtools.errors.TableError` when the shipped table is missing or a table cannot be read.
    """
    from feedtools import campaigns as cp
    from feedtools.analyses import NO_ALIAS_TABLE

    if args.no_aliases:
        return cp.empty_aliases(), NO_ALIAS_TABLE
    if path is None:
        raise TableError(
            "no alias table: the shipped data/campaigns.csv is not there; "
            "give one with --aliases PATH or use --no-aliases"
        )
    return cp.load_aliases(path), f"alias table {Path(path).name}"


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


def add_campaigns(sub) -> None:
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
    _add_campaign_tables(p)
    _add_campaign_caps(p)
    _add_pair_options(p)
    p.set_defaults(func=_cmd_campaigns)


def _add_campaign_tables(p: argparse.ArgumentParser) -> None:
    """``campaigns``: the tables it writes (and reads: the alias table), in the order ``--help`` lists them."""
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


def _add_campaign_caps(p: argparse.ArgumentParser) -> None:
    """``campaigns``: the caps that bound its work on tag-heavy feeds."""
    # Defaults are feedtools.campaigns.MAX_TAGS_PER_POST and MAX_SUGGESTIONS (not imported at start-up: heavy;
    # tests/test_cli_safety.py checks the help matches them).
    p.add_argument(
        "--max-tags-per-post",
        type=count_arg,
        default=None,
        metavar="N",
        help="distinct tags of one post paired for co-occurrence, network edges and suggestions "
        "(default 30; the summary says what the cap left out)",
    )
    p.add_argument(
        "--max-suggestions",
        type=count_arg,
        default=None,
        metavar="N",
        help="keep the N strongest alias suggestions (default 1000; the summary counts them all)",
    )


def _add_pair_options(p: argparse.ArgumentParser) -> None:
    """``campaigns``: which posts ``--pairs`` compares (feedtools.campaigns.PairParams)."""
    # Defaults are PairParams' (not imported at start-up; tests/test_cli_campaigns.py checks the help matches).
    p.add_argument(
        "--pair-hours",
        type=hours_arg,
        default=None,
        metavar="H",
        help="--pairs on a dated feed: compare posts at most H hours apart (default 48); 0 compares by "
        "position in the feed, as for an undated feed",
    )
    p.add_argument(
        "--pair-window",
        type=count_arg,
        default=None,
        metavar="N",
        help="--pairs by position (an undated feed, or --pair-hours 0): compare posts at most N positions "
        "apart (default 12)",
    )


def _pair_params(args: argparse.Namespace):
    """The :class:`feedtools.campaigns.PairParams` asked for on the command line (the defaults if none)."""
    import dataclasses
    import datetime as dt

    from feedtools.campaigns import DEFAULT_PAIR_PARAMS

    changes: dict = {}
    if args.pair_hours is not None:
        changes["time_window"] = dt.timedelta(hours=args.pair_hours) if args.pair_hours > 0 else None
    if args.pair_window is not None:
        changes["window"] = args.pair_window
    return dataclasses.replace(DEFAULT_PAIR_PARAMS, **changes)


def add_timeline(sub) -> None:
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
    _add_timeline_tables(p)
    _add_timeline_hints(p)
    p.set_defaults(func=_cmd_timeline)


def _add_timeline_tables(p: argparse.ArgumentParser) -> None:
    """``timeline``: the tables it writes and the calendar it reads."""
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


def _add_timeline_hints(p: argparse.ArgumentParser) -> None:
    """``timeline``: what the user knows about the feed's days (time zone, year, capture day, timestamps)."""
    p.add_argument(
        "--tz",
        default="UTC",
        metavar="ZONE",
        type=timezone_arg,
        help="time zone in which timestamps become days (IANA name, default UTC)",
    )
    p.add_argument(
        "--year-hint",
        type=year_arg,
        default=None,
        metavar="YEAR",
        help="year of dates written without one (default: the feed's most frequent explicit year)",
    )
    p.add_argument(
        "--capture-date",
        type=date_arg,
        default=None,
        metavar="YYYY-MM-DD",
        help="day the feed was captured: no post is later (default: unknown)",
    )
    p.add_argument(
        "--hide-timestamps",
        action="store_true",
        help="ignore timestamps and infer from evidence and order only (to measure the inference)",
    )
