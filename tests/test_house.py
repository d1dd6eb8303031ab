"""House rules a reader can rely on: short modules with one job, short functions, validation that is not `assert`.

A module of ``sim/`` stays within MODULE_LINES lines and a function within FUNCTION_LINES, unless its
docstring says why it is kept whole (a sentence beginning "Kept whole:").
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import sim

PACKAGE = Path(sim.__file__).resolve().parent
MODULE_LINES = 400
FUNCTION_LINES = 50
REASON = "Kept whole:"


def sources() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in sorted(PACKAGE.rglob("*.py"))}


def long_modules(files: dict[Path, str]) -> list[str]:
    return [f"{path.relative_to(PACKAGE.parent)}: {text.count(chr(10))} lines" for path, text in files.items() if text.count("\n") > MODULE_LINES]


def long_functions(files: dict[Path, str]) -> list[str]:
    found = []
    for path, text in files.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > FUNCTION_LINES and REASON not in (ast.get_docstring(node) or ""):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}: {length} lines")
    return found


def asserts(files: dict[Path, str]) -> list[str]:
    return [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}" for path, text in files.items()
            for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Assert)]


def test_modules_are_short():
    assert long_modules(sources()) == []


def test_functions_are_short_or_say_why():
    assert long_functions(sources()) == []


def test_no_validation_by_assert():
    """`assert` vanishes under python -O; sim/ raises instead."""
    assert asserts(sources()) == []


def test_the_checks_can_fail():
    body = "\n".join(f"    x = {index}" for index in range(FUNCTION_LINES + 1))
    long = f"def f():\n    '''Short.'''\n{body}\n"
    excused = f"def f():\n    '''{REASON} one table.'''\n{body}\n"
    path = PACKAGE / "book" / "example.py"
    assert long_functions({path: long}) != [] and long_functions({path: excused}) == []
    assert long_modules({path: "x = 1\n" * (MODULE_LINES + 1)}) != []
    assert asserts({path: "def f(x):\n    assert x > 0\n"}) != []


def test_the_readme_maps_every_module():
    """The README's module map names every module of sim/ by its path, and every path it names exists."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(sim/[\w/]+\.py)`", readme))
    modules = {str(path.relative_to(PACKAGE.parent)) for path in PACKAGE.rglob("*.py") if path.name != "__init__.py" or path.parent.name == "cli"}
    assert sorted(modules - named) == [], "modules missing from the README's map"
    assert sorted(path for path in named if not (PACKAGE.parent / path).exists()) == [], "the README names modules that do not exist"
