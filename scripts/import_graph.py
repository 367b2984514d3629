"""The import graph of a Python package, read from its source with ``ast`` (nothing is imported).

    python -m scripts.import_graph [PACKAGE_DIR] [--edges] [--strict]

PACKAGE_DIR defaults to ``src/feedtools``. Imports are split into two graphs:

* **module level**: run when the module is imported (top level, also inside ``try``/``if`` at top level,
  but not inside ``if TYPE_CHECKING:``). A cycle here means the import order decides whether the
  package loads: the script prints every cycle and exits 1;
* **function level**: inside a function or method, run when it is called (lazy imports of heavy
  dependencies). Cycles through these are listed as well; they fail only with ``--strict``.

``--edges`` also prints every edge (``module -> imported module``, one a line, module level first).
An edge goes to the module named: ``from pkg.a import b`` is an edge to ``pkg.a.b`` when that is a module
of the package, else to ``pkg.a``. Parent packages that Python initialises on the way are not edges (every
submodule would otherwise depend on its package's ``__init__``). Exit status: 0, 1 on a cycle, 2 on bad
arguments or a file that is not valid Python.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path


def module_names(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under the package folder ``root``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool):
    """``(target, function_level)`` for every import statement of the module (targets as written, resolved
    for relative imports; ``from X import a, b`` gives ``X.a`` and ``X.b`` as candidates after ``X``)."""
    package = module if is_package else module.rpartition(".")[0]

    def walk(node: ast.AST, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                yield from walk(child, True)
            elif isinstance(child, ast.If) and _is_type_checking(child):
                continue  # never run
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    yield [alias.name], in_function
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)] if child.level > 1 else base
                    base_name = ".".join(base + ([child.module] if child.module else []))
                else:
                    base_name = child.module or ""
                for alias in child.names:
                    yield [f"{base_name}.{alias.name}", base_name], in_function
            else:
                yield from walk(child, in_function)

    yield from walk(tree, False)


def build_graph(root: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """``(module_level, function_level)``: for each module of the package, the package modules it imports.

    Raises ``SyntaxError`` for a file that is not valid Python.
    """
    modules = module_names(root)
    top: dict[str, set[str]] = {m: set() for m in modules}
    lazy: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for candidates, in_function in _imports(tree, name, path.name == "__init__.py"):
            target = next((c for c in candidates if c in modules), None)
            if target is None or target == name:
                continue
            (lazy if in_function else top)[name].add(target)
    for name in modules:
        lazy[name] -= top[name]
    return top, lazy


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (each a cycle or several joined), sorted;
    Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, it = work[-1]
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        component.append(m)
                        if m == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    """Print the cycles (and with ``--edges`` the edges); return 1 on a module-level cycle (or, with
    ``--strict``, on any cycle), else 0."""
    p = argparse.ArgumentParser(prog="python -m scripts.import_graph", description=__doc__.splitlines()[0])
    p.add_argument("package", nargs="?", type=Path, default=Path("src/feedtools"))
    p.add_argument("--edges", action="store_true", help="print every edge")
    p.add_argument("--strict", action="store_true", help="fail on function-level cycles too")
    args = p.parse_args(argv)
    if not (args.package / "__init__.py").is_file():
        print(f"import_graph: {args.package} is not a package folder", file=sys.stderr)
        return 2
    try:
        top, lazy = build_graph(args.package)
    except SyntaxError as e:
        print(f"import_graph: {e.filename}, line {e.lineno}: {e.msg}", file=sys.stderr)
        return 2
    both = {m: top[m] | lazy[m] for m in top}
    if args.edges:
        for label, graph in (("module-level", top), ("function-level", lazy)):
            print(f"# {label} imports")
            for m in sorted(graph):
                for t in sorted(graph[m]):
                    print(f"{m} -> {t}")
    top_cycles, all_cycles = cycles(top), cycles(both)
    print(f"{len(top)} modules; {sum(map(len, top.values()))} module-level and {sum(map(len, lazy.values()))} "
          f"function-level imports inside the package; {len(top_cycles)} module-level cycles, "
          f"{len(all_cycles)} cycles when function-level imports are counted")
    for c in top_cycles:
        print("module-level cycle: " + " <-> ".join(c))
    for c in all_cycles:
        print("cycle through function-level imports: " + " <-> ".join(c))
    return 1 if top_cycles or (args.strict and all_cycles) else 0


if __name__ == "__main__":
    sys.exit(main())
