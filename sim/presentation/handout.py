"""The teacher's briefing on a scenario's results: one self-contained HTML page, laid out for A4.

``python run.py SCENARIO.yaml --report handout.html --handout teacher`` writes it (the default,
``--handout student``, is ``student_handout.py``'s worksheet): the question, what the
scenario changes about history (read from the Scenario object, with the scenario file's own
comment on each changed line), the outcomes with 95% intervals beside the baseline's, the
plots (embedded as PNG data), the rules that carried the outcome with their citations, and a
sample rollout told day by day. Nothing is linked or fetched: styles are inline, images are
data, fonts are the reader's own. The file is written to a temporary file beside the target
and moved into place only when complete.
"""

from __future__ import annotations

import base64
import tempfile
from html import escape
from pathlib import Path

from sim.book.inputs import InputError
from sim.book.rules import FRAGMENT, MAIN_TEXT, Evidence, Rule, RuleBook, load_rulebook
from sim.book.scenario import Scenario
from sim.book.vocabulary import EVENTS, MILITARY_MEANINGS, OUTCOME_MEANINGS, STATE_NAMES
from sim.experiments.runner import Tally
from sim.experiments.targets import atomic_text, check_file
from sim.presentation import report, student_handout
from sim.presentation.handout_parts import (  # noqa: F401 (changes and trailing_comment: this module's public names too)
    SOURCE_NAMES,
    Change,
    baseline_tally,
    carrying_rules,
    changes,
    cites,
    latest,
    sample_rollout,
    sample_story,
    trailing_comment,
)
from sim.presentation.narrate import Entry

# Two A4 pages hold about this many characters of description, changes and story (measured on benes_fights
# with Chromium's print; 8,000 fits, 9,000 no longer does since the narration names office-holders): the story keeps its
# latest steps (the climax) within what the rest leaves.
PAGE_BUDGET = 7800


def footnotes(evidence: list[Evidence] | tuple[Evidence, ...]) -> str:
    """The shortest citation, for the day-by-day story: fn 13, 21; Geneva; ext."""
    notes = [str(item.footnote) for item in evidence if item.source == MAIN_TEXT]
    parts = [f"fn {', '.join(dict.fromkeys(notes))}"] if notes else []
    parts += ["Geneva"] * any(item.source == FRAGMENT for item in evidence) + ["ext."] * any(item.source == "external" for item in evidence)
    return "; ".join(parts)


def _png_data(draw, *args) -> str:
    """A report.py plot, drawn into a temporary file and returned as a data URL."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plot.png"
        draw(*args, path)
        return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


# ------------------------------------------------------------------ HTML
STYLE = """
@page { size: A4; margin: 10mm 11mm 10mm 11mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 8.6pt; line-height: 1.3;
       color: #111; margin: 0 auto; max-width: 188mm; }
h1 { font-size: 14pt; margin: 0 0 1mm 0; }
h2 { font-size: 10.5pt; margin: 3mm 0 1mm 0; border-bottom: 0.4pt solid #999; break-after: avoid; }
p { margin: 0.8mm 0; }
.question { font-size: 10.5pt; font-style: italic; }
.muted { color: #555; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.4mm 1.2mm; border-bottom: 0.3pt solid #ddd; }
th { background: #eee; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
ul { margin: 0.5mm 0 0.5mm 4mm; padding: 0; }
li { margin: 0.3mm 0; }
.plots { display: flex; gap: 3mm; }
.plots { justify-content: space-around; }
.plots img { max-width: 48%; max-height: 44mm; height: auto; }
.story { font-size: 7pt; line-height: 1.22; columns: 2; column-gap: 5mm; }
.story p { margin: 0 0 0.4mm 0; break-inside: avoid; }
.id { color: #666; font-size: 7pt; }
.small { font-size: 7pt; color: #333; margin-top: 2mm; border-top: 0.4pt solid #999; }
.date { font-weight: bold; }
.cite { color: #444; font-style: italic; }
.side { display: flex; gap: 4mm; }
.side > div { flex: 1; }
"""


def handout_html(scenario: Scenario, tally: Tally, result: dict, baseline: Tally | None, rollout: int, book: RuleBook | None = None) -> str:
    """The whole handout as one HTML document."""
    book = book or load_rulebook()
    story, outcome = sample_story(scenario, rollout)
    found = changes(scenario, book)
    rules = {rule.id: rule for rule in (*book.rules, *scenario.add_rules)}
    parts = [
        f"<h1>Munich 1938, what if? <span class='muted'>{escape(scenario.name)}</span></h1>",
        f"<p class='question'>{escape(scenario.question)}</p>",
        f"<p>{escape(' '.join(scenario.description.split()))}</p>" if scenario.description else "",
        "<h2>What this scenario changes about history</h2>",
        _changes_html(found),
        f"<h2>What followed, in {tally.runs:,} rollouts (seed {scenario.seed})</h2>",
        "<div class='side'>",
        f"<div>{_outcomes_html(result, baseline)}{_military_html(result, baseline)}</div>",
        f"<div>{_events_html(result, baseline)}</div>",
        "</div>",
        "<div class='plots'>",
        f"<img alt='Outcome probabilities with 95% intervals' src='{_png_data(report.plot_outcomes, result, scenario)}'>",
        f"<img alt='Probability that each state is at war, by date' src='{_png_data(report.plot_war_by_date, tally, scenario)}'>",
        f"<img alt='How long Czechoslovakia held once attacked' src='{_png_data(report.plot_held, result)}'>" if result["attacked"] else "",
        "</div>",
        "<h2>The rules that carried the outcome</h2>",
        _rules_html(result, baseline, rules),
        f"<h2>A sample rollout told day by day (rollout {rollout}: {escape(outcome.replace('_', ' '))})</h2>",
        _story_html(story, scenario, rules, rollout, story_room(scenario, found)),
        _footer_html(scenario, tally, rollout),
    ]
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>Munich 1938: {escape(scenario.name)}</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(part for part in parts if part) + "\n</body></html>\n")


def _changes_html(found: list[Change]) -> str:
    if not found:
        return "<p>Nothing: this is history as the rule book documents it (the baseline).</p>"
    items = "".join(f"<li>{escape(change.text)}" + (f" <span class='cite'>{escape(change.note)}</span>" if change.note else "") + "</li>"
                    for change in found)
    return f"<ul>{items}</ul>"


def _share(share: dict) -> str:
    return f"<td class='n'>{share['p']:.2f}</td><td class='n'>[{share['lo']:.2f}, {share['hi']:.2f}]</td>"


def _baseline_cell(baseline: Tally | None, count: int) -> str:
    return f"<td class='n'>{count / baseline.runs:.2f}</td>" if baseline is not None else ""


def _shares_html(result: dict, baseline: Tally | None, key: str, meanings: dict[str, str], note: str = "") -> str:
    """One table of shares (``key``: "outcomes" or "military") beside the baseline's, with each name's meaning below."""
    label = {"outcomes": "outcome", "military": "military result"}[key]
    counts = getattr(baseline, key) if baseline else {}
    head = f"<tr><th>{label}</th><th>p</th><th>95% interval</th>" + ("<th>baseline</th>" if baseline else "") + "</tr>"
    rows = "".join(f"<tr><td title='{escape(meaning)}'>{name.replace('_', ' ')}</td>{_share(result[key][name])}"
                   f"{_baseline_cell(baseline, counts.get(name, 0))}</tr>" for name, meaning in meanings.items())
    words = "; ".join(f"<b>{name.replace('_', ' ')}</b>: {escape(meaning)}" for name, meaning in meanings.items())
    return f"<table>{head}{rows}</table><p class='muted'>{words}.{note}</p>"


def _outcomes_html(result: dict, baseline: Tally | None) -> str:
    return _shares_html(result, baseline, "outcomes", OUTCOME_MEANINGS)


def _military_html(result: dict, baseline: Tally | None) -> str:
    """The military result at the horizon beside the baseline's, each with its meaning, and the median days held once attacked."""
    return _shares_html(result, baseline, "military", MILITARY_MEANINGS, f" {escape(report.held_line(result))}")


def _events_html(result: dict, baseline: Tally | None) -> str:
    head = "<tr><th>event</th><th>p</th><th>95% interval</th>" + ("<th>baseline</th>" if baseline else "") + "</tr>"
    rows = "".join(f"<tr><td>{name.replace('_', ' ')}</td>{_share(result['events'][name])}"
                   f"{_baseline_cell(baseline, baseline.events[name] if baseline else 0)}</tr>" for name in EVENTS)
    return f"<table>{head}{rows}</table>"


def _rules_html(result: dict, baseline: Tally | None, rules: dict[str, Rule]) -> str:
    chosen = carrying_rules(result, baseline)
    how = "fired most differently from the baseline" if baseline else "fired most often"
    head = "<tr><th>rule: what it does</th><th>fired</th>" + ("<th>baseline</th>" if baseline else "") + "<th>evidence</th></tr>"
    rows = []
    for rule_id, share, before in chosen:
        rule = rules[rule_id]
        cell = f"<td class='n'>{before:.2f}</td>" if before is not None else ""
        rows.append(f"<tr><td>{escape(STATE_NAMES[rule.actor])}: {escape(' '.join(rule.summary.split()))} <span class='id'>{escape(rule_id)}</span></td>"
                    f"<td class='n'>{share:.2f}</td>{cell}<td class='cite'>{escape(cites(rule.evidence))}</td></tr>")
    return f"<p class='muted'>The {len(chosen)} rules that {how}, with the share of rollouts in which each fired.</p><table>{head}{''.join(rows)}</table>"


def story_room(scenario: Scenario, found: list[Change]) -> int:
    """Characters left for the story once the description and the changes are printed."""
    return PAGE_BUDGET - len(scenario.description) - sum(len(change.text) + len(change.note) for change in found)


def _story_html(story: list[Entry], scenario: Scenario, rules: dict[str, Rule], rollout: int, room: int) -> str:
    paragraphs, day = [], None
    left_out, story = latest(story, room)
    if left_out:
        paragraphs.append(f"<p class='muted'>{len(left_out)} earlier steps, {scenario.date_of(left_out[0].day):%d %b} to "
                          f"{scenario.date_of(left_out[-1].day):%d %b}, are left out here; <code>--narrate {rollout}</code> tells them all.</p>")
    for entry in story:
        stamp = f"<span class='date'>{scenario.date_of(entry.day):%d %b}</span> " if entry.day != day else ""
        day = entry.day
        cite = f" <span class='cite'>({escape(footnotes(rules[entry.rule].evidence))})</span>" if entry.rule else ""
        paragraphs.append(f"<p>{stamp}{escape(entry.text)}{cite}</p>")
    return f"<div class='story'>{''.join(paragraphs)}</div>"


def _footer_html(scenario: Scenario, tally: Tally, rollout: int) -> str:
    file = scenario.where.get("name", ("SCENARIO.yaml", None))[0]
    sources = "; ".join(f"<b>{'Carley' if source == MAIN_TEXT else 'Geneva fragment'}</b>: {escape(name)} (file {source})"
                        for source, name in SOURCE_NAMES.items())
    return (f"<p class='small'><b>Sources and how to repeat this.</b> {sources}. Footnote numbers are Carley's. "
            f"Every number above comes from <code>python run.py {escape(file)} --runs {tally.runs} --seed {scenario.seed}</code>; "
            f"the story is <code>--narrate {rollout}</code>. Intervals are 95% Wilson intervals.</p>")


# The formats of ``--handout``: the student handout (the default) and this module's teacher's briefing.
FORMATS = ("student", "teacher")


def handout_text(scenario: Scenario, tally: Tally, result: dict, audience: str = "student") -> str:
    """The handout of a run in the chosen format, with the baseline beside it and the sample rollout it tells."""
    if audience not in FORMATS:
        raise InputError(f"unknown handout {audience!r}; choose one of {', '.join(FORMATS)}", key="--handout")
    draw = student_handout.student_html if audience == "student" else handout_html
    return draw(scenario, tally, result, baseline_tally(scenario, tally.runs), sample_rollout(scenario, result))


def write_handout(path: Path, scenario: Scenario, tally: Tally, result: dict, audience: str = "student") -> None:
    """Write the handout to ``path``: a temporary file in the same folder, moved into place only when complete.

    The command line checks ``path`` before the run (``targets.check_file``); it is checked again here for other callers.
    """
    check_file(path, "--report")
    atomic_text(path, handout_text(scenario, tally, result, audience))
