"""The ``feedtools`` command. Each subcommand calls the same functions as the Python API.

Subcommands are listed in :data:`feedtools.commands.COMMANDS`; each is a thin builder over library
functions, which also return the summary line printed on stderr. They live in ``feedtools.cli_parse``
(``parse``, ``schema``), ``feedtools.cli_analyses`` (``campaigns``, ``timeline``) and ``feedtools.cli_report``
(``report``, ``fetch``, ``notebooks``), with the options they share in ``feedtools.cli_options``; this module
builds the parser, adds ``bench`` (whose options :mod:`feedtools.bench` defines) and runs :func:`main`.

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
import os
import signal
import sys
import traceback
from collections.abc import Sequence

from feedtools._version import __version__
from feedtools.cli_analyses import add_campaigns, add_timeline
from feedtools.cli_options import TABLE_SUFFIXES, add_input_options, load_input
from feedtools.cli_parse import add_parse, add_schema
from feedtools.cli_report import add_fetch, add_fetch_options, add_notebooks, add_report
from feedtools.commands import COMMANDS
from feedtools.errors import FeedtoolsError
from feedtools.safeio import describe_oserror, terminal_safe

__all__ = [
    "DEBUG_HELP",
    "EXIT_INPUT",
    "EXIT_USAGE",
    "TABLE_SUFFIXES",
    "Terminated",
    "add_fetch_options",
    "add_input_options",
    "build_parser",
    "load_input",
    "main",
]

EXIT_INPUT = 1  # the input could not be read / a step failed on it
EXIT_USAGE = 2  # argparse's own code for bad arguments

DEBUG_HELP = "on an error, print the traceback too (also FEEDTOOLS_DEBUG=1)"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        self.exit(EXIT_USAGE, f"feedtools: error: {terminal_safe(message)} (see --help)\n")


def _cmd_bench(args: argparse.Namespace) -> int:
    from feedtools.bench import run_from_args

    return run_from_args(args)


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


#: How each registered command (:data:`feedtools.commands.COMMANDS`) adds its subparser.
_ADDERS = {
    "parse": add_parse,
    "schema": add_schema,
    "bench": _add_bench,
    "campaigns": add_campaigns,
    "timeline": add_timeline,
    "report": add_report,
    "fetch": add_fetch,
    "notebooks": add_notebooks,
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
