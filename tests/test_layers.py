"""The package's layers (``sim.LAYERS``): imports only go down, and no module imports itself round a circle.

Every ``import`` and ``from ... import`` in ``sim/`` is read from the source (including those inside
functions and under ``TYPE_CHECKING``), so a lazy import cannot hide an upward dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sim

PACKAGE = Path(sim.__file__).resolve().parent


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, known: set[str]) -> set[str]:
    """The ``sim`` modules a source imports: ``from sim.x import y`` counts ``sim.x.y`` when that is a module."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("sim")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim") and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in known}
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    paths = sorted(package.rglob("*.py"))
    known = {module_name(path, package) for path in paths}
    return {module_name(path, package): imported_modules(path.read_text(encoding="utf-8"), known) & known for path in paths}


def layer_of(module: str) -> int | None:
    """The index of a module's layer in ``sim.LAYERS``; None for the package itself."""
    parts = module.split(".")
    return sim.LAYERS.index(parts[1]) if len(parts) > 1 else None


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, imports in graph.items():
        mine = layer_of(module)
        for imported in imports:
            theirs = layer_of(imported)
            if mine is not None and theirs is not None and theirs > mine:
                wrong.append(f"{module} imports {imported} ({sim.LAYERS[mine]} may not import {sim.LAYERS[theirs]})")
    return sorted(wrong)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_every_module_sits_in_a_declared_layer():
    strays = [module for module in import_graph() if module != "sim" and module.split(".")[1] not in sim.LAYERS]
    assert strays == [], f"modules outside the layers {sim.LAYERS}: {strays}"


def test_imports_only_go_down():
    assert upward_imports(import_graph()) == []


def test_no_import_circles():
    assert circles(import_graph()) == []


@pytest.mark.parametrize(
    ("lower", "upper"),
    [("sim/book/rules.py", "sim.engine.model"), ("sim/engine/model.py", "sim.presentation.report"), ("sim/experiments/runner.py", "sim.cli"),
     ("sim/presentation/report.py", "sim.api.jobs"), ("sim/api/jobs.py", "sim.cli.run")],
)
def test_the_check_catches_an_upward_import(tmp_path, lower, upper):
    """A copy of the package with one upward import planted, even inside a function, fails the check."""
    copy = tmp_path / "sim"
    for path in PACKAGE.rglob("*.py"):
        target = copy / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    planted = copy / Path(lower).relative_to("sim")
    planted.write_text(planted.read_text(encoding="utf-8") + f"\n\ndef _planted():\n    import {upper}\n", encoding="utf-8")
    assert upward_imports(import_graph(copy)) != []


def test_the_check_catches_a_circle():
    assert circles({"sim.engine.a": {"sim.engine.b"}, "sim.engine.b": {"sim.engine.a"}, "sim.engine.c": set()}) == [["sim.engine.a", "sim.engine.b"]]
