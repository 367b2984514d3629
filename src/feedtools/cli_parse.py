"""The ``parse`` and ``schema`` subcommands (:mod:`feedtools.cli`): a feed into the posts table, and that table's
columns.

``parse`` is a thin builder over :func:`feedtools.pipeline.parse_to_file`, which streams the feed into the
output and returns the result that :func:`feedtools.pipeline.summary_line` turns into the summary line.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from feedtools.cli_options import TABLE_SUFFIXES, add_input_options, parse_languages, show_progress
from feedtools.commands import COMMANDS
from feedtools.errors import UsageError
from feedtools.export import LIST_SEPARATOR, SUFFIXES, write_table
from feedtools.safeio import check_outputs, default_rejects_path, same_file, terminal_safe

if TYPE_CHECKING:
    import polars as pl

__all__ = ["add_parse", "add_schema"]


def _cmd_parse(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from feedtools.dataset import expand_inputs
    from feedtools.pipeline import parse_to_file, summary_line

    # -o DIR/ (trailing slash) or an existing folder: a dataset folder of Parquet parts with a manifest.
    dataset = str(args.output).endswith(("/", os.sep)) or Path(args.output).is_dir()
    args.output = Path(args.output)
    rejects_path = args.rejects or default_rejects_path(args.output)
    _check_parse_outputs(args, rejects_path, dataset=dataset)
    expanded = expand_inputs(args.input)
    inputs = expanded if len(expanded) > 1 else expanded[0]
    # Streams: batches are enriched and written as they are read (feedtools.pipeline, the row-local seam).
    with tqdm(
        desc="parse", unit=" posts", unit_scale=True, file=sys.stderr, leave=False, disable=not show_progress(args)
    ) as bar:
        result = parse_to_file(
            inputs,
            args.output,
            format=args.format,
            languages=parse_languages(args.langs),
            known_names=args.known_name,
            progress=bar.update,
            workers=os.cpu_count() or 1,
            dataset=dataset,
        )
    where = _write_rejects(result.rejects, rejects_path, asked=bool(args.rejects))
    print(terminal_safe(f"{summary_line(result)}; {where}"), file=sys.stderr)  # always the last line on stderr
    return 0


def _check_parse_outputs(args: argparse.Namespace, rejects_path: Path, *, dataset: bool) -> None:
    """Before reading anything: the output and the rejects file have known suffixes and are not an input
    (:func:`~feedtools.safeio.check_outputs`); a dataset folder is never an input. Raises ``UsageError``."""
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


def _write_rejects(rejects: pl.DataFrame, path: Path, *, asked: bool) -> str:
    """Write the rejected records when there are any, or when ``--rejects`` asked for the file (then maybe
    header only); return the end of the summary line saying where they went."""
    if rejects.height or asked:
        write_table(rejects, path)
        return f"rejects in {path}"
    where = "no rejects"
    if path.exists():
        where += f" ({path.name}, from an earlier run, left as it was)"
    return where


def _cmd_schema(args: argparse.Namespace) -> int:
    from feedtools.schema import markdown_table

    print(markdown_table())
    return 0


def add_parse(sub) -> None:
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


def add_schema(sub) -> None:
    """The ``schema`` subcommand's options."""
    p = sub.add_parser("schema", help=COMMANDS["schema"])
    p.set_defaults(func=_cmd_schema)
