"""The timeline bar: 1938's recorded milestones on the scenario's calendar, and where this replay is today.

The milestones are the dated observations of the calibration's record (``calibration/record.yaml``,
read once through ``sim/experiments/calibrate.py``'s ``load_record``, never parsed here): each date
the record gives, with what really happened then and its source ("Carley, fn 40"). Non-events (no
war in 1938) have no date to mark and are left to the debrief. The bar is HTML (escaped here); the
page adds a button for each milestone (``sim/presentation/page_timeline.py``) that says what happened
and lets the teacher go to that day (``sim/presentation/replays.py``'s ``jump``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from html import escape

from sim.book.inputs import InputError
from sim.book.scenario import Scenario
from sim.presentation.explain import short_cite
from sim.presentation.panels import spelled


@dataclass(frozen=True)
class Mark:
    """A date of the record: what really happened then, each with its source in words."""

    when: date
    happened: tuple[tuple[str, str], ...]  # (what, source), in the record's order

    @property
    def label(self) -> str:
        return f"{self.when:%-d %b}"

    def words(self) -> str:
        """What really happened that day, with the sources: for the button's tooltip and the panel below the bar."""
        items = "; ".join(f"{spelled(what.rstrip('.'))} ({source})" for what, source in self.happened)
        return f"{self.when:%-d %B %Y}: {items}."


@functools.cache
def _record_marks() -> tuple[Mark, ...]:
    """Every dated milestone of the record, one mark a date (empty where the checkout has no record)."""
    try:
        from sim.experiments.calibrate import RECORD_PATH, load_record

        record = load_record(RECORD_PATH)
    except (ImportError, OSError, ValueError, InputError):  # no calibration in this checkout: no milestones to mark
        return ()
    by_date: dict[date, list[tuple[str, str]]] = {}
    for item in record.observations:
        if not item.never:
            by_date.setdefault(item.date, []).append((" ".join(item.what.split()), short_cite(item.source)))
    return tuple(Mark(when, tuple(items)) for when, items in sorted(by_date.items()))


def marks(scenario: Scenario) -> list[Mark]:
    """The record's milestones within the scenario's window."""
    return [mark for mark in _record_marks() if scenario.start <= mark.when <= scenario.end]


def day_of(scenario: Scenario, mark: Mark) -> int:
    """How many days a replay has simulated once it has simulated the milestone's date (what ``jump`` takes)."""
    return scenario.day_of(mark.when) + 1


def _left(scenario: Scenario, when: date) -> float:
    """Where a date sits on the bar, in percent of its width."""
    return 100 * (when - scenario.start).days / max(1, scenario.days - 1)


def _month_starts(scenario: Scenario) -> list[date]:
    """The first day of every month inside the scenario's window (into 1939 when the window runs there)."""
    firsts = (date(scenario.start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1) for month in range(1, 25))
    return [day for day in firsts if scenario.start <= day <= scenario.end]


def bar_html(scenario: Scenario, today: date | None, found: list[Mark], chosen: date | None = None) -> str:
    """The bar: the months, a mark on each milestone (its words on hover), and today's place (``today``: the last day simulated)."""
    months = "".join(f"<span class='timeline-month' style='left:{_left(scenario, day):.2f}%'>{day:%b}</span>"
                     for day in _month_starts(scenario))
    dots = "".join(f"<span class='timeline-dot{' passed' if today and mark.when <= today else ''}{' chosen' if mark.when == chosen else ''}' "
                   f"data-date='{mark.when.isoformat()}' title='{escape(mark.words())}' style='left:{_left(scenario, mark.when):.2f}%'></span>"
                   for mark in found)
    where = today or scenario.start
    said = f"today: {today:%-d %B}" if today else f"{scenario.start:%-d %B}, before the first day"
    place = _left(scenario, where)
    anchor = "right" if place > 70 else "left"  # the label stays inside the bar at either end
    label_at = f"{anchor}:{(100 - place) if anchor == 'right' else place:.2f}%"
    return (f"<div class='timeline-bar' data-today='{where.isoformat()}'>"
            f"<div class='timeline-track'><div class='timeline-done' style='width:{place:.2f}%'></div>{dots}"
            f"<span class='timeline-today' style='left:{place:.2f}%'></span></div>"
            f"<div class='timeline-months'>{months}</div>"
            f"<div class='timeline-today-label' style='{label_at}'>{escape(said)}</div></div>")
