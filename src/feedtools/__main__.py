"""``python -m feedtools …``: the same command line as ``feedtools …`` (:func:`feedtools.cli.main`)."""

from feedtools.cli import main

raise SystemExit(main())
