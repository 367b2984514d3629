"""The registry of ``feedtools`` subcommands: name and one-line summary, in the order ``--help`` lists them.

:func:`feedtools.cli.build_parser` builds one subparser per entry (and fails on an entry it has no builder
for); :mod:`feedtools.bench` reads it to know which steps it can time. Imports nothing, so any module may read
it without importing the command line.
"""

from __future__ import annotations

__all__ = ["COMMANDS"]

#: Subcommand name -> the one-line summary ``feedtools --help`` shows.
COMMANDS: dict[str, str] = {
    "parse": "read a feed into the canonical posts table",
    "schema": "print the posts table's columns and their meaning (Markdown)",
    "bench": "benchmark parse (and campaigns, timeline) on built feeds of 100k-10M items against a notebook baseline",
    "campaigns": "campaigns across languages and spellings: one row per campaign, per-post campaigns, network",
    "timeline": "date every post (window, estimate, source) and find events, even in an undated feed",
    "report": "run the notebooks on a feed and write self-contained HTML reports (the main job)",
    "fetch": "collect an account's feed (and repository) from Bluesky's public API into a folder",
    "notebooks": "list the notebooks, or regenerate their stored outputs (--update)",
}
