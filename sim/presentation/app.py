"""The classroom app: one rollout of a what-if unfolding day by day, and the odds of war beside history's.

``python run.py ui [--port N] [--host H]`` serves a Mesa SolaraViz page on 127.0.0.1. SolaraViz
steps, plays and resets the model (``ClassroomModel``: one recorded rollout of the chosen
scenario); the sidebar holds what a class argues about (the scenario, each state's resolve,
Beneš fighting, the Romanian railways, Poland's stance, the lens, the information gaps), and
every control is applied through the scenario's own ``--set`` path (``load_scenario(path,
sets)``), so the app has no rule logic of its own. The panels show a schematic map
(``sim/presentation/map.py``), the narration with each step's source footnotes (``sim/presentation/narrate.py``),
treaty alerts derived from the rule book's actions, a Monte Carlo of 2,000 rollouts beside
the baseline's, and a debrief of the run against the dated record in ``calibration/record.yaml``.

Nothing is fetched from the internet: the page's scripts and fonts come from the solara-assets
package through the local server, and solara's telemetry is switched off.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import json
import os
import socket
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

import numpy as np

from sim.book.inputs import InputError
from sim.book.paths import SCENARIOS
from sim.book.rules import STATE_NAMES, RuleBook, load_rulebook
from sim.book.scenario import Scenario, load_scenario
from sim.engine.conditions import NEVER
from sim.engine.model import CrisisModel, Happening
from sim.engine.outcomes import OUTCOME_MEANINGS, OUTCOMES
from sim.experiments import runner
from sim.presentation import map as crisis_map
from sim.presentation import report
from sim.presentation.explain import evidence_line, expression_in_words, name_in_words
from sim.presentation.narrate import entries

try:  # the ui extra; without it `python run.py ui` says how to install it, and no page is built
    import solara
except ImportError:
    solara = None

DEFAULT_PORT = 8765
MONTE_CARLO_RUNS = 2000
INSTALL = "pip install -e '.[ui]'"

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
# The standing pacts of sim/book/rulebook/world.yaml, in words (the file names them only in comments).
PACTS = {
    "pact.fr_cz": "the Franco-Czechoslovak alliance (1925)",
    "pact.su_cz": "the Soviet-Czechoslovak pact (1935)",
    "pact.fr_su": "the Franco-Soviet pact (1935)",
    "pact.su_pl": "the Soviet-Polish non-aggression pact (1932)",
    "pact.fr_pl": "the Franco-Polish alliance (1921)",
}


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
        return dict(self.values).get(name)

    def moved(self, name: str, value: float) -> Choice:
        values = (*((key, old) for key, old in self.values if key != name), (name, float(value)))
        return dataclasses.replace(self, values=values)

    def toggled(self, name: str, on: bool) -> Choice:
        toggles = tuple(key for key in TOGGLES if key in self.toggles and key != name) + ((name,) if on else ())
        return dataclasses.replace(self, toggles=toggles)


def scenario_names(folder: Path = SCENARIOS) -> list[str]:
    """The scenario files a class can choose from, baseline first."""
    names = sorted(path.stem for path in folder.glob("*.yaml"))
    return sorted(names, key=lambda name: name != "baseline")


def scenario_of(choice: Choice) -> Scenario:
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
    """A parameter's value in a scenario: its own, else its lens's, else the rule book's."""
    value = scenario.parameters.get(name, book.lenses[scenario.lens].parameters.get(name, book.parameters()[name].value))
    return float(value)


# ------------------------------------------------------------------ the model the app steps
@dataclass(frozen=True)
class Alert:
    """A state invoking, honouring, breaking or failing a commitment, on a day, with the rule and its evidence."""

    day: int
    kind: str  # "invokes", "honours", "breaks", "due" (an obligation falls due), "unhonoured" (it never was)
    text: str
    rule: str
    evidence: tuple[str, ...]


class ClassroomModel(CrisisModel):
    """One recorded rollout of the class's what-if: what SolaraViz steps, plays and resets.

    ``choice`` may be a function returning the current choice: SolaraViz's Reset rebuilds the
    model from the parameters it was first given, and a function lets Reset use today's choice.
    """

    def __init__(self, choice: Choice | Callable[[], Choice] = Choice()):
        self.choice = choice() if callable(choice) else choice
        super().__init__(scenario_of(self.choice), lanes=np.array([self.choice.rollout], dtype=np.uint64), record=True)
        self.alerts: list[Alert] = []
        self.obligations = obligations(self)
        self.due: dict[str, int] = {}  # obligation rule id -> the day it fell due

    def step(self) -> None:
        since = len(self.log)
        super().step()
        self.alerts.extend(treaty_alerts(self, self.log[since:]))

    @property
    def date(self) -> date | None:
        """The last day simulated (None before the first step)."""
        return self.crisis_scenario.date_of(self.day - 1) if self.day else None

    @property
    def outcome(self) -> str | None:
        return None if self.running else OUTCOMES[self.result().outcome[0]]


def obligations(model: CrisisModel) -> dict[str, str]:
    """Rules that honour a standing pact (they go to war on a condition that reads the pact), by id, with the pact's name."""
    pacts = {name for name in model.book.world.variables if name.startswith("pact.")}
    found = {}
    for rule in model.rules:
        named = sorted(pacts & rule.condition.names)
        if rule.rule.action.kind == "declare_war" and named:
            found[rule.id] = named[0]
    return found


def treaty_alerts(model: ClassroomModel, happenings: list[Happening]) -> list[Alert]:
    """Today's alerts: commitments invoked, honoured or broken by the rules that fired, and obligations that fell due."""
    rules = {rule.id: rule for rule in model.rules}
    found = []
    for happening in happenings:
        if happening.kind != "rule" or not happening.lanes[0]:
            continue
        rule = rules[happening.name].rule
        actor, action = STATE_NAMES[rule.actor], rule.action
        evidence = tuple(evidence_line(item) for item in rule.evidence)
        summary = " ".join(rule.summary.split())
        if rule.id in model.obligations:
            late = f" ({happening.day - model.due[rule.id]} days after it fell due)" if rule.id in model.due else ""
            found.append(Alert(happening.day, "honours", f"{actor} honours {pact_words(model.obligations[rule.id])}{late}: {summary}", rule.id, evidence))
        elif action.kind == "ask_help":
            found.append(Alert(happening.day, "invokes", f"{actor} calls on {STATE_NAMES[action.target]}: {summary}", rule.id, evidence))
        elif action.kind == "appeal_league":
            found.append(Alert(happening.day, "invokes", f"{actor} invokes the League Covenant: {summary}", rule.id, evidence))
        elif action.kind == "denounce_pact":
            found.append(Alert(happening.day, "breaks", f"{actor} denounces {pact_words(f'pact.{action.pact}')}: {summary}", rule.id, evidence))
    found.extend(_obligations_due(model))
    return found


def _obligations_due(model: ClassroomModel) -> list[Alert]:
    """Obligations whose condition holds (the rule's own compiled condition, evaluated on today's state) and that have not been honoured."""
    rules = {rule.id: rule for rule in model.rules}
    found, today = [], model.day - 1
    for rule_id, pact in model.obligations.items():
        rule = rules[rule_id]
        if model.lane_values(f"fired.{rule_id}")[0] < NEVER:
            continue  # honoured: treaty_alerts has said so
        actor, evidence = STATE_NAMES[rule.rule.actor], tuple(evidence_line(item) for item in rule.rule.evidence)
        if rule_id not in model.due and bool(np.asarray(rule.condition.evaluate(model.state)).reshape(-1)[0]):
            model.due[rule_id] = today
            text = f"{actor}'s obligation under {pact_words(pact)} falls due ({expression_in_words(rule.rule.condition)}); not honoured yet."
            found.append(Alert(today, "due", text, rule_id, evidence))
        elif rule_id in model.due and not model.running:
            text = f"{actor} never honoured {pact_words(pact)}, due since {model.crisis_scenario.date_of(model.due[rule_id]):%d %B}."
            found.append(Alert(today, "unhonoured", text, rule_id, evidence))
    return found


def pact_words(name: str) -> str:
    return PACTS.get(name, name_in_words(name))


# ------------------------------------------------------------------ Monte Carlo and debrief
@dataclass(frozen=True)
class Odds:
    """The outcome shares of a Monte Carlo, with the baseline's on the same seed."""

    scenario: dict
    baseline: dict
    seconds: float


@functools.lru_cache(maxsize=64)
def monte_carlo(choice: Choice, runs: int = MONTE_CARLO_RUNS) -> Odds:
    """``runs`` rollouts of the chosen what-if on one process, beside the baseline's.

    Memoised: the result depends only on the choice, and a class often goes back to a what-if it has seen.
    """
    started = time.perf_counter()
    scenario = scenario_of(choice)
    result = report.summary(runner.run(scenario, runs, jobs=1), scenario, scenario.seed)
    return Odds(result, baseline_result(scenario.seed, scenario.parameter_draws, runs), time.perf_counter() - started)


@functools.cache
def baseline_result(seed: int, draws: str, runs: int) -> dict:
    """The baseline's shares (the same for every visitor and every control: computed once per server)."""
    baseline = dataclasses.replace(load_scenario(SCENARIOS / "baseline.yaml"), seed=seed, parameter_draws=draws)
    return report.summary(runner.run(baseline, runs, jobs=1), baseline, seed)


@dataclass(frozen=True)
class Milestone:
    """A dated observation of the record beside this run: when it happened in 1938 and when (if) in the run."""

    what: str
    history: date
    never: bool  # the record says it did not happen (no war, no Soviet war...)
    run: date | None
    reproduced: bool | None  # None while the run has not yet reached the end of the observation's window


def debrief(model: ClassroomModel) -> list[Milestone]:
    """The run's timeline against calibration/record.yaml (the calibration's record of 1938; empty if it is not there)."""
    try:
        from sim.experiments.calibrate import RECORD_PATH, compile_record, load_record

        record = load_record(RECORD_PATH)
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


# ------------------------------------------------------------------ panels (plain functions rendered inside solara components)
def status_html(model: ClassroomModel) -> str:
    scenario = model.crisis_scenario
    day = f"{model.date:%A %d %B %Y}" if model.date else f"{scenario.start:%d %B %Y}, before the first day"
    outcome = f" <b>Outcome: {escape(model.outcome.replace('_', ' '))}</b> ({escape(OUTCOME_MEANINGS[model.outcome])})." if model.outcome else ""
    return (f"<div class='crisis-date' data-day='{model.day}'><span style='font-size:1.35em;font-weight:bold'>{day}</span> "
            f"&nbsp;day {model.day} of {scenario.days}, rollout {model.choice.rollout} of <code>{escape(scenario.name)}</code>.{outcome}</div>"
            f"<div style='color:#444'>{escape(scenario.question)}</div>")


def narration_html(model: ClassroomModel) -> str:
    """Every step so far, newest first, each rule with its evidence (source file and footnote)."""
    rows, scenario = [], model.crisis_scenario
    for entry in reversed([entry for entry in entries(model) if entry.kind != "belief"]):
        cites = "".join(f"<div class='cite' style='color:#555;font-size:0.85em;margin-left:1.2em'>{escape(line)}</div>" for line in entry.evidence)
        rule = f" <code style='font-size:0.8em'>{escape(entry.rule)}</code>" if entry.rule else ""
        rows.append(f"<div class='entry' data-kind='{entry.kind}' style='margin-bottom:0.5em'><b>{scenario.date_of(entry.day):%d %b}</b> "
                    f"{escape(entry.text)}{rule}{cites}</div>")
    body = "".join(rows) or "<i>Nothing has happened yet: press Step or ▶.</i>"
    return f"<div class='narration' style='max-height:440px;overflow-y:auto'>{body}</div>"


ALERT_STYLE = {"invokes": ("#1f5fbf", "invokes"), "honours": ("#1b8a3a", "honours"), "breaks": ("#b3121b", "breaks"),
               "due": ("#c26a00", "falls due"), "unhonoured": ("#b3121b", "not honoured")}


def alerts_html(model: ClassroomModel) -> str:
    rows = []
    for alert in reversed(model.alerts):
        colour, word = ALERT_STYLE[alert.kind]
        cites = "; ".join(escape(line.split(". ")[0]) for line in alert.evidence)
        rows.append(f"<div class='alert' data-kind='{alert.kind}' style='border-left:4px solid {colour};padding-left:6px;margin-bottom:6px'>"
                    f"<b>{model.crisis_scenario.date_of(alert.day):%d %b}</b> <span style='color:{colour};font-weight:bold'>{word}</span> "
                    f"{escape(alert.text)} <span style='color:#555;font-size:0.85em'>({cites})</span></div>")
    body = "".join(rows) or "<i>No treaty has been invoked, honoured or broken yet.</i>"
    return f"<div class='alerts' style='max-height:300px;overflow-y:auto'>{body}</div>"


def odds_html(odds: Odds, scenario_name: str) -> str:
    """Bars: each outcome's probability in this what-if (with its 95% interval) beside the baseline's."""
    rows = []
    for name in OUTCOMES:
        share, before = odds.scenario["outcomes"][name], odds.baseline["outcomes"][name]
        rows.append(f"<tr data-outcome='{name}'><td title='{escape(OUTCOME_MEANINGS[name])}'>{name.replace('_', ' ')}</td>"
                    f"<td style='width:55%'>{_bar(share['p'], '#c44e52')}{_bar(before['p'], '#9aa5b1')}</td>"
                    f"<td class='p' style='text-align:right'><b>{share['p']:.2f}</b> <small>[{share['lo']:.2f}, {share['hi']:.2f}]</small></td>"
                    f"<td style='text-align:right;color:#667'>{before['p']:.2f}</td></tr>")
    war = sum(odds.scenario["outcomes"][name]["p"] for name in ("local_war", "general_war"))
    return (f"<div class='monte-carlo' data-runs='{odds.scenario['runs']}' data-key='{escape(json.dumps(odds.scenario['outcomes']))}'>"
            f"<div><b>{escape(scenario_name)}</b>: war in <b class='war-share'>{war:.0%}</b> of {odds.scenario['runs']:,} rollouts "
            f"<small>({odds.seconds:.1f} s)</small></div>"
            "<table style='width:100%;border-collapse:collapse'><tr><th style='text-align:left'>outcome</th>"
            "<th><span style='color:#c44e52'>■</span> this what-if <span style='color:#9aa5b1'>■</span> baseline</th>"
            "<th style='text-align:right'>p [95%]</th><th style='text-align:right'>baseline</th></tr>"
            f"{''.join(rows)}</table></div>")


def _bar(p: float, colour: str) -> str:
    return f"<div style='background:{colour};height:9px;width:{100 * p:.1f}%;min-width:1px;margin:1px 0'></div>"


def debrief_html(milestones: list[Milestone]) -> str:
    if not milestones:
        return "<i>The dated record (calibration/record.yaml) is not available in this checkout.</i>"
    rows = []
    for item in milestones:
        history = f"did not happen (to {item.history:%d %b})" if item.never else f"{item.history:%d %b %Y}"
        run = f"{item.run:%d %b %Y}" if item.run else ("did not happen" if item.reproduced is not None else "not yet")
        mark = {True: "✓ as in 1938", False: "✗ differs", None: "…"}[item.reproduced]
        colour = {True: "#1b8a3a", False: "#b3121b", None: "#667"}[item.reproduced]
        rows.append(f"<tr class='milestone'><td>{escape(item.what)}</td><td>{history}</td><td>{run}</td>"
                    f"<td style='color:{colour};white-space:nowrap'>{mark}</td></tr>")
    agreed = sum(item.reproduced is True for item in milestones)
    decided = sum(item.reproduced is not None for item in milestones)
    return (f"<div class='debrief'><p>{agreed} of {decided} decided milestones as in 1938 (record: calibration/record.yaml, "
            f"each within its window of days).</p><table style='width:100%;border-collapse:collapse'>"
            f"<tr><th style='text-align:left'>what</th><th style='text-align:left'>1938</th><th style='text-align:left'>this run</th><th></th></tr>"
            f"{''.join(rows)}</table></div>")


# ------------------------------------------------------------------ solara components (need the ui extra)
def component(function: Callable) -> Callable:
    """``solara.component`` where the ui extra is installed; without it nothing is served and the function stays plain."""
    return solara.component(function) if solara is not None else function


def _redraw_every_step() -> None:
    """Subscribe the calling component to SolaraViz's step counter, so that it is drawn again after every step."""
    from mesa.visualization.utils import update_counter

    update_counter.get()


def _html(markup: str) -> None:
    solara.HTML(tag="div", unsafe_innerHTML=markup)  # all text in it is escaped above


@component
def crisis_panel(model: ClassroomModel) -> None:
    """The date and the map (re-rendered on every step)."""
    _redraw_every_step()
    with solara.Card("The crisis, day by day"):
        _html(status_html(model))
        date_caption = f"{model.date:%d %b %Y}" if model.date else ""
        _html(crisis_map.svg(crisis_map.view_of(model, caption=date_caption)))


@component
def narration_panel(model: ClassroomModel) -> None:
    _redraw_every_step()
    with solara.Card("What happened, and the sources"):
        _html(narration_html(model))


@component
def alerts_panel(model: ClassroomModel) -> None:
    _redraw_every_step()
    with solara.Card("Treaty alerts"):
        _html(alerts_html(model))


@component
def odds_panel(model: ClassroomModel) -> None:
    """The Monte Carlo, recomputed (in a thread) whenever the choice changes, not on every step."""
    choice = model.choice
    task = solara.lab.use_task(lambda: monte_carlo(choice), dependencies=[choice], prefer_threaded=True)
    with solara.Card(f"The odds: {MONTE_CARLO_RUNS:,} rollouts of this what-if beside the baseline"):
        if task.error:
            solara.Error(f"The Monte Carlo failed: {task.exception}")
        elif task.latest is not None:
            # Named after the what-if these numbers are of: while a new choice runs, the last result stays on show.
            _html(odds_html(task.latest, task.latest.scenario["scenario"]))
        if task.pending:
            solara.Text("running the rollouts…", classes=["monte-carlo-running"])


@component
def debrief_panel(model: ClassroomModel) -> None:
    _redraw_every_step()
    with solara.Card("Debrief: this run beside the record of 1938"):
        _html(debrief_html(debrief(model)))


def _slider(name: str, label: str, value: float, book: RuleBook, on_value: Callable[[float], None]) -> None:
    low, high = book.parameters()[name].range
    with solara.Column(classes=[f"control-{name.replace('.', '-')}"], gap="0px"):
        solara.Text(f"{label}: {value:.2f}", style="font-size: 0.85em")
        solara.SliderFloat("", value=value, min=float(low), max=float(high), step=0.05, on_value=on_value)


@component
def controls(choice: solara.Reactive, apply: Callable[[Choice], None]) -> None:
    """The sidebar controls: each change rebuilds the rollout from day 0 with the new what-if.

    Solara orders sidebar content by its depth in the component tree; the extra Column puts these
    cards deeper than SolaraViz's, so that Step, Play and Reset come first.
    """
    book = load_rulebook()
    current: Choice = choice.value
    scenario = scenario_of(current)
    with solara.Column(), solara.Sidebar():
        with solara.Card("What if?"):
            solara.Select("Scenario", values=scenario_names(), value=current.scenario, classes=["scenario-chooser"],
                          on_value=lambda name: apply(Choice(scenario=name, rollout=current.rollout)))
            _html(f"<p style='font-style:italic'>{escape(scenario.question)}</p>")  # not solara.Markdown: it fetches KaTeX
            for name, label in TOGGLES.items():
                solara.Checkbox(label=label, value=name in current.toggles, on_value=lambda on, name=name: apply(choice.value.toggled(name, on)))
            lenses = ["the scenario's own", *book.lenses]
            solara.Select("Reading of the sources (lens)", values=lenses, value=current.lens or lenses[0], classes=["lens-chooser"],
                          on_value=lambda lens: apply(dataclasses.replace(choice.value, lens=None if lens == lenses[0] else lens)))
            solara.InputInt("Rollout shown", value=current.rollout,
                            on_value=lambda k: apply(dataclasses.replace(choice.value, rollout=max(0, int(k or 0)))))
        for title, group in (("Resolve", RESOLVE), ("Romanian passage", PASSAGE), ("Information gaps", GAPS)):
            with solara.Card(title):
                for name, label in group.items():
                    shown = current.value(name)
                    value = parameter_value(scenario, name, book) if shown is None else shown
                    _slider(name, label, value, book, lambda value, name=name: apply(choice.value.moved(name, value)))
        if current.sets():
            with solara.Card("Applied with --set"):
                _html("<ul class='applied-sets'>" + "".join(f"<li><code>{escape(item)}</code></li>" for item in current.sets()) + "</ul>")


@component
def Page() -> None:  # solara serves the component named Page
    """The whole app: SolaraViz (app bar, Step, Play, Reset) with the class's controls in its sidebar and the panels below."""
    from mesa.visualization import SolaraViz

    choice = solara.use_reactive(Choice())
    first = solara.use_memo(lambda: ClassroomModel(choice.get), [])  # each visitor steps a model of their own
    model = solara.use_reactive(first)

    def apply(new: Choice) -> None:
        choice.value = new
        model.value = ClassroomModel(new)

    # Reset rebuilds the model from model_params: a function, so that it uses the choice of the moment.
    SolaraViz(model, components=[], model_params={"choice": choice.get}, name="Munich 1938: what if?", play_interval=150)
    controls(choice, apply)
    with solara.Columns([3, 2]):
        crisis_panel(model.value)
        narration_panel(model.value)
    with solara.Columns([3, 2]):
        odds_panel(model.value)
        alerts_panel(model.value)
    debrief_panel(model.value)


# ------------------------------------------------------------------ serving (`python run.py ui`: sim/cli/ui.py)
def missing_ui() -> list[str]:
    """The ui extra's packages that are not installed (solara-assets serves the page's scripts without the internet)."""
    return [package for package, module in (("solara", "solara"), ("mesa[rec]", "altair"), ("solara-assets", "solara_assets"))
            if importlib.util.find_spec(module) is None]


def port_free(host: str, port: int) -> bool:
    """Whether the server could bind host:port now: checked before the slow start, so a taken port is one clear message."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: a recently closed port is free
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def serve(host: str, port: int) -> None:
    """Run solara's server on host:port for this module's Page, offline: local assets, no telemetry, production mode."""
    import mesa.visualization  # noqa: F401  (imported now, not on the first visitor's page view)
    import solara.server.settings as server_settings
    import uvicorn

    monte_carlo(Choice())  # the first view's odds, and the baseline every later Monte Carlo is compared with
    os.environ["SOLARA_APP"] = __name__  # read by solara's server when it is imported
    solara.settings.assets.proxy = True  # scripts from the local asset cache (solara-assets), never from a CDN
    server_settings.telemetry.mixpanel_enable = False
    server_settings.main.mode = "production"
    server_settings.theme.show_banner = False
    # Solara warns on every page served over plain http to 127.0.0.1 that its cookie falls back to SameSite=Lax: right for us.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
