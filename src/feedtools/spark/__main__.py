"""``spark-submit`` entry point: ``python -m feedtools.spark parse INPUTS -o DIR`` (also
``spark-submit --py-files feedtools.whl -m``-less: ``spark-submit path/to/feedtools/spark/__main__.py parse ...``).

Reads the inputs on the cluster (:func:`feedtools.spark.read_feed`), writes the dataset folder
(:func:`feedtools.spark.write`) and prints the one-line summary of ``feedtools parse`` on stderr. Exit status:
0, 1 when an input cannot be read, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    """The arguments of ``python -m feedtools.spark`` (one command, ``parse``)."""
    from feedtools.readers import FORMATS

    parser = argparse.ArgumentParser(
        prog="python -m feedtools.spark", description="Parse feeds on Spark into a feedtools dataset folder."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="read raw feed files on Spark and write the posts dataset folder")
    p.add_argument(
        "input",
        nargs="+",
        help="feed files, folders of feed files or quoted globs (on a file system every node mounts)",
    )
    p.add_argument("-o", "--output", required=True, help="dataset folder to write (any Hadoop path)")
    p.add_argument("--format", default="auto", choices=["auto", *FORMATS])
    p.add_argument("--langs", default=None, help="candidate languages, comma-separated ISO 639-1 codes")
    p.add_argument("--known-name", action="append", default=[], metavar="NAME")
    p.add_argument(
        "--split-mb", type=int, default=64, help="byte-range size for large Jetstream JSON Lines captures (default 64)"
    )
    p.add_argument("--master", default=None, help="Spark master when not run by spark-submit (e.g. local[2])")
    return parser


def main(argv=None) -> int:
    """Run ``python -m feedtools.spark``; return the exit status. A missing spark extra, a
    :class:`~feedtools.errors.FeedtoolsError` (an input that cannot be read…) or an ``OSError``: one line
    ``feedtools: error: …`` on stderr and 1 (the error's ``exit_code``); bad arguments: argparse's 2."""
    from feedtools.errors import FeedtoolsError, MissingExtra
    from feedtools.extras import require

    args = build_parser().parse_args(argv)
    try:
        require("spark", "python -m feedtools.spark")
    except MissingExtra as e:  # one line, not a traceback
        print(f"feedtools: error: {e}", file=sys.stderr)
        return 1
    spark = _session(args.master)
    try:
        print(_parse(spark, args), file=sys.stderr)
        return 0
    except FeedtoolsError as e:
        print(f"feedtools: error: {e}", file=sys.stderr)
        return e.exit_code
    except OSError as e:
        from feedtools.safeio import describe_oserror

        print(f"feedtools: error: {describe_oserror(e)}", file=sys.stderr)
        return 1
    finally:
        spark.stop()


def _session(master: str | None):
    """The Spark session (``master`` when given, else spark-submit's); executors run this very Python."""
    import os

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors run the same Python as the driver
    builder = SparkSession.builder.appName("feedtools parse")
    if master:
        builder = builder.master(master)
    return builder.getOrCreate()


def _parse(spark, args: argparse.Namespace) -> str:
    """Read the inputs, write the dataset folder and return the summary line of ``feedtools parse``."""
    from feedtools.pipeline import ParseResult, summary_line
    from feedtools.spark import read_feed, write

    langs = tuple(v.strip().lower() for v in args.langs.split(",") if v.strip()) if args.langs else None
    feed = read_feed(
        spark,
        args.input,
        format=args.format,
        languages=langs,
        known_names=args.known_name,
        split_bytes=max(1, args.split_mb) << 20,
    )
    write(feed, args.output)
    result = ParseResult(
        rows=feed.posts.count(),
        reposts=feed.posts.filter("is_repost").count(),
        placeholders=feed.posts.filter("is_placeholder").count(),
        rejects=feed.rejects,
        stats=feed.stats,
        meta=feed.meta,
    )
    return summary_line(result)


if __name__ == "__main__":
    sys.exit(main())
