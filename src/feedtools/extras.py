"""The optional extras of feedtools and the one check that says, in one line, which one a step is missing.

The core install (``pip install feedtools``) reads and analyses feeds. What only some uses need is an extra
(``pip install 'feedtools[report]'``); ``docs/design.md`` ("Dependencies and extras") says what each holds and
why. A module or function that needs an extra calls :func:`require` before importing it, so a missing extra
is a :class:`~feedtools.errors.MissingExtra` (one line on the command line, exit status 1), never a traceback.
"""

from __future__ import annotations

import importlib.util

from feedtools.errors import MissingExtra

__all__ = ["EXTRAS", "MissingExtra", "missing", "require"]

#: The modules each extra provides that feedtools imports or runs (distribution names in ``pyproject.toml``).
EXTRAS: dict[str, tuple[str, ...]] = {
    "notebooks": ("jupyterlab", "ipywidgets", "ipykernel", "jupytext", "jupyter_server", "tornado"),
    "report": ("nbformat", "nbclient", "nbconvert", "jinja2", "traitlets", "ipykernel", "jupytext"),
    "fetch": ("httpx", "tenacity"),
    "spark": ("pyspark", "pandas"),
    "bench": ("pandas", "langdetect"),
}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent that fails to import, or a module set to None in sys.modules
        return False


def missing(extra: str) -> list[str]:
    """The modules of ``extra`` (a key of :data:`EXTRAS`) that cannot be imported here; empty when it is installed.
    Raises ``KeyError`` for an unknown extra (a programming error)."""
    return [m for m in EXTRAS[extra] if not _installed(m)]


def require(extra: str, what: str) -> None:
    """Return when every module of ``extra`` can be imported; else raise :class:`MissingExtra` naming ``what``
    (the step that needs it), the extra, the missing modules and the install line."""
    gone = missing(extra)
    if gone:
        raise MissingExtra(
            f"{what} needs the '{extra}' extra (missing: {', '.join(gone)}): pip install 'feedtools[{extra}]'"
        )
