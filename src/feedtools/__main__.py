"""``python -m feedtools …``: the same command line as ``feedtools …`` (:func:`feedtools.cli.main`)."""

from feedtools.cli import main

if __name__ == "__main__":  # importing the module (e.g. pkgutil.walk_packages) runs nothing
    raise SystemExit(main())
