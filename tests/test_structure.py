"""Size limits that keep the package readable (issue 18; docs/contributing.md, "Structure").

Read from the source with ``ast`` (nothing imported): no module of ``src/feedtools`` is over
:data:`MAX_MODULE_LINES` lines, and no function or method is over :data:`MAX_FUNCTION_LINES` lines (from its
``def`` to its last line, docstring included) unless its docstring says why, on a line starting
``Long because:``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "feedtools"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
REASON = "Long because:"


def module_lengths(root: Path) -> dict[str, int]:
    """Lines per ``.py`` file under ``root`` (paths relative to it)."""
    return {
        str(p.relative_to(root)): len(p.read_text(encoding="utf-8").splitlines()) for p in sorted(root.rglob("*.py"))
    }


def long_functions(root: Path, limit: int) -> list[tuple[str, int, bool]]:
    """``(path:line name, lines, has_reason)`` for every function of the package longer than ``limit`` lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    doc = ast.get_docstring(node) or ""
                    has_reason = any(line.strip().startswith(REASON) for line in doc.splitlines())
                    found.append((f"{path.relative_to(root)}:{node.lineno} {node.name}", length, has_reason))
    return found


def test_no_module_is_over_the_limit():
    over = {name: n for name, n in module_lengths(PACKAGE).items() if n > MAX_MODULE_LINES}
    assert not over, f"modules over {MAX_MODULE_LINES} lines: {over}"


def test_no_long_function_without_a_documented_reason():
    unexplained = [(name, n) for name, n, reason in long_functions(PACKAGE, MAX_FUNCTION_LINES) if not reason]
    assert not unexplained, f"functions over {MAX_FUNCTION_LINES} lines without '{REASON}': {unexplained}"


@pytest.mark.parametrize("reason", [True, False])
def test_the_checks_see_a_long_function_and_its_reason(tmp_path, reason):
    doc = (
        f'    """Does a lot.\n\n    {REASON} one table read best whole.\n    """\n'
        if reason
        else '    """Does a lot."""\n'
    )
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "m.py").write_text("def f():\n" + doc + body + "    return 0\n", encoding="utf-8")
    assert module_lengths(tmp_path)["m.py"] > MAX_FUNCTION_LINES
    [(name, length, has_reason)] = long_functions(tmp_path, MAX_FUNCTION_LINES)
    assert name == "m.py:1 f" and length > MAX_FUNCTION_LINES and has_reason is reason
