"""The classroom app: one rollout of a what-if unfolding day by day, and the odds of war beside history's.

``python run.py ui [--port N] [--host H]`` serves a Mesa SolaraViz page on 127.0.0.1. SolaraViz
steps, plays and resets the model (``ClassroomModel``: one recorded rollout of the chosen
scenario); the sidebar holds what a class argues about, each control applied through the
scenario's own ``--set`` path. This module is the page only (solara components); what it shows
is computed elsewhere, so it can be tested without a browser: the choices, the model, the odds
and the debrief in ``sim/presentation/classroom.py``, the treaty alerts derived from the rule
book's actions in ``sim/presentation/alerts.py``, each panel's HTML in
``sim/presentation/panels.py``, the schematic map in ``sim/presentation/map.py`` and the
narration with each step's source footnotes in ``sim/presentation/narrate.py``.

Nothing is fetched from the internet: the page's scripts and fonts come from the solara-assets
package through the local server, and solara's telemetry is switched off.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import socket
import warnings
from collections.abc import Callable
from html import escape

from sim.book.rules import RuleBook, load_rulebook
from sim.presentation import map as crisis_map
from sim.presentation.classroom import (
    GAPS,
    MONTE_CARLO_RUNS,
    PASSAGE,
    RESOLVE,
    TOGGLES,
    Choice,
    ClassroomModel,
    debrief,
    monte_carlo,
    parameter_value,
    scenario_names,
    scenario_of,
)
from sim.presentation.panels import alerts_html, debrief_html, narration_html, odds_html, status_html

try:  # the ui extra; without it `python run.py ui` says how to install it, and no page is built
    import solara
except ImportError:
    solara = None

DEFAULT_PORT = 8765
INSTALL = "pip install -e '.[ui]'"


# ------------------------------------------------------------------ solara components (need the ui extra)
def component(function: Callable) -> Callable:
    """``solara.component`` where the ui extra is installed; without it nothing is served and the function stays plain."""
    return solara.component(function) if solara is not None else function


def _redraw_every_step() -> None:
    """Subscribe the calling component to SolaraViz's step counter, so that it is drawn again after every step."""
    from mesa.visualization.utils import update_counter

    update_counter.get()


def _html(markup: str) -> None:
    solara.HTML(tag="div", unsafe_innerHTML=markup)  # all text in it is escaped (sim/presentation/panels.py and the callers here)


@component
def crisis_panel(model: ClassroomModel) -> None:
    """The date and the map (re-rendered on every step)."""
    _redraw_every_step()
    with solara.Card("The crisis, day by day"):
        _html(status_html(model))
        date_caption = f"{model.date:%d %b %Y}" if model.date else ""
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
def odds_panel(model: ClassroomModel) -> None:
    """The Monte Carlo, recomputed (in a thread) whenever the choice changes, not on every step."""
    choice = model.choice
    task = solara.lab.use_task(lambda: monte_carlo(choice), dependencies=[choice], prefer_threaded=True)
    with solara.Card(f"The odds: {MONTE_CARLO_RUNS:,} rollouts of this what-if beside the baseline"):
        if task.error:
            solara.Error(f"The Monte Carlo failed: {task.exception}")
        elif task.latest is not None:
            # Named after the what-if these numbers are of: while a new choice runs, the last result stays on show.
            _html(odds_html(task.latest, task.latest.scenario["scenario"]))
        if task.pending:
            solara.Text("running the rollouts…", classes=["monte-carlo-running"])


@component
def debrief_panel(model: ClassroomModel) -> None:
    _redraw_every_step()
    with solara.Card("Debrief: this run beside the record of 1938"):
        _html(debrief_html(debrief(model)))


def _slider(name: str, label: str, value: float, book: RuleBook, on_value: Callable[[float], None]) -> None:
    low, high = book.parameters()[name].range
    with solara.Column(classes=[f"control-{name.replace('.', '-')}"], gap="0px"):
        solara.Text(f"{label}: {value:.2f}", style="font-size: 0.85em")
        solara.SliderFloat("", value=value, min=float(low), max=float(high), step=0.05, on_value=on_value)


@component
def controls(choice: solara.Reactive, apply: Callable[[Choice], None]) -> None:
    """The sidebar controls: each change rebuilds the rollout from day 0 with the new what-if.

    Solara orders sidebar content by its depth in the component tree; the extra Column puts these
    cards deeper than SolaraViz's, so that Step, Play and Reset come first.
    """
    book = load_rulebook()
    current: Choice = choice.value
    scenario = scenario_of(current)
    with solara.Column(), solara.Sidebar():
        with solara.Card("What if?"):
            solara.Select("Scenario", values=scenario_names(), value=current.scenario, classes=["scenario-chooser"],
                          on_value=lambda name: apply(Choice(scenario=name, rollout=current.rollout)))
            _html(f"<p style='font-style:italic'>{escape(scenario.question)}</p>")  # not solara.Markdown: it fetches KaTeX
            for name, label in TOGGLES.items():
                solara.Checkbox(label=label, value=name in current.toggles, on_value=lambda on, name=name: apply(choice.value.toggled(name, on)))
            lenses = ["the scenario's own", *book.lenses]
            solara.Select("Reading of the sources (lens)", values=lenses, value=current.lens or lenses[0], classes=["lens-chooser"],
                          on_value=lambda lens: apply(dataclasses.replace(choice.value, lens=None if lens == lenses[0] else lens)))
            solara.InputInt("Rollout shown", value=current.rollout,
                            on_value=lambda k: apply(dataclasses.replace(choice.value, rollout=max(0, int(k or 0)))))
        for title, group in (("Resolve", RESOLVE), ("Romanian passage", PASSAGE), ("Information gaps", GAPS)):
            with solara.Card(title):
                for name, label in group.items():
                    shown = current.value(name)
                    value = parameter_value(scenario, name, book) if shown is None else shown
                    _slider(name, label, value, book, lambda value, name=name: apply(choice.value.moved(name, value)))
        if current.sets():
            with solara.Card("Applied with --set"):
                _html("<ul class='applied-sets'>" + "".join(f"<li><code>{escape(item)}</code></li>" for item in current.sets()) + "</ul>")


@component
def Page() -> None:  # solara serves the component named Page
    """The whole app: SolaraViz (app bar, Step, Play, Reset) with the class's controls in its sidebar and the panels below."""
    from mesa.visualization import SolaraViz

    choice = solara.use_reactive(Choice())
    first = solara.use_memo(lambda: ClassroomModel(choice.get), [])  # each visitor steps a model of their own
    model = solara.use_reactive(first)

    def apply(new: Choice) -> None:
        choice.value = new
        model.value = ClassroomModel(new)

    # Reset rebuilds the model from model_params: a function, so that it uses the choice of the moment.
    SolaraViz(model, components=[], model_params={"choice": choice.get}, name="Munich 1938: what if?", play_interval=150)
    controls(choice, apply)
    with solara.Columns([3, 2]):
        crisis_panel(model.value)
        narration_panel(model.value)
    with solara.Columns([3, 2]):
        odds_panel(model.value)
        alerts_panel(model.value)
    debrief_panel(model.value)


# ------------------------------------------------------------------ serving (`python run.py ui`: sim/cli/ui.py)
def missing_ui() -> list[str]:
    """The ui extra's packages that are not installed (solara-assets serves the page's scripts without the internet)."""
    return [package for package, module in (("solara", "solara"), ("mesa[rec]", "altair"), ("solara-assets", "solara_assets"))
            if importlib.util.find_spec(module) is None]


def port_free(host: str, port: int) -> bool:
    """Whether the server could bind host:port now: checked before the slow start, so a taken port is one clear message."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: a recently closed port is free
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def serve(host: str, port: int) -> None:
    """Run solara's server on host:port for this module's Page, offline: local assets, no telemetry, production mode."""
    import mesa.visualization  # noqa: F401  (imported now, not on the first visitor's page view)
    import solara.server.settings as server_settings
    import uvicorn

    monte_carlo(Choice())  # the first view's odds, and the baseline every later Monte Carlo is compared with
    os.environ["SOLARA_APP"] = __name__  # read by solara's server when it is imported
    solara.settings.assets.proxy = True  # scripts from the local asset cache (solara-assets), never from a CDN
    server_settings.telemetry.mixpanel_enable = False
    server_settings.main.mode = "production"
    server_settings.theme.show_banner = False
    # Solara warns on every page served over plain http to 127.0.0.1 that its cookie falls back to SameSite=Lax: right for us.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
