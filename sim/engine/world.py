"""The world a model runs in, compiled once from a scenario and the rule book: the state, the rules and their timetable.

``compile_world`` does everything a ``CrisisModel`` needs before its first day: it draws the
parameters that vary by rollout, lays out every variable of the world (``state_layout``),
compiles the rules (``compile_rules``: expressions parsed once, every name checked against
the layout), makes the state (one array over the lanes for what can change, one number for
what cannot), builds each rule's candidate bookkeeping and records who reads what, so that
a change reaches only the rules it concerns, and lays out the timers' switch days and the
exogenous events' days. Nothing here knows about files, printing or processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from sim.book.actions import variables_written
from sim.book.inputs import InputError
from sim.book.rules import EFFECT, Rule, RuleBook
from sim.book.scenario import Scenario
from sim.book.vocabulary import NEVER, STATES, Kind, Named, crisis_wide, is_clipped, kind_of, per_state, seen
from sim.engine import campaign, posterior, rng
from sim.engine.candidates import Candidates, Timer
from sim.engine.conditions import ConditionError, parse, quietly
from sim.engine.rule import CompiledRule, Effect


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
    layout: dict[str, float | np.ndarray] = {}
    for actor in STATES:
        layout.update({named.name: _initial(named, parameters) for named in per_state(actor)})
        layout.update({f"{actor}.{name}": value for name, value in book.actors[actor].variables.items()})
    layout.update({named.name: _initial(named, parameters) for named in crisis_wide()})
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


def _initial(named: Named, parameters: Mapping[str, float | np.ndarray]) -> float | np.ndarray:
    """A declared variable's value on the first day: its own, or a parameter of its name, or its default parameter."""
    variable = named.variable
    if variable.initial is not None:
        return variable.initial
    return parameters.get(named.name, parameters[variable.default])


# What the others see of each state (``CrisisModel._visible``): a change to any of these is a sighting, so they are always watched.
SEEN = tuple(name for code in STATES for name in seen(code))


@dataclass(frozen=True)
class World:
    """What ``compile_world`` makes for a model: its state, its rules, and what tells each rule what changed."""

    state: dict[str, np.ndarray | float]  # every variable: an array over the lanes if anything can change it, else a number
    rules: list[CompiledRule]  # in commit order (``CompiledRule.index``)
    candidates: list[Candidates]  # each rule's candidate bookkeeping, by rule index
    readers: dict[str, list[Candidates]]  # the rules whose steady condition reads each variable (or timer)
    chance_readers: dict[str, list[Candidates]]  # the rules whose probability, kept over all lanes, reads each variable
    watched: set[str]  # the variables whose changes matter to some rule or to what states see of each other
    clock: dict[int, list[tuple[str, np.ndarray]]]  # for each day after the first, the timers that switch then, and where
    stream_prefixes: np.ndarray  # each rule's random stream mixed with the seed, by rule index (``rng.stream_prefixes``)
    bounded: set[str]  # the variables kept within [0, 1] after every day's writes
    events: dict[str, tuple[int, int | None]]  # each exogenous event's first and last day (None: to the end)


def initial_layout(scenario: Scenario, book: RuleBook, lanes: np.ndarray, parameters: Mapping[str, np.ndarray] | None = None) -> dict:
    """Every variable's value on the first day of rollouts ``lanes`` under ``scenario``, parameters drawn as ``compile_world`` draws them."""
    lane_parameters = posterior.lane_parameters(scenario, book, lanes) | dict(parameters or {})
    return state_layout(book, scenario, lane_parameters)


Carried = Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # a branch's past: variable -> (where, now, at the start)


def compile_world(scenario: Scenario, book: RuleBook, lanes: np.ndarray, parameters: Mapping[str, np.ndarray] | None = None,
                  carried: Carried | None = None) -> World:
    """The world of a batch of rollouts ``lanes`` (global indices) under ``scenario``.

    ``parameters``: values per lane (arrays as long as ``lanes``) that override every other source.
    Parameters the scenario does not pin and ``parameters`` does not give are drawn per rollout
    from the calibration posterior (``sim/engine/posterior.py``), as the scenario's ``parameter_draws`` says.
    ``carried``: a branch's past (``sim/engine/branch.py``), put into the state first (``carry``).
    """
    layout = initial_layout(scenario, book, lanes, parameters)
    if carried:
        layout.update(carry(layout, carried, lanes.shape))
    rules = compile_rules(book, scenario, layout)
    # Only variables that something can change need one value per lane; the rest are one number for all.
    changing = set().union(*(rule.targets() for rule in rules), campaign.WRITES, {"crisis.closed_day"})
    changing |= {name for name in layout if name.startswith("event.") or kind_of(name) is Kind.BELIEF}
    changing |= set(SEEN)
    state: dict[str, np.ndarray | float] = {
        name: np.broadcast_to(np.asarray(value, dtype=float), lanes.shape).copy() if name in changing or isinstance(value, np.ndarray) else float(value)
        for name, value in layout.items()
    }
    state["today"] = 0.0
    constant = set(state) - changing - {"today"}  # never written: a lane's value is the same every day
    candidates = [Candidates(rule, state, constant) for rule in rules]
    readers: dict[str, list[Candidates]] = {}
    chance_readers: dict[str, list[Candidates]] = {}
    timers: dict[str, Timer] = {}
    for kept in candidates:
        timers.update(kept.timers)
        for name in kept.reads:
            readers.setdefault(name, []).append(kept)
        for name in kept.chance_reads:
            chance_readers.setdefault(name, []).append(kept)
    return World(
        state=state,
        rules=rules,
        candidates=candidates,
        readers=readers,
        chance_readers=chance_readers,
        # Where a variable changed matters only to the rules that read it and to what states see of each other;
        # most writes (who heard whom, which rule fired when) go to variables nobody watches.
        watched=set(readers) | set(chance_readers) | set(SEEN),
        clock=timetable(timers.values(), lanes.shape),
        stream_prefixes=rng.stream_prefixes(scenario.seed, [rule.stream for rule in rules]),
        bounded={name for name in state if is_clipped(name)},
        events=event_days(book, scenario),
    )


def carry(layout: Mapping[str, float | np.ndarray], carried: Carried, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    """A branch's start: each variable a run changed, in the lanes where it did, as the run left it.

    Where this scenario starts the variable elsewhere (a parameter moved, a belief that starts higher), the run's
    change is carried on top of the new start (``new + (now - old)``, kept within [0, 1] where the variable is);
    where it starts it where the run did, exactly the run's value. A variable this scenario does not have is left behind.
    """
    found = {}
    for name, (where, now, old) in carried.items():
        if name not in layout:
            continue
        start = np.broadcast_to(np.asarray(layout[name], dtype=float), shape)
        moved = np.where(start == old, now, start + (now - old))
        if is_clipped(name):
            moved = np.clip(moved, 0.0, 1.0)
        found[name] = np.where(where, moved, start)
    return found


def timetable(timers: Iterable[Timer], shape: tuple[int, ...]) -> dict[int, list[tuple[str, np.ndarray]]]:
    """For each day after the first, the timers that switch then and in which lanes (day 0 is evaluated whole)."""
    clock: dict[int, list[tuple[str, np.ndarray]]] = {}
    for timer in timers:
        days = np.broadcast_to(timer.switch_day, shape)
        due = np.flatnonzero(np.isfinite(days) & (days >= 1))  # NaN and infinity: never
        if not due.size:  # switches in no lane after the first day (np.split would still give one empty part)
            continue
        order = due[np.argsort(days[due], kind="stable")]
        switch_days, starts = np.unique(days[order], return_index=True)
        for day, lanes in zip(switch_days, np.split(order, starts[1:]), strict=True):
            clock.setdefault(int(day), []).append((timer.name, lanes))
    return clock


def event_days(book: RuleBook, scenario: Scenario) -> dict[str, tuple[int, int | None]]:
    """Each enabled exogenous event's (start, end) day indices after the scenario's edits."""
    days = {}
    for name, event in book.world.events.items():
        edit = scenario.events.get(name)
        start, end, enabled = event.date, event.end, event.enabled
        if edit is not None:
            start, end = edit.date or start, edit.end or end
            enabled = enabled if edit.enabled is None else edit.enabled
        if not enabled or start > scenario.end or (end is not None and end < scenario.start):
            continue  # entirely outside the simulated window
        # An event that began before the window is under way on its first day; one that ends after it, to its last.
        first = scenario.day_of(max(start, scenario.start))
        last = scenario.day_of(min(end, scenario.end)) if end else None
        days[name] = (first, last)
    return days


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
            condition = parse(rule.condition, scenario.day_of, known)  # the author's text first, so its errors quote it
            text = book.in_office(rule, (scenario.start, scenario.end))  # the condition, and only while the person who acts holds office
        except (ConditionError, ValueError) as error:
            raise located("by" if rule.by is not None and "holds no office" in str(error) else "condition", str(error)) from None
        if text != rule.condition:
            condition = parse(text, scenario.day_of, known)
        try:
            probability = parse(rule.probability, scenario.day_of, known)
        except (ConditionError, ValueError) as error:
            raise located("probability", str(error)) from None
        constant = None if probability.names else quietly(probability.evaluate)({})
        if constant is not None and not 0 <= constant <= 1:  # NaN too; one that reads variables is clipped where it is drawn
            raise located("probability", f"{rule.probability!r} is always {float(constant):g}; a number within [0, 1] is allowed")
        effects = []
        for text in rule.effects:
            match = EFFECT.match(text)
            if match["target"] not in layout:
                raise located("effects", f"unknown variable {match['target']!r} in {text!r}")
            try:
                effects.append(Effect(match["target"], match["op"], parse(match["expr"], scenario.day_of, known)))
            except (ConditionError, ValueError) as error:
                raise located("effects", str(error)) from None
        unknown = variables_written(rule.action, rule.actor) - set(known)
        if unknown:
            raise located("action", f"writes variables the model does not have: {sorted(unknown)}")
        compiled.append(CompiledRule(len(compiled), rule, condition, probability, tuple(effects)))
    _link_precedence(compiled, scenario, {rule.id for rule in book.rules})
    return compiled


def _link_precedence(compiled: list[CompiledRule], scenario: Scenario, book_rules: set[str]) -> None:
    """Resolve each rule's ``yields_to`` to rule indices (a disabled rule takes no precedence), and give every rule
    its depth in that precedence (no circles)."""
    index = {kept.id: kept.index for kept in compiled}
    added = [rule.id for rule in scenario.add_rules]
    for kept in compiled:
        unknown = [name for name in kept.rule.yields_to if name not in book_rules and name not in added]
        if unknown:
            where = f"rules.{kept.id}" if kept.id in scenario.rules else f"add_rules.{added.index(kept.id)}" if kept.id in added else None
            problem = f"yields_to: {', '.join(unknown)} is not a rule of the rule book or the scenario"
            raise scenario.error(where, problem) if where else InputError(problem, f"sim/book/rulebook/{kept.actor}.yaml", None, kept.id)
        kept.yields_to = tuple(index[name] for name in kept.rule.yields_to if name in index)
    depth: dict[int, int] = {}

    def depth_of(kept: CompiledRule, path: tuple[str, ...]) -> int:
        if kept.id in path:
            raise InputError(f"yields_to runs in a circle: {' -> '.join((*path, kept.id))}", f"sim/book/rulebook/{kept.actor}.yaml", None, kept.id)
        if kept.index not in depth:
            depth[kept.index] = 1 + max((depth_of(compiled[i], (*path, kept.id)) for i in kept.yields_to), default=-1)
        return depth[kept.index]

    for kept in compiled:
        kept.depth = depth_of(kept, ())


def check_rules(scenario: Scenario, book: RuleBook) -> None:
    """Raise the InputError a model of ``scenario`` would: every rule's condition, probability and effects parsed and checked."""
    compile_rules(book, scenario, state_layout(book, scenario))
