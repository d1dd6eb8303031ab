"""The classroom's what-if, apart from any page: the choices, their --set overrides, the model, the odds and the debrief.

What a class argues about (the scenario, each state's resolve, Beneš fighting, the Romanian
railways, Poland's stance, the lens, the information gaps) is a ``Choice``; every control is
applied through the scenario's own ``--set`` path (``load_scenario(path, sets)``), so the app
has no rule logic of its own. ``ClassroomModel`` is the one recorded rollout the page steps,
``monte_carlo`` the odds of the what-if beside the baseline's, and ``debrief`` the run against
the dated record in ``calibration/record.yaml``. The page itself is ``sim/presentation/app.py``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import numpy as np

from sim.book.inputs import InputError
from sim.book.paths import SCENARIOS
from sim.book.rules import Rule, RuleBook
from sim.book.scenario import DEFAULT_END, Scenario, load_scenario
from sim.book.vocabulary import NEVER, OUTCOMES
from sim.engine.basis import typical_value
from sim.experiments.shared import what_if_key
from sim.presentation import class_server
from sim.presentation.alerts import TreatyWatch

MONTE_CARLO_RUNS = 2000

# What a class argues about. Each control is a rule-book parameter, set through --set.
RESOLVE = {
    "CZ.resolve": "Beneš: resolve to refuse Anglo-French pressure",
    "FR.daladier_weight": "France: how often Daladier prevails over Bonnet",
    "GB.resolve": "Britain: readiness to fight for Czechoslovakia",
    "SU.treaty_fidelity": "USSR: daily chance to fight once France does",
    "PL.teschen_resolve": "Poland: determination to take Teschen",
    "DE.resolve": "Germany: Hitler's determination",
}
PASSAGE = {
    "RO.passage_if_west_fights": "Romania: daily chance to open its railways once Britain and France fight",
    "RO.league_effect": "Romania: added chance after a League verdict against Germany",
}
GAPS = {
    "CZ.informs_moscow": "Beneš tells Moscow of Bonnet's private warnings",
    "FR.candour": "France: one line to every capital (0: Bonnet's double game, as in 1938)",
}
# Switches that apply another scenario file's changes (parameters, rule and event edits: --set can carry them all).
TOGGLES = {
    "benes_fights": "Beneš fights: refuses cession and Munich, resists invasion",
    "poland_neutral": "Poland stays out: no claim on Teschen, no threat to Soviet forces",
}

# The names a class reads: each scenario file and lens by a title (a file without one is named from its file name).
SCENARIO_TITLES = {
    "baseline": "The baseline: 1938",
    "benes_fights": "Beneš fights",
    "benes_informs_moscow": "Beneš tells Moscow of Bonnet's warning",
    "britain_firm": "Britain stands firm early",
    "france_honours": "France keeps its word",
    "grand_alliance": "A grand alliance in March",
    "may_war": "War in May",
    "no_berchtesgaden": "No Berchtesgaden",
    "poland_attacks": "Poland seizes Teschen by force",
    "poland_neutral": "Poland stays out",
    "romania_passage": "Romania lets the Red Army through",
    "soviet_unilateral": "The USSR helps even without France",
    "staff_talks": "Staff talks in September",
    "staff_talks_may": "Staff talks in May",
}
LENS_TITLES = {
    "carley": "Carley's archival reading",
    "soviet_official": "The Soviet offer at Geneva",
    "anglo_french_1938": "London's and Bonnet's view in 1938",
}


def scenario_title(name: str) -> str:
    return SCENARIO_TITLES.get(name, name.replace("_", " ").capitalize())


def lens_title(name: str) -> str:
    return LENS_TITLES.get(name, name.replace("_", " ").capitalize())


# ------------------------------------------------------------------ the class's choice, as --set overrides
@dataclass(frozen=True)
class Choice:
    """What the class has chosen: a scenario file and the changes made on top of it. Hashable, so panels can key on it."""

    scenario: str = "baseline"
    lens: str | None = None  # None: the scenario's own
    toggles: tuple[str, ...] = ()
    values: tuple[tuple[str, float], ...] = ()  # parameters moved by hand, in the order they were moved
    rollout: int = 0

    def sets(self) -> list[str]:
        """The --set overrides this choice makes, in the order they apply (later ones win)."""
        found = [assignment for name in self.toggles for assignment in toggle_sets(name)]
        if self.lens is not None:
            found.append(f"lens={self.lens}")
        return found + [f"parameters.{name}={value!r}" for name, value in self.values]

    def value(self, name: str) -> float | None:
        """The value a parameter was moved to by hand, or None: the slider then shows the scenario's own."""
        return dict(self.values).get(name)

    def moved(self, name: str, value: float) -> Choice:
        """This choice with one parameter moved; moved last, so its --set comes last and wins."""
        values = (*((key, old) for key, old in self.values if key != name), (name, float(value)))
        return dataclasses.replace(self, values=values)

    def ticked(self, name: str) -> bool:
        """Whether a switch shows ticked: switched on, or the scenario chosen is the switch's own file."""
        return name in self.toggles or name == self.scenario

    def toggled(self, name: str, on: bool) -> Choice:
        """This choice with a switch on or off: one switched on comes last (its --set wins), the others keep TOGGLES order.

        Switching off the scenario's own switch (Beneš fights, with benes_fights chosen) goes back to the baseline.
        """
        if not on and name == self.scenario:
            return dataclasses.replace(self, scenario="baseline", toggles=tuple(key for key in self.toggles if key != name))
        if on and name == self.scenario:
            return self
        toggles = tuple(key for key in TOGGLES if key in self.toggles and key != name) + ((name,) if on else ())
        return dataclasses.replace(self, toggles=toggles)


def scenario_names(folder: Path = SCENARIOS) -> list[str]:
    """The scenario files a class can choose from, baseline first."""
    names = sorted(path.stem for path in folder.glob("*.yaml"))
    return sorted(names, key=lambda name: name != "baseline")


def scenario_of(choice: Choice) -> Scenario:
    """The scenario a choice makes: its file loaded with its --set overrides, validated as on the command line."""
    return load_scenario(SCENARIOS / f"{choice.scenario}.yaml", choice.sets())


def as_sets(scenario: Scenario) -> tuple[str, ...]:
    """A scenario's parameter, rule and event changes as --set assignments (its lens and window are not carried)."""
    if scenario.add_rules:
        raise ValueError(f"{scenario.name} adds rules, which --set cannot carry")
    found = [f"parameters.{name}={_yaml(value)}" for name, value in scenario.parameters.items()]
    for table, edits in (("rules", scenario.rules), ("events", scenario.events)):
        for name, edit in edits.items():
            found.extend(f"{table}.{name}.{field}={_yaml(value)}" for field, value in edit.model_dump(exclude_none=True).items())
    return tuple(found)


def _yaml(value: object) -> str:
    """A value as --set reads it (YAML): a date bare, anything else as JSON (quoted strings keep a condition's colons safe)."""
    return value.isoformat() if isinstance(value, date) else json.dumps(value)


@functools.cache
def toggle_sets(name: str) -> tuple[str, ...]:
    """The changes of ``scenarios/NAME.yaml`` as --set assignments (read once: the files do not change while serving)."""
    return as_sets(load_scenario(SCENARIOS / f"{name}.yaml"))


def parameter_value(scenario: Scenario, name: str, book: RuleBook) -> float:
    """A control's value in a scenario's replays: its own or its lens's, else the fit's mean where each replay draws it, else the book's."""
    return float(typical_value(scenario, name, book))


# ------------------------------------------------------------------ a what-if in the page's address
MAX_REPLAY = 1_000_000


def address(choice: Choice) -> str:
    """A choice as the query string of the page's address: scenario, lens, switches, each value moved, replay number."""
    fields = [("scenario", choice.scenario)] + ([("lens", choice.lens)] if choice.lens else [])
    fields += [("switches", ",".join(choice.toggles))] if choice.toggles else []
    fields += [(name, repr(value)) for name, value in choice.values]
    return urlencode(fields + ([("replay", str(choice.rollout + 1))] if choice.rollout else []), safe=",")


def from_address(search: str | None, book: RuleBook) -> tuple[Choice, list[str]]:
    """The choice an address's query string holds, and a note for each part of it that was ignored (never an exception)."""
    choice, ignored = Choice(), []
    for key, value in parse_qsl(search or "", keep_blank_values=True):
        try:
            choice = _read(choice, key, value, book)
        except ValueError as why:
            ignored.append(f"“{_short(key)}={_short(value)}” ({why})")
    try:
        scenario_of(choice)
    except (InputError, ValueError):  # the parts are each valid, but not together: the what-if from the address is dropped
        return Choice(), [*ignored, "the what-if as a whole (the model does not accept it)"]
    return choice, ignored


def _read(choice: Choice, key: str, value: str, book: RuleBook) -> Choice:
    """``choice`` with one field of an address applied; a ValueError says why the field cannot be."""
    if key == "scenario":
        if value not in scenario_names():
            raise ValueError("no such scenario")
        return dataclasses.replace(choice, scenario=value)
    if key == "lens":
        if value not in book.lenses:
            raise ValueError("no such reading of the sources")
        return dataclasses.replace(choice, lens=value)
    if key == "switches":
        names = [name for name in value.split(",") if name]
        if any(name not in TOGGLES for name in names):
            raise ValueError("no such switch")
        return dataclasses.replace(choice, toggles=tuple(name for name in TOGGLES if name in names))
    if key == "replay":
        if not value.isdigit() or not 1 <= int(value) <= MAX_REPLAY:
            raise ValueError(f"a replay number is a whole number from 1 to {MAX_REPLAY:,}")
        return dataclasses.replace(choice, rollout=int(value) - 1)
    if key not in {**RESOLVE, **PASSAGE, **GAPS}:
        raise ValueError("not a control on this page")
    low, high = book.parameters()[key].range
    number = float(value) if re.fullmatch(r"-?\d+(\.\d*)?|-?\.\d+", value) else math.nan
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"a number from {low:g} to {high:g}")
    return choice.moved(key, number)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


# ------------------------------------------------------------------ the model the app steps
class ClassroomModel(TreatyWatch):
    """One recorded rollout of the class's what-if, with its treaty alerts: what SolaraViz steps, plays and resets.

    ``choice`` may be a function returning the current choice: SolaraViz's Reset rebuilds the
    model from the parameters it was first given, and a function lets Reset use today's choice.
    ``carry_on_from``: a model whose replay this one carries on from its day with the new choice (a branch);
    ``lineage`` is each choice the replay has run under and the day it began (``sim/presentation/replays.py``).
    """

    def __init__(self, choice: Choice | Callable[[], Choice] = Choice(), carry_on_from: ClassroomModel | None = None):
        self.choice = choice() if callable(choice) else choice
        super().__init__(scenario_of(self.choice), self.choice.rollout, before=carry_on_from)
        since = ((self.choice, carry_on_from.day),) if carry_on_from is not None else ((self.choice, 0),)
        self.lineage: tuple[tuple[Choice, int], ...] = (*carry_on_from.lineage, *since) if carry_on_from is not None else since

    @property
    def date(self) -> date | None:
        """The last day simulated (None before the first step)."""
        return self.crisis_scenario.date_of(self.day - 1) if self.day else None

    @property
    def outcome(self) -> str | None:
        """The rollout's outcome by name once it has ended (None while it runs)."""
        return None if self.running else OUTCOMES[self.result().outcome[0]]


# ------------------------------------------------------------------ Monte Carlo and debrief
@dataclass(frozen=True)
class Odds:
    """The outcome shares of a Monte Carlo, with the baseline's on the same seed."""

    scenario: dict
    baseline: dict
    seconds: float
    horizon: date = DEFAULT_END  # the what-if's last day, when the military results are read
    baseline_horizon: date = DEFAULT_END  # the baseline's, when its results are read
    what_if: str = ""  # the digest of the what-if's content (sim/experiments/shared.py): the page says which odds it shows


def monte_carlo(choice: Choice, runs: int = MONTE_CARLO_RUNS) -> Odds:
    """``runs`` rollouts of the chosen what-if beside the baseline's.

    Shared by every visitor of the server (``sim/presentation/class_server.py``): the result depends only on
    the what-if, and a class often makes the same one, or goes back to one it has seen.
    """
    scenario = scenario_of(choice)
    result, seconds = class_server.summary_of(scenario, runs)
    baseline = baseline_scenario(scenario.seed, scenario.parameter_draws)
    return Odds(result, class_server.summary_of(baseline, runs)[0], seconds, scenario.end, baseline.end, what_if_key(scenario, runs))


def odds_of(choice: Choice) -> Odds:
    """The odds of a choice: the replay shown does not change them, so every replay number shares one Monte Carlo."""
    return monte_carlo(dataclasses.replace(choice, rollout=0))


# Where a control is read other than by name in a rule (the action kinds read it): what it acts on, in the model's words.
ACTS_ON = {
    "FR.candour": "France's insincere statements (how far what it says to a capital gives way to what it holds)",
}


@dataclass(frozen=True)
class Unmoved:
    """A change that left every outcome and event share exactly as it was (common random numbers make this exact)."""

    controls: tuple[str, ...]  # the labels of the controls changed (empty: a scenario, lens or switch change)
    readers: tuple[tuple[str, int], ...]  # (summary, replays it acted in) of each rule reading the one control moved
    acts_on: str | None  # what the one control moved acts on, where no rule names it
    runs: int


def same_shares(before: Odds, after: Odds) -> bool:
    """Whether two Monte Carlos give exactly the same count for every outcome and event."""
    old, new = before.scenario, after.scenario
    return old["runs"] == new["runs"] and all(old[table][name]["n"] == new[table][name]["n"] for table in ("outcomes", "events")
                                              for name in new[table])


def moved(old: Choice, new: Choice) -> list[str]:
    """The parameters set to another value by hand between two choices."""
    names = dict.fromkeys([name for name, _ in old.values] + [name for name, _ in new.values])
    return [name for name in names if old.value(name) != new.value(name)]


def readers(book: RuleBook, name: str) -> list[Rule]:
    """The rules whose condition, probability or effects read a parameter."""
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}(?!\w)")
    return [rule for rule in book.rules if pattern.search(" ".join(map(str, (rule.condition, rule.probability, *rule.effects))))]


def unmoved(old: Choice, new: Choice, before: Odds, after: Odds, book: RuleBook) -> Unmoved | None:
    """What a change that moved nothing changed, and what reads it; None if it moved something or changed only the replay shown."""
    if dataclasses.replace(old, rollout=0) == dataclasses.replace(new, rollout=0) or not same_shares(before, after):
        return None
    labels = {**RESOLVE, **PASSAGE, **GAPS}
    names = moved(old, new)
    only = names[0] if len(names) == 1 and (old.scenario, old.lens, old.toggles) == (new.scenario, new.lens, new.toggles) else None
    fired = after.scenario.get("rules", {})
    found = tuple((rule.summary, int(fired.get(rule.id, {}).get("n", 0))) for rule in readers(book, only)) if only else ()
    return Unmoved(tuple(labels.get(name, name) for name in names), found, ACTS_ON.get(only) if only else None, after.scenario["runs"])


def baseline_scenario(seed: int, draws: str) -> Scenario:
    """The baseline on a what-if's seed and parameter draws: its shares are the same for every visitor and every control,
    so the shared cache computes them once per server."""
    return dataclasses.replace(load_scenario(SCENARIOS / "baseline.yaml"), seed=seed, parameter_draws=draws)


def serving():
    """The server's run (``sim/presentation/app.py``): the odds every page opens on (the baseline's) made ready in the
    background from the start, and the shared pool shut down at the end."""
    return class_server.serving([lambda: odds_of(Choice())])


@dataclass(frozen=True)
class Milestone:
    """A dated observation of the record beside this run: when it happened in 1938 and when (if) in the run."""

    what: str
    history: date
    never: bool  # the record says it did not happen (no war, no Soviet war...)
    run: date | None
    reproduced: bool | None  # None while the run has not yet reached the end of the observation's window


@functools.cache
def _record():
    """The record of 1938, read once per server: the debrief is drawn on every page and every step, and reading the file
    each time cost a page some 0.1 s of the server's time (a failure to read it is not kept, so it is tried again)."""
    from sim.experiments.calibrate import RECORD_PATH, load_record

    return load_record(RECORD_PATH)


def debrief(model: ClassroomModel) -> list[Milestone]:
    """The run's timeline against calibration/record.yaml (the calibration's record of 1938; empty if it is not there)."""
    try:
        from sim.experiments.calibrate import compile_record

        record = _record()
    except (ImportError, OSError, ValueError, InputError):  # no calibration in this checkout: the debrief says so
        return []
    scenario = model.crisis_scenario

    def inside(item) -> bool:  # a scenario with a shorter window cannot be compared on observations outside it
        first, last = item.window or (item.date, item.date)
        return scenario.start <= first and last <= scenario.end

    observations = [item for item in record.observations if inside(item)]
    tests = compile_record(record.model_copy(update={"observations": observations}), scenario, model.book)
    today = model.day - 1
    milestones = []
    for test in tests:
        day = float(np.asarray(test.event.evaluate(model.state), dtype=float).reshape(-1)[0])
        decided = (day < NEVER or today >= test.last or not model.running) if not test.observation.never else (day < NEVER or not model.running)
        reproduced = bool(test.reproduced(model.state, 1)[0]) if decided else None
        run_date = scenario.date_of(int(day)) if day < NEVER else None
        milestones.append(Milestone(test.observation.what, test.observation.date, test.observation.never, run_date, reproduced))
    return milestones
