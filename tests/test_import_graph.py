"""The package's import graph (scripts/import_graph.py, run with ``python -m``): no module-level cycle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.import_graph import build_graph, cycles


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts.import_graph", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_feedtools_has_no_import_cycle_even_through_lazy_imports():
    r = _run("src/feedtools", "--strict")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 module-level cycles, 0 cycles when function-level imports are counted" in r.stdout


def test_bench_finds_commands_without_importing_the_command_line():
    top, lazy = build_graph(ROOT / "src" / "feedtools")
    # The cycle of issue 18: bench read cli.build_parser's argparse internals while cli imports bench.
    assert "feedtools.cli" not in top["feedtools.bench"] | lazy["feedtools.bench"]
    assert "feedtools.commands" in top["feedtools.bench"] | lazy["feedtools.bench"]
    assert "feedtools.commands" in top["feedtools.cli"]
    # The graph is real: the command line reaches the readers, lazily, through load_input.
    assert "feedtools.bench" in lazy["feedtools.cli"] and "feedtools.errors" in top["feedtools.readers.base"]


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    pkg = tmp_path / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text, encoding="utf-8")
    return pkg


def test_a_module_level_cycle_fails_and_is_named(tmp_path):
    pkg = _package(
        tmp_path,
        {
            "a.py": "from pkg import b\n",
            "b.py": "import pkg.c\n",
            "c.py": "from . import a\n",
            "d.py": "def f():\n    from pkg import a\n",
        },
    )
    r = _run(str(pkg), "--edges")
    assert r.returncode == 1
    assert "module-level cycle: pkg.a <-> pkg.b <-> pkg.c" in r.stdout
    assert "pkg.d -> pkg.a" in r.stdout.split("# function-level imports")[1]  # listed apart


def test_function_level_and_type_checking_imports_are_not_module_level_cycles(tmp_path):
    pkg = _package(
        tmp_path,
        {
            "a.py": "import pkg.b\n",
            "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n"
            "def f():\n    from pkg.a import x\n",
        },
    )
    top, lazy = build_graph(pkg)
    assert top == {"pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": set()} and lazy["pkg.b"] == {"pkg.a"}
    assert cycles(top) == [] and cycles({m: top[m] | lazy[m] for m in top}) == [["pkg.a", "pkg.b"]]
    assert _run(str(pkg)).returncode == 0 and _run(str(pkg), "--strict").returncode == 1
