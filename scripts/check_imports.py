"""Check the import structure of embedkit and embedkit_app: no import cycle, no private name imported across modules.

Reads every module's imports with ``ast`` and prints one line per problem; exits 1 when there is any. CI runs it
(scripts/test.sh). Imports inside functions count (a cycle through a lazy import is still a cycle of concepts that
only happens to load); imports under ``if TYPE_CHECKING:`` do not (they name types for annotations and never run).
A private name is one that starts with a single underscore.

    python scripts/check_imports.py            # the packages of this repository
    python scripts/check_imports.py --graph    # also print each module's imports inside the packages
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("embedkit", "embedkit_app")


def module_name(path: Path) -> str:
    """``embedkit/corpus/index.py`` -> ``embedkit.corpus.index`` (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the checked packages."""
    out: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            out[module_name(path)] = path
    return out


def _resolve(current: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute module of a (possibly relative) ``from ... import``."""
    if level == 0:
        return target or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, *([target] if target else [])])


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node that can run: the bodies of ``if TYPE_CHECKING:`` blocks (annotations only) are left out."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, str | None, int]]:
    """``(imported module, imported name or None, line)`` for every import of a known module in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, is_package, node.level, node.module)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:  # ``from embedkit.corpus import index``: a module, not a name
                    yield sub, None, node.lineno
                elif base in known:
                    yield base, alias.name, node.lineno


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check() -> tuple[list[str], dict[str, set[str]]]:
    """The problems found and the import graph."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    problems: list[str] = []
    for name, path in known.items():
        for target, imported, line in imports(name, path, known):
            if target == name:
                continue
            # a package's __init__ re-exporting its own modules, or a module importing its package, is no cycle
            if not (target.startswith(name + ".") or name.startswith(target + ".")):
                graph[name].add(target)
            if imported is not None and imported.startswith("_") and not imported.startswith("__"):
                rel = path.relative_to(ROOT)
                problems.append(f"{rel}:{line}: imports the private name {imported!r} from {target}")
    for cycle in find_cycles(graph):
        problems.append("import cycle: " + " <-> ".join(cycle))
    return problems, graph


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", action="store_true", help="print each module's imports inside the packages")
    args = parser.parse_args(argv)
    problems, graph = check()
    if args.graph:
        for name in sorted(graph):
            print(f"{name}: {', '.join(sorted(graph[name])) or '-'}")
    for line in problems:
        print(line)
    print(
        f"{len(graph)} modules checked: "
        + (f"{len(problems)} problem(s)" if problems else "no cycle, no private import")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
