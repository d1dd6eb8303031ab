"""One rollout told day by day: what each state did, under which rule and on what evidence, and which beliefs moved.

The narrated rollout is rollout K of the scenario run through the same model as
a batch of one, so it is exactly the rollout at index K of ``runs.csv``.
"""

from __future__ import annotations

import textwrap

import numpy as np

from sim.conditions import NEVER
from sim.explain import evidence_line, name_in_words
from sim.model import CrisisModel, Happening
from sim.outcomes import EVENTS, OUTCOME_MEANINGS, OUTCOMES
from sim.rules import STATE_NAMES, load_rulebook
from sim.scenario import Scenario

WIDTH = 100
INDENT = " " * 13


def narrate(scenario: Scenario, rollout: int) -> str:
    """The chronicle of rollout ``rollout`` of ``scenario``."""
    model = CrisisModel(scenario, lanes=np.array([rollout], dtype=np.uint64), record=True)
    result = model.run()
    rules = {rule.id: rule.rule for rule in model.rules}
    events = load_rulebook().world.events
    lines = [f"Rollout {rollout} of {scenario.name} (seed {scenario.seed}): {scenario.question}", ""]
    day = None
    for happening in model.log:
        if not happening.lanes[0]:
            continue
        stamp = scenario.date_of(happening.day).isoformat() if happening.day != day else ""
        day = happening.day
        lines.extend(_lines(stamp, happening, rules, events))
    outcome = OUTCOMES[result.outcome[0]]
    lines += ["", f"Outcome: {outcome} ({OUTCOME_MEANINGS[outcome]})."]
    flagged = [event for event in EVENTS if result.flags[event][0]]
    lines.append(f"Events: {', '.join(flagged) if flagged else 'none'}.")
    for label, value in (("First shot", result.first_shot_day[0]), ("Czechoslovak resistance ended", result.resistance_end_day[0])):
        if value < NEVER:
            lines.append(f"{label}: {scenario.date_of(int(value))}.")
    return "\n".join(lines) + "\n"


def _wrap(stamp: str, text: str) -> list[str]:
    wrapped = textwrap.wrap(text, WIDTH - len(INDENT)) or [""]
    return [f"{stamp:<12} {wrapped[0]}", *(INDENT + line for line in wrapped[1:])]


def _lines(stamp: str, happening: Happening, rules: dict, events: dict) -> list[str]:
    if happening.kind == "rule":
        rule = rules[happening.name]
        lines = _wrap(stamp, f"{STATE_NAMES[rule.actor]}: {rule.summary} [{rule.id}]")
        for item in rule.evidence:
            lines += [INDENT + "  " + line for line in textwrap.wrap(evidence_line(item), WIDTH - len(INDENT) - 2)]
        return lines
    if happening.kind == "event":
        return _wrap(stamp, f"Outside the seven: {' '.join(events[happening.name].description.split())}")
    if happening.kind == "belief":
        return _wrap(stamp, f"  belief moves: {name_in_words(happening.name)}, {happening.before[0]:.2f} -> {happening.after[0]:.2f}")
    what = {"crisis.su_aid_day": "Soviet aid reaches Czechoslovakia through Romania.",
            "crisis.cz_resistance_end_day": "Czechoslovak resistance ends."}[happening.name]
    return _wrap(stamp, f"War: {what}")
