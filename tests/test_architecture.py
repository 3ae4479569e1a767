"""The packages' import graph has no cycles (docs/architecture.md describes the layers).

Every import counts: module level, ``if TYPE_CHECKING:`` blocks and imports inside functions alike,
since each one is a dependency a reader must follow and a lazy import still runs. Importing
``a.b.c`` also runs the package ``a.b`` (its ``__init__``), so an import depends on the packages it
goes through too, except the importer's own packages (they are already running); a name read
from the importer's own package (``from pkg import name`` in ``pkg/a.py``) counts, as it needs
``pkg/__init__.py`` to have defined it.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("appconfig_flags", "constructs_lib")

def module_files(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Each module's dotted name (a package by its own name) and its file."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _imported_names(module: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: Mapping[str, Path]
                    ) -> list[str]:
    """The dotted names an import statement reads: modules, or names inside a module."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - node.level + 1]
        origin = ".".join(base + ([node.module] if node.module else []))
    else:
        origin = node.module or ""
    names = [f"{origin}.{alias.name}" for alias in node.names]
    # `from package import submodule` needs the submodule; `from package import name` needs the package.
    return names if all(name in known for name in names) else [origin, *names]


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module → the modules of ``modules`` it imports, counting every import statement anywhere in it."""
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        own = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 2)}
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for name in _imported_names(module, path.name == "__init__.py", node, modules):
                while name and name not in modules:  # a name inside a module: the module
                    name = name.rpartition(".")[0]
                if name and name != module:
                    targets.add(name)
                name = name.rpartition(".")[0]
                while name and name not in own:  # the packages it goes through
                    targets.add(name)
                    name = name.rpartition(".")[0]
        graph[module] = targets
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan), each a set of modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(start: str) -> None:
        # Iterative: a deep package must not hit the recursion limit.
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1:
                    found.append(frozenset(members))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def _describe(cycle: frozenset[str], graph: Mapping[str, set[str]]) -> str:
    return "; ".join(f"{m} -> {', '.join(sorted(graph[m] & cycle))}" for m in sorted(cycle))


def test_the_packages_have_no_import_cycle() -> None:
    graph = import_graph(module_files(ROOT, PACKAGES))
    found = cycles(graph)
    assert found == [], "import cycles (break them by moving the shared definitions down a layer):\n" + "\n".join(
        _describe(c, graph) for c in found)


def _write(root: Path, files: Mapping[str, str]) -> dict[str, set[str]]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return import_graph(module_files(root, ["pkg"]))


@pytest.mark.parametrize("where", ["import at module level", "TYPE_CHECKING block", "function-level import"])
def test_a_cycle_is_found_wherever_its_import_is(tmp_path: Path, where: str) -> None:
    back = {"import at module level": "from .a import A\n",
            "TYPE_CHECKING block": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import A\n",
            "function-level import": "def f():\n    from . import a\n    return a\n"}[where]
    graph = _write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "from .b import B\nA = 1\n",
                              "pkg/b.py": back + "B = 2\n"})
    assert cycles(graph) == [frozenset({"pkg.a", "pkg.b"})]


def test_a_submodule_reading_a_name_from_its_package_init_that_imports_it_is_a_cycle(tmp_path: Path) -> None:
    graph = _write(tmp_path, {"pkg/__init__.py": "from .a import A\n", "pkg/a.py": "from pkg import B\nA = 1\n"})
    assert cycles(graph) == [frozenset({"pkg", "pkg.a"})]


def test_importing_a_sibling_module_or_a_layer_below_is_no_cycle(tmp_path: Path) -> None:
    graph = _write(tmp_path, {"pkg/__init__.py": "from .a import A\n", "pkg/a.py": "from . import b\nA = 1\n",
                              "pkg/b.py": "import pkg.sub.c\n", "pkg/sub/__init__.py": "", "pkg/sub/c.py": ""})
    assert graph["pkg.a"] == {"pkg.b"}
    assert graph["pkg.b"] == {"pkg.sub.c", "pkg.sub"}
    assert cycles(graph) == []
