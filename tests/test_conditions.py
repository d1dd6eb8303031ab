"""The condition language: precedence, dates, functions, broadcasting, names and syntax errors.

The last test is a property: random expressions from a small grammar, rendered to
text with only the parentheses precedence needs (plus some redundant ones), parse
and evaluate over numpy arrays to exactly what an independent reference evaluator
computes lane by lane, and to what the same parsed tree gives on scalars.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.book.scenario import default_scenario
from sim.book.vocabulary import NEVER
from sim.engine.conditions import Binary, Call, ConditionError, Expression, Literal, Name, Unary, names_in, parse

START = date(1938, 3, 12)


def day_of(day: date) -> int:
    """A calendar like a scenario's: 1938-03-12 is day 0, 400 days long."""
    index = (day - START).days
    if not 0 <= index < 400:
        raise ValueError(f"{day} is outside the simulated window")
    return index


def value(text: str, env: dict | None = None, known: dict | None = None):
    """Parse and evaluate; returns a plain Python value for scalars."""
    result = parse(text, day_of, known).evaluate(env or {})
    return result.item() if isinstance(result, np.ndarray) and result.ndim == 0 else result


# ------------------------------------------------------------- precedence
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("2 * 3 + 1", 7.0),
        ("2 - 3 - 4", -5.0),  # left-associative
        ("2 - (3 - 4)", 3.0),
        ("8 / 4 / 2", 1.0),  # left-associative
        ("8 / (4 / 2)", 4.0),
        ("-2 * 3", -6.0),
        ("- 2 - 3", -5.0),
        ("--2", 2.0),
        ("-(2 + 3) * 2", -10.0),
        ("10 - 2 * 3 + 4 / 2", 6.0),
        ("1.5 + .5", 2.0),
        ("7.", 7.0),
    ],
)
def test_arithmetic_precedence_and_associativity(text, expected):
    assert value(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # not binds tighter than and: (not false) and false
        ("not false and false", False),
        ("not (false and false)", True),
        # and binds tighter than or: true or (false and false)
        ("true or false and false", True),
        ("(true or false) and false", False),
        ("false and false or true", True),
        ("false and (false or true)", False),
        # comparison binds tighter than not/and/or, looser than arithmetic
        ("not 1 < 2", False),
        ("1 + 1 == 2", True),
        ("2 * 3 > 5 and 1 - 1 == 0", True),
        ("1 < 2 or 1 / 0 > 5", True),
        ("not not true", True),
        ("1 != 1 or 2 >= 2", True),
        ("3 <= 2", False),
        ("true == false", False),
    ],
)
def test_boolean_precedence(text, expected):
    with np.errstate(divide="ignore"):
        assert bool(value(text)) is expected


def test_precedence_shows_in_the_tree():
    tree = parse("a or b and not c < d + e * f", day_of).tree
    assert tree == Binary(
        "or",
        Name("a"),
        Binary("and", Name("b"), Unary("not", Binary("<", Name("c"), Binary("+", Name("d"), Binary("*", Name("e"), Name("f")))))),
    )


def test_comparisons_do_not_chain():
    with pytest.raises(ConditionError, match="unexpected '<'"):
        parse("1 < 2 < 3", day_of)


# ------------------------------------------------------------------ dates
def test_dates_are_day_indices_in_the_calendar():
    assert value("1938-03-12") == 0.0
    assert value("1938-03-13") == 1.0
    assert value("1938-09-29") == float((date(1938, 9, 29) - START).days) == 201.0
    assert value("1938-09-29 - 1938-09-19") == 10.0
    assert bool(value("today >= 1938-09-29", {"today": 201.0}))
    assert not bool(value("today >= 1938-09-29", {"today": 200.0}))


def test_dates_follow_the_scenario_calendar():
    scenario = default_scenario()
    expression = parse("1938-09-29", scenario.day_of)
    assert expression.evaluate({}) == scenario.day_of(date(1938, 9, 29)) == 201


@pytest.mark.parametrize("text", ["1938-02-30", "1938-13-01", "1939-05-01 > 3", "1900-01-01"])
def test_impossible_or_out_of_window_dates_are_condition_errors(text):
    with pytest.raises(ConditionError, match="date"):
        parse(text, day_of)


def test_date_outside_a_scenario_window_names_the_window():
    with pytest.raises(ConditionError, match="outside the simulated window"):
        parse("today > 1939-06-15", default_scenario().day_of)


# -------------------------------------------------------------- functions
def test_min_max_clip():
    assert value("min(3, 1 + 1)") == 2.0
    assert value("max(3, 1 + 1)") == 3.0
    assert value("clip(5, 0, 1)") == 1.0
    assert value("clip(-5, 0, 1)") == 0.0
    assert value("clip(0.25, 0, 1)") == 0.25
    assert value("min(max(2, 5), 4) * 2") == 8.0
    x = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_array_equal(value("clip(x, 0, 1)", {"x": x}), [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(value("max(x, 0.4)", {"x": x}), [0.4, 0.5, 2.0])
    np.testing.assert_array_equal(value("min(x, 0.4)", {"x": x}), [-1.0, 0.4, 0.4])


def test_clip_gives_a_lane_alone_what_it_gives_in_a_batch():
    # np.clip's signs of zero differ between a number and an array; a division shows it (+inf against -inf)
    with np.errstate(divide="ignore"):
        alone = value("1 / clip(x, x, -x)", {"x": 0.0})
        batch = value("1 / clip(x, x, -x)", {"x": np.array([0.0, 0.0])})
    np.testing.assert_array_equal(batch, [alone, alone])


def test_happened_and_never_semantics():
    day = np.array([0.0, 5.0, NEVER, NEVER - 1.0])
    np.testing.assert_array_equal(value("happened(d)", {"d": day}), [True, True, False, True])
    np.testing.assert_array_equal(value("not happened(d)", {"d": day}), [False, False, True, False])
    # "today - X >= k" is false while X has not happened: NEVER is far in the future
    env = {"today": 300.0, "d": day}
    np.testing.assert_array_equal(value("today - d >= 3", env), [True, True, False, False])
    np.testing.assert_array_equal(value("d <= today", env), [True, True, False, False])
    assert not bool(value("happened(d)", {"d": float(NEVER)}))
    assert bool(value("happened(d)", {"d": 0.0}))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("min(1)", r"min\(\) takes 2"),
        ("max(1, 2, 3)", r"max\(\) takes 2"),
        ("clip(1, 2)", r"clip\(\) takes 3"),
        ("happened(1, 2)", r"happened\(\) takes 1"),
        ("happened()", "expected a value"),
        ("min(1, 2", "expected '\\)'"),
    ],
)
def test_wrong_arity_is_a_condition_error(text, match):
    with pytest.raises(ConditionError, match=match):
        parse(text, day_of)


@pytest.mark.parametrize("text", ["foo(1)", "abs(x)", "__import__(1)", "eval(1)", "FR.mobilisation(1)"])
def test_unknown_function_is_rejected_with_the_allowed_list(text):
    with pytest.raises(ConditionError, match="unknown function") as error:
        parse(text, day_of)
    assert "allowed: clip, happened, max, min" in str(error.value)


# ----------------------------------------------------------- broadcasting
def test_broadcasting_arrays_and_scalars():
    env = {
        "FR.mobilisation": np.array([0.0, 0.5, 0.9, 1.0]),
        "DE.belief.GB": np.array([0.1, 0.6, 0.2, 0.7]),
        "today": 10.0,
        "world.weight": 0.5,
    }
    mask = value("FR.mobilisation >= 0.5 and DE.belief.GB < world.weight and today > 3", env)
    assert isinstance(mask, np.ndarray) and mask.shape == (4,) and mask.dtype == bool
    np.testing.assert_array_equal(mask, [False, False, True, False])
    mixed = value("FR.mobilisation * world.weight + today", env)
    np.testing.assert_allclose(mixed, [10.0, 10.25, 10.45, 10.5])
    assert bool(value("today > 3", env)) and not bool(value("today > 30", env))


def test_scalar_only_expression_stays_scalar():
    result = parse("today * 2 + 1", day_of).evaluate({"today": 3.0})
    assert np.ndim(result) == 0 and float(result) == 7.0


# ------------------------------------------------------------------- names
def test_names_are_collected():
    expression = parse("FR.mobilisation > 0.5 and happened(crisis.demand_day) or min(DE.belief.GB, x) < 1", day_of)
    assert expression.names == {"FR.mobilisation", "crisis.demand_day", "DE.belief.GB", "x"}
    assert names_in(Literal(1.0)) == set()
    assert names_in(Call("min", (Name("a"), Unary("-", Name("b"))))) == {"a", "b"}


def test_unknown_name_is_rejected_with_a_did_you_mean_hint():
    known = {"FR.mobilisation": 0.0, "FR.at_war": 0.0, "GB.mobilisation": 0.0}
    with pytest.raises(ConditionError, match="unknown name") as error:
        parse("FR.mobilisaton >= 0.5", day_of, known)
    message = str(error.value)
    assert "'FR.mobilisaton'" in message
    assert "did you mean" in message and "FR.mobilisation" in message
    assert "FR.mobilisaton >= 0.5" in message  # the text is quoted


def test_unknown_name_without_close_match_has_no_hint_but_is_rejected():
    with pytest.raises(ConditionError, match="unknown name 'zzz'") as error:
        parse("zzz > 1", day_of, {"FR.mobilisation": 0.0})
    assert "did you mean" not in str(error.value)


def test_every_unknown_name_is_listed():
    with pytest.raises(ConditionError) as error:
        parse("a + bee + c", day_of, {"a": 1.0, "be": 1.0})
    assert "'bee'" in str(error.value) and "'c'" in str(error.value)


def test_known_names_are_accepted():
    expression = parse("x + y.z", day_of, {"x": 1.0, "y.z": 2.0})
    assert expression.evaluate({"x": 1.0, "y.z": 2.0}) == 3.0


def test_dunder_attribute_lookups_are_just_unknown_names():
    with pytest.raises(ConditionError, match="unknown name"):
        parse("x.__class__", day_of, {"x": 1.0})


def test_literal_inputs():
    assert parse(True, day_of) == Expression("true", Literal(True))
    assert parse(False, day_of).evaluate({}) is False
    assert parse(0.25, day_of).evaluate({}) == 0.25
    assert parse(1, day_of).evaluate({}) == 1.0


# ------------------------------------------------------------ syntax errors
@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "(1 + 2",
        "((a)",
        "1 + 2)",
        "a)",
        "1 2",
        "a b",
        "true true",
        "1 +",
        "* 2",
        "a ** 2",
        "not",
        "and",
        "a and",
        "a or or b",
        "a;b",
        "a; import os",
        "__import__('os')",
        "a = 1",
        "a == = 1",
        "a % 2",
        "a[0]",
        "a.b.",
        "1..2",
        "1e5",
        '"text"',
        "lambda: 1",
        "a if b else c",
        "min 1",
        "x @ y",
        "{}",
        "a\nb",
    ],
)
def test_syntax_errors_raise_condition_error(text):
    with pytest.raises(ConditionError):
        parse(text, day_of)


def test_syntax_error_message_locates_the_problem():
    with pytest.raises(ConditionError) as error:
        parse("a > 1; b", day_of)
    assert "';'" in str(error.value) and "column 6" in str(error.value)
    with pytest.raises(ConditionError) as error:
        parse("(a > 1", day_of)
    assert "expected ')'" in str(error.value) and "the end" in str(error.value)


def test_condition_error_is_a_value_error():
    # the engine and scenario checks catch ValueError too; keep the hierarchy
    assert issubclass(ConditionError, ValueError)


# ------------------------------------------------------ property: reference
LANES = 5
NUMBERS = ("x", "y", "FR.mobilisation", "k")  # x, y, FR.mobilisation are per-lane arrays; k is a scalar
FLAGS = ("p", "q", "DE.at_war_flag")  # per-lane booleans
DAYS = ("d", "crisis.demand_day")  # day variables: small numbers or NEVER

# precedence levels: or 1, and 2, not 3, compare 4, sum 5, product 6, unary minus 7, atom 8
LEVEL = {"or": 1, "and": 2, "not": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "==": 4, "!=": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7}


@dataclass(frozen=True)
class Node:
    """The reference tree: an operator and its children, with a flag for redundant parentheses."""

    op: str
    children: tuple = ()
    leaf: object = None
    paren: bool = False


def render(node: Node) -> tuple[str, int]:
    """Text with only the parentheses precedence needs (and the redundant ones asked for)."""
    text, level = _render(node)
    return (f"({text})", 8) if node.paren else (text, level)


def _render(node: Node) -> tuple[str, int]:
    if node.op == "num":
        return repr(node.leaf), 8
    if node.op in ("var", "bool"):
        return str(node.leaf), 8
    if node.op in ("min", "max", "clip", "happened"):
        return f"{node.op}({', '.join(render(child)[0] for child in node.children)})", 8
    level = LEVEL[node.op]
    if node.op in ("neg", "not"):
        text, inner = render(node.children[0])
        if inner < level:
            text = f"({text})"
        return (f"-{text}" if node.op == "neg" else f"not {text}"), level
    (left, left_level), (right, right_level) = render(node.children[0]), render(node.children[1])
    if left_level < level or (level == 4 and left_level == 4):
        left = f"({left})"
    if right_level <= level:  # left-associative: an equal-level right operand needs parentheses
        right = f"({right})"
    return f"{left} {node.op} {right}", level


def smaller(a, b):
    """min with NaN propagating (NaN means "undefined", never "the other one"); on a tie the second, as numpy (0 and -0 tie)."""
    return a if np.isnan(a) or a < b else b


def quotient(a, b):
    """a / b as numpy divides: 0/0 is NaN and x/0 infinite, as in the evaluator (a scalar lane must not raise)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.float64(a) / np.float64(b)


def larger(a, b):
    return a if np.isnan(a) or a > b else b


def reference(node: Node, env: dict):
    """The meaning of the tree for one lane, computed with plain scalars."""
    op, kids = node.op, node.children
    if op == "num":
        return np.float64(node.leaf)
    if op == "bool":
        return node.leaf == "true"
    if op == "var":
        return env[node.leaf]
    if op == "neg":
        return -reference(kids[0], env)
    if op == "not":
        return not reference(kids[0], env)
    if op == "and":
        left, right = reference(kids[0], env), reference(kids[1], env)  # no short circuit: both sides are evaluated
        return bool(left) and bool(right)
    if op == "or":
        left, right = reference(kids[0], env), reference(kids[1], env)
        return bool(left) or bool(right)
    if op == "happened":
        return reference(kids[0], env) < NEVER
    values = [reference(kid, env) for kid in kids]
    if op == "min":
        return smaller(*values)
    if op == "max":
        return larger(*values)
    if op == "clip":
        return smaller(larger(values[0], values[1]), values[2])
    a, b = values
    return {
        "+": lambda: a + b,
        "-": lambda: a - b,
        "*": lambda: a * b,
        "/": lambda: quotient(a, b),
        "<": lambda: a < b,
        "<=": lambda: a <= b,
        ">": lambda: a > b,
        ">=": lambda: a >= b,
        "==": lambda: a == b,
        "!=": lambda: a != b,
    }[op]()


PARENS = st.sampled_from([False, False, False, False, False, True])  # mostly minimal parentheses, sometimes redundant ones


@st.composite
def numeric(draw, depth: int = 3) -> Node:
    """A numeric expression; binary operators are favoured so that precedence and associativity matter."""
    paren = draw(PARENS)
    kind = "leaf" if depth == 0 else draw(st.sampled_from(["leaf", "arith", "arith", "arith", "arith", "neg", "minmax", "clip"]))
    if kind == "leaf":
        if draw(st.booleans()):
            return Node("num", leaf=draw(st.integers(0, 40)) / 4, paren=paren)
        return Node("var", leaf=draw(st.sampled_from(NUMBERS)), paren=paren)
    if kind == "neg":
        return Node("neg", (draw(numeric(depth - 1)),), paren=paren)
    if kind == "clip":
        return Node("clip", tuple(draw(numeric(depth - 1)) for _ in range(3)), paren=paren)
    op = draw(st.sampled_from(["+", "-", "*", "/"] if kind == "arith" else ["min", "max"]))
    return Node(op, (draw(numeric(depth - 1)), draw(numeric(depth - 1))), paren=paren)


@st.composite
def boolean(draw, depth: int = 3) -> Node:
    """A boolean expression over flags, comparisons and happened(); and/or/not favoured."""
    paren = draw(PARENS)
    kind = "leaf" if depth == 0 else draw(st.sampled_from(["leaf", "junction", "junction", "junction", "not"]))
    if kind == "junction":
        return Node(draw(st.sampled_from(["and", "or"])), (draw(boolean(depth - 1)), draw(boolean(depth - 1))), paren=paren)
    if kind == "not":
        return Node("not", (draw(boolean(depth - 1)),), paren=paren)
    leaf = draw(st.sampled_from(["flag", "flag", "compare", "compare", "bool", "happened", "since"]))
    if leaf == "flag":
        return Node("var", leaf=draw(st.sampled_from(FLAGS)), paren=paren)
    if leaf == "bool":
        return Node("bool", leaf=draw(st.sampled_from(["true", "false"])), paren=paren)
    if leaf == "happened":
        return Node("happened", (Node("var", leaf=draw(st.sampled_from(DAYS))),), paren=paren)
    if leaf == "since":  # "today - X >= k", the idiom for "k days after X"
        since = Node("-", (Node("var", leaf="today"), Node("var", leaf=draw(st.sampled_from(DAYS)))))
        return Node(">=", (since, Node("num", leaf=float(draw(st.integers(0, 5))))), paren=paren)
    op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
    size = draw(st.integers(0, 2))
    return Node(op, (draw(numeric(size)), draw(numeric(size))), paren=paren)


expressions = st.integers(2, 4).flatmap(lambda depth: numeric(depth) | boolean(depth))

lane_values = st.lists(st.integers(-8, 8).map(lambda n: n / 2), min_size=LANES, max_size=LANES)
day_values = st.lists(st.sampled_from([0.0, 1.0, 3.0, 7.0, float(NEVER)]), min_size=LANES, max_size=LANES)
flag_values = st.lists(st.booleans(), min_size=LANES, max_size=LANES)


@st.composite
def environments(draw):
    env = {name: np.array(draw(lane_values)) for name in ("x", "y", "FR.mobilisation")}
    env["k"] = float(draw(st.integers(-4, 4)))
    env.update({name: np.array(draw(flag_values)) for name in FLAGS})
    env.update({name: np.array(draw(day_values)) for name in DAYS})
    env["today"] = float(draw(st.integers(0, 10)))
    return env


def lane(env: dict, index: int) -> dict:
    return {name: (values[index] if isinstance(values, np.ndarray) else values) for name, values in env.items()}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=expressions, env=environments())
def test_parsed_expressions_match_the_reference_lane_by_lane(tree, env):
    text, _ = render(tree)
    expression = parse(text, day_of, known=env)
    with np.errstate(all="ignore"):
        over_arrays = np.broadcast_to(expression.evaluate(env), (LANES,))
        for index in range(LANES):
            scalars = lane(env, index)
            expected = reference(tree, scalars)
            one = expression.evaluate(scalars)
            assert np.ndim(one) == 0, text
            np.testing.assert_array_equal(over_arrays[index], expected, err_msg=f"{text} (array vs reference, lane {index})")
            np.testing.assert_array_equal(one, expected, err_msg=f"{text} (scalar vs reference, lane {index})")


def parser_tree(node: Node):
    """The tree the parser must build for a reference tree: the same shape, in sim.engine.conditions' node types."""
    if node.op == "num":
        return Literal(float(node.leaf))
    if node.op == "bool":
        return Literal(node.leaf == "true")
    if node.op == "var":
        return Name(node.leaf)
    children = tuple(parser_tree(child) for child in node.children)
    if node.op in ("min", "max", "clip", "happened"):
        return Call(node.op, children)
    if node.op in ("neg", "not"):
        return Unary("-" if node.op == "neg" else "not", children[0])
    return Binary(node.op, *children)


@settings(max_examples=100, deadline=None)
@given(tree=expressions)
def test_text_with_minimal_parentheses_parses_to_the_intended_tree(tree):
    """Precedence and associativity, structurally: the parser rebuilds exactly the tree the text was rendered from."""
    text, _ = render(tree)
    expression = parse(text, day_of)
    assert expression.tree == parser_tree(tree), text
    assert parse(text, day_of) == expression  # deterministic


def test_reference_renderer_uses_precedence_not_parentheses():
    # a sanity check of the test's own renderer: minimal parentheses where precedence suffices
    tree = Node("+", (Node("num", leaf=1.0), Node("*", (Node("num", leaf=2.0), Node("num", leaf=3.0)))))
    assert render(tree)[0] == "1.0 + 2.0 * 3.0"
    tree = Node("-", (Node("num", leaf=1.0), Node("-", (Node("num", leaf=2.0), Node("num", leaf=3.0)))))
    assert render(tree)[0] == "1.0 - (2.0 - 3.0)"
    assert value(render(tree)[0]) == 2.0


def test_dates_in_expressions_shift_with_the_calendar():
    later = START + timedelta(days=10)
    expression = parse(f"today >= {later.isoformat()}", day_of)
    assert not bool(expression.evaluate({"today": 9.0}))
    assert bool(expression.evaluate({"today": 10.0}))
