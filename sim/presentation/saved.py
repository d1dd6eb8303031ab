"""Saved what-ifs, two side by side: their odds in words and numbers, and how they differ.

The page's address already holds a what-if (scenario, lens, switches, controls, replay:
``sim/presentation/classroom.py``'s ``address``), so a saved what-if is an address with a name the
class can read; it is read back with ``from_address``, as a link would be. The odds are the page's
own (``odds_of``: the replays every what-if shares), and the differences are named as the page
names its controls. The page's part is ``sim/presentation/page_whatifs.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from sim.book.rules import RuleBook
from sim.book.vocabulary import OUTCOMES
from sim.presentation.classroom import (
    GAPS,
    PASSAGE,
    RESOLVE,
    TOGGLES,
    Choice,
    Odds,
    address,
    from_address,
    lens_title,
    parameter_value,
    scenario_of,
    scenario_title,
)
from sim.presentation.panels import OUTCOME_TITLES, in_100, spelled, war_words

CONTROLS = {**RESOLVE, **PASSAGE, **GAPS}


@dataclass(frozen=True)
class Saved:
    """A saved what-if: its address (the query string a link to it carries) and the name the page shows."""

    address: str
    title: str

    def choice(self, book: RuleBook) -> Choice:
        """The what-if the address holds (read as the page reads a link; the address was written by the page, so it is whole)."""
        return from_address(self.address, book)[0]


def save(choice: Choice, number: int) -> Saved:
    """The what-if ``choice`` saved as number ``number`` ("What-if 2: Beneš fights, 1 control moved")."""
    return Saved(address(choice), f"What-if {number}: {choice_words(choice)}")


def choice_words(choice: Choice) -> str:
    """A what-if in a few words: its scenario, the reading if not its own, the switches, how many controls were moved."""
    parts = [scenario_title(choice.scenario)]
    if choice.lens is not None:
        parts.append(lens_title(choice.lens))
    parts += [spelled(TOGGLES[name].split(":")[0]) for name in choice.toggles]
    if choice.values:
        parts.append(f"{len(choice.values)} control{'s' if len(choice.values) > 1 else ''} moved")
    if choice.rollout:
        parts.append(f"replay no. {choice.rollout + 1}")
    return ", ".join(parts)


def differences(first: Choice, second: Choice, book: RuleBook) -> list[tuple[str, str, str]]:
    """How two what-ifs differ, as (what, in the first, in the second), in the page's words; each control by its value in effect."""
    found = []
    one, two = scenario_of(first), scenario_of(second)
    if first.scenario != second.scenario:
        found.append(("Scenario", scenario_title(first.scenario), scenario_title(second.scenario)))
    if one.lens != two.lens:
        found.append(("Reading of the sources", lens_title(one.lens), lens_title(two.lens)))
    for name, label in TOGGLES.items():
        if first.ticked(name) != second.ticked(name):
            found.append((spelled(label.split(":")[0]), _on(first.ticked(name)), _on(second.ticked(name))))
    for name, label in CONTROLS.items():
        left, right = parameter_value(one, name, book), parameter_value(two, name, book)
        if left != right:
            found.append((spelled(label), f"{left:.2f}", f"{right:.2f}"))
    if first.rollout != second.rollout:
        found.append(("Replay shown (the odds do not depend on it)", str(first.rollout + 1), str(second.rollout + 1)))
    return found


def _on(ticked: bool) -> str:
    return "yes" if ticked else "no"


def side_by_side_html(first: Saved, second: Saved, odds: tuple[Odds, Odds], book: RuleBook) -> str:
    """Two saved what-ifs side by side: war in words, each outcome in 100 replays with the difference, and what differs."""
    one, two = odds
    heads = "".join(f"<th class='whatif-title'>{escape(saved.title)}</th>" for saved in (first, second))
    war = "".join(f"<td class='war-words'>{escape(war_words(result.scenario)[0])}</td>" for result in odds)
    rows = []
    for name in OUTCOMES:
        left, right = (in_100(result.scenario["outcomes"][name]["p"]) for result in odds)
        rows.append(f"<tr data-outcome='{name}'><td>{OUTCOME_TITLES[name]}</td><td class='p'>{left}</td><td class='p'>{right}</td>"
                    f"<td class='p'>{right - left:+d}</td></tr>")
    war_left, war_right = war_words(one.scenario)[1], war_words(two.scenario)[1]
    found = differences(first.choice(book), second.choice(book), book)
    differ = "".join(f"<tr><td>{escape(what)}</td><td>{escape(left)}</td><td>{escape(right)}</td></tr>" for what, left, right in found)
    differ = differ or "<tr><td colspan='3'>Nothing: they are the same what-if.</td></tr>"
    return ("<div class='side-by-side'>"
            f"<table class='whatif-war'><tr>{heads}</tr><tr>{war}</tr></table>"
            "<table class='whatif-odds'><tr><th>In 100 replays</th><th>first</th><th>second</th><th>second minus first</th></tr>"
            f"{''.join(rows)}<tr class='war-row'><td><b>War (either kind)</b></td><td class='p'><b>{war_left}</b></td>"
            f"<td class='p'><b>{war_right}</b></td><td class='p'><b>{war_right - war_left:+d}</b></td></tr></table>"
            "<table class='whatif-differ'><tr><th>How they differ</th><th>first</th><th>second</th></tr>"
            f"{differ}</table></div>")
