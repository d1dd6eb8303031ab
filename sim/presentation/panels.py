"""The classroom app's panels as HTML strings: plain functions, so they can be tested without a browser or solara.

``sim/presentation/app.py`` puts each into a solara card; everything read from the model or the
rule book is escaped here, since the cards insert the markup as it is. The words are a class's:
sources by author and footnote ("Carley, fn 16"), scenarios, outcomes, states and pacts by name,
odds as "in 100 replays", never a file name, a rule id or a ``--set`` path.
"""

from __future__ import annotations

import json
import re
from datetime import date
from html import escape

from sim.book.rules import RuleBook
from sim.book.scenario import Scenario
from sim.book.vocabulary import EVENTS, MILITARY_MEANINGS, MILITARY_RESULTS, OUTCOME_MEANINGS, OUTCOMES, STATE_NAMES
from sim.engine.basis import Basis, basis, draws_fit, scenario_settings, typical_value
from sim.experiments.runner import wilson
from sim.presentation.classroom import ClassroomModel, Milestone, Odds, Unmoved, scenario_title
from sim.presentation.explain import evidence_words
from sim.presentation.narrate import entries
from sim.presentation.report import day_words

OUTCOME_TITLES = {"settlement": "Settlement", "german_climbdown": "Germany climbs down", "local_war": "Local war",
                  "general_war": "General war", "unresolved": "Unresolved"}
# The military results at the horizon (31 March 1939 unless a scenario sets its own end) by title, for a class; the meanings are the vocabulary's.
MILITARY_TITLES = {"no_war": "No German attack", "standoff": "A stand-off", "cz_overrun": "Czechoslovakia overrun",
                   "germany_checked": "Germany checked", "cz_holds": "Czechoslovakia holds", "cz_falls_back": "Czechoslovakia falls back"}
# The same in a few words, where a printed page has no room for the meanings (the student handout).
MILITARY_GLOSSES = {"no_war": "settled, or Germany backed off", "standoff": "no attack, nothing settled",
                    "cz_overrun": "its resistance over", "germany_checked": "Germany halted and sought terms",
                    "cz_holds": "still fighting, its line unbroken", "cz_falls_back": "still fighting, its line broken"}
SPELLINGS = {r"\bBenes\b": "Beneš", r"\bOsusky\b": "Osuský"}  # the record and a few rule texts write names without their accents


RULE_ID = r"\b(?:GB|FR|DE|CZ|PL|RO|SU)\.[a-z]+(?:_[a-z]+)+\b"


def spelled(text: str) -> str:
    """Text as a class reads it: names with their accents (Beneš, Osuský), and no rule ids (a note naming rules is dropped,
    a rule id left in a sentence becomes its state's name)."""
    for pattern, name in SPELLINGS.items():
        text = re.sub(pattern, name, text)
    text = re.sub(rf"\s*\((?:see )?(?:the )?(?:rules? )?{RULE_ID}(?:,? (?:and )?{RULE_ID})*\)", "", text)
    return re.sub(RULE_ID, lambda found: STATE_NAMES[found.group()[:2]], text)


def outcome_words(name: str) -> str:
    """An outcome by its title and meaning: "Local war: Germany attacks Czechoslovakia and no great power joins"."""
    return f"{OUTCOME_TITLES.get(name, name.replace('_', ' ').capitalize())}: {OUTCOME_MEANINGS[name]}"


def status_html(model: ClassroomModel) -> str:
    """The date, the day and the what-if, and the outcome once there is one; ``data-day`` lets a test wait for a step."""
    scenario = model.crisis_scenario
    day = f"{model.date:%A %-d %B %Y}" if model.date else f"{scenario.start:%-d %B %Y}, before the first day"
    outcome = f" <b class='outcome'>The end. {escape(outcome_words(model.outcome))}.</b>" if model.outcome else ""
    return (f"<div class='crisis-date' data-day='{model.day}'><span class='date-big'>{day}</span> "
            f"&nbsp;day {model.day} of {scenario.days} · <b>{escape(scenario_title(model.choice.scenario))}</b>, "
            f"replay no. {model.choice.rollout + 1}.{outcome}</div>"
            f"<div class='question'>{escape(spelled(scenario.question))}</div>")


def narration_html(model: ClassroomModel) -> str:
    """Every step so far, newest first, each with its sources in words (author, footnote, date, speaker, words)."""
    rows, scenario = [], model.crisis_scenario
    for entry in reversed([entry for entry in entries(model) if entry.kind != "belief"]):
        cites = "".join(f"<div class='cite'>{escape(spelled(evidence_words(item)))}</div>" for item in entry.sources)
        rows.append(f"<div class='entry' data-kind='{entry.kind}'><b>{scenario.date_of(entry.day):%-d %b}</b> "
                    f"{escape(spelled(entry.text))}{cites}</div>")
    body = "".join(rows) or "<i>Nothing has happened yet: press Step or ▶.</i>"
    return f"<div class='narration'>{body}</div>"


ALERT_STYLE = {"invokes": ("#1f5fbf", "invokes"), "honours": ("#177a33", "honours"), "breaks": ("#b3121b", "breaks"),
               "due": ("#9a5200", "falls due"), "unhonoured": ("#b3121b", "not honoured")}


def alerts_html(model: ClassroomModel) -> str:
    """The treaty alerts so far, newest first, each with its date, its kind in colour and its sources by name."""
    rows = []
    for alert in reversed(model.alerts):
        colour, word = ALERT_STYLE[alert.kind]
        cites = "; ".join(dict.fromkeys(escape(line.split(". ")[0]) for line in alert.evidence))
        rows.append(f"<div class='alert' data-kind='{alert.kind}' style='border-left:4px solid {colour}'>"
                    f"<b>{model.crisis_scenario.date_of(alert.day):%-d %b}</b> <span style='color:{colour};font-weight:bold'>{word}</span> "
                    f"{escape(spelled(alert.text))} <span class='cite'>({cites})</span></div>")
    body = "".join(rows) or "<i>No treaty has been invoked, honoured or broken yet.</i>"
    return f"<div class='alerts'>{body}</div>"


def in_100(share: float) -> int:
    return round(100 * share)


# Each event flag in words, the four a class asks about first; a flag not named here is read from its name.
EVENT_WORDS = {
    "su_fights": "the USSR fights",
    "su_aid_reaches_cz": "Soviet aid reaches Czechoslovakia",
    "pl_takes_teschen": "Poland takes Teschen",
    "four_power_conference": "the four-power conference is held",
    "cz_mobilises": "Czechoslovakia mobilises",
    "cz_fights": "Czechoslovakia fights",
    "fr_fights": "France fights",
    "gb_fights": "Britain fights",
    "pl_fights": "Poland fights",
    "ro_grants_passage": "Romania lets Soviet troops through",
    "su_aid_short_of_war": "the USSR sends aircraft before any war",
    "ro_opens_airspace_in_war": "Romania opens its skies to Soviet warplanes in war",
    "de_generals_object": "German generals object to the war",
    "conference_after_refusal": "a conference meets before Prague has yielded",
    "fr_offensive": "France attacks Germany in the west",
    "main_line_broken": "the Czechoslovak main line is broken",
    "su_troops_reach_cz": "Soviet ground forces reach Czechoslovakia",
}


def event_words(name: str) -> str:
    return EVENT_WORDS.get(name, name.replace("_", " "))


def share_words(share: dict) -> str:
    """A share in plain words with its 95% interval: "in 12 of 100 replays; very likely between 10 and 14"."""
    return f"in {in_100(share['p'])} of 100 replays; very likely between {in_100(share['lo'])} and {in_100(share['hi'])}"


def events_html(odds: Odds) -> str:
    """Each event's share in this what-if, in words, beside the baseline's: the story can move when the outcome does not."""
    rows = []
    for name in [*(name for name in EVENT_WORDS if name in EVENTS), *(name for name in EVENTS if name not in EVENT_WORDS)]:
        share, before = odds.scenario["events"][name], odds.baseline["events"][name]
        words = event_words(name)
        rows.append(f"<tr data-event='{escape(name)}'><td class='event-words'>{escape(words[0].upper() + words[1:])} "
                    f"{share_words(share)}</td><td class='p baseline'>{in_100(before['p'])}</td></tr>")
    return ("<table class='events-table'><tr><th>What else happens, in this what-if</th><th>baseline</th></tr>"
            f"{''.join(rows)}</table>")


def held_words(result: dict, horizon: date) -> str:
    """How long Czechoslovakia held once attacked, in a class's words (from the summary's median and count of attacks);
    ``horizon`` is the what-if's last day."""
    attacked, runs = result["attacked"], result["runs"]
    if not attacked:
        return "Germany attacks in none of these replays."
    where = f"Germany attacks in {in_100(attacked / runs)} of 100 replays"
    if result["median_beyond_horizon"]:
        return f"{where}; in most of those Czechoslovakia still fights at the end, on {day_words(horizon)} (or until Germany halts)."
    days = result["median_days_held"]
    return f"{where}; once attacked, Czechoslovakia fights on for about {days} day{'s' if days != 1 else ''} in a typical one (the median)."


def military_html(odds: Odds) -> str:
    """Each military result at the horizon in this what-if, in words, beside the baseline's, and how long Czechoslovakia held."""
    rows = []
    for name in MILITARY_RESULTS:
        share, before = odds.scenario["military"][name], odds.baseline["military"][name]
        rows.append(f"<tr data-military='{name}'><td class='military-words'><b>{MILITARY_TITLES[name]}</b> {share_words(share)}"
                    f"<div class='meaning'>{escape(MILITARY_MEANINGS[name])}</div></td><td class='p baseline'>{in_100(before['p'])}</td></tr>")
    baseline = "baseline" if odds.baseline_horizon == odds.horizon else f"baseline, on {day_words(odds.baseline_horizon)}"
    return (f"<table class='military-table'><tr><th>How the war stands on {day_words(odds.horizon)}, in this what-if</th><th>{baseline}</th></tr>"
            f"{''.join(rows)}</table><p class='held-words'>{escape(held_words(odds.scenario, odds.horizon))}</p>")


def unmoved_html(change: Unmoved | None) -> str:
    """The note that a change moved nothing: what it was, and what in the model reads it (empty if it moved something)."""
    if change is None:
        return ""
    what = " and ".join(f"“{spelled(label)}”" for label in change.controls) if change.controls else "this change"
    if change.readers:
        acts = "; ".join(f"{spelled(summary.rstrip('.'))} (in {in_100(count / change.runs)} of 100 replays here)" for summary, count in change.readers)
        why = f"In the model, {what} acts only through this: {acts}. None of the outcomes or events below turns on it here."
    elif change.acts_on:
        why = f"In the model, {what} acts only on {change.acts_on}, and none of the outcomes or events below turns on that here."
    else:
        why = "In the model, it acts only through rules that do not change any of the outcomes or events below in this what-if."
    return (f"<p class='moved-nothing'><b>This change moved nothing in this what-if:</b> every outcome and event is exactly "
            f"as before (the replays draw the same chances, so this is exact). {escape(why)}</p>")


def war_words(result: dict) -> tuple[str, int, int, int]:
    """War (local or general) in plain words, with its 95% interval: ("war in 81 of 100 replays; very likely between 79 and 83", 81, 79, 83)."""
    runs = result["runs"]
    count = sum(result["outcomes"][name]["n"] for name in ("local_war", "general_war"))
    low, high = wilson(count, runs)
    share, low, high = in_100(count / runs), in_100(low), in_100(high)
    return f"war in {share} of 100 replays; very likely between {low} and {high}", share, low, high


REPLAYS_EXPLAINED = ("A replay runs the whole crisis again with the same rules but fresh chances; each what-if is replayed {runs:,} "
                     "times. “Very likely between” is the 95% interval: the range that holds the true share in 95 experiments of 100.")


def odds_html(odds: Odds, scenario_name: str) -> str:
    """Each outcome in this what-if (in 100 replays, with its 95% interval, and as a bar) beside the baseline's."""
    rows = []
    for name in OUTCOMES:
        share, before = odds.scenario["outcomes"][name], odds.baseline["outcomes"][name]
        rows.append(f"<tr data-outcome='{name}'><td><b>{OUTCOME_TITLES[name]}</b><div class='meaning'>{escape(OUTCOME_MEANINGS[name])}</div></td>"
                    f"<td class='bars'>{_bar(share['p'], '#c44e52')}{_bar(before['p'], '#9aa5b1')}</td>"
                    f"<td class='p'><b>{in_100(share['p'])}</b> <span class='interval'>({in_100(share['lo'])} to {in_100(share['hi'])})</span></td>"
                    f"<td class='p baseline'>{in_100(before['p'])}</td></tr>")
    words, share, _, _ = war_words(odds.scenario)
    baseline_words = war_words(odds.baseline)[0]
    return (f"<div class='monte-carlo' data-runs='{odds.scenario['runs']}' data-key='{escape(json.dumps(odds.scenario['outcomes']))}' "
            f"data-what-if='{odds.what_if}' "
            f"title='computed in {odds.seconds:.1f} s'>"
            f"<p class='war-words'><b>{escape(scenario_title(scenario_name))}</b>: <span class='war-share' data-share='{share}'>{words}</span>.</p>"
            f"<p class='baseline-words'>The baseline (1938 as the sources tell it): {baseline_words}.</p>"
            f"<p class='odds-help'>{REPLAYS_EXPLAINED.format(runs=odds.scenario['runs'])}</p>"
            "<table class='odds-table'><tr><th>What happens</th>"
            "<th><span style='color:#c44e52'>■</span> this what-if<br><span style='color:#9aa5b1'>■</span> baseline</th>"
            "<th>in 100 replays (very likely)</th><th>baseline</th></tr>"
            f"{''.join(rows)}</table>{military_html(odds)}{events_html(odds)}</div>")


def _bar(p: float, colour: str) -> str:
    """A probability as a bar in plain HTML (no plotting library, so nothing to fetch)."""
    return f"<div style='background:{colour};height:10px;width:{100 * p:.1f}%;min-width:1px;margin:2px 0'></div>"


def milestone_cells(item: Milestone) -> tuple[str, str]:
    """A milestone's 1938 and this-run cells. A non-event ("No shot is fired...") reads "true" or "not true", never a double negative."""
    if item.never:
        history = f"true (to {item.history:%-d %b})"
        run = f"not true: on {item.run:%-d %b}" if item.run else ("true" if item.reproduced is not None else "so far true")
        return history, run
    run = f"{item.run:%-d %b %Y}" if item.run else ("did not happen" if item.reproduced is not None else "not yet")
    return f"{item.history:%-d %b %Y}", run


def debrief_html(milestones: list[Milestone]) -> str:
    """The milestones as a table, 1938 beside this run, and how many of those decided went as in 1938."""
    if not milestones:
        return "<i>The dated record of 1938 is not available in this copy of the model.</i>"
    rows = []
    for item in milestones:
        history, run = milestone_cells(item)
        mark = {True: "✓ as in 1938", False: "✗ differs", None: "…"}[item.reproduced]
        colour = {True: "#177a33", False: "#b3121b", None: "#667"}[item.reproduced]
        rows.append(f"<tr class='milestone'><td>{escape(spelled(item.what))}</td><td>{history}</td><td>{run}</td>"
                    f"<td style='color:{colour};white-space:nowrap'>{mark}</td></tr>")
    agreed = sum(item.reproduced is True for item in milestones)
    decided = sum(item.reproduced is not None for item in milestones)
    return (f"<div class='debrief'><p>{agreed} of {decided} milestones decided so far went as in 1938 (each within a few days "
            f"of the recorded date).</p><table class='debrief-table'>"
            f"<tr><th>what</th><th>1938</th><th>this run</th><th></th></tr>"
            f"{''.join(rows)}</table></div>")


# What the number behind a slider rests on, in a teacher's words (``sim/engine/basis.py`` decides which applies); short,
# since ten sliders share a narrow column.
ASSUMED = "A modelling assumption or a reading of the sources, not fitted to the record."
FITTED = "Fitted to the record of 1938 (each replay draws its own: {mean:.2f} on average); moving it replaces the fit."
YOURS = "Your number, in place of the fit to the record of 1938."
SET_HERE = "Set by this what-if, in place of the fit to the record of 1938."
BOOK_VALUE = "Fitted to the record of 1938, but this what-if uses the model's own value instead."


def control_note(scenario: Scenario, name: str, moved: bool, book: RuleBook) -> str:
    """Whether the number behind a control is fitted to the record (and then that moving it replaces the fitted draws) or an
    assumption: a class weighing a what-if should know which of its numbers history fixes. Never names the parameter."""
    if basis(name, book) is Basis.ASSUMPTION:
        return ASSUMED
    if not draws_fit(scenario):
        return BOOK_VALUE
    if any(setting.name == name for setting in scenario_settings(scenario, book)):
        return YOURS if moved else SET_HERE
    return FITTED.format(mean=typical_value(scenario, name, book))


HOW_TO_USE = "Choose a what-if, press ▶ or Step to watch one replay day by day; the odds count 2,000 replays."

# The page's style: a projector layout (the controls in a narrow left column, the map at least half the width,
# text at least 14 px), light colours only. app.py puts it on the page with solara.Style.
PAGE_CSS = """
.classroom { display: grid; grid-template-columns: minmax(210px, 25%) minmax(0, 1fr); gap: 10px; font-size: 16px; line-height: 1.35; }
.classroom .side { min-width: 0; }
.classroom .side .v-card { margin-bottom: 8px !important; }
.classroom .side .v-card__title { font-size: 17px; padding: 8px 12px 0 12px; word-break: normal; }
.classroom .main { display: grid; grid-template-columns: minmax(0, 1fr); gap: 10px; align-content: start; min-width: 0; }
.classroom .main .v-card__title { font-size: 19px; word-break: normal; }
@media (min-width: 1500px) { .classroom .main { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); } }
.classroom .how-to-use { font-size: 15px; margin: 4px 0; }
.classroom .run-buttons { display: flex; flex-wrap: wrap; gap: 6px; }
.classroom .run-buttons .v-btn { min-width: 0 !important; padding: 0 9px !important; text-transform: none; font-size: 15px; letter-spacing: 0; }
.classroom .run-card .v-card__text, .classroom .run-card { padding-top: 4px !important; }
.classroom .control-label { font-size: 15px; }
.classroom .control-basis { font-size: 14px; color: #333; font-style: italic; margin: -4px 0 8px 0; line-height: 1.25; }
.classroom .question { color: #333; font-style: italic; }
.classroom .scenario-about, .classroom .lens-about { font-size: 14px; color: #333; }
.classroom .date-big { font-size: 1.35em; font-weight: bold; }
.classroom .crisis-map { max-height: calc(100vh - 150px); }
.classroom .narration { max-height: 460px; overflow-y: auto; }
.classroom .narration .entry { margin-bottom: 0.5em; }
.classroom .cite { color: #444; font-size: 14px; margin-left: 1.2em; }
.classroom .alerts { max-height: 320px; overflow-y: auto; }
.classroom .alert { padding-left: 6px; margin-bottom: 6px; }
.classroom .odds-table, .classroom .debrief-table { width: 100%; border-collapse: collapse; }
.classroom .odds-table th, .classroom .debrief-table th { text-align: left; padding: 2px 8px 2px 0; vertical-align: bottom; font-size: 14px; }
.classroom .odds-table td, .classroom .debrief-table td { padding: 3px 8px 3px 0; vertical-align: top; }
.classroom .odds-table .bars { width: 35%; }
.classroom .odds-table .p { white-space: nowrap; }
.classroom .meaning, .classroom .odds-help, .classroom .interval { font-size: 14px; color: #444; }
.classroom .war-words { font-size: 1.15em; margin-bottom: 2px; }
.classroom .events-table, .classroom .military-table { width: 100%; border-collapse: collapse; margin-top: 10px; }
.classroom .events-table th, .classroom .military-table th { text-align: left; font-size: 14px; padding: 2px 8px 2px 0; }
.classroom .events-table td, .classroom .military-table td { padding: 2px 8px 2px 0; vertical-align: top; color: #222; }
.classroom .moved-nothing { background: #fff4d6; border-left: 4px solid #c26a00; padding: 6px 8px; }
.v-application .v-btn.v-btn--icon.theme-toggle, .v-application .solara-theme-toggle { display: none; }
"""
