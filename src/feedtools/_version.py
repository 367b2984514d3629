"""The installed feedtools version, in a leaf module: modules that record it (Parquet metadata, fetch
manifests, the report cache key, ``--version``) import it from here, never from the package, so importing
the package and recording the version cannot form an import cycle."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("feedtools")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
