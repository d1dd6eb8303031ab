"""The classroom page's panels: what the class watches (the crisis and its map, the narration, the odds, the alerts, the debrief).

Each is a solara card around HTML made in ``sim/presentation/panels.py`` (escaped there); the
panels that follow the run are drawn again after every step.
"""

from __future__ import annotations

from sim.book.rules import load_rulebook
from sim.presentation import map as crisis_map
from sim.presentation.classroom import MONTE_CARLO_RUNS, Choice, ClassroomModel, debrief, odds_of, unmoved
from sim.presentation.page_parts import component, solara
from sim.presentation.page_parts import html as _html
from sim.presentation.page_parts import redraw_every_step as _redraw_every_step
from sim.presentation.panels import alerts_html, debrief_html, narration_html, odds_html, status_html, unmoved_html


@component
def crisis_panel(model: ClassroomModel) -> None:
    """The date and the map (re-rendered on every step)."""
    _redraw_every_step()
    with solara.Card("The crisis, day by day", classes=["crisis-card"]):
        _html(status_html(model))
        date_caption = f"{model.date:%-d %b %Y}" if model.date else ""
        _html(crisis_map.svg(crisis_map.view_of(model, caption=date_caption)))


@component
def narration_panel(model: ClassroomModel) -> None:
    _redraw_every_step()
    with solara.Card("What happened, and the sources"):
        _html(narration_html(model))


@component
def alerts_panel(model: ClassroomModel) -> None:
    _redraw_every_step()
    with solara.Card("Treaty alerts"):
        _html(alerts_html(model))


@component
def odds_panel(model: ClassroomModel, before: Choice | None) -> None:
    """The odds, recomputed (in a thread) whenever the choice changes, not on every step; with a note if the change
    from ``before`` (the choice before the last change) moved nothing."""
    choice = model.choice

    def compute():
        odds = odds_of(choice)
        return odds, (unmoved(before, choice, odds_of(before), odds, load_rulebook()) if before is not None else None)

    task = solara.lab.use_task(compute, dependencies=[choice, before], prefer_threaded=True)
    with solara.Card(f"The odds: {MONTE_CARLO_RUNS:,} replays of this what-if beside 1938's"):
        if task.error:
            solara.Error(f"The odds could not be computed: {task.exception}")
        elif task.latest is not None:
            # Named after the what-if these numbers are of: while a new choice runs, the last result stays on show.
            odds, change = task.latest
            _html(unmoved_html(change) + odds_html(odds, odds.scenario["scenario"]))
        if task.pending:
            solara.Text("replaying…", classes=["monte-carlo-running"])


@component
def debrief_panel(model: ClassroomModel) -> None:
    _redraw_every_step()
    with solara.Card("Debrief: this run beside the record of 1938"):
        _html(debrief_html(debrief(model)))


