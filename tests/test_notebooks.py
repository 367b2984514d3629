"""The notebooks as regression tests, and their hygiene.

* Each ``notebooks/NN_name.py`` (jupytext py:percent, the source) has a paired
  ``NN_name.ipynb`` with the same cells, stored WITH outputs on the bundled seed.
* Each has exactly one ``parameters`` cell of literals whose feed default is the seed.
* Re-executing each stored notebook (pytest-notebook) on a copy of the seed gives the
  stored outputs again: any change in an analysis fails here. Volatile parts are
  masked: Altair's random chart ids and library versions (replaced), execution counts
  and run metadata (ignored). This run also proves each notebook runs with its defaults.
* A changed post in the seed copy makes the regression fail with a readable diff.

After an intended change: ``make notebooks`` (``feedtools notebooks --update``), then
review the diff of the ``.ipynb`` files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, SEED

from feedtools.report import NOTEBOOK_PATTERN, notebook_parameters, read_notebook

NOTEBOOKS_DIR = ROOT / "notebooks"
SOURCES = sorted(p for p in NOTEBOOKS_DIR.glob("*.py") if NOTEBOOK_PATTERN.match(p.name))
REGENERATE = "regenerate with `make notebooks` (feedtools notebooks --update)"

DIFF_REPLACE = (
    ("/cells/*/outputs", r"altair-viz-[0-9a-f]+", "altair-viz-ID"),  # random when run, numbered when stored
    ("/cells/*/outputs", r"maybeLoadScript[(][^)]*[)]", "maybeLoadScript(LIB, VERSION)"),
    ("/cells/*/outputs", r"npm/vega[a-z-]*@[0-9.]*", "npm/vega-LIB@VERSION"),
    ("/cells/*/outputs", r"schema/vega-lite/v[0-9.]+json", "schema/vega-lite/VERSION.json"),
)
DIFF_IGNORE = (
    "/metadata/language_info",
    "/metadata/widgets",
    "/cells/*/execution_count",
    "/cells/*/outputs/*/execution_count",
    "/cells/*/metadata/execution",
    "/cells/*/outputs/*/traceback",
)


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def test_there_are_ordered_notebooks():
    assert SOURCES, "no notebooks/NN_name.py found"
    assert SOURCES[0].name == "01_exploration.py"
    assert len({p.name[:2] for p in SOURCES}) == len(SOURCES), "two notebooks share a number"


def _cells(nb) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", []))) for c in nb.cells]


@pytest.mark.parametrize("source", SOURCES, ids=_ids(SOURCES))
def test_py_and_ipynb_are_paired_and_in_sync(source: Path):
    import jupytext

    ipynb = source.with_suffix(".ipynb")
    assert ipynb.exists(), f"{ipynb.name} is missing: {REGENERATE}"
    from_py = jupytext.read(source)
    stored = nbformat.read(ipynb, as_version=4)
    assert "ipynb" in from_py.metadata.get("jupytext", {}).get("formats", ""), "header must pair ipynb,py:percent"
    assert _cells(from_py) == _cells(stored), f"{source.name} and {ipynb.name} differ: {REGENERATE}"
    assert all(c.get("outputs") is not None for c in stored.cells if c.cell_type == "code")
    assert any(c.get("outputs") for c in stored.cells if c.cell_type == "code"), f"{ipynb.name} has no outputs"


@pytest.mark.parametrize("source", SOURCES, ids=_ids(SOURCES))
def test_one_parameters_cell_of_literals_defaulting_to_the_seed(source: Path):
    params = notebook_parameters(read_notebook(source), source.stem)
    assert "feed_path" in params
    assert (NOTEBOOKS_DIR / params["feed_path"]).resolve() == SEED.resolve()


def _copy_layout(tmp_path: Path, seed_text: bytes | None = None) -> Path:
    """notebooks/ and data/ in tmp: the stored notebooks run on a copy of the seed, never on the repo's files."""
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    for ipynb in NOTEBOOKS_DIR.glob("*.ipynb"):
        shutil.copy(ipynb, nbdir / ipynb.name)
    # data/: links to the project's files (calendars, alias tables the notebooks read), generated tables left
    # out, and a real copy of the seed in data/raw/ (the file a test may change)
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    for entry in (ROOT / "data").iterdir():
        if entry.name not in ("raw", "processed"):
            (data / entry.name).symlink_to(entry)
    for entry in (ROOT / "data" / "raw").iterdir():
        if entry.name != SEED.name:
            (data / "raw" / entry.name).symlink_to(entry)
    (data / "raw" / SEED.name).write_bytes(SEED.read_bytes() if seed_text is None else seed_text)
    return nbdir


def _fixture():
    from pytest_notebook.nb_regression import NBRegressionFixture

    return NBRegressionFixture(
        exec_timeout=600,
        diff_replace=DIFF_REPLACE,
        diff_ignore=DIFF_IGNORE,
        diff_use_color=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=_ids(SOURCES))
def test_notebook_outputs_are_unchanged(source: Path, tmp_path: Path):
    if not source.with_suffix(".ipynb").exists():
        pytest.fail(f"{source.with_suffix('.ipynb').name} is missing: {REGENERATE}")
    nbdir = _copy_layout(tmp_path)
    _fixture().check(str(nbdir / f"{source.stem}.ipynb"))


@pytest.mark.slow
def test_a_changed_post_fails_the_regression_with_a_readable_diff(tmp_path: Path):
    seed = SEED.read_text(encoding="utf-8")
    line = next(ln for ln in seed.splitlines() if ln.startswith("- ") and "#UCLGMeets" in ln)
    changed = seed.replace(line, line.replace("#UCLGMeets", "#ChangedForTheTest"), 1)
    assert changed != seed
    nbdir = _copy_layout(tmp_path, changed.encode("utf-8"))
    result = _fixture().check(str(nbdir / "01_exploration.ipynb"), raise_errors=False)
    assert result.diff_filtered, "the regression did not notice a changed post"
    diff = result.diff_string
    assert "\x1b[" not in diff  # plain text, no colour codes
    assert "## modified /cells/" in diff  # names the changed output
    # one post fewer uses #uclgmeets: the sentence and the table show it as a removed and an added line
    lines = diff.splitlines()
    assert (
        "-Among 66 loaded posts, the hashtag in most posts is uclgmeets (18 posts, 27%); the table and chart "
        "show the top 15." in lines
    )
    assert (
        "+Among 66 loaded posts, the hashtag in most posts is uclgmeets (17 posts, 26%); the table and chart "
        "show the top 15." in lines
    )


@pytest.mark.parametrize("source", SOURCES, ids=_ids(SOURCES))
def test_markdown_has_no_hashtag_turned_heading(source):
    """A prose line that starts with a hashtag (``#GLRs …``) renders as a heading: wrap the line elsewhere."""
    nb = read_notebook(source)
    bad = [
        line
        for c in nb.cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("#") and not line.lstrip("#").startswith(" ")
    ]
    assert bad == [], f"{source.name}: markdown lines that would render as headings: {bad}"
