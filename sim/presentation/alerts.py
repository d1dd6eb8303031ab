"""Treaty alerts: the standing pacts and who invokes, honours, breaks or fails them, read off the rule book.

The app has no list of treaties of its own: an obligation is any rule that goes to war on a
condition reading a ``pact.*`` variable of the rule book's world, and the alerts come from the
rules that fired in a recorded rollout (the alert their action kind declares in
``sim/book/actions.py``) and from those obligations' own
compiled conditions, evaluated on the day's state. ``TreatyWatch`` keeps them for one rollout;
``sim/presentation/classroom.py`` builds the class's model on it and the app shows the alerts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.book.scenario import Scenario
from sim.book.vocabulary import NEVER, PACT_NAMES, STATE_NAMES, pact_words, words_of
from sim.engine.branch import past_of
from sim.engine.model import CrisisModel, Happening
from sim.presentation.explain import evidence_words, expression_in_words
from sim.presentation.narrate import Chronicled


@dataclass(frozen=True)
class Alert:
    """A state invoking, honouring, breaking or failing a commitment, on a day, with the rule and its evidence."""

    day: int
    kind: str  # "invokes", "honours", "breaks", "due" (an obligation falls due), "unhonoured" (it never was)
    text: str
    rule: str
    evidence: tuple[str, ...]


class TreatyWatch(Chronicled):
    """One recorded rollout that keeps its treaty alerts as it steps (the alerts read lane 0: there is only one), and logs
    the war as the story tells it (``Chronicled``)."""

    def __init__(self, scenario: Scenario, rollout: int, before: TreatyWatch | None = None):
        """``before``: a watch whose rollout this one carries on from its day under ``scenario`` (a branch), with its alerts."""
        past = past_of(before) if before is not None else None
        super().__init__(scenario, lanes=np.array([rollout], dtype=np.uint64), record=True, past=past)
        self.alerts: list[Alert] = list(before.alerts) if before is not None else []
        self.obligations = obligations(self)
        self.due: dict[str, int] = {rule: day for rule, day in (before.due if before is not None else {}).items() if rule in self.obligations}

    def step(self) -> None:
        since = len(self.log)
        super().step()
        self.alerts.extend(treaty_alerts(self, self.log[since:]))


def obligations(model: CrisisModel) -> dict[str, str]:
    """Rules that honour a standing pact (they go to war on a condition that reads the pact), by id, with the pact's name."""
    pacts = {name for name in model.book.world.variables if name.startswith("pact.")}
    found = {}
    for rule in model.rules:
        named = sorted(pacts & rule.condition.names)
        if rule.rule.action.kind == "declare_war" and named:
            found[rule.id] = named[0]
    return found


def treaty_alerts(model: TreatyWatch, happenings: list[Happening]) -> list[Alert]:
    """Today's alerts: commitments invoked, honoured or broken by the rules that fired, and obligations that fell due."""
    rules = {rule.id: rule for rule in model.rules}
    found = []
    for happening in happenings:
        if happening.kind != "rule" or not happening.lanes[0]:
            continue
        rule = rules[happening.name].rule
        actor, action = STATE_NAMES[rule.actor], rule.action
        evidence = tuple(evidence_words(item) for item in rule.evidence)
        summary = " ".join(rule.summary.split())
        if rule.id in model.obligations:
            late = f" ({happening.day - model.due[rule.id]} days after it fell due)" if rule.id in model.due else ""
            found.append(Alert(happening.day, "honours", f"{actor} honours {pact_words(model.obligations[rule.id])}{late}: {summary}", rule.id, evidence))
        elif action.alert is not None:  # the action kind declares its alert (sim/book/actions.py)
            found.append(Alert(happening.day, action.alert, f"{actor} {action.alert_words()}: {summary}", rule.id, evidence))
    found.extend(_obligations_due(model))
    return found


def _obligations_due(model: TreatyWatch) -> list[Alert]:
    """Obligations whose condition holds (the rule's own compiled condition, evaluated on today's state) and that have not been honoured."""
    rules = {rule.id: rule for rule in model.rules}
    found, today = [], model.day - 1
    for rule_id, pact in model.obligations.items():
        rule = rules[rule_id]
        if model.lane_values(f"fired.{rule_id}")[0] < NEVER:
            continue  # honoured: treaty_alerts has said so
        actor, evidence = STATE_NAMES[rule.rule.actor], tuple(evidence_words(item) for item in rule.rule.evidence)
        if rule_id not in model.due and bool(np.asarray(rule.condition.evaluate(model.state)).reshape(-1)[0]):
            model.due[rule_id] = today
            text = f"{actor}'s obligation under {pact_words(pact)} falls due ({_pacts_named(expression_in_words(rule.rule.condition))}); not honoured yet."
            found.append(Alert(today, "due", text, rule_id, evidence))
        elif rule_id in model.due and not model.running:
            text = f"{actor} never honoured {pact_words(pact)}, due since {model.crisis_scenario.date_of(model.due[rule_id]):%-d %B}."
            found.append(Alert(today, "unhonoured", text, rule_id, evidence))
    return found


def _pacts_named(text: str) -> str:
    """A condition in words with each pact by its name ("the Franco-Czechoslovak alliance (1925) is in force", not "the fr-cz pact...")."""
    for pact in PACT_NAMES:
        text = text.replace(words_of(pact), f"{pact_words(pact)} is in force")
    return text
