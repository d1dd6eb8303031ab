"""The rule engine: the state layout, rule compilation, and a rule's daily decision over all lanes.

``compile_rules`` turns the rule book plus a scenario's edits into
``CompiledRule``s: conditions, probabilities and effects parsed once, every name
checked against the state layout. Each day ``CompiledRule.propose`` evaluates
its condition as a mask over the R lanes and its probability where it holds; the
model draws the addressed uniform numbers of all the rules there at once, and
``CompiledRule.conclude`` returns the writes of the action where the rule fires
(``decide`` does both for one rule alone). Nothing here knows about files,
printing or processes.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, Protocol

import numpy as np

from sim.book.inputs import InputError
from sim.book.rules import EFFECT, STATES, Rule, RuleBook
from sim.book.scenario import Scenario
from sim.engine import actions, rng
from sim.engine.actions import Write
from sim.engine.conditions import NEVER, Binary, ConditionError, Expression, Name, Node, all_of, any_lane, conjuncts, names_in, parse

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


def state_layout(book: RuleBook, scenario: Scenario, lane_parameters: Mapping[str, np.ndarray] | None = None) -> dict[str, float | np.ndarray]:
    """Every variable of the world and its initial value: a number, or an array over the lanes where parameters vary.

    Parameters come from the book, then the scenario's lens, then the scenario's own changes, then
    ``lane_parameters``: one value per lane (drawn from the calibration posterior, or a sweep's points).
    """
    parameters: dict[str, float | date | np.ndarray] = {name: parameter.value for name, parameter in book.parameters().items()}
    parameters.update(book.lenses[scenario.lens].parameters)  # the scenario's reading of contested points
    parameters.update(scenario.parameters)  # then its own changes
    parameters.update(lane_parameters or {})
    # A date parameter is used in conditions as that day's index in this scenario's calendar.
    parameters = {name: float((value - scenario.start).days) if isinstance(value, date) else value for name, value in parameters.items()}
    default_belief, default_trust = parameters["world.default_belief"], parameters["world.default_trust"]
    layout: dict[str, float | np.ndarray] = {}
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

    def write(self, env: dict, lanes: np.ndarray) -> Write:
        value = self.expression.evaluate(Lanes(env, lanes))
        if self.op == "=":
            return Write(self.target, "set", value, lanes)
        if self.op == "-=":
            return Write(self.target, "add", np.negative(value), lanes)
        return Write(self.target, {"+=": "add", "max=": "max", "min=": "min"}[self.op], value, lanes)


class Day(Protocol):
    """What a rule reads from the model on a day."""

    state: dict[str, np.ndarray | float]
    day: int
    seed: int
    lanes: np.ndarray
    open_lanes: np.ndarray
    closed_count: int  # how many lanes have closed so far (open_lanes changes only when it does)
    changes: dict[str, np.ndarray]  # the lanes where each variable a rule's steady part reads changed since the rules last looked


class Lanes(Mapping):
    """The state seen in some lanes only: arrays are indexed, numbers pass through."""

    def __init__(self, state: Mapping[str, np.ndarray | float], lanes: np.ndarray):
        self.state, self.lanes = state, lanes

    def __getitem__(self, name: str) -> np.ndarray | float:
        value = self.state[name]
        return value[self.lanes] if isinstance(value, np.ndarray) else value

    def __iter__(self):
        return iter(self.state)

    def __len__(self) -> int:
        return len(self.state)


class CompiledRule:
    """A rule ready to run: parsed expressions, its random stream, its position in the commit order.

    Quiet days and quiet lanes are cheap. The condition is split into the conjuncts that
    read ``today`` (evaluated every day, in the candidate lanes only) and the rest, whose
    mask is kept from day to day and re-evaluated only in the lanes where something it
    reads has changed. A rule whose steady part holds nowhere sleeps on one conjunct that
    holds nowhere either (its blocker, say ``happened(fired.GB.flies_to_hitler)``): until
    that conjunct changes, nothing else the rule reads can make it hold, so changes to the
    rest are not looked at. A conjunct comparing ``today`` with what never changes
    (``today >= DE.ready_date``) counts as steady: it changes on one known day per lane, and
    the model reports it then (``Timer``). The result is the same as evaluating everything
    everywhere.
    """

    def __init__(self, index: int, rule: Rule, condition: Expression, probability: Expression, effects: tuple[Effect, ...]):
        self.index, self.rule, self.condition, self.probability, self.effects = index, rule, condition, probability, effects
        self.stream = rng.key("rule", rule.id)
        # Read daily: copied out of the rule once (``Rule.actor`` splits the id on every access).
        self.actor, self.action, self.once, self.tries = rule.actor, rule.action, rule.once, rule.tries
        self.fired_name = f"fired.{rule.id}"
        self._blocker: Conjunct | None = None  # while the steady part holds in no open lane: one of its conjuncts that holds in none either
        self._mask: np.ndarray | None = None  # where the steady part of the condition holds
        self.dirty = True  # something the steady part reads has changed since the rule last looked
        self._where: np.ndarray | None = None  # candidate lanes, kept up to date
        self._unfired: np.ndarray | None = None  # lanes where a once-only rule has not fired yet
        self._closed_seen = 0  # model.closed_count when the candidates were last cleared of closed lanes
        self.prepare({}, frozenset())  # the condition split, the probability evaluated where proposed: until a model prepares it

    def prepare(self, state: Mapping[str, np.ndarray | float], constant: Set[str]) -> None:
        """Split the condition for a model whose ``constant`` variables never change (a lane's value is the same every day).

        Conjuncts that do not read ``today`` are steady; so is a comparison of ``today`` with what
        never changes (``today >= DE.ready_date - 30``), whose value changes on one known day per lane:
        such a conjunct is a ``Timer``, and the model reports that day as a change of the timer's name.
        Only the other conjuncts that read ``today`` are evaluated every day. The probability is worked
        out once if it reads only constants; if it reads other variables but not ``today``, it is kept
        for every lane and worked out again only where those change (``kept_chance``).
        """
        steady, dated, self.timers = [], [], {}
        for node in conjuncts(self.condition.tree):
            timer = Timer.of(node, state, constant) if state else None  # unprepared (no model), nothing schedules a timer
            if timer is not None:
                self.timers[timer.name] = timer
                steady.append(Conjunct(Expression(self.condition.text, node), frozenset({timer.name})))
            elif "today" in names_in(node):
                dated.append(node)
            else:
                expression = Expression(self.condition.text, node)
                steady.append(Conjunct(expression, expression.names))
        self._conjuncts = steady
        self.steady = Expression(self.condition.text, all_of([conjunct.expression.tree for conjunct in steady]))
        self.reads = frozenset().union(*(conjunct.reads for conjunct in steady))  # whose changes the steady part must see
        self.dated = Expression(self.condition.text, all_of(dated)) if dated else None
        # The probability in every lane (None: evaluated where proposed), what it reads if kept up to date, and where it is stale.
        self._chance: np.ndarray | float | None = None
        self.chance_reads, self.chance_stale, self._stale = frozenset(), False, []
        names = self.probability.names
        if state and "today" not in names:
            chance = self.probability.evaluate(state)
            if names <= constant:
                self._chance = chance  # the same every day
            elif isinstance(chance, np.ndarray) and chance.ndim == 1:
                self._chance = chance.copy()  # kept up to date in the lanes where what it reads changes
                self.chance_reads = names

    @property
    def id(self) -> str:
        return self.rule.id

    def _candidates(self, model: Day) -> np.ndarray:
        """Indices of the lanes where the rule may fire today."""
        if self._where is None:  # first day: evaluate everywhere
            size = model.lanes.size
            self._mask = np.broadcast_to(np.asarray(self.steady.evaluate(model.state), dtype=bool), (size,)).copy()
            self._unfired = np.ones(size, dtype=bool) if self.once else None
            self._where = self._find(model)
            self._closed_seen = model.closed_count
            self._sleep_if_blocked(model)
        elif self.dirty:
            self._look_again(model)
        self.dirty = False
        where = self._where
        if self._closed_seen != model.closed_count:  # lanes have closed since the last look; they never reopen
            self._closed_seen = model.closed_count
            if where.size:
                where = self._where = where[model.open_lanes[where]]
        if self.dated is not None and where.size:
            dated = self.dated.evaluate(Lanes(model.state, where))
            if isinstance(dated, np.ndarray):
                where = where[dated]
            elif not dated:
                return _NO_LANES
        return where

    def _look_again(self, model: Day) -> None:
        """Re-evaluate the steady part only in the lanes where something it reads has changed."""
        changes = model.changes
        reads = self.reads if self._blocker is None else self._blocker.reads  # asleep, only the blocker matters
        moved = [changes[name] for name in reads if name in changes]
        if not moved:
            return
        lanes = moved[0] if len(moved) == 1 else np.concatenate(moved)
        if self._blocker is not None:
            if not any_lane(self._blocker.expression.evaluate(Lanes(model.state, lanes))):
                return  # still holds nowhere: the rule sleeps on
            # Awake. Only where the blocker changed can the condition hold now; everywhere else it still holds in no lane.
            self._blocker = None
        now = self.steady.evaluate(Lanes(model.state, lanes))
        old = self._mask[lanes]
        if isinstance(now, np.ndarray):
            now = now.astype(bool, copy=False)  # a number as a condition means "not zero"
            if not any_lane(now != old):
                return
        elif now:  # one answer for every lane (a short-circuited "and", or a constant): no need to spread it out
            if old.all():
                return
            now = np.ones(lanes.shape, dtype=bool)
        else:
            if not any_lane(old):
                return
            now = np.zeros(lanes.shape, dtype=bool)
        self._mask[lanes] = now
        self._where = self._find(model)
        self._sleep_if_blocked(model)

    def _sleep_if_blocked(self, model: Day) -> None:
        """If the steady part holds in no open lane, sleep on a conjunct that holds in none (one that changes rarely, if any)."""
        if self._where.size or any_lane(self._mask & model.open_lanes):
            return
        blockers = []
        for position, conjunct in enumerate(self._conjuncts):
            value = conjunct.expression.evaluate(model.state)
            if not any_lane(np.logical_and(value, model.open_lanes)):
                changes_often = sum(not (is_day_variable(name) or name in self.timers) for name in conjunct.reads)
                blockers.append((changes_often, position, conjunct))
        if blockers:  # a day variable or a timer changes at most once a lane: the best thing to sleep on
            self._blocker = min(blockers, key=lambda blocker: blocker[:2])[2]

    def _find(self, model: Day) -> np.ndarray:
        candidates = model.open_lanes & self._mask
        if self._unfired is not None:
            candidates &= self._unfired
        return candidates.nonzero()[0]  # np.flatnonzero without its Python wrapper (the mask is 1-D)

    def propose(self, model: Day) -> Proposal | None:
        """The lanes where this rule may fire today (its condition holds) and its chance there; None if nowhere."""
        if self.chance_stale:
            self.note_chance_changes(model)
        if not self.dirty and self._where is not None and not self._where.size:
            return None  # the quiet case: nothing it reads has moved, and no lane is a candidate
        where = self._candidates(model)
        if where.size == 0:
            return None
        chance = self.kept_chance(model)
        if chance is None:
            probability = self.probability.evaluate(Lanes(model.state, where))
        else:
            probability = chance[where] if isinstance(chance, np.ndarray) else chance
        if not isinstance(probability, np.ndarray) and probability <= 0 and self.tries == "daily":
            return None  # a rule switched off by its probability draws nothing (and fires nowhere)
        return Proposal(self, where, probability)

    def note_chance_changes(self, model: Day) -> None:
        """Note where what the kept probability reads has changed (``model.changes`` lasts a day; the work waits for a proposal)."""
        self._stale.extend(model.changes[name] for name in self.chance_reads if name in model.changes)
        self.chance_stale = False
        if sum(lanes.size for lanes in self._stale) >= self._chance.size:  # as many as there are lanes: redo it all now
            self._stale = []
            self._chance[:] = self.probability.evaluate(model.state)

    def kept_chance(self, model: Day) -> np.ndarray | float | None:
        """The probability in every lane, brought up to date where what it reads has changed (None if it reads ``today``)."""
        if self._stale:
            lanes = self._stale[0] if len(self._stale) == 1 else np.concatenate(self._stale)
            self._stale = []
            self._chance[lanes] = self.probability.evaluate(Lanes(model.state, lanes))
        return self._chance

    def conclude(self, model: Day, proposal: Proposal, draws: np.ndarray) -> Decision | None:
        """Where the rule fires, given today's draws for the proposal's lanes, and the writes it makes there."""
        where = proposal.where
        fires = where[draws < proposal.probability]
        if self._unfired is not None:
            # A once-only rule leaves the lanes where it fired; a one-off decision every lane where it was drawn.
            leaving = where if self.tries == "once" else fires
            if leaving.size:
                self._unfired[leaving] = False
                self._where = self._where[self._unfired[self._where]]
        if fires.size == 0:
            return None
        env, today = model.state, model.day
        writes = actions.writes(self.action, self.actor, env, fires, today)
        writes.extend(effect.write(env, fires) for effect in self.effects)
        writes.append(actions.first(self.fired_name, today, fires))
        return Decision(self, fires, writes)

    def decide(self, model: Day) -> Decision | None:
        """Where this rule fires today and the writes it makes there: ``propose``, this rule's draws, ``conclude``.

        The model does the same for all its rules at once, with one draw for all (``rng.uniform_many``).
        """
        proposal = self.propose(model)
        if proposal is None:
            return None
        draws = rng.uniform(model.seed, self.stream, model.day, model.lanes[proposal.where])
        return self.conclude(model, proposal, draws)

    def targets(self) -> set[str]:
        """Every variable this rule may write."""
        return actions.variables_written(self.rule.action, self.rule.actor) | {effect.target for effect in self.effects} | {f"fired.{self.id}"}


_NO_LANES = np.zeros(0, dtype=np.intp)


class Conjunct(NamedTuple):
    """One part of a rule's steady condition, and the names whose changes can change its value."""

    expression: Expression
    reads: frozenset[str]


# ``today OP threshold``: the first day on which the comparison's value differs from the day before.
_SWITCH_DAY = {">=": np.ceil, "<": np.ceil, ">": lambda threshold: np.floor(threshold) + 1, "<=": lambda threshold: np.floor(threshold) + 1}
_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_TODAY = Name("today")


@dataclass(frozen=True)
class Timer:
    """A comparison of ``today`` with what never changes in a lane: it changes value once, on ``switch_day`` (NaN: never).

    Days are whole numbers, so ``today >= t`` turns true on day ceil(t) and stays true,
    ``today < t`` turns false then; ``>`` and ``<=`` switch on floor(t) + 1.
    """

    name: str
    switch_day: np.ndarray | float

    @classmethod
    def of(cls, node: Node, state: Mapping[str, np.ndarray | float], constant: Set[str]) -> Timer | None:
        """The timer ``node`` is, if it is ``today`` compared with an expression of ``constant`` variables only."""
        if not isinstance(node, Binary) or node.op not in _MIRRORED:
            return None
        op, other = node.op, node.right
        if node.right == _TODAY:
            op, other = _MIRRORED[op], node.left
        elif node.left != _TODAY:
            return None
        if not names_in(other) <= constant:
            return None
        threshold = np.asarray(Expression("", other).evaluate(state), dtype=float)
        switch_day = _SWITCH_DAY[op](threshold)
        return cls(f"timer: today {op} {other}", switch_day if switch_day.ndim else float(switch_day))


class Proposal(NamedTuple):
    """A rule's candidates for a day, before the draws: the lanes where its condition holds, and its chance there."""

    rule: CompiledRule
    where: np.ndarray
    probability: np.ndarray | float


class Decision(NamedTuple):
    """A rule's decision for one day: the lanes where it fires (indices) and what it writes there."""

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
            return InputError(f"{field}: {problem}", f"sim/book/rulebook/{rule.actor}.yaml", None, rule.id)

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
        compiled.append(CompiledRule(len(compiled), rule, condition, probability, tuple(effects)))
    return compiled
