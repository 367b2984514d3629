"""feedtools: read, clean and analyse an organisation's social-media feed.

>>> import feedtools
>>> posts = feedtools.read("data/raw/000_802a2c4cd511184e.txt")  # doctest: +SKIP

``feedtools.read(path)`` returns the canonical posts table (polars) of a feed in
any supported format; ``feedtools.load(path)`` also returns the rejected records,
counts and input metadata. The schema is documented in :mod:`feedtools.schema`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("feedtools")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

from feedtools.pipeline import Feed, load, read  # noqa: E402
from feedtools.readers import FeedError  # noqa: E402
from feedtools.schema import COLUMNS, POSTS_SCHEMA  # noqa: E402

__all__ = ["COLUMNS", "POSTS_SCHEMA", "Feed", "FeedError", "__version__", "load", "read"]
