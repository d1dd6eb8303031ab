"""Reading YAML input files safely, with line numbers, and turning every mistake into one clear message.

Every file format in the project (scenarios, the rule book) goes through
``load_yaml`` (safe loading only, duplicate keys refused, a line for every key
path) and ``validate`` (pydantic, with its errors translated into
``file:line: key.path: what is wrong``). The CLI prints an ``InputError``
and exits with status 2; nothing else catches it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Path_ = tuple[str | int, ...]
Model = TypeVar("Model", bound=BaseModel)


def did_you_mean(name: str, choices: Iterable[str], examples: bool = False) -> str:
    """" (did you mean X, Y?)" for a misspelt name, naming the closest choices.

    When none is close: "", or with ``examples`` " (e.g. A, B, C)", the first three choices.
    """
    choices = list(choices)
    close = difflib.get_close_matches(name, choices, n=3)
    if close:
        return f" (did you mean {', '.join(close)}?)"
    return f" (e.g. {', '.join(choices[:3])})" if examples else ""


class InputError(Exception):
    """Bad input: the message names the file, the line, the key path, what is wrong and what is allowed."""

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None, key: str | None = None):
        self.file, self.line, self.key, self.problem = file, line, key, message
        where = ""
        if file is not None:
            where = f"{file}" + (f":{line}" if line else "") + ": "
        super().__init__(f"{where}{key + ': ' if key else ''}{message}")


@dataclass
class Document:
    """A parsed YAML document and the line of every key path in it."""

    data: Any
    file: Path
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of the deepest part of ``path`` that the file has."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return None


# libyaml's parser where PyYAML has it (its wheels do): the same documents and marks, read some fifteen times faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SafeUniqueLoader(_SafeLoader):
    """The safe loader, refusing duplicate keys (a silent overwrite hides mistakes) and naming the line of any bad value."""

    def construct_object(self, node: yaml.Node, deep: bool = False):
        try:
            return super().construct_object(node, deep=deep)
        except (InputError, yaml.YAMLError):
            raise
        except (ValueError, TypeError, OverflowError) as error:  # e.g. an impossible date such as 1938-02-30
            raise InputError(f"cannot read {node.value!r}: {error}", line=node.start_mark.line + 1) from None


def _construct_mapping(loader: _SafeUniqueLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str | int | float | bool | type(None) | date):
            raise InputError("a key must be a plain name, not a list or mapping", line=key_node.start_mark.line + 1)
        if key in seen:
            raise InputError(
                f"duplicate key {key!r} (first at line {seen[key]}); each key may appear once",
                line=key_node.start_mark.line + 1,
            )
        seen[key] = key_node.start_mark.line + 1
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


_SafeUniqueLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _record_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, str(key_node.value))
            lines[child] = key_node.start_mark.line + 1
            _record_lines(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for the lines) and its data, from one parse."""
    loader = _SafeUniqueLoader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def load_yaml(file: str | Path) -> Document:
    """Load one YAML file safely; any problem becomes an InputError naming the file and line."""
    file = Path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file; give the path of a scenario YAML file, e.g. scenarios/baseline.yaml", file) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a scenario file", file) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot be read: {error}", file) from None
    try:
        node, data = _parse(text)
    except InputError as error:
        raise InputError(error.problem, file, error.line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise InputError(f"YAML syntax error: {error.problem or error.context}", file, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise InputError(f"YAML error: {error}", file) from None
    lines: dict[Path_, int] = {}
    if node is not None:
        _record_lines(node, (), lines)
    return Document(data, file, lines)


def dotted(path: Path_) -> str:
    return ".".join(str(part) for part in path)


def validate(model: type[Model], data: Any, document: Document | None = None, prefix: Path_ = ()) -> Model:
    """Validate ``data`` with a pydantic model; the first error becomes an InputError with file and line."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        path = (*prefix, *_keys(data, first["loc"]))
        raise InputError(
            _explain(first),
            document.file if document else None,
            document.line_of(path) if document else None,
            dotted(path) or None,
        ) from None


def _keys(data: Any, loc: tuple) -> list[str | int]:
    """The keys of the file along a pydantic error location, without the union members' names pydantic puts in it."""
    keys, node = [], data
    for part in loc:
        if _is_union_tag(part):
            continue
        if isinstance(node, dict) and part not in node and node.get("kind") == part:
            continue  # the chosen member of a union told apart by its `kind` (an action), not a key of the file
        keys.append(part)
        node = node.get(part) if isinstance(node, dict) else node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None
    return keys


def _is_union_tag(part: str | int) -> bool:
    # pydantic puts the chosen union member's name in the location (e.g. "function-after[...]")
    return isinstance(part, str) and ("[" in part or part in {"str", "float", "int", "bool"})


def _explain(error: dict) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return "unknown key; check the spelling against `python run.py schema` or the README"
    if kind == "missing":
        return "required key is missing"
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if message.startswith("Assertion failed, "):
        message = message[len("Assertion failed, ") :]
    return message
