"""Every rule of the shipped rule book seen firing and not firing, in the minimal situations of tests/rule_cases.yaml.

A case gives, for one rule, the few variables that differ from the initial state when its
condition holds (``fires``) and the one change that makes it false (``holds_not``). For each
rule the condition is evaluated on one lane built from ``state_layout``; then the rule is run
through the engine (``Candidates.decide`` on a one-lane ``CrisisModel``, the rule recompiled
for every try) with rollout indices 0, 1, 2, ... until its addressed draw succeeds, within a
bound set by its probability; in ``holds_not`` the engine must stay quiet on the rollout that
fired (or, when the day or the probability differs, on as many rollouts as would surely fire).
A rule added to the book without a case, or a case for a rule that is gone, fails here.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.book.rules import load_rulebook
from sim.book.scenario import RuleEdit, Scenario, default_scenario
from sim.book.vocabulary import NEVER, is_clipped, is_day
from sim.engine.candidates import Candidates
from sim.engine.model import CrisisModel
from sim.engine.rule import CompiledRule, Decision
from sim.engine.world import compile_rules, state_layout

CASES_FILE = Path(__file__).with_name("rule_cases.yaml")
BOOK = load_rulebook()
SCENARIO = dataclasses.replace(default_scenario(), parameter_draws="book")  # the cases are written for the book's values
LAYOUT = state_layout(BOOK, SCENARIO)
PARAMETERS = BOOK.parameters()
RULE_IDS = [rule.id for rule in BOOK.rules]
COMPILED = {rule.id: rule for rule in compile_rules(BOOK, SCENARIO, LAYOUT)}
CASES: dict = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))

# The engine check draws until the rule fires: with probability p it must within ceil(ln(1e-9) / ln(1 - p))
# rollouts (a miss chance of 1e-9 were the draws independent; they are addressed, so the result is fixed).
# A rule that would need more than MAX_ATTEMPTS (p below about 0.004) is skipped by the engine check only.
MISS = 1e-9
MAX_ATTEMPTS = 5000


def case_of(rule_id: str) -> dict:
    if rule_id not in CASES:
        pytest.fail(f"{rule_id} has no case in {CASES_FILE.name}")
    return CASES[rule_id]


def day_index(value: date | str, where: str) -> int:
    """A date (YAML gives a date; a quoted one is a string) as its day index in the default scenario."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            pytest.fail(f"{where}: {value!r} is neither a date nor 'never'")
    if not isinstance(value, date):
        pytest.fail(f"{where}: a day is given as a date or 'never', not {value!r}")
    try:
        return SCENARIO.day_of(value)
    except ValueError as error:
        pytest.fail(f"{where}: {error}")


def resolve(rule_id: str, part: str) -> dict[str, float]:
    """The variables a situation sets, as numbers (dates as day indices, 'never' as NEVER), with ``today``."""
    case = case_of(rule_id)
    situation = case[part]
    if not isinstance(situation, dict):
        pytest.fail(f"{rule_id}.{part} must be a mapping of variables to values, got {situation!r}")
    values = {"today": float(day_index(case.get("day", SCENARIO.start), f"{rule_id}.day"))}
    for name, value in situation.items():
        where = f"{rule_id}.{part}.{name}"
        if name not in LAYOUT:
            pytest.fail(f"{where}: no such variable in the state layout")
        if name == "today":
            values[name] = float(day_index(value, where))
        elif is_day(name):
            values[name] = float(NEVER) if value == "never" else float(day_index(value, where))
        elif isinstance(value, bool) or not isinstance(value, int | float):
            pytest.fail(f"{where}: {name} is not a day variable and takes a number, not {value!r}")
        else:
            values[name] = float(value)
    return values


def lane(values: dict[str, float]) -> dict[str, np.ndarray | float]:
    """One lane: the initial state as numbers, the situation's variables as 1-element arrays, today a number."""
    env: dict[str, np.ndarray | float] = dict(LAYOUT)
    env.update({name: np.array([value]) for name, value in values.items() if name != "today"})
    env["today"] = values["today"]
    return env


def scalar(value: np.ndarray | float | bool, what: str) -> float | bool:
    """The one value of a one-lane result."""
    array = np.asarray(value)
    assert array.size == 1, f"{what} gave {array.size} values for one lane: {value!r}"
    return array.item()


def holds(rule_id: str, values: dict[str, float]) -> bool:
    return bool(scalar(COMPILED[rule_id].condition.evaluate(lane(values)), f"the condition of {rule_id}"))


def probability(rule_id: str, values: dict[str, float]) -> float:
    return float(scalar(COMPILED[rule_id].probability.evaluate(lane(values)), f"the probability of {rule_id}"))


def constant(rule_id: str) -> bool:
    """A condition that reads nothing (``true``): no situation can make it false."""
    return not COMPILED[rule_id].condition.names


# ---------------------------------------------------------------- coverage and form
def test_every_rule_has_a_case_and_every_case_a_rule():
    assert isinstance(CASES, dict), f"{CASES_FILE.name} must map rule ids to cases"
    missing = [rule_id for rule_id in RULE_IDS if rule_id not in CASES]
    unknown = [rule_id for rule_id in CASES if rule_id not in RULE_IDS]
    assert not missing, f"rules without a case in {CASES_FILE.name}: {missing}"
    assert not unknown, f"cases in {CASES_FILE.name} for rules the book does not have: {unknown}"
    assert set(COMPILED) == set(RULE_IDS), "every rule of the book compiles (none is switched off)"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_case_is_well_formed(rule_id: str):
    case = case_of(rule_id)
    assert isinstance(case, dict), f"{rule_id}: a case is a mapping with fires, holds_not and an optional day"
    extra = set(case) - {"day", "fires", "holds_not"}
    assert not extra, f"{rule_id}: unknown keys {sorted(extra)}"
    assert "fires" in case and "holds_not" in case, f"{rule_id}: a case needs both fires and holds_not"
    if case["holds_not"] is None:
        assert constant(rule_id), f"{rule_id}: holds_not is null, but its condition {COMPILED[rule_id].condition.text!r} can be false"
    parts = ["fires"] if case["holds_not"] is None else ["fires", "holds_not"]
    for part in parts:
        values = resolve(rule_id, part)
        today = values["today"]
        for name, value in values.items():
            if name != "today" and is_day(name):
                assert value == NEVER or value <= today, f"{rule_id}.{part}: {name} lies after today ({value:.0f} > {today:.0f})"
            if name in PARAMETERS and not isinstance(PARAMETERS[name].range[0], date):
                low, high = PARAMETERS[name].range
                assert low <= value <= high, f"{rule_id}.{part}: {name} = {value} is outside its range [{low}, {high}]"
            if is_clipped(name):
                assert 0 <= value <= 1, f"{rule_id}.{part}: {name} = {value} must lie within [0, 1]"


# ---------------------------------------------------------------- the condition
@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_condition_fires_and_holds_not(rule_id: str):
    """The condition holds in `fires` and not in `holds_not`."""
    text = COMPILED[rule_id].condition.text
    assert holds(rule_id, resolve(rule_id, "fires")), f"{rule_id}: {text!r} does not hold in `fires`"
    if case_of(rule_id)["holds_not"] is None:
        assert constant(rule_id)
        return
    assert not holds(rule_id, resolve(rule_id, "holds_not")), f"{rule_id}: {text!r} still holds in `holds_not`"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_fires_is_minimal(rule_id: str):
    """Every variable set in `fires` matters: the condition needs it, or (if the condition does not read it) the probability reads it."""
    fires = resolve(rule_id, "fires")
    rule = COMPILED[rule_id]
    for name, value in fires.items():
        if name == "today":
            continue
        assert value != LAYOUT[name], f"{rule_id}.fires: {name} is set to its initial value {value}; leave it out"
        if name in rule.condition.names:
            without = {**fires, name: LAYOUT[name]}
            assert not holds(rule_id, without), f"{rule_id}.fires: the condition holds without {name}; leave it out"
        else:
            assert name in rule.probability.names, f"{rule_id}.fires: {name} is read by neither the condition nor the probability"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_holds_not_is_one_change(rule_id: str):
    """`holds_not` flips exactly one variable of `fires` (today included), so the case shows which part of the condition matters."""
    if case_of(rule_id)["holds_not"] is None:
        assert constant(rule_id)
        return
    fires, holds_not = resolve(rule_id, "fires"), resolve(rule_id, "holds_not")
    names = set(fires) | set(holds_not)
    changed = sorted(name for name in names if fires.get(name, LAYOUT[name]) != holds_not.get(name, LAYOUT[name]))
    assert len(changed) == 1, f"{rule_id}: holds_not should differ from fires in one variable, not {changed}"


# ---------------------------------------------------------------- the probability and the engine
@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_probability_is_a_positive_chance(rule_id: str):
    """In `fires` the probability is a number in (0, 1]: a rule switched off in 1938 is switched on by its case."""
    p = probability(rule_id, resolve(rule_id, "fires"))
    text = COMPILED[rule_id].probability.text
    assert math.isfinite(p) and 0 <= p <= 1, f"{rule_id}: probability {text!r} = {p} in `fires`"
    assert p > 0, f"{rule_id}: probability {text!r} is 0 in `fires`; set the parameter that switches it on"


def attempts_for(p: float) -> int:
    """Rollouts within which a rule of probability p must fire (were its draws independent, it would miss with chance MISS)."""
    return 1 if p >= 1 else math.ceil(math.log(MISS) / math.log1p(-p))


@cache
def alone(rule_id: str) -> Scenario:
    """The default scenario with every other rule switched off, so that compiling the rule book is cheap."""
    return dataclasses.replace(SCENARIO, rules={other: RuleEdit(enabled=False) for other in RULE_IDS if other != rule_id})


def recompiled(rule_id: str) -> CompiledRule:
    """The rule compiled anew by compile_rules (its candidate bookkeeping, made fresh for each try, starts empty)."""
    (rule,) = compile_rules(BOOK, alone(rule_id), LAYOUT)
    assert rule.id == rule_id and rule.condition == COMPILED[rule_id].condition and rule.probability == COMPILED[rule_id].probability
    return rule


def situate(model: CrisisModel, initial: dict[str, np.ndarray | float], values: dict[str, float]) -> CrisisModel:
    """Put a one-lane model into a situation: its initial state back, then the situation's values (arrays in place), and the day."""
    for name, value in initial.items():
        if isinstance(value, np.ndarray):
            model.state[name][:] = value
        else:
            model.state[name] = value
    for name, value in values.items():
        current = model.state[name]
        if isinstance(current, np.ndarray):
            current[:] = value
        else:
            model.state[name] = float(value)
    model.day = int(values["today"])
    model.state["today"] = float(values["today"])
    return model


def decide(rule_id: str, model: CrisisModel, index: int) -> Decision | None:
    """The rule's decision, freshly compiled, in the model's one lane taken as rollout ``index``."""
    model.lanes = np.array([index], dtype=np.uint64)
    return Candidates(recompiled(rule_id)).decide(model)


def skip_reason(p: float) -> str | None:
    if attempts_for(p) > MAX_ATTEMPTS:
        return f"probability {p:.2g} would need more than {MAX_ATTEMPTS} rollouts"
    return None


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_engine_fires_and_holds_not(rule_id: str):
    """Through the engine the rule fires in `fires` within a bounded number of rollouts, and never in `holds_not`."""
    fires = resolve(rule_id, "fires")
    p = probability(rule_id, fires)
    assert p > 0, f"{rule_id}: probability 0 in `fires` (see test_probability_is_a_positive_chance)"
    if skip_reason(p):
        pytest.skip(f"{rule_id}: {skip_reason(p)}")
    model = CrisisModel(SCENARIO, lanes=1, book=BOOK)
    initial = {name: value.copy() if isinstance(value, np.ndarray) else value for name, value in model.state.items()}
    situate(model, initial, fires)
    bound = attempts_for(p)
    fired_at, decision = None, None
    for index in range(bound):
        decision = decide(rule_id, model, index)
        if decision is not None:
            fired_at = index
            break
    assert decision is not None, f"{rule_id}: did not fire in {bound} rollouts with probability {p:.3g}"
    assert decision.rule.id == rule_id
    assert decision.fires.tolist() == [0], f"{rule_id}: fired in lanes {decision.fires.tolist()} of a one-lane model"
    marks = [write for write in decision.writes if write.name == f"fired.{rule_id}"]
    assert len(marks) == 1 and float(marks[0].value) == fires["today"], f"{rule_id}: the firing is not recorded as fired.{rule_id} = today"

    if case_of(rule_id)["holds_not"] is None:
        assert constant(rule_id)
        return  # `true` cannot be made false
    holds_not = resolve(rule_id, "holds_not")
    q = probability(rule_id, holds_not)
    assert q > 0, f"{rule_id}: probability 0 in `holds_not`, so its quiet would prove nothing"
    situate(model, initial, holds_not)
    if holds_not["today"] == fires["today"] and q >= p:
        rollouts = range(fired_at + 1)  # the same draws: the one that fired would fire again were the condition true
    else:
        rollouts = range(min(attempts_for(q), MAX_ATTEMPTS))  # new draws: enough that one would succeed
    for index in rollouts:
        assert decide(rule_id, model, index) is None, f"{rule_id}: fired in `holds_not` at rollout {index}"
