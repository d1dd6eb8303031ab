"""The condition language: a small, safe expression language over rollout lanes.

Rule conditions, probabilities and effects are written in this language in the
rule book and in scenario files. Text is tokenised and parsed here into a tree
once, and the tree compiled once into nested Python closures (``compile_tree``),
which are evaluated each day against the model's state, where every name stands
for a numpy array over the R lanes (or a scalar). Nothing is ever passed to
Python's ``eval``.

Grammar (lowest precedence first)::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := "-" unary | atom
    atom    := NUMBER | DATE | "true" | "false" | NAME | NAME "(" args ")" | "(" expr ")"

A NAME is dotted (``FR.mobilisation``, ``DE.belief.GB``, ``crisis.demand``).
A DATE is written ``1938-09-29`` and means that day's index in the calendar.
Functions: ``min``, ``max``, ``clip(x, lo, hi)``, ``happened(day_var)``.
An expression is at most ``MAX_LENGTH`` characters and ``MAX_TOKENS`` tokens, nested at most
``MAX_DEPTH`` levels (parentheses, calls, ``not``, ``-``). Arithmetic is IEEE doubles without
warnings (``quietly``): ``0/0`` is NaN, and every comparison with NaN is false.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property, wraps

import numpy as np

from sim.book.inputs import did_you_mean
from sim.book.vocabulary import NEVER
from sim.engine.expression_tree import Binary, Call, Literal, Name, Node, Unary, conjuncts, names_in

__all__ = ["ONE", "ZERO", "Binary", "Call", "ConditionError", "Expression", "Literal", "Name", "Node", "Unary", "all_of", "any_lane",
           "conjuncts", "names_in", "parse", "quietly"]

Value = np.ndarray | float | bool

class ConditionError(ValueError):
    """A condition that does not parse or names something unknown."""


MAX_LENGTH, MAX_TOKENS, MAX_DEPTH = 2000, 400, 30  # the book's longest: 245 characters, 35 tokens, 4 levels


_TOKEN = re.compile(
    r"\s*(?:(?P<date>\d{4}-\d{2}-\d{2})|(?P<number>\d+(?:\.\d*)?|\.\d+)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<op><=|>=|==|!=|[-+*/<>(),]))"
)
_KEYWORDS = {"and", "or", "not", "true", "false"}


def _tokenise(text: str) -> list[tuple[str, str, int]]:
    tokens, position = [], 0
    text = text.rstrip()
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"is {len(text)} characters long; an expression may have at most {MAX_LENGTH}: split it into rules or parameters")
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ConditionError(f"unexpected character {text[position:].strip()[:1]!r} at column {position + 1} in {text!r}")
        kind = match.lastgroup
        value, start = match.group(kind), match.start(kind)
        if kind == "name" and value in _KEYWORDS:
            kind = "keyword"
        tokens.append((kind, value, start))
        position = match.end()
        if len(tokens) > MAX_TOKENS:
            raise ConditionError(f"has more than {MAX_TOKENS} names, numbers and operators, the most an expression may have: split it up")
    tokens.append(("end", "", len(text)))
    return tokens


def quietly(function: Callable) -> Callable:
    """``function`` with numpy's floating-point warnings off: the language's arithmetic gives inf and NaN without a word."""
    @wraps(function)
    def without_warnings(*args, **kwargs):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return function(*args, **kwargs)

    return without_warnings


def any_lane(value: Value) -> bool:
    """True if a mask (or scalar) is true anywhere.

    ``np.count_nonzero`` answers what ``value.any()`` does (non-zero, NaN included, is true) at a
    fraction of the cost on the small arrays the engine mostly sees: ``any`` goes through a Python wrapper.
    """
    return _COUNT(value) > 0 if isinstance(value, np.ndarray) else bool(value)


_COUNT = np.count_nonzero


_FUNCTIONS: dict[str, tuple[int, Callable[..., Value]]] = {
    "min": (2, np.minimum),
    "max": (2, np.maximum),
    # clip as max then min: np.clip itself gives a number and an array different signs of zero
    # (clip(0, 0, -0) is 0.0 alone but -0.0 in an array), which a division would turn into opposite infinities.
    "clip": (3, lambda value, low, high: np.minimum(np.maximum(value, low), high)),
    "happened": (1, lambda day: np.less(day, NEVER)),
}


# --------------------------------------------------------------- the parser
class _Parser:
    def __init__(self, text: str, day_of: Callable[[date], int]):
        self.text = text
        self.tokens = _tokenise(text)
        self.position = self.depth = 0
        self.day_of = day_of

    def nested(self, part: Callable[[], Node]) -> Node:
        """``part()`` one level deeper (inside parentheses, a call, ``not`` or ``-``), within ``MAX_DEPTH``."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(f"is nested more than {MAX_DEPTH} levels deep (parentheses, calls, not, minus): write it flatter")
        node = part()
        self.depth -= 1
        return node

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.position]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, value: str) -> None:
        kind, text, column = self.take()
        if text != value:
            found = "the end" if kind == "end" else repr(text)
            raise ConditionError(f"expected {value!r} but found {found} at column {column + 1} in {self.text!r}")

    def parse(self) -> Node:
        node = self.expression()
        kind, text, column = self.peek()
        if kind != "end":
            raise ConditionError(f"unexpected {text!r} at column {column + 1} in {self.text!r}")
        return node

    def expression(self) -> Node:
        return self.binary_chain(("or",), self.conjunction)

    def conjunction(self) -> Node:
        return self.binary_chain(("and",), self.negation)

    def negation(self) -> Node:
        if self.peek()[1] == "not":
            self.take()
            return Unary("not", self.nested(self.negation))
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        if self.peek()[1] in ("<", "<=", ">", ">=", "==", "!="):
            op = self.take()[1]
            return Binary(op, left, self.sum())
        return left

    def sum(self) -> Node:
        return self.binary_chain(("+", "-"), self.product)

    def product(self) -> Node:
        return self.binary_chain(("*", "/"), self.unary)

    def binary_chain(self, ops: tuple[str, ...], operand: Callable[[], Node]) -> Node:
        node = operand()
        while self.peek()[1] in ops and self.peek()[0] in ("op", "keyword"):
            op = self.take()[1]
            node = Binary(op, node, operand())
        return node

    def unary(self) -> Node:
        if self.peek()[1] == "-":
            self.take()
            return Unary("-", self.nested(self.unary))
        return self.atom()

    def atom(self) -> Node:
        kind, text, column = self.take()
        if kind == "number":
            return Literal(float(text))
        if kind == "date":
            try:
                return Literal(float(self.day_of(date.fromisoformat(text))))
            except ValueError as error:
                raise ConditionError(f"bad date {text!r} in {self.text!r}: {error}") from None
        if kind == "keyword" and text in ("true", "false"):
            return Literal(text == "true")
        if kind == "name":
            if self.peek()[1] == "(":
                return self.nested(lambda: self.call(text, column))
            return Name(text)
        if text == "(":
            node = self.nested(self.expression)
            self.expect(")")
            return node
        found = "the end" if kind == "end" else repr(text)
        raise ConditionError(f"expected a value but found {found} at column {column + 1} in {self.text!r}")

    def call(self, function: str, column: int) -> Node:
        if function not in _FUNCTIONS:
            raise ConditionError(
                f"unknown function {function!r} at column {column + 1} in {self.text!r}; "
                f"allowed: {', '.join(sorted(_FUNCTIONS))}"
            )
        self.expect("(")
        args = [self.expression()]
        while self.peek()[1] == ",":
            self.take()
            args.append(self.expression())
        self.expect(")")
        arity = _FUNCTIONS[function][0]
        if len(args) != arity:
            raise ConditionError(f"{function}() takes {arity} argument(s), got {len(args)} in {self.text!r}")
        return Call(function, tuple(args))


_FAST = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
         "+": operator.add, "-": operator.sub, "*": operator.mul, "/": np.divide}


def compile_tree(node: Node) -> Callable[[Mapping[str, Value]], Value]:
    """The meaning of a tree: a function of the state (names to arrays over lanes, or numbers) giving its value.

    Operators act on numpy arrays and numbers alike: ``and``, ``or`` and ``not`` are numpy's logical
    operations (a number is true where it is not zero), comparisons and arithmetic numpy's; ``a and b``
    is False (one answer for every lane) as soon as no lane is left, and ``a or b`` True when ``a`` is
    a true number. Evaluated every day for many rules, so it saves what it can without changing a value: a chain
    ``a and b and c`` is one loop, not nested calls; two names compared are read directly, not
    through a function each; and a number meets an array as a 0-d float64 array, which numpy
    combines with it faster than a Python float (the same double either way), but a number as
    before (so that numbers stay Python floats, whose arithmetic is cheaper still).
    """
    match node:
        case Literal(value):
            return lambda env: value
        case Name(name):
            return operator.itemgetter(name)
        case Unary("not", operand):
            inner = compile_tree(operand)
            return lambda env: np.logical_not(inner(env))
        case Unary(_, operand):
            inner = compile_tree(operand)
            return lambda env: np.negative(inner(env))
        case Binary("and", _, _):
            return _all_of([compile_tree(part) for part in conjuncts(node)])
        case Binary("or", left, right):
            first, second = compile_tree(left), compile_tree(right)

            def disjunction(env: Mapping[str, Value]) -> Value:
                value = first(env)
                if not isinstance(value, np.ndarray) and value:
                    return True
                return np.logical_or(value, second(env))

            return disjunction
        case Binary(op, left, right):
            return _binary(_FAST[op], left, right)
        case Call("happened", (Name(name),)):
            return lambda env: np.less(env[name], _NEVER)
        case Call(function, args):
            parts, apply = [compile_tree(arg) for arg in args], _FUNCTIONS[function][1]
            return lambda env: apply(*(part(env) for part in parts))
    raise TypeError(f"not a condition node: {node!r}")


_NEVER = np.array(float(NEVER))  # "happened": the day is before NEVER (the same comparison as with the int)
# 0-d arrays: numpy combines them with an array faster than Python floats (the same doubles).
ZERO, ONE = np.array(0.0), np.array(1.0)


def all_of(nodes: list[Node]) -> Node:
    """``a and b and ...`` as a tree, as the parser nests it (true when there are none)."""
    if not nodes:
        return Literal(True)
    tree = nodes[0]
    for node in nodes[1:]:
        tree = Binary("and", tree, node)
    return tree


def _all_of(parts: list[Callable[[Mapping[str, Value]], Value]]) -> Callable[[Mapping[str, Value]], Value]:
    """``a and b and ...`` in one loop: False as soon as no lane is left, else the last ``logical_and``."""
    first, rest = parts[0], parts[1:]

    def conjunction(env: Mapping[str, Value]) -> Value:
        value = first(env)
        for part in rest:
            if not any_lane(value):
                return False
            value = np.logical_and(value, part(env))
        return value

    return conjunction


def _binary(apply: Callable[[Value, Value], Value], left: Node, right: Node) -> Callable[[Mapping[str, Value]], Value]:
    """``left op right``, reading a name or a number operand in place rather than through a function of its own."""
    if isinstance(left, Name) and isinstance(right, Name):
        a, b = left.name, right.name
        return lambda env: apply(env[a], env[b])
    if _is_number(right):
        first, number, constant = compile_tree(left), right.value, np.array(float(right.value))

        def with_number(env: Mapping[str, Value]) -> Value:
            value = first(env)
            return apply(value, constant if isinstance(value, np.ndarray) else number)

        return with_number
    if _is_number(left):
        second, number, constant = compile_tree(right), left.value, np.array(float(left.value))

        def number_with(env: Mapping[str, Value]) -> Value:
            value = second(env)
            return apply(constant if isinstance(value, np.ndarray) else number, value)

        return number_with
    first, second = compile_tree(left), compile_tree(right)
    return lambda env: apply(first(env), second(env))


def _is_number(node: Node) -> bool:
    return isinstance(node, Literal) and not isinstance(node.value, bool)


@dataclass(frozen=True)
class Expression:
    """A parsed expression with its source text, ready to evaluate over lanes."""

    text: str
    tree: Node

    def evaluate(self, env: Mapping[str, Value]) -> Value:
        return self.function(env)

    @cached_property
    def function(self) -> Callable[[Mapping[str, Value]], Value]:
        """The tree turned into nested Python closures once (``compile_tree``)."""
        return compile_tree(self.tree)

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(names_in(self.tree))


def parse(text: str | float | bool, day_of: Callable[[date], int], known: Mapping[str, object] | None = None) -> Expression:
    """Parse an expression; with ``known``, reject names that are not in it."""
    if isinstance(text, bool):
        return Expression(str(text).lower(), Literal(text))
    if isinstance(text, int | float):
        return Expression(repr(text), Literal(float(text)))
    expression = Expression(text, _Parser(text, day_of).parse())
    if known is not None:
        unknown = sorted(expression.names - set(known))
        if unknown:
            hints = [f"{name!r}{did_you_mean(name, known)}" for name in unknown]
            raise ConditionError(f"unknown name {', '.join(hints)} in {text!r}")
    return expression
