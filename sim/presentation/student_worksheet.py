"""The student handout's words: what a what-if changes, the questions before and after the results, and the source work.

Everything here is said as a class reads it (``panels.spelled``: names with their accents, no rule ids;
a rollout is a "replay"; shares "in about N of 100 replays"; sources as "Carley, fn 41"), never a
parameter name, a file name, a seed or a command line: those are the teacher's briefing's
(``handout.py``). The questions are built from the run itself (its odds, its most likely outcome, the
baseline's odds), so that a student predicts first and then checks against these numbers; the source
prompts quote the passages behind the rules that acted in the run, with speaker, date and footnote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sim.book.rules import MAIN_TEXT, Evidence, Rule, RuleBook
from sim.book.scenario import DEFAULT_END, DEFAULT_LENS, DEFAULT_START, Scenario
from sim.book.vocabulary import EVENTS, MILITARY_RESULTS, OUTCOME_MEANINGS, OUTCOMES, STATE_NAMES, STATES
from sim.presentation.classroom import GAPS, LENS_TITLES, PASSAGE, RESOLVE, SCENARIO_TITLES, lens_title, scenario_title
from sim.presentation.explain import short_cite
from sim.presentation.handout_parts import note
from sim.presentation.panels import MILITARY_TITLES, OUTCOME_TITLES, event_words, in_100, spelled, war_words
from sim.presentation.report import day_words

QUOTES = 2  # passages for the source work
LONGEST_QUOTE = 420  # characters: a longer quotation is used only when there are not enough others
SHORTEST_QUOTE = 6  # words: a shorter quotation ("squeeze") gives a class too little to work on, so it comes last
CONTROL_LABELS = {**RESOLVE, **PASSAGE, **GAPS}  # the classroom's names for the parameters a class moves


# A note in brackets that names a file, a command, an option, a parameter or a decimal is for the model's users, not a class.
TECHNICAL_NOTE = re.compile(r"\s*\([^()]*(?:\.ya?ml\b|`|--|\bpython\b|\brun\.py\b|\b[A-Z]{2}\.[a-z]|\b[a-z]+_[a-z]|\d\.\d)[^()]*\)")
QUALIFIED = re.compile(r"\b(?:GB|FR|DE|CZ|PL|RO|SU)\.[a-z][a-z_]*\b")  # a parameter or rule left in a sentence
SNAKE = re.compile(r"`?\b[a-z]+(?:_[a-z0-9]+)+\b`?|`[^`]*`")  # an outcome, event, lens or scenario name; code in backticks
SHARE = re.compile(r"\b0?\.\d+\b|\b1\.0\b")  # a probability written as a decimal


def readable(text: str) -> str:
    """Text from the rule book or a scenario file as a class reads it: one line, accents, no rule ids, no notes naming
    files or commands, names in words ("Poland takes Teschen", not the event's name), shares in 100, replays not rollouts."""
    text = TECHNICAL_NOTE.sub("", spelled(" ".join(text.split())))
    text = QUALIFIED.sub(lambda found: CONTROL_LABELS.get(found.group(), STATE_NAMES[found.group()[:2]]), text)
    text = SNAKE.sub(lambda found: _name_in_words(found.group().strip("`")), text)
    text = SHARE.sub(lambda found: f"{in_100(float(found.group()))} in 100", text).replace(" -> ", " to ")
    return re.sub(r"\brollout(s?)\b", r"replay\1", text)


def _name_in_words(name: str) -> str:
    if name in EVENTS:
        return event_words(name)
    if name in OUTCOMES:
        return OUTCOME_TITLES[name].lower()
    if name in MILITARY_RESULTS:
        return MILITARY_TITLES[name].lower()
    if name in LENS_TITLES:
        return f"“{lens_title(name)}”"
    if name in SCENARIO_TITLES:
        return f"“{scenario_title(name)}”"
    return name.replace("_", " ")


# ------------------------------------------------------------------ what the what-if changes
def changes_in_words(scenario: Scenario, book: RuleBook) -> list[str]:
    """What the scenario holds that the rule book does not, in a class's words (the teacher's ``changes`` names the keys)."""
    found = []
    if scenario.lens != DEFAULT_LENS:
        found.append(f"The sources are read as “{lens_title(scenario.lens)}”: {readable(book.lenses[scenario.lens].description)}")
    if (scenario.start, scenario.end) != (DEFAULT_START, DEFAULT_END):
        found.append(f"The crisis is replayed from {day_words(scenario.start)} to {day_words(scenario.end)} "
                     f"(otherwise {day_words(DEFAULT_START)} to {day_words(DEFAULT_END)}).")
    parameters, lens_values = book.parameters(), book.lenses[scenario.lens].parameters
    for name, value in scenario.parameters.items():
        found.append(_with_note(_parameter_words(name, lens_values.get(name, parameters[name].value), value, parameters[name]),
                                scenario, f"parameters.{name}"))
    rules = {rule.id: rule for rule in (*book.rules, *scenario.add_rules)}
    for rule_id, edit in scenario.rules.items():
        summary = readable(rules[rule_id].summary)
        if edit.enabled is False:
            words = f"This no longer happens: {summary}"
        elif edit.condition is not None or edit.probability is not None:
            words = f"This happens {'at other times' if edit.condition is not None else 'with another chance'}: {summary}"
        else:
            words = f"This can now happen: {summary}"
        found.append(_with_note(words, scenario, f"rules.{rule_id}"))
    found.extend(f"New: {readable(rule.summary)} ({grouped_cites(rule.evidence)})" for rule in scenario.add_rules)
    for name, edit in scenario.events.items():
        event = readable(book.world.events[name].description).split(". ")[0].rstrip(".")
        found.append(f"This does not happen: {event}." if edit.enabled is False else
                     f"Moved to {day_words(edit.date)}: {event}." if edit.date else f"Changed: {event}.")
    return found


def _parameter_words(name: str, before: float | date, after: float | date, parameter) -> str:
    label = CONTROL_LABELS.get(name) or parameter.description.split(". ")[0].rstrip(".")
    if isinstance(after, date):
        return f"{readable(label)}: moved from {day_words(before)} to {day_words(after)}."
    way = "raised" if after > before else "lowered" if after < before else "kept"
    if tuple(parameter.range) == (0.0, 1.0):
        return f"{readable(label)}: {way} from {in_100(before)} to {in_100(after)} (on a scale from 0 to 100)."
    return f"{readable(label)}: {way} from {before:g} to {after:g}."


def _with_note(words: str, scenario: Scenario, key: str) -> str:
    """The change with the scenario file's own reason for it, if the file gives one."""
    reason = note(scenario, key)
    return f"{words} Why: {readable(reason)}." if reason and reason != "set on the command line" else words


# ------------------------------------------------------------------ predict, then check
STATE_LIST = " · ".join(STATE_NAMES[state] for state in STATES)
OUTCOME_LIST = " · ".join(OUTCOME_TITLES[name] for name in OUTCOMES)


def before_questions(has_baseline: bool) -> list[tuple[str, int]]:
    """The questions to answer before reading the results: (question, lines to write on)."""
    last = ("Compared with 1938 as the sources tell it, will this change make war more likely, less likely, or make no "
            "difference? Give one reason.", 2) if has_baseline else (
            "In 1938 there was no war: the Munich agreement settled the crisis. If the crisis were replayed 100 times with "
            "the same people and the same commitments, would it always end that way? Why, or why not?", 2)
    return [("Out of 100 replays of this what-if, in how many do you expect a war (local or general)? "
             "Write a number: ______ of 100.", 0),
            (f"Which outcome do you expect most often? Circle one: {OUTCOME_LIST}.", 0),
            (f"Which states do you expect to be at war with Germany at some point before spring 1939? Circle them: {STATE_LIST}.", 0),
            last]


def after_questions(result: dict, baseline: dict | None) -> list[tuple[str, int]]:
    """The questions that check the predictions against this run's numbers: (question, lines to write on)."""
    war, _, low, high = war_words(result)
    likely = max(OUTCOMES, key=lambda name: result["outcomes"][name]["p"])
    questions = [
        (f"The replays give {war}. Was your guess between {low} and {high}? If not, what had you not taken into account?", 1),
        (f"The most common outcome is “{OUTCOME_TITLES[likely]}”, in about {in_100(result['outcomes'][likely]['p'])} of 100 "
         f"replays: {OUTCOME_MEANINGS[likely]}. Was it the one you circled?", 1),
        ("Look at the chart of who is at war. Which state goes to war first? Which line (or which missing state) "
         "surprised you, and why?", 1),
        ("In the replay told day by day, find the step that you think decided how it ended. What would have had to be "
         "different for it not to happen?", 1),
    ]
    if baseline is not None:
        questions.append((f"In 1938 as the sources tell it, the replays give {war_words(baseline)[0]}; here, {war}. Using the list "
                          "of changes and the story, explain in two or three sentences why the change makes that difference "
                          "(or why it makes none).", 2))
    questions.append(("A model is an argument about the past, not a record of it. Name one thing this model leaves out that "
                      "might have changed what happened.", 1))
    return questions


# ------------------------------------------------------------------ working with the sources
@dataclass(frozen=True)
class Passage:
    """A quotation behind a rule that acted in this run, with what the rule makes of it and how often it acted."""

    evidence: Evidence
    summary: str
    share: float


def passages(result: dict, first: list[str], rules: dict[str, Rule]) -> list[Passage]:
    """Up to ``QUOTES`` quotations from the rules that acted in the run: those named in ``first`` (the rules that
    carried the outcome, then the story's), then the others by how often they acted; one a speaker while there are others."""
    acted = {rule_id: share["p"] for rule_id, share in result["rules"].items() if share["p"] > 0}
    order = list(dict.fromkeys([*(rule_id for rule_id in first if rule_id in acted), *sorted(acted, key=lambda rule_id: -acted[rule_id])]))
    found = [Passage(item, readable(rules[rule_id].summary), acted[rule_id])
             for rule_id in order if rule_id in rules for item in rules[rule_id].evidence if item.quote]
    seen: set[str] = set()
    unique = []
    for passage in found:
        key = " ".join(passage.evidence.quote.split())
        if key not in seen:
            seen.add(key)
            unique.append(passage)
    short = [passage for passage in unique if len(passage.evidence.quote) <= LONGEST_QUOTE and len(passage.evidence.quote.split()) >= SHORTEST_QUOTE]
    chosen: list[Passage] = []
    for passage in short:  # one a speaker first
        if len(chosen) < QUOTES and passage.evidence.speaker not in {other.evidence.speaker for other in chosen}:
            chosen.append(passage)
    for passage in [*short, *unique]:  # then the next ones, shorter first
        if len(chosen) < QUOTES and passage not in chosen:
            chosen.append(passage)
    return chosen


# Asked once of every passage; then each passage gets its own question about the step the model makes of it.
SOURCE_QUESTIONS = ("Who is speaking, to whom, and when? What did the speaker want the listener to believe or do?",
                    "Is it a record of what was said or done at the time, or someone's judgement or argument? How can you tell?")


def source_prompt(passage: Passage) -> str:
    """The passage's own question: what the model makes of it (and a warning where Carley marks it as an argument)."""
    argued = (" Carley marks this passage as an argument about what would have happened, not a record of what was done."
              if passage.evidence.kind == "argument" else "")
    return (f"In the model this passage becomes a step: “{passage.summary.rstrip('.')}”, which happens in about "
            f"{in_100(passage.share)} of 100 replays here.{argued} Does the step claim more, or less, than the words quoted?")


def grouped_cites(evidence: tuple[Evidence, ...] | list[Evidence]) -> str:
    """Sources as short as a story line allows: "Carley, fn 13, 21; Litvinov, Geneva speech fragment, 21 September 1938"."""
    notes = [str(item.footnote) for item in evidence if item.source == MAIN_TEXT]
    carley = [f"Carley, fn {', '.join(dict.fromkeys(notes))}"] if notes else []
    return "; ".join([*carley, *dict.fromkeys(short_cite(item) for item in evidence if item.source != MAIN_TEXT)])


def attribution(item: Evidence) -> str:
    """Who said it, when, and where to find it: "Bonnet, 20 July 1938 (Carley, fn 16)"; "Carley's account (Carley, fn 6)"
    for a passage that names no speaker."""
    unnamed = {"external": "A published account", "002_a872aad8d61a84ba.txt": "The Geneva speech fragment"}.get(item.source, "Carley's account")
    parts = [readable(item.speaker)] if item.speaker else [unnamed]
    parts += [f"{item.date:%-d %B %Y}"] if item.date else []
    return f"{', '.join(parts)} ({short_cite(item)})"
