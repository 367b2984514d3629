"""The ``feedtools`` command. Each subcommand calls the same functions as the Python API.

Errors in the input or the arguments print one line (``feedtools: error: …``) and
exit non-zero; they never show a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from feedtools import __version__
from feedtools.export import LIST_SEPARATOR, SUFFIXES, write_table
from feedtools.readers import FORMATS, FeedError

EXIT_INPUT = 1  # the input could not be read / a step failed on it
EXIT_USAGE = 2  # argparse's own code for bad arguments


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        self.exit(EXIT_USAGE, f"feedtools: error: {message} (see --help)\n")


def _languages(value: str | None) -> tuple[str, ...] | None:
    if not value:
        return None
    return tuple(v.strip().lower() for v in value.split(",") if v.strip())


def add_input_options(p: argparse.ArgumentParser) -> None:
    """Options every command that reads a feed shares."""
    p.add_argument("input", type=Path, help="feed file, in any supported format")
    p.add_argument("--format", default="auto", choices=["auto", *FORMATS],
                   help="input format; 'auto' (default) detects it from the content, not the file name")
    p.add_argument("--langs", metavar="CODES", default=None,
                   help="candidate languages for detection, comma-separated ISO 639-1 codes (e.g. en,es,fr); "
                        "default: any of 176 languages")
    p.add_argument("--known-name", action="append", default=[], metavar="NAME",
                   help="(scrape) display name of a reposting account, to split 'Reposted by NAME' labels "
                        "exactly; repeatable. The profile's own name is always known.")


def load_input(args: argparse.Namespace):
    from feedtools.pipeline import load

    return load(args.input, format=args.format, languages=_languages(args.langs), known_names=args.known_name)


def _cmd_parse(args: argparse.Namespace) -> int:
    from feedtools.pipeline import summary_line

    feed = load_input(args)
    write_table(feed.posts, args.output)
    rejects_path = args.rejects or args.output.with_name(args.output.name.split(".")[0] + ".rejects.csv")
    write_table(feed.rejects, rejects_path)
    print(summary_line(feed), file=sys.stderr)
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from feedtools.schema import COLUMNS

    print("| column | type | filled by | meaning |\n| --- | --- | --- | --- |")
    for c in COLUMNS:
        print(f"| `{c.name}` | {c.dtype} | {c.filled_by} | {c.doc} |")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="feedtools", description="Read, clean and analyse an organisation's social-media feed.")
    parser.add_argument("--version", action="version", version=f"feedtools {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser(
        "parse",
        help="read a feed into the canonical posts table",
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
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="output file: .parquet, .jsonl/.ndjson or .csv")
    p.add_argument("--rejects", type=Path, default=None,
                   help="where to write rejected records (default: OUTPUT's name with .rejects.csv)")
    p.set_defaults(func=_cmd_parse)

    p = sub.add_parser("schema", help="print the posts table's columns and their meaning (Markdown)")
    p.set_defaults(func=_cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and closed early
        return 0
    except FeedError as e:
        print(f"feedtools: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except (OSError, ValueError) as e:
        msg = e.strerror + f": {e.filename}" if isinstance(e, OSError) and e.strerror else str(e)
        print(f"feedtools: error: {msg}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("feedtools: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
