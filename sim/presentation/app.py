"""The classroom app: one replay of a what-if unfolding day by day, and the odds of war beside history's.

``python run.py ui [--port N] [--host H]`` serves the page on 127.0.0.1. By default it is the
classroom mode: a "how to use" line, Reset, ▶/❚❚, Step and "to the end" (which always work: a
change starts again from 12 March, and at the end ▶ and Step start the run again), the what-if
(scenario and lens by title with their descriptions, switches, sliders) in a narrow left column
and the map at least half the width. An "advanced" switch brings back Mesa's SolaraViz with its
developer controls and the command line's overrides. The model the page steps is a Mesa model
(``ClassroomModel``: one recorded rollout of the chosen scenario); each control is applied through
the scenario's own ``--set`` path. This module is the page only (solara components); what it shows
is computed elsewhere, so it can be tested without a browser: the choices, the model, the odds
and the debrief in ``sim/presentation/classroom.py``, the treaty alerts derived from the rule
book's actions in ``sim/presentation/alerts.py``, each panel's HTML (and the page's style) in
``sim/presentation/panels.py``, the schematic map in ``sim/presentation/map.py`` and the
narration with each step's sources in ``sim/presentation/narrate.py``.

Nothing is fetched from the internet: the page's scripts and fonts come from the solara-assets
package through the local server, and solara's telemetry is switched off.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import socket
import time
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
    address,
    debrief,
    from_address,
    lens_title,
    odds_of,
    parameter_value,
    scenario_names,
    scenario_of,
    scenario_title,
    serving,
    unmoved,
)
from sim.presentation.panels import HOW_TO_USE, PAGE_CSS, alerts_html, debrief_html, narration_html, odds_html, spelled, status_html, unmoved_html

try:  # the ui extra; without it `python run.py ui` says how to install it, and no page is built
    import solara
except ImportError:
    solara = None

DEFAULT_PORT = 8765
INSTALL = "pip install -e '.[ui]'"
PLAY_INTERVAL = 0.15  # seconds between days while playing
TITLE = "Munich 1938"


# ------------------------------------------------------------------ solara components (need the ui extra)
def component(function: Callable) -> Callable:
    """``solara.component`` where the ui extra is installed; without it nothing is served and the function stays plain."""
    return solara.component(function) if solara is not None else function


def _redraw_every_step() -> None:
    """Subscribe the calling component to the step counter (Mesa's), so that it is drawn again after every step."""
    from mesa.visualization.utils import update_counter

    update_counter.get()


def _stepped() -> None:
    from mesa.visualization.utils import force_update

    force_update()


def _html(markup: str, classes: list[str] | None = None) -> None:
    # all text in it is escaped (sim/presentation/panels.py and the callers here)
    solara.HTML(tag="div", unsafe_innerHTML=markup, classes=classes or [])


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


@component
def run_controls(model: solara.Reactive, playing: solara.Reactive, restart: Callable[[], None]) -> None:
    """Reset, ▶/❚❚, Step and "to the end". They always work: at the end of a run, ▶ and Step start it again from 12 March."""
    _redraw_every_step()

    def play_loop() -> None:
        current = model.value
        while playing.value and model.value is current and current.running:
            time.sleep(PLAY_INTERVAL)
            if not playing.value or model.value is not current:
                return
            current.step()
            _stepped()
        if model.value is current and not current.running:
            playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value, model.value], prefer_threaded=True)

    def fresh() -> ClassroomModel:
        if not model.value.running:
            restart()
        return model.value

    def play_pause() -> None:
        if not playing.value:
            fresh()
        playing.value = not playing.value

    def step() -> None:
        fresh().step()
        _stepped()

    def to_the_end() -> None:
        playing.value = False
        while model.value.running:
            model.value.step()
        _stepped()

    with solara.Card(classes=["run-card"]):
        _html(escape(HOW_TO_USE), classes=["how-to-use"])
        with solara.Row(classes=["run-buttons"], gap="6px"):
            solara.Button("Reset", color="primary", outlined=True, on_click=restart, classes=["reset-button"])
            solara.Button("❚❚" if playing.value else "▶", color="primary", on_click=play_pause, classes=["play-button"])
            solara.Button("Step", color="primary", on_click=step, disabled=playing.value, classes=["step-button"])
            solara.Button("to the end", color="primary", outlined=True, on_click=to_the_end, disabled=not model.value.running,
                          classes=["end-button"])


def _slider(name: str, label: str, value: float, book: RuleBook, on_value: Callable[[float], None]) -> None:
    low, high = book.parameters()[name].range
    with solara.Column(classes=[f"control-{name.replace('.', '-')}"], gap="0px"):
        solara.Text(f"{spelled(label)}: {value:.2f}", classes=["control-label"])
        solara.SliderFloat("", value=value, min=float(low), max=float(high), step=0.05, on_value=on_value)


@component
def what_if(choice: solara.Reactive, apply: Callable[[Choice], None]) -> None:
    """The scenario (by title, with its question), its switches, the reading of the sources and the replay shown."""
    book = load_rulebook()
    current: Choice = choice.value
    scenario = scenario_of(current)
    titles = {scenario_title(name): name for name in scenario_names()}
    with solara.Card("What if?"):
        solara.Select("Scenario", values=list(titles), value=scenario_title(current.scenario), classes=["scenario-chooser"],
                      on_value=lambda title: apply(Choice(scenario=titles[title], lens=current.lens)))
        _html(f"<p class='question'>{escape(spelled(scenario.question))}</p>"  # not solara.Markdown: it fetches KaTeX
              f"<details class='scenario-about'><summary>why, in this model</summary>{escape(spelled(' '.join(scenario.description.split())))}</details>")
        for name, label in TOGGLES.items():
            with solara.Column(classes=[f"toggle-{name}"], gap="0px"):
                solara.Checkbox(label=spelled(label), value=current.ticked(name), on_value=lambda on, name=name: apply(choice.value.toggled(name, on)))
        lenses = {f"{lens_title(scenario.lens)} (this scenario's own)": None} | {lens_title(name): name for name in book.lenses}
        shown = next(title for title, name in lenses.items() if name == current.lens)
        solara.Select("Reading of the sources", values=list(lenses), value=shown, classes=["lens-chooser"],
                      on_value=lambda title: apply(dataclasses.replace(choice.value, lens=lenses[title])))
        about = " ".join(book.lenses[current.lens or scenario.lens].description.split())
        _html(f"<p class='lens-about'>{escape(spelled(about))}</p>")
        solara.InputInt("Replay no. (each draws its chances anew)", value=current.rollout + 1, classes=["replay-number"],
                        on_value=lambda k: apply(dataclasses.replace(choice.value, rollout=max(1, int(k or 1)) - 1)))


@component
def sliders(choice: solara.Reactive, apply: Callable[[Choice], None]) -> None:
    """Each state's resolve, the Romanian passage and the information gaps: one slider a rule-book parameter."""
    book = load_rulebook()
    current: Choice = choice.value
    scenario = scenario_of(current)
    for title, group in (("Resolve", RESOLVE), ("Romanian passage", PASSAGE), ("Information gaps", GAPS)):
        with solara.Card(title):
            for name, label in group.items():
                shown = current.value(name)
                value = parameter_value(scenario, name, book) if shown is None else shown
                _slider(name, label, value, book, lambda value, name=name: apply(choice.value.moved(name, value)))


@component
def developer_view(model: solara.Reactive, choice: solara.Reactive) -> None:
    """Mesa's SolaraViz with its developer controls, behind the "advanced" switch.

    Mounted afresh for every model (the caller keys it by the model), on a reactive of its own, so
    that its controller never runs on a model it did not start; a model its Reset makes is adopted by the page.
    """
    from mesa.visualization import SolaraViz

    own = solara.use_reactive(model.value)

    def adopt(new: ClassroomModel) -> None:
        if new is not model.value:
            model.value = new

    solara.use_effect(lambda: own.subscribe(adopt), [])
    SolaraViz(own, components=[], model_params={"choice": choice.get}, name=f"{TITLE}: what if?", play_interval=150)


@component
def advanced_panel(choice: Choice) -> None:
    """What the choice sets, as the command line would take it: for whoever wants to repeat a what-if there."""
    with solara.Card("Advanced: the command line's overrides"):
        items = "".join(f"<li><code>{escape(item)}</code></li>" for item in choice.sets()) or "<li>none: the scenario as written</li>"
        _html(f"<p>python run.py scenarios/{escape(choice.scenario)}.yaml</p><ul class='applied-sets'>{items}</ul>")


def use_address(choice: solara.Reactive, apply: Callable[[Choice], None]) -> Callable[[Choice], None]:
    """Keep the page's address and the what-if in step: the address (opened, or gone back to) sets the what-if, with a
    note for whatever in it was ignored; the returned function writes a what-if into the address."""
    router = solara.use_router()
    ignored = solara.use_reactive(from_address(router.search, load_rulebook())[1])

    def follow() -> None:
        new, problems = from_address(router.search, load_rulebook())
        if router.set_path is not None and (new != choice.value or problems):  # in a notebook, no address
            ignored.value = problems
            apply(new)

    solara.use_effect(follow, [router.search])
    if ignored.value:
        _html(f"<p>Ignored from the page's address: {escape('; '.join(ignored.value))}.</p>", classes=["address-note"])

    def write(new: Choice) -> None:
        if router.set_path is not None and from_address(router.search, load_rulebook())[0] != new:  # none in a notebook
            router.push(f"{router.path or '/'}?{address(new)}")

    return write


@component
def Page(start: Choice | None = None) -> None:  # solara serves the component named Page (with no argument: the baseline)
    """The whole app: the run's buttons and the class's what-if on the left, the crisis, the odds and the debrief beside them.

    ``start`` is the what-if the page opens on (a notebook's ``sim.api.classroom``); otherwise the page's address gives it
    (``?scenario=benes_fights&GB.resolve=0.8&replay=3``), and every change is written back to the address, so a link reopens it.
    """
    router = solara.use_router()
    choice = solara.use_reactive(start or from_address(router.search, load_rulebook())[0])
    first = solara.use_memo(lambda: ClassroomModel(choice.get), [])  # each visitor steps a model of their own
    model = solara.use_reactive(first)
    playing = solara.use_reactive(False)
    advanced = solara.use_reactive(False)
    before = solara.use_reactive(None)  # the choice before the last change: the odds panel says if the change moved nothing
    write_address = [lambda new: None]

    def apply(new: Choice) -> None:  # any change: stop, and start again from 12 March with the new what-if
        playing.value = False
        before.value = choice.value
        choice.value = new
        model.value = ClassroomModel(new)
        write_address[0](new)

    solara.Title(TITLE)
    solara.Style(PAGE_CSS)
    if advanced.value:
        developer_view(model, choice).key(f"developer-{id(model.value)}")
    else:
        with solara.AppBar():
            solara.AppBarTitle(f"{TITLE}: what if?")
    with solara.Div(classes=["classroom"]):
        with solara.Div(classes=["side"]):
            write_address[0] = use_address(choice, apply)
            run_controls(model, playing, lambda: apply(choice.value))
            what_if(choice, apply)
            sliders(choice, apply)
            solara.Switch(label="advanced (Mesa's developer controls)", value=advanced, classes=["advanced-switch"])
            if advanced.value:
                advanced_panel(choice.value)
        with solara.Div(classes=["main"]):
            crisis_panel(model.value)
            narration_panel(model.value)
            odds_panel(model.value, before.value)
            alerts_panel(model.value)
            debrief_panel(model.value)


# ------------------------------------------------------------------ in a notebook (sim.api.classroom)
def offline_in_jupyter() -> None:
    """Switch off solara's calls home in this Python process, as ``serve`` does for the server.

    Shown in Jupyter, solara wraps a page in its layout, which once adds a hidden iframe from solara.dev
    and sends a usage event (after asking api.ipify.org for the address) whatever the telemetry setting.
    """
    import solara.checks
    import solara.server.settings as server_settings
    import solara.server.telemetry as telemetry

    server_settings.telemetry.mixpanel_enable = False
    solara.checks.should_perform_jupyter_check = lambda: False
    telemetry._jupyter_start_event_send = True  # solara's own flag: the event counts as sent, so it is never sent


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

    os.environ["SOLARA_APP"] = __name__  # read by solara's server when it is imported
    solara.settings.assets.proxy = True  # scripts from the local asset cache (solara-assets), never from a CDN
    server_settings.telemetry.mixpanel_enable = False
    server_settings.main.mode = "production"
    server_settings.theme.show_banner = False
    # Solara warns on every page served over plain http to 127.0.0.1 that its cookie falls back to SameSite=Lax: right for us.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    with serving():  # the odds every visitor shares, on one process pool; the baseline's and the scenarios' made ready first
        uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
