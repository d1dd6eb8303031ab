"""What both handouts compute (the teacher's briefing, ``handout.py``, and the student handout, ``student_handout.py``).

The scenario's changes read from the Scenario object (with the scenario file's own comment on each
changed line), the baseline run beside the scenario, the sample rollout (the first whose outcome is the
scenario's most likely one) and its story, and the rules whose firing moved most: computed once here, so
that the two formats, which word and lay them out differently, always show the same run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from sim.book.paths import SCENARIOS
from sim.book.rules import FRAGMENT, MAIN_TEXT, Evidence, Rule, RuleBook, load_rulebook
from sim.book.scenario import DEFAULT_END, DEFAULT_LENS, DEFAULT_START, Scenario, load_scenario
from sim.book.vocabulary import OUTCOMES
from sim.engine.model import CrisisModel
from sim.experiments import runner
from sim.experiments.runner import Tally
from sim.presentation.explain import expression_in_words, short_cite
from sim.presentation.narrate import Chronicled, Entry, entries

BASELINE = SCENARIOS / "baseline.yaml"
BASELINE_RUNS = 10_000  # at most this many baseline rollouts beside the scenario's (one process, a few seconds)
SAMPLE_SEARCH = 200  # the sample rollout is the first of these whose outcome is the scenario's most likely one
RULES_SHOWN = 7
SOURCE_NAMES = {
    MAIN_TEXT: "Carley, “Only the USSR Has… Clean Hands”, Diplomacy & Statecraft 21:3 (2010)",
    FRAGMENT: "Litvinov's speech at Geneva, 21 September 1938 (fragment)",
}


@dataclass(frozen=True)
class Change:
    """One way a scenario departs from the rule book, in words."""

    key: str  # where it is set, e.g. parameters.CZ.resolve
    text: str
    note: str = ""  # the scenario file's comment on that line, if any


def changes(scenario: Scenario, book: RuleBook | None = None) -> list[Change]:
    """What the scenario holds that the rule book does not: lens, window, parameters, rule edits, added rules, moved events."""
    book = book or load_rulebook()
    found = []
    if scenario.lens != DEFAULT_LENS:
        lens = book.lenses[scenario.lens]
        found.append(Change("lens", f"Reading of the sources: {scenario.lens}. {' '.join(lens.description.split())}"))
    if (scenario.start, scenario.end) != (DEFAULT_START, DEFAULT_END):
        found.append(Change("start", f"Simulated from {scenario.start} to {scenario.end} (the book: {DEFAULT_START} to {DEFAULT_END})."))
    parameters = book.parameters()
    lens_values = book.lenses[scenario.lens].parameters
    for name, value in scenario.parameters.items():
        before = lens_values.get(name, parameters[name].value)
        meaning = parameters[name].description.split(". ")[0].rstrip(".")
        found.append(Change(f"parameters.{name}", f"{name}: {_number(before)} → {_number(value)} ({meaning}).", note(scenario, f"parameters.{name}")))
    rules = {rule.id: rule for rule in (*book.rules, *scenario.add_rules)}
    for rule_id, edit in scenario.rules.items():
        found.extend(Change(f"rules.{rule_id}", text, note(scenario, f"rules.{rule_id}")) for text in _rule_edit_words(rules[rule_id], edit))
    for index, rule in enumerate(scenario.add_rules):
        found.append(Change(f"add_rules.{index}", f"Added rule {rule.id}: {' '.join(rule.summary.split())} ({cites(rule.evidence)})."))
    for name, edit in scenario.events.items():
        if edit.enabled is False:
            text = f"Removed: {name.replace('_', ' ')}."
        else:
            text = f"Moved: {name.replace('_', ' ')} to {edit.date or 'its date'}" + (f", ending {edit.end}" if edit.end else "") + "."
        found.append(Change(f"events.{name}", text, note(scenario, f"events.{name}")))
    return found


def _rule_edit_words(rule: Rule, edit) -> list[str]:
    summary = " ".join(rule.summary.split())
    words = []
    if edit.enabled is False:
        words.append(f"Switched off: {summary} [{rule.id}]")
    elif edit.enabled:
        words.append(f"Switched on: {summary} [{rule.id}]")
    if edit.condition is not None:
        words.append(f"{rule.id} now applies when {expression_in_words(edit.condition)}.")
    if edit.probability is not None:
        words.append(f"{rule.id} now has the chance {expression_in_words(edit.probability)}.")
    return words


def _number(value: float | date) -> str:
    return value.isoformat() if isinstance(value, date) else f"{value:g}"


def note(scenario: Scenario, key: str) -> str:
    """The comment at the end of the line that set ``key`` in its scenario file (the file's reason for the change)."""
    file, line = scenario.where.get(key, (None, None))
    if file is None or line is None or file == "--set":
        return "set on the command line" if file == "--set" else ""
    try:
        text = Path(file).read_text(encoding="utf-8").splitlines()[line - 1]
    except (OSError, IndexError):
        return ""
    return trailing_comment(text)


def trailing_comment(line: str) -> str:
    """A YAML line's comment: the text after a `#` that follows a space and is outside quotes."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[index + 1 :].strip()
    return ""


def cites(evidence: list[Evidence] | tuple[Evidence, ...]) -> str:
    return "; ".join(dict.fromkeys(short_cite(item) for item in evidence))



# ------------------------------------------------------------------ what the handout computes beyond the tally
def baseline_end() -> date:
    """The baseline's horizon, when its results are read (the default's if its file is missing)."""
    return load_scenario(BASELINE).end if BASELINE.is_file() else DEFAULT_END


def baseline_tally(scenario: Scenario, runs: int) -> Tally | None:
    """The baseline on the scenario's seed, for comparison (None for the baseline itself, or if its file is missing)."""
    if scenario.name == "baseline" or not BASELINE.is_file():
        return None
    baseline = dataclasses.replace(load_scenario(BASELINE), seed=scenario.seed, parameter_draws=scenario.parameter_draws)
    return runner.run(baseline, min(runs, BASELINE_RUNS), jobs=1)


def sample_rollout(scenario: Scenario, result: dict) -> int:
    """The first rollout whose outcome is the scenario's most likely one (rollout 0 if none of the first few is)."""
    likely = max(OUTCOMES, key=lambda name: result["outcomes"][name]["p"])
    outcomes = CrisisModel(scenario, lanes=np.arange(SAMPLE_SEARCH, dtype=np.uint64)).run().outcome
    matches = np.flatnonzero(outcomes == OUTCOMES.index(likely))
    return int(matches[0]) if matches.size else 0


def sample_story(scenario: Scenario, rollout: int) -> tuple[list[Entry], str]:
    """The sample rollout's rule firings, events and war news (beliefs and the weekly state of the fronts left out for space),
    and its outcome."""
    model = Chronicled(scenario, lanes=np.array([rollout], dtype=np.uint64), record=True)
    outcome = OUTCOMES[model.run().outcome[0]]
    return [entry for entry in entries(model) if entry.kind not in ("belief", "week")], outcome



def carrying_rules(result: dict, baseline: Tally | None, count: int = RULES_SHOWN) -> list[tuple[str, float, float | None]]:
    """The rules whose firing moved most from the baseline (or, for the baseline, fired most): (id, share, baseline share)."""
    def baseline_share(rule_id: str) -> float | None:
        return baseline.rules.get(rule_id, 0) / baseline.runs if baseline else None

    ranked = []
    for rule_id, share in result["rules"].items():
        before = baseline_share(rule_id)
        weight = abs(share["p"] - before) if before is not None else share["p"]
        ranked.append((weight, rule_id, share["p"], before))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return [(rule_id, share, before) for weight, rule_id, share, before in ranked[:count] if weight > 0]



def latest(story: list[Entry], room: int) -> tuple[list[Entry], list[Entry]]:
    """The story split into its earlier steps, left out, and its latest ones, which fit in ``room`` characters."""
    used, kept = 0, 0
    for entry in reversed(story):
        used += len(entry.text) + 12  # a date and a citation
        if used > room:
            break
        kept += 1
    return story[: len(story) - kept], story[len(story) - kept :]


