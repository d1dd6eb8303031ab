"""One rollout told day by day: what each state did, under which rule and on what evidence, and which beliefs moved.

The narrated rollout is rollout K of the scenario run through the same model as
a batch of one, so it is exactly the rollout at index K of ``runs.csv``.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np

from sim.book.rules import RuleBook, load_rulebook
from sim.book.scenario import Scenario
from sim.book.vocabulary import EVENTS, NEVER, OUTCOME_MEANINGS, OUTCOMES, STATE_NAMES, words_of
from sim.engine.model import BatchResult, CrisisModel, Happening
from sim.presentation.explain import actor_in_words, evidence_line

WIDTH = 100
INDENT = " " * 13


def narrate(scenario: Scenario, rollout: int) -> str:
    """The chronicle of rollout ``rollout`` of ``scenario``."""
    return chronicle(scenario, rollout, *recorded(scenario, rollout))


def recorded(scenario: Scenario, rollout: int) -> tuple[CrisisModel, BatchResult]:
    """Rollout ``rollout`` of ``scenario`` run alone by a model that logs every happening, and its result."""
    model = CrisisModel(scenario, lanes=np.array([rollout], dtype=np.uint64), record=True)
    return model, model.run()


def chronicle(scenario: Scenario, rollout: int, model: CrisisModel, result: BatchResult) -> str:
    """The chronicle of a rollout that ``recorded`` ran: day by day, then its outcome, events and dates."""
    rules = {rule.id: rule.rule for rule in model.rules}
    events = load_rulebook().world.events
    lines = [f"Rollout {rollout} of {scenario.name} (seed {scenario.seed}): {scenario.question}", ""]
    day = None
    for happening in model.log:
        if not happening.lanes[0] or moot(happening, events, model, 0):
            continue
        stamp = scenario.date_of(happening.day).isoformat() if happening.day != day else ""
        day = happening.day
        lines.extend(_lines(stamp, happening, rules, events, model.book))
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


def _lines(stamp: str, happening: Happening, rules: dict, events: dict, book: RuleBook) -> list[str]:
    told = entry(happening, rules, events, book=book)
    if told.kind == "rule":
        lines = _wrap(stamp, f"{told.text} [{told.rule}]")
        for line in told.evidence:
            lines += [INDENT + "  " + part for part in textwrap.wrap(line, WIDTH - len(INDENT) - 2)]
        return lines
    if told.kind == "belief":
        return _wrap(stamp, f"  {told.text}")
    return _wrap(stamp, told.text)  # an event's evidence is in the rule book, not in the chronicle


@dataclass(frozen=True)
class Entry:
    """One happening of a rollout in words: for the classroom app and the handout, which lay it out themselves."""

    day: int
    kind: str  # as Happening.kind: "rule", "event", "belief" or "campaign"
    text: str
    actor: str | None = None  # the state whose rule fired
    rule: str | None = None
    evidence: tuple[str, ...] = ()  # evidence lines (explain.evidence_line) of the rule or the exogenous event
    sources: tuple = ()  # the same evidence as the rule book's Evidence items, for readers' words (explain.evidence_words)


CAMPAIGN_WORDS = {"crisis.su_aid_day": "Soviet aid reaches Czechoslovakia through Romania.",
                  "crisis.cz_resistance_end_day": "Czechoslovak resistance ends."}


def entry(happening: Happening, rules: dict, events: dict, position: int = 0, book: RuleBook | None = None) -> Entry:
    """A happening told in words, for the lane at ``position`` of the model that logged it (naming the office-holder who acts)."""
    if happening.kind == "rule":
        rule = rules[happening.name]
        evidence = tuple(evidence_line(item) for item in rule.evidence)
        who = actor_in_words(book, rule) if book is not None else STATE_NAMES[rule.actor]
        return Entry(happening.day, "rule", f"{who}: {rule.summary}", rule.actor, rule.id, evidence, tuple(rule.evidence))
    if happening.kind == "event":
        event = events[happening.name]
        text = f"Outside the seven: {' '.join(event.description.split())}"
        return Entry(happening.day, "event", text, evidence=tuple(evidence_line(item) for item in event.evidence), sources=tuple(event.evidence))
    if happening.kind == "belief":
        moved = f"{happening.before[position]:.2f} -> {happening.after[position]:.2f}"
        return Entry(happening.day, "belief", f"belief moves: {words_of(happening.name)}, {moved}")
    return Entry(happening.day, "campaign", f"War: {CAMPAIGN_WORDS[happening.name]}")


def entries(model: CrisisModel, position: int = 0, since: int = 0) -> list[Entry]:
    """What a recording model has logged for the lane at ``position`` (from log index ``since`` on), in words."""
    rules = {**model.former_rules, **{rule.id: rule.rule for rule in model.rules}}  # a branch's past may name rules it no longer has
    events = model.book.world.events
    return [
        entry(happening, rules, events, position, model.book)
        for happening in model.log[since:]
        if happening.lanes[position] and not moot(happening, events, model, position)
    ]


def moot(happening: Happening, events: dict, model: CrisisModel, position: int) -> bool:
    """An exogenous event the story leaves out in this rollout: one of its ``moot_after`` days came before it."""
    if happening.kind != "event":
        return False
    return any(model.lane_values(name)[position] < happening.day for name in events[happening.name].moot_after)
