"""The tree of a parsed expression (``sim/engine/conditions.py``): plain data, and what can be read off it without evaluating it.

The parser builds it, ``compile_tree`` gives it its meaning, and others read it
(``names_in``, the timers of ``sim/engine/candidates.py``, the rule book in words).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Literal:
    value: float | bool


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Node, ...]


Node = Literal | Name | Unary | Binary | Call


def conjuncts(node: Node) -> list[Node]:
    """The parts of a top-level ``a and b and c``, in order (however the ``and``s nest)."""
    if isinstance(node, Binary) and node.op == "and":
        return [*conjuncts(node.left), *conjuncts(node.right)]
    return [node]


def names_in(node: Node) -> set[str]:
    """Every variable name an expression reads."""
    match node:
        case Name(name):
            return {name}
        case Unary(_, operand):
            return names_in(operand)
        case Binary(_, left, right):
            return names_in(left) | names_in(right)
        case Call(_, args):
            return set().union(*(names_in(arg) for arg in args))
    return set()
