"""feedtools.report and `feedtools report`: notebooks executed in order into self-contained, escaped HTML."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import FIXTURES, ROOT, SEED

from feedtools import FeedError
from feedtools.report import (
    ReportError,
    build_reports,
    coalesce_streams,
    external_references,
    find_notebooks,
    inject_parameters,
    notebook_parameters,
    read_notebook,
    render_html,
)

FEEDTOOLS = str(Path(sys.executable).with_name("feedtools"))

TINY = """\
# %% [markdown]
# # Tiny {n}

# %% tags=["parameters"]
feed_path = "../data/raw/000_802a2c4cd511184e.txt"
languages = None
# %%
from pathlib import Path
import altair as alt
import polars as pl
import feedtools.charts
print("feed:", Path(feed_path).name)
{extra}
alt.Chart(pl.DataFrame({{"a": ["x"], "b": [1]}})).mark_bar().encode(x="b", y="a", tooltip=["a", "b"])
"""


def _tiny_notebooks(folder: Path, extra: dict[int, str] | None = None, count: int = 2) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        (folder / f"0{n}_tiny{n}.py").write_text(TINY.format(n=n, extra=(extra or {}).get(n, "")), encoding="utf-8")
    return folder


def _nb(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for source, tags in cells:
        c = nbformat.v4.new_code_cell(source)
        c.metadata["tags"] = tags
        nb.cells.append(c)
    return nb


# --- notebooks and parameters ---------------------------------------------------------------------------------


def test_find_notebooks_in_order_ignoring_other_files(tmp_path):
    for name in ("02_b.py", "01_a.py", "10_c.py", "notes.py", "1_x.py", "03_d.ipynb", "helpers_01.py"):
        (tmp_path / name).write_text("")
    assert [p.name for p in find_notebooks(tmp_path)] == ["01_a.py", "02_b.py", "10_c.py"]
    with pytest.raises(ReportError, match="no notebooks"):
        find_notebooks(_empty(tmp_path))


def _empty(tmp_path: Path) -> Path:
    d = tmp_path / "empty"
    d.mkdir()
    return d


def test_the_project_notebooks_start_with_exploration():
    assert find_notebooks()[0].name == "01_exploration.py"


def test_parameters_cell_must_be_one_cell_of_literals():
    ok = _nb(('feed_path = "a.txt"\nlanguages = None\nn = [1, 2]', ["parameters"]))
    assert notebook_parameters(ok) == {"feed_path": "a.txt", "languages": None, "n": [1, 2]}
    with pytest.raises(ReportError, match="exactly one"):
        notebook_parameters(_nb(("x = 1", [])))
    with pytest.raises(ReportError, match="exactly one"):
        notebook_parameters(_nb(("x = 1", ["parameters"]), ("y = 2", ["parameters"])))
    with pytest.raises(ReportError, match="not a literal"):
        notebook_parameters(_nb(("x = len('a')", ["parameters"])))
    with pytest.raises(ReportError, match="not a simple assignment"):
        notebook_parameters(_nb(("import os", ["parameters"])))


def test_injected_parameters_follow_the_parameters_cell_and_only_declared_names():
    nb = _nb(("print(1)", []), ('feed_path = "a.txt"', ["parameters"]), ("print(feed_path)", []))
    out = inject_parameters(nb, {"feed_path": "b.txt", "other": 3})
    assert out.cells[2].source.endswith("feed_path = 'b.txt'")
    assert "other" not in out.cells[2].source
    assert out.cells[2].metadata["tags"] == ["injected-parameters"]
    assert len(nb.cells) == 3  # the input is not modified


def test_read_notebook_gives_stable_cell_ids():
    source = ROOT / "notebooks" / "01_exploration.py"
    assert [c.id for c in read_notebook(source).cells] == [c.id for c in read_notebook(source).cells]


# --- self-containment ---------------------------------------------------------------------------------------------


def test_external_references_finds_fetches_not_links_or_text():
    page = """<script src="https://cdn.example.org/require.js"></script>
    <link rel="stylesheet" href="//fonts.example.com/x.css"><img src='http://x.org/a.png'>
    <style>@import url("https://x.org/y.css"); .a { background: url(https://x.org/b.png) }</style>
    <a href="https://uclg.org">a link</a> <p>&lt;script src="https://evil.org/x.js"&gt;</p>
    <img src="data:image/png;base64,AAAA">"""
    assert external_references(page) == [
        "https://cdn.example.org/require.js",
        "//fonts.example.com/x.css",
        "http://x.org/a.png",
        "https://x.org/y.css",
        "https://x.org/b.png",
    ]


def test_plain_nbconvert_html_would_fetch_from_a_cdn():
    """The reason for the report template: nbconvert's own lab page loads require.js from a CDN."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(_nb(("1", [])))
    assert any("require" in u for u in external_references(body))


# --- building reports (tiny notebooks: fast) ----------------------------------------------------------------------


def test_build_writes_pages_in_order_with_progress_and_no_paths(tmp_path, capsys):
    notebooks = _tiny_notebooks(tmp_path / "nbs")
    out = tmp_path / "out"
    written = build_reports(SEED, out, notebooks_dir=notebooks, progress=sys.stderr)
    assert [p.name for p in written] == ["01_tiny1.html", "02_tiny2.html", "index.html"]
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("[1/2] 01_tiny1 -> 01_tiny1.html (") and err[1].startswith("[2/2] 02_tiny2")
    page = (out / "01_tiny1.html").read_text(encoding="utf-8")
    assert "feed: 000_802a2c4cd511184e.txt" in page
    assert external_references(page) == []
    assert page.count("vegaEmbed=") == 1  # the libraries are inlined once
    assert 'id="altair-viz-1"' in page and not re.search(r"altair-viz-[0-9a-f]{32}", page)
    assert "print(" not in page  # code hidden by default
    for text in (str(tmp_path), str(ROOT), sys.prefix, str(SEED.parent)):
        assert text not in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="01_tiny1.html">Tiny 1</a>' in index and "<td>51</td>" in index


def test_show_code_shows_the_injected_file_name_not_a_path(tmp_path):
    notebooks = _tiny_notebooks(tmp_path / "nbs", count=1)
    build_reports(SEED, tmp_path / "out", notebooks_dir=notebooks, show_code=True, progress=None)
    page = (tmp_path / "out" / "01_tiny1.html").read_text(encoding="utf-8")
    assert "print" in page and "000_802a2c4cd511184e.txt" in page
    assert str(SEED.parent) not in page and str(ROOT) not in page


def test_a_failing_notebook_stops_the_build_naming_notebook_and_cell(tmp_path):
    notebooks = _tiny_notebooks(tmp_path / "nbs", count=3, extra={2: "raise KeyError('no such column: reach')"})
    with pytest.raises(ReportError) as err:
        build_reports(SEED, tmp_path / "out", notebooks_dir=notebooks, progress=None)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("02_tiny2: code cell 2 (from pathlib import Path) raised KeyError:")
    assert "no such column: reach" in message
    assert not (tmp_path / "out" / "03_tiny3.html").exists()
    assert not (tmp_path / "out" / "index.html").exists()


def test_zero_post_feed_stops_with_one_line(tmp_path):
    with pytest.raises(FeedError, match="zero_posts.txt: no posts in this feed"):
        build_reports(FIXTURES / "zero_posts.txt", tmp_path / "out", progress=None)
    assert not (tmp_path / "out").exists()


def test_cli_report_failures_are_one_line(tmp_path):
    run = subprocess.run(
        [FEEDTOOLS, "report", "--feed", str(FIXTURES / "zero_posts.txt"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        "feedtools: error: zero_posts.txt: no posts in this feed (0 records), nothing to report"
    ]
    notebooks = _tiny_notebooks(tmp_path / "nbs", count=1, extra={1: "1 / 0"})
    run = subprocess.run(
        [FEEDTOOLS, "report", "--notebooks", str(notebooks), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == (
        "feedtools: error: 01_tiny1: code cell 2 (from pathlib import Path) raised ZeroDivisionError: division by zero"
    )
    assert "Traceback" not in run.stderr


# --- the real notebooks ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    build_reports(FIXTURES / "hostile_feed.txt", out, progress=None)
    return out


@pytest.mark.slow
def test_hostile_feed_reports_escape_everything(hostile_reports):
    pages = sorted(hostile_reports.glob("*.html"))
    assert len(pages) == len(find_notebooks()) + 1
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert external_references(text) == [], page.name
        # every <script> element is ours: the libraries, VEGA_DEBUG, and one per chart (Altair's loader)
        for body in re.findall(r"<script[^>]*>(.*?)</script>", text, flags=re.DOTALL):
            assert not body.lstrip().startswith("alert"), page.name
        assert "<img src=x" not in text  # a real tag; as text it shows as &lt;img src=x
        assert not re.search(r"<a\s[^>]*href\s*=\s*[\"']?javascript:", text, flags=re.IGNORECASE)
        assert "<script>alert(1)</script>" not in text
    exploration = (hostile_reports / "01_exploration.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in exploration
    assert '&lt;b&gt;Evil&lt;/b&gt; Org &lt;script&gt;alert("name")&lt;/script&gt;' in exploration
    assert "\\u003cb\\u003ebold?\\u003c/b\\u003e" in exploration  # the longest post's excerpt, in chart data


@pytest.mark.slow
def test_only_placeholders_feed_builds_readable_reports(tmp_path):
    written = build_reports(FIXTURES / "only_placeholders.txt", tmp_path, progress=None)
    index = written[-1].read_text(encoding="utf-8")
    assert "<th>of which unloaded placeholders</th><td>3</td>" in index
    page = (tmp_path / "01_exploration.html").read_text(encoding="utf-8")
    assert "nothing to show for this feed" in page
    assert "Ghost &lt;i&gt;Account&lt;/i&gt;" in page


#: How many builds the determinism test compares (``FEEDTOOLS_DETERMINISM_RUNS=20`` for a long run).
DETERMINISM_RUNS = int(os.environ.get("FEEDTOOLS_DETERMINISM_RUNS", "3"))


@contextlib.contextmanager
def _cpu_load(workers: int = 2, seconds: float = 600):
    """Busy processes (one per core) while the block runs, so kernels flush their output at odd times.

    Each process spins for at most ``seconds`` (it stops by itself if the test dies) and is
    terminated, then killed, when the block ends.
    """
    spin = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    sum(range(10000))"
    procs = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(workers)]
    try:
        yield procs
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.mark.slow
def test_seed_reports_are_deterministic_under_load(tmp_path):
    builds = []
    runs = max(2, DETERMINISM_RUNS)
    # The load lasts as long as the builds (up to 10 minutes each on a busy machine), then stops by itself.
    with _cpu_load(workers=max(2, os.cpu_count() or 2), seconds=600 * runs) as procs:
        for run in range(runs):
            assert all(p.poll() is None for p in procs), "the load stopped before the builds ended"
            builds.append(build_reports(SEED, tmp_path / str(run), progress=None))
    first = builds[0]
    for other in builds[1:]:
        for a, b in zip(first, other, strict=True):
            assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between {a.parent.name} and {b.parent.name}"
    for a in first:
        text = a.read_text(encoding="utf-8")
        for machine in (str(tmp_path), str(ROOT), sys.prefix, str(Path.home())):
            assert machine not in text, f"{a.name} shows {machine}"
        assert external_references(text) == [], a.name
    index = first[-1].read_text(encoding="utf-8")
    for figure in (
        "<td>80</td>",
        "<td>51</td>",
        "<td>29</td>",
        "<td>14</td>",
        "<td>en, es, fr</td>",
        "<td>no dates in this feed</td>",
        "<td>000_802a2c4cd511184e.txt</td>",
    ):
        assert figure in index


def test_split_prints_are_coalesced_into_one_output():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('never split')")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="nev"),
        nbformat.v4.new_output("stream", name="stdout", text="er split\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
        nbformat.v4.new_output("stream", name="stdout", text="after\n"),
    ]
    nb.cells.append(cell)
    coalesce_streams(nb)
    assert [(o.name, o.text) for o in cell.outputs] == [
        ("stdout", "never split\n"),
        ("stderr", "warning\n"),
        ("stdout", "after\n"),
    ]
    nb.cells[0].outputs[:1] = [
        nbformat.v4.new_output("stream", name="stdout", text="one"),
        nbformat.v4.new_output("stream", name="stdout", text=" line\n"),
    ]
    page = render_html(nb, "T")
    assert page.count("one line") == 1 and page.count("<pre>") == 3


def test_cli_notebooks_lists_them_in_order_and_report_has_help():
    run = subprocess.run([FEEDTOOLS, "notebooks"], capture_output=True, text=True, check=True)
    assert run.stdout.splitlines() == [p.name for p in find_notebooks()]
    helptext = subprocess.run([FEEDTOOLS, "report", "--help"], capture_output=True, text=True, check=True).stdout
    for option in ("--feed", "--out", "--show-code", "--langs", "--notebooks"):
        assert option in helptext


# --- parse once, Parquet hand-off, feeds are data never code ------------------------------------------------------

#: A valid profile scrape that is also valid Python: importing it would write to $FEEDTOOLS_PWNED.
PYTHON_FEED = (
    'import os; open(os.environ.get("FEEDTOOLS_PWNED", os.devnull), "a").write("ran\\n")\n'
    '"A bio line"\n- 1\n- 2 + 3 # Cities\n'
)

SITECUSTOMIZE = """
import os
if os.environ.get("FEEDTOOLS_TEST_READ_LOG"):
    import feedtools.pipeline
    import feedtools.readers

    _original = feedtools.readers.iter_read

    def _counting(path, *args, **kwargs):
        with open(os.environ["FEEDTOOLS_TEST_READ_LOG"], "a") as log:
            log.write(os.path.basename(str(path)) + "\\n")
        yield from _original(path, *args, **kwargs)

    feedtools.readers.iter_read = feedtools.pipeline.iter_read = _counting
    with open(os.environ["FEEDTOOLS_TEST_READ_LOG"], "a") as log:
        log.write("(kernel)\\n")  # proves the hook runs in the kernels, where a second parse would happen
"""


@pytest.fixture
def read_log(tmp_path, monkeypatch) -> Path:
    """Counts reader calls in this process and in every notebook kernel (through a sitecustomize on PYTHONPATH)."""
    import feedtools.pipeline
    import feedtools.readers

    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "reads.log"
    log.touch()
    monkeypatch.setenv("FEEDTOOLS_TEST_READ_LOG", str(log))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH")) if p))
    original = feedtools.readers.iter_read

    def counting(path, *args, **kwargs):
        with open(log, "a") as f:
            f.write(os.path.basename(str(path)) + "\n")
        yield from original(path, *args, **kwargs)

    monkeypatch.setattr(feedtools.readers, "iter_read", counting)  # where the drivers look it up
    return log


def test_report_parses_each_input_once_and_reuses_the_cache(tmp_path, read_log):
    notebooks = _tiny_notebooks(
        tmp_path / "nbs",
        count=2,
        extra={
            1: "import feedtools\nprint('rows:', feedtools.load(feed_path).posts.height)",
            2: "import feedtools\nprint('rows:', feedtools.load(feed_path).posts.height)",
        },
    )
    other = tmp_path / "feeds" / "other.txt"
    other.parent.mkdir()
    other.write_text("Other Org\nbio\n- Un message #Villes\n", encoding="utf-8")
    cache = tmp_path / "cache"
    build_reports([SEED, other], tmp_path / "out", notebooks_dir=notebooks, progress=None, cache_dir=cache)
    lines = read_log.read_text().split()
    assert lines.count("(kernel)") >= 2  # both kernels counted their reads
    assert sorted(x for x in lines if x != "(kernel)") == ["000_802a2c4cd511184e.txt", "other.txt"]  # one each
    page = (tmp_path / "out" / "01_tiny1.html").read_text(encoding="utf-8")
    assert "rows: 81" in page and "feed: 000_802a2c4cd511184e.txt+other.txt" in page
    assert str(cache) not in page and str(tmp_path) not in page
    [cached] = list(cache.glob("*/*"))
    assert cached.read_bytes()[:4] == b"PAR1"
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "<td>collection of accounts</td>" in index and "<th>original posts</th><td>52</td>" in index
    read_log.write_text("")
    build_reports([SEED, other], tmp_path / "out2", notebooks_dir=notebooks, progress=None, cache_dir=cache)
    assert set(read_log.read_text().split()) == {"(kernel)"}  # the same inputs again: from the cache, not parsed
    assert (tmp_path / "out2" / "index.html").read_text(encoding="utf-8") == index


def test_report_reads_a_parsed_dataset_folder_and_keys_the_cache_by_its_parts(tmp_path, read_log):
    from feedtools.cli import main

    ds = tmp_path / "posts_ds"
    assert main(["parse", str(SEED), "-o", f"{ds}/", "-q"]) == 0
    read_log.write_text("")
    notebooks = _tiny_notebooks(
        tmp_path / "nbs",
        count=1,
        extra={
            1: "import feedtools\nf = feedtools.load(feed_path)\n"
            "print('rows:', f.posts.height, 'source:', f.meta['source'])"
        },
    )
    cache = tmp_path / "cache"
    build_reports(ds, tmp_path / "out", notebooks_dir=notebooks, progress=None, cache_dir=cache)
    page = (tmp_path / "out" / "01_tiny1.html").read_text(encoding="utf-8")
    assert "rows: 80 source: 000_802a2c4cd511184e.txt" in page and "feed: posts_ds" in page
    assert [x for x in read_log.read_text().split() if x != "(kernel)"] == []  # parsed already: no reader ran
    [first] = list(cache.glob("*/*"))
    assert first.read_bytes()[:4] == b"PAR1"
    other = tmp_path / "other.txt"
    other.write_text("Other Org\nbio\n- Un message #Villes\n", encoding="utf-8")
    assert main(["parse", str(other), "-o", f"{ds}/", "-q"]) == 0  # the same folder, other content
    build_reports(ds, tmp_path / "out", notebooks_dir=notebooks, progress=None, cache_dir=cache)
    assert len(list(cache.glob("*/*"))) == 2  # a new cache entry: the key follows the parts' content


@pytest.mark.parametrize("name", ["feedtools.py", "polars.py", "altair.py", "pathlib.py"])
def test_a_feed_named_after_an_imported_module_is_read_as_data(tmp_path, monkeypatch, name):
    marker = tmp_path / "pwned"
    monkeypatch.setenv("FEEDTOOLS_PWNED", str(marker))
    feed = tmp_path / "in" / name
    feed.parent.mkdir()
    feed.write_text(PYTHON_FEED, encoding="utf-8")
    monkeypatch.chdir(feed.parent)  # even run from the feed's own folder
    notebooks = _tiny_notebooks(
        tmp_path / "nbs", count=1, extra={1: "import feedtools\nprint('rows:', feedtools.load(feed_path).posts.height)"}
    )
    build_reports(feed, tmp_path / "out", notebooks_dir=notebooks, progress=None, cache_dir=tmp_path / "cache")
    page = (tmp_path / "out" / "01_tiny1.html").read_text(encoding="utf-8")
    assert f"feed: {name}" in page and "rows: 2" in page
    assert not marker.exists()  # no code of the feed ran


@pytest.mark.slow
def test_real_reports_on_a_feed_named_feedtools_py_and_on_a_collection(tmp_path, monkeypatch, samples):
    marker = tmp_path / "pwned"
    monkeypatch.setenv("FEEDTOOLS_PWNED", str(marker))
    feed = tmp_path / "feedtools.py"
    feed.write_text(PYTHON_FEED, encoding="utf-8")
    build_reports(feed, tmp_path / "own", progress=None, cache_dir=tmp_path / "cache")
    assert not marker.exists()
    page = (tmp_path / "own" / "01_exploration.html").read_text(encoding="utf-8")
    assert "are the account&#39;s own posts" in page or "are the account's own posts" in page
    # a collection: original posts, the accounts section with its figures
    build_reports(
        samples / "jetstream_expected_v1.jsonl", tmp_path / "jet", progress=None, cache_dir=tmp_path / "cache"
    )
    page = (tmp_path / "jet" / "01_exploration.html").read_text(encoding="utf-8")
    assert "17 of 32 rows (53%) are original posts (not reposts)" in page
    assert "own posts" not in page.split("</style>")[-1]
    assert "This feed is a collection: its original posts were written by 15 accounts" in page
    assert "17 original posts by 15 accounts; most active:" in page
    assert "Original posts per account, most active first" in page  # the long-tail chart
    assert "Languages per account" in page and "Reposts per reposting account" in page
    text = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.DOTALL)
    assert not re.search(r"\b(None|nan|NaN)\b", text)


def test_rebuilding_replaces_an_earlier_report_whole_and_keeps_other_files(tmp_path):
    out = tmp_path / "out"
    first = _tiny_notebooks(tmp_path / "v1", count=1, extra={1: "print('first-build-marker')"})
    build_reports(SEED, out, notebooks_dir=first, progress=None)
    (out / "notes.txt").write_text("the researcher's own notes")
    earlier = {p.name: p.read_bytes() for p in out.iterdir()}
    failing = _tiny_notebooks(
        tmp_path / "bad", count=2, extra={1: "print('failed-build-marker')", 2: "raise KeyError('boom')"}
    )
    with pytest.raises(ReportError):
        build_reports(SEED, out, notebooks_dir=failing, progress=None)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier  # a failed build changes nothing
    third = _tiny_notebooks(tmp_path / "v3", count=1, extra={1: "print('third-build-marker')"})
    build_reports(SEED, out, notebooks_dir=third, progress=None)
    page = (out / "01_tiny1.html").read_text(encoding="utf-8")
    assert "third-build-marker" in page and "first-build-marker" not in page
    assert (out / "notes.txt").read_text() == "the researcher's own notes"  # never deletes what it did not write
    assert sorted(p.name for p in out.iterdir()) == ["01_tiny1.html", "index.html", "notes.txt"]
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_renumber_chart_ids_numbers_in_order_of_first_appearance():
    from feedtools.report import renumber_chart_ids

    a, b = "altair-viz-" + "a" * 32, "altair-viz-" + "0123456789abcdef" * 2
    ids: dict[str, str] = {}
    assert (
        renumber_chart_ids(f'<div id="{b}"></div><script>embed("#{b}")</script>', ids)
        == '<div id="altair-viz-1"></div><script>embed("#altair-viz-1")</script>'
    )
    assert renumber_chart_ids(f"{a} {b} altair-viz-short", ids) == "altair-viz-2 altair-viz-1 altair-viz-short"
    assert ids == {b: "altair-viz-1", a: "altair-viz-2"}
