"""The classroom app's panels as HTML strings: plain functions, so they can be tested without a browser or solara.

``sim/presentation/app.py`` puts each into a solara card; everything read from the model or the
rule book is escaped here, since the cards insert the markup as it is.
"""

from __future__ import annotations

import json
from html import escape

from sim.engine.outcomes import OUTCOME_MEANINGS, OUTCOMES
from sim.presentation.classroom import ClassroomModel, Milestone, Odds
from sim.presentation.narrate import entries


def status_html(model: ClassroomModel) -> str:
    """The date, day and rollout, and the outcome once there is one; ``data-day`` lets a test wait for a step."""
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
    """The treaty alerts so far, newest first, each with its date, its kind in colour and the short form of its sources."""
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
    """A probability as a bar in plain HTML (no plotting library, so nothing to fetch)."""
    return f"<div style='background:{colour};height:9px;width:{100 * p:.1f}%;min-width:1px;margin:1px 0'></div>"


def debrief_html(milestones: list[Milestone]) -> str:
    """The milestones as a table, 1938 beside this run, and how many of those decided went as in 1938."""
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
