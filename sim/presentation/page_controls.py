"""The classroom page's controls: what the class touches (the run's buttons, the what-if, the sliders, the address).

Every control turns into a new ``Choice`` handed to the page's ``apply`` (``sim/presentation/app.py``);
none holds rule logic of its own.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from html import escape

from sim.book.rules import RuleBook, load_rulebook
from sim.presentation.classroom import (
    GAPS,
    PASSAGE,
    RESOLVE,
    TOGGLES,
    Choice,
    ClassroomModel,
    address,
    from_address,
    lens_title,
    parameter_value,
    scenario_names,
    scenario_of,
    scenario_title,
)
from sim.presentation.page_parts import component, solara
from sim.presentation.page_parts import html as _html
from sim.presentation.page_parts import redraw_every_step as _redraw_every_step
from sim.presentation.page_parts import stepped as _stepped
from sim.presentation.panels import HOW_TO_USE, control_note, spelled

TITLE = "Munich 1938"
PLAY_INTERVAL = 0.15  # seconds between days while playing


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


STEP = 0.05  # a slider's step


def on_step(value: float, low: float) -> float:
    """Where the slider's thumb sits for ``value``: on its step, rounded as the browser rounds it (half up).

    A value between steps (a fitted mean, a number from an address) handed to the slider as it is would be
    rounded by the browser, which sends the rounded number back as a move: the page would pin the parameter
    by merely showing it. The label shows the exact value."""
    return round(low + math.floor((value - low) / STEP + 0.5) * STEP, 2)


def _slider(name: str, label: str, value: float, note: str, book: RuleBook, on_value: Callable[[float], None]) -> None:
    low, high = book.parameters()[name].range
    with solara.Column(classes=[f"control-{name.replace('.', '-')}"], gap="0px"):
        solara.Text(f"{spelled(label)}: {value:.2f}", classes=["control-label"])
        solara.SliderFloat("", value=on_step(value, float(low)), min=float(low), max=float(high), step=STEP, on_value=on_value)
        _html(escape(note), classes=["control-basis"])


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
    """Each state's resolve, the Romanian passage and the information gaps: one slider a rule-book parameter, each saying
    whether its number is fitted to the record of 1938 or an assumption."""
    book = load_rulebook()
    current: Choice = choice.value
    scenario = scenario_of(current)
    for title, group in (("Resolve", RESOLVE), ("Romanian passage", PASSAGE), ("Information gaps", GAPS)):
        with solara.Card(title):
            for name, label in group.items():
                shown = current.value(name)
                value = parameter_value(scenario, name, book) if shown is None else shown
                note = control_note(scenario, name, shown is not None, book)
                _slider(name, label, value, note, book, lambda value, name=name: apply(choice.value.moved(name, value)))


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


