"""The rule engine: the state layout, rule compilation, and a rule's daily decision over all lanes.

``compile_rules`` turns the rule book plus a scenario's edits into
``CompiledRule``s: conditions, probabilities and effects parsed once, every name
checked against the state layout. Each day ``CompiledRule.decide`` evaluates
its condition as a mask over the R lanes, draws its addressed uniform numbers
only where the condition holds, and returns the writes of its action where it
fires. Nothing here knows about files, printing or processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from sim import actions, rng
from sim.actions import Write
from sim.conditions import NEVER, ConditionError, Expression, parse
from sim.inputs import InputError
from sim.rules import EFFECT, STATES, Rule, RuleBook
from sim.scenario import Scenario

CRISIS_LEVELS = ("crisis.demand", "crisis.proposal", "crisis.cz_accepts")
CRISIS_DAYS = (
    "crisis.demand_day",
    "crisis.cz_accept_day",
    "crisis.settled_day",
    "crisis.first_shot_day",
    "crisis.league_appeal_day",
    "crisis.conference_day",
    "crisis.climbdown_day",
    "crisis.cz_resistance_end_day",
    "crisis.teschen_day",
    "crisis.su_aid_day",
    "crisis.league_verdict_day",
    "crisis.closed_day",
    *(f"crisis.proposal_{level}_day" for level in (1, 2, 3)),
    *(f"crisis.reject_{level}_day" for level in (1, 2, 3)),
)
PASSAGE_MODES = ("troops", "aircraft", "materiel")


def is_day_variable(name: str) -> bool:
    """Day variables hold the first day something happened, NEVER until it does."""
    return name.endswith("_day") or name.startswith("fired.") or (name.startswith("event.") and not name.endswith(".active"))


def state_layout(book: RuleBook, scenario: Scenario) -> dict[str, float]:
    """Every variable of the world and its initial value (the same in every lane before parameters vary)."""
    parameters = {name: parameter.value for name, parameter in book.parameters().items()}
    parameters.update(book.lenses[scenario.lens].parameters)  # the scenario's reading of contested points
    parameters.update(scenario.parameters)  # then its own changes
    # A date parameter is used in conditions as that day's index in this scenario's calendar.
    parameters = {name: float((value - scenario.start).days) if isinstance(value, date) else value for name, value in parameters.items()}
    default_belief, default_trust = parameters["world.default_belief"], parameters["world.default_trust"]
    layout: dict[str, float] = {}
    for actor in STATES:
        layout.update({f"{actor}.{name}": 0.0 for name in ("mobilisation", "at_war", "pressure")})
        for name in ("mobilised_day", "war_day", "attacked_day", "called_conference_day"):
            layout[f"{actor}.{name}"] = NEVER
        for other in STATES:
            if other == actor:
                continue
            layout[f"{actor}.belief.{other}"] = parameters.get(f"{actor}.belief.{other}", default_belief)
            layout[f"{actor}.trust.{other}"] = parameters.get(f"{actor}.trust.{other}", default_trust)
            for name in ("heard", "asked", "war_on"):
                layout[f"{actor}.{name}_{other}_day"] = NEVER
        for mode in PASSAGE_MODES:
            layout[f"{actor}.passage_{mode}"] = 0.0
            layout[f"{actor}.passage_{mode}_day"] = NEVER
        layout.update({f"{actor}.{name}": value for name, value in book.actors[actor].variables.items()})
    layout.update({name: 0.0 for name in CRISIS_LEVELS})
    layout.update({name: NEVER for name in CRISIS_DAYS})
    for name, value in book.world.variables.items():
        layout[name] = value
        if name.startswith("pact."):
            layout[f"{name}.denounced_day"] = NEVER
    for name in book.world.events:
        layout[f"event.{name}"] = NEVER
        layout[f"event.{name}.active"] = 0.0
    for rule in (*book.rules, *scenario.add_rules):
        layout[f"fired.{rule.id}"] = NEVER
    layout.update(parameters)  # parameters are per-lane variables too (so calibration can vary them by lane)
    layout["today"] = 0.0
    return layout


@dataclass(frozen=True)
class Effect:
    target: str
    op: str
    expression: Expression

    def write(self, env: dict, mask: np.ndarray) -> Write:
        value = self.expression.evaluate(env)
        if self.op == "=":
            return Write(self.target, "set", value, mask)
        if self.op == "-=":
            return Write(self.target, "add", np.negative(value), mask)
        return Write(self.target, {"+=": "add", "max=": "max", "min=": "min"}[self.op], value, mask)


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready to run: parsed expressions, its random stream, its position in the commit order."""

    index: int
    rule: Rule
    condition: Expression
    probability: Expression
    effects: tuple[Effect, ...]
    stream: int

    @property
    def id(self) -> str:
        return self.rule.id

    def decide(self, env: dict, today: int, seed: int, lanes: np.ndarray, open_lanes: np.ndarray) -> Decision | None:
        """Where this rule fires today (its condition holds and its draw succeeds) and the writes it makes there."""
        candidates = open_lanes & np.broadcast_to(np.asarray(self.condition.evaluate(env), dtype=bool), open_lanes.shape)
        if self.rule.once:
            candidates &= env[f"fired.{self.id}"] >= NEVER
        where = np.flatnonzero(candidates)
        if where.size == 0:
            return None
        probability = np.broadcast_to(np.asarray(self.probability.evaluate(env), dtype=float), open_lanes.shape)[where]
        draws = rng.uniform(seed, self.stream, today, lanes[where])
        fires = np.zeros_like(candidates)
        fires[where[draws < probability]] = True
        if not fires.any():
            return None
        writes = actions.writes(self.rule.action, self.rule.actor, env, fires, today)
        writes.extend(effect.write(env, fires) for effect in self.effects)
        writes.append(actions.first(f"fired.{self.id}", today, fires))
        return Decision(self, fires, writes)


@dataclass(frozen=True)
class Decision:
    """A rule's decision for one day: the lanes where it fires and what it writes there."""

    rule: CompiledRule
    fires: np.ndarray
    writes: list[Write]


def compile_rules(book: RuleBook, scenario: Scenario, layout: dict[str, float]) -> list[CompiledRule]:
    """The book's rules with the scenario's edits and additions, parsed and checked against ``layout``."""
    known = layout
    compiled = []
    for source, rule in [("book", rule) for rule in book.rules] + [("scenario", rule) for rule in scenario.add_rules]:
        edit = scenario.rules.get(rule.id)
        if edit is not None:
            rule = rule.model_copy(update={key: value for key, value in edit.model_dump().items() if value is not None})
        if not rule.enabled:
            continue
        key = f"rules.{rule.id}" if edit is not None else f"add_rules.{scenario.add_rules.index(rule)}" if source == "scenario" else None

        def located(field: str, problem: str, rule: Rule = rule, key: str | None = key) -> InputError:
            if key is not None:
                return scenario.error(key, f"{field}: {problem}")
            return InputError(f"{field}: {problem}", f"sim/rulebook/{rule.actor}.yaml", None, rule.id)

        try:
            condition = parse(rule.condition, scenario.day_of, known)
        except (ConditionError, ValueError) as error:
            raise located("condition", str(error)) from None
        try:
            probability = parse(rule.probability, scenario.day_of, known)
        except (ConditionError, ValueError) as error:
            raise located("probability", str(error)) from None
        effects = []
        for text in rule.effects:
            match = EFFECT.match(text)
            if match["target"] not in layout:
                raise located("effects", f"unknown variable {match['target']!r} in {text!r}")
            try:
                effects.append(Effect(match["target"], match["op"], parse(match["expr"], scenario.day_of, known)))
            except (ConditionError, ValueError) as error:
                raise located("effects", str(error)) from None
        unknown = actions.variables_written(rule.action, rule.actor) - set(known)
        if unknown:
            raise located("action", f"writes variables the model does not have: {sorted(unknown)}")
        compiled.append(CompiledRule(len(compiled), rule, condition, probability, tuple(effects), rng.key("rule", rule.id)))
    return compiled
