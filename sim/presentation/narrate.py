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
from sim.book.vocabulary import EVENTS, FRONT_NAMES, FRONTS, MILITARY_MEANINGS, MILITARY_RESULTS, NEVER, OUTCOME_MEANINGS, OUTCOMES, STATE_NAMES, words_of
from sim.engine.model import BatchResult, CrisisModel, Happening
from sim.presentation.explain import actor_in_words, evidence_line
from sim.presentation.report import day_words

WIDTH = 100
INDENT = " " * 13
WAR_WEEK = "war.week"  # the name of a week's state of the fronts in a chronicled model's log


class Chronicled(CrisisModel):
    """A recording model that also logs what the story of a war needs and the engine does not: the step on which each front
    broke (the engine logs only the first breach of the main line), and, on each weekly step of a war, where the fronts and
    the retreat stand (``WAR_WEEK``: ``after`` holds each front's progress and the retreat, one row a lane)."""

    def step(self) -> None:
        today, since = self.day, len(self.log)
        before = {front: self.lane_values(f"crisis.front_{front}") for front in FRONTS}
        super().step()
        breaks = []
        for front in FRONTS:
            broke = (before[front] < 1) & (self.lane_values(f"crisis.front_{front}") >= 1)
            if broke.any():
                breaks.append(Happening(today, "campaign", f"crisis.front_{front}", broke))
        first = next((index for index in range(since, len(self.log)) if self.log[index].name == "crisis.breach_day"), len(self.log))
        self.log[first:first] = breaks  # the fronts that broke, then what the first breach means
        fighting = (self.lane_values("CZ.attacked_day") <= today) & (self.lane_values("crisis.cz_resistance_end_day") >= NEVER)
        fighting &= self.lane_values("crisis.campaign_halted_day") >= NEVER
        if self.crisis_scenario.step_span(today) > 1 and fighting.any():
            stand = np.stack([*(self.lane_values(f"crisis.front_{front}") for front in FRONTS), self.lane_values("crisis.retreat")], axis=1)
            self.log.append(Happening(today, "campaign", WAR_WEEK, fighting, after=stand))


def narrate(scenario: Scenario, rollout: int) -> str:
    """The chronicle of rollout ``rollout`` of ``scenario``."""
    return chronicle(scenario, rollout, *recorded(scenario, rollout))


def recorded(scenario: Scenario, rollout: int) -> tuple[CrisisModel, BatchResult]:
    """Rollout ``rollout`` of ``scenario`` run alone by a model that logs every happening, and its result."""
    model = Chronicled(scenario, lanes=np.array([rollout], dtype=np.uint64), record=True)
    return model, model.run()


def chronicle(scenario: Scenario, rollout: int, model: CrisisModel, result: BatchResult) -> str:
    """The chronicle of a rollout that ``recorded`` ran: day by day, then its outcome, events and dates."""
    rules = {rule.id: rule.rule for rule in model.rules}
    events = load_rulebook().world.events
    lines = [f"Rollout {rollout} of {scenario.name} (seed {scenario.seed}): {scenario.question}", ""]
    day, weekly = None, False
    for happening in model.log:
        if not happening.lanes[0] or moot(happening, events, model, 0):
            continue
        if not weekly and happening.day >= scenario.weekly_day:
            weekly = True
            lines += ["", *textwrap.wrap(WEEKLY_NOTE.format(date=day_words(scenario.date_of(scenario.weekly_day))), WIDTH), ""]
        stamp = scenario.date_of(happening.day).isoformat() if happening.day != day else ""
        day = happening.day
        lines.extend(_lines(stamp, happening, rules, events, model.book))
    outcome = OUTCOMES[result.outcome[0]]
    lines += ["", f"Outcome: {outcome} ({OUTCOME_MEANINGS[outcome]})."]
    lines.append(f"Military result at the horizon, {day_words(scenario.end)}: {MILITARY_MEANINGS[MILITARY_RESULTS[result.military[0]]]}.")
    flagged = [event for event in EVENTS if result.flags[event][0]]
    lines.append(f"Events: {', '.join(flagged) if flagged else 'none'}.")
    dated = (("First shot", result.first_shot_day[0]), ("Main line first broken", result.breach_day[0]),
             ("Czechoslovak resistance ended", result.resistance_end_day[0]), ("Germany halted its campaign", result.halt_day[0]))
    for label, value in dated:
        if value < NEVER:
            lines.append(f"{label}: {scenario.date_of(int(value))}.")
    return "\n".join(lines) + "\n"


WEEKLY_NOTE = "From {date} the story moves a week at a time: each date below is the first day of its week."


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
    kind: str  # as Happening.kind: "rule", "event", "belief" or "campaign"; "week": where a war's fronts stand, each weekly step
    text: str
    actor: str | None = None  # the state whose rule fired
    rule: str | None = None
    evidence: tuple[str, ...] = ()  # evidence lines (explain.evidence_line) of the rule or the exogenous event
    sources: tuple = ()  # the same evidence as the rule book's Evidence items, for readers' words (explain.evidence_words)


# What the war's happenings say (the fronts' names from the vocabulary's FRONT_NAMES).
CAMPAIGN_WORDS = {
    "crisis.su_aid_day": "Soviet aircraft reach Czechoslovakia and join the fight (over Romania, or across Poland).",
    "crisis.su_troops_day": "Soviet ground forces reach Czechoslovakia (by rail through Romania, or across Poland).",
    "crisis.breach_day": "With its main line broken, the Czechoslovak army fights on as it gives ground.",
    "crisis.cz_resistance_end_day": "Czechoslovak resistance ends.",
    **{f"crisis.front_{front}": f"The main line broke on {words}." for front, words in FRONT_NAMES.items()},
}
CAMPAIGN_WORDS["crisis.front_south"] += " The road east to Slovakia is cut: the army has little room left to fall back."


def week_words(stand: np.ndarray) -> str:
    """Where a week of war stands: each front held (with how far the Germans have got) or broken, and the retreat."""
    fronts = [f"{FRONT_NAMES[front].split(' (')[0].removeprefix('the ')} {'broken' if level >= 1 else f'held ({level:.0%} of the way to a breach)'}"
              for front, level in zip(FRONTS, stand[:-1], strict=True)]
    retreat = stand[-1]
    moving = f"the army has used {retreat:.0%} of its room to fall back" if retreat > 0 else "no retreat yet"
    return f"The week's war: {'; '.join(fronts)}; {moving}."


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
    if happening.name == WAR_WEEK:
        return Entry(happening.day, "week", week_words(happening.after[position]))
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
