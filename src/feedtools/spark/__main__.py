"""``spark-submit`` entry point: ``python -m feedtools.spark parse INPUTS -o DIR`` (also
``spark-submit --py-files feedtools.whl -m``-less: ``spark-submit path/to/feedtools/spark/__main__.py parse ...``).

Reads the inputs on the cluster (:func:`feedtools.spark.read_feed`), writes the dataset folder
(:func:`feedtools.spark.write`) and prints the one-line summary of ``feedtools parse`` on stderr. Exit status:
0, 1 when an input cannot be read, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    from feedtools.readers import FORMATS, FeedError

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
    args = parser.parse_args(argv)
    import os

    from feedtools.errors import MissingExtra
    from feedtools.extras import require

    try:
        require("spark", "python -m feedtools.spark")
    except MissingExtra as e:  # one line, not a traceback
        print(f"feedtools: error: {e}", file=sys.stderr)
        return 1
    from pyspark.sql import SparkSession

    from feedtools.pipeline import summary_line
    from feedtools.spark import read_feed, write

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors run the same Python as the driver
    builder = SparkSession.builder.appName("feedtools parse")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
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
        rows = feed.posts.count()
        reposts = feed.posts.filter("is_repost").count()
        placeholders = feed.posts.filter("is_placeholder").count()
        from feedtools.pipeline import ParseResult

        result = ParseResult(
            rows=rows,
            reposts=reposts,
            placeholders=placeholders,
            rejects=feed.rejects,
            stats=feed.stats,
            meta=feed.meta,
        )
        print(summary_line(result), file=sys.stderr)
        return 0
    except (FeedError, OSError) as e:
        print(f"feedtools: error: {e}", file=sys.stderr)
        return 1
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
