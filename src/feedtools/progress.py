"""The progress bar of :func:`feedtools.pipeline.load`: a ``tqdm.auto`` widget in a notebook, text elsewhere.

Shown by default only inside an interactive Jupyter kernel (:func:`in_notebook`) and only for batches of more
than :data:`PROGRESS_MIN_ROWS` rows. (``feedtools parse`` draws its own bar on a terminal.)
"""

from __future__ import annotations

__all__ = ["PROGRESS_MIN_ROWS", "in_notebook", "progress_bar"]

#: Below this many rows in a batch, ``load`` shows no progress bar by default (it takes a few seconds at most).
PROGRESS_MIN_ROWS = 200_000


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where a progress widget can be shown), unless ``FEEDTOOLS_PROGRESS=0``
    (set by ``feedtools report`` for the kernels it runs)."""
    import os
    import sys

    if os.environ.get("FEEDTOOLS_PROGRESS") == "0":
        return False
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return bool(shell) and hasattr(shell, "kernel")


def progress_bar(total: int, name: str):
    """A bar of ``total`` rows, ``enriching NAME``, removed when closed."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=f"enriching {name}", unit=" rows", unit_scale=True, leave=False)
