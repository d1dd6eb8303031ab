"""Reading YAML input files safely, with line numbers, and turning every mistake into one clear message.

Every file format in the project (scenarios, the rule book) goes through
``load_yaml`` (safe loading only, duplicate keys refused, a line for every key
path) and ``validate`` (pydantic, with its errors translated into
``file:line: key.path: what is wrong``). The CLI prints an ``InputError``
and exits with status 2; nothing else catches it.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Path_ = tuple[str | int, ...]
Model = TypeVar("Model", bound=BaseModel)

# What one input file may cost. The largest file the project ships (a rule book file) is some 40 kB,
# some 3,000 values, nested 8 deep; these are far above that and far below what hurts.
MAX_BYTES = 2_000_000  # bytes in one input file
MAX_VALUES = 200_000  # keys, values and list items in one document, counting each YAML alias as the whole of what it repeats
MAX_DEPTH = 50  # levels of mappings and lists inside one another

# Control characters (C0, DEL, C1) and the invisible marks that reorder text: printed raw they can retitle or clear a terminal.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def printable(text: object, newlines: bool = False) -> str:
    """``text`` safe to print to a terminal: every control character written as an escape (``\\x1b``).

    Everything read from an input file goes through this before it reaches the terminal (the CLI's
    output and its error messages); tabs stay, and newlines too when ``newlines`` (a message of several lines).
    """
    if newlines:
        return "\n".join(printable(line) for line in str(text).split("\n"))
    return _UNPRINTABLE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), str(text))


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
        except (ValueError, TypeError, OverflowError, AttributeError, KeyError, IndexError) as error:
            # e.g. an impossible date such as 1938-02-30, or text under a tag it does not fit (`!!timestamp soon`)
            what = repr(node.value)[:80] if isinstance(node, yaml.ScalarNode) else f"this {node.id}"
            tag = {"timestamp": "date"}.get(tag := node.tag.removeprefix("tag:yaml.org,2002:"), tag)
            detail = error if isinstance(error, ValueError | OverflowError) else "it is not written that way"
            raise InputError(printable(f"cannot read {what} as a {tag}: {detail}"), line=node.start_mark.line + 1) from None


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


def _record_lines(root: yaml.Node) -> dict[Path_, int]:
    """The line of every key path, visiting the tree as the data will be (an alias as a copy of its anchor), within the limits.

    Without the limits a few hundred bytes of aliases of aliases (a "billion laughs") would stand
    for billions of values; an alias inside its own anchor, for an endless one.
    """
    lines: dict[Path_, int] = {}
    stack: list[tuple[yaml.Node, Path_]] = [(root, ())]
    visited = 0
    while stack:
        node, path = stack.pop()
        visited += 1
        if visited > MAX_VALUES:
            raise InputError(f"holds more than {MAX_VALUES:,} keys and values (YAML aliases count as a copy of what they repeat); "
                             "the limit guards against a small file that expands to an enormous one (sim/book/inputs.py MAX_VALUES)")
        if len(path) > MAX_DEPTH:
            raise InputError(f"nests mappings and lists more than {MAX_DEPTH} levels deep", line=node.start_mark.line + 1)
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
                child = (*path, str(key_node.value))
                lines[child] = key_node.start_mark.line + 1
                stack.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, index)) for index, item in reversed(list(enumerate(node.value))))
    return lines


def _parse(text: str) -> tuple[Any, dict[Path_, int]]:
    """The document's data and the line of every key path, from one parse; the limits are checked before the data is built."""
    loader = _SafeUniqueLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines = _record_lines(node)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def read_text(file: str | Path, what: str = "a scenario YAML file, e.g. scenarios/baseline.yaml", limit: int = MAX_BYTES) -> str:
    """The text of an input file: a regular file (not a device, pipe or folder) of at most ``limit`` bytes, in UTF-8."""
    file = Path(file)
    try:  # without blocking: opening a named pipe for reading would wait for a writer
        descriptor = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(f"no such file; give the path of {what}", file) from None
    except OSError as error:  # a name too long, a loop of symbolic links, no permission
        raise InputError(f"cannot be read: {error.strerror or error}", file) from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = "a directory, not a scenario file" if stat.S_ISDIR(mode) else "not a regular file (a device, a pipe or a socket)"
        raise InputError(f"is {kind}; give the path of {what}", file)
    with os.fdopen(descriptor, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"is larger than {limit:,} bytes, the limit for this kind of input file"
                         + (" (sim/book/inputs.py MAX_BYTES)" if limit == MAX_BYTES else ""), file)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"is not UTF-8 text (byte {error.start + 1} cannot be read)", file) from None


def load_yaml(file: str | Path) -> Document:
    """Load one YAML file safely; any problem becomes an InputError naming the file and line."""
    file = Path(file)
    text = read_text(file)
    try:
        data, lines = parse_yaml(text)
    except InputError as error:
        raise InputError(error.problem, file, error.line) from None
    return Document(data, file, lines)


def parse_yaml(text: str) -> tuple[Any, dict[Path_, int]]:
    """YAML text (a file's, or a ``--set`` value) safely parsed, within the limits: its data and the line of every key path."""
    try:
        return _parse(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise InputError(f"YAML syntax error: {printable(error.problem or error.context)}", line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise InputError(f"YAML error: {printable(error)}") from None
    except RecursionError:  # a structure nested too deep for the parser itself
        raise InputError(f"nests mappings and lists more than {MAX_DEPTH} levels deep") from None


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
