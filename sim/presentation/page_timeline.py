"""The classroom page's parts that move the replay in time: the timeline bar and the offer to carry on from today.

The bar (``sim/presentation/timeline.py``) marks 1938's recorded milestones and today's place; a
button for each milestone says, on hover or click, what really happened then, and "go to" runs the
replay forward to that day or replays it from 12 March to get back there. When a control changes
during a replay, the page starts again from 12 March and offers to carry on from today instead
(``sim/presentation/replays.py``).
"""

from __future__ import annotations

from datetime import date
from html import escape

from sim.presentation.classroom import ClassroomModel
from sim.presentation.page_parts import component, redraw_every_step, solara, stepped
from sim.presentation.page_parts import html as _html
from sim.presentation.replays import can_carry_on, carried_words, carry_on, jump
from sim.presentation.timeline import Mark, bar_html, day_of, marks


def _mark_button(mark: Mark, today: date | None, chosen: solara.Reactive) -> None:
    passed = today is not None and mark.when <= today
    classes = ["timeline-mark", f"timeline-mark-{mark.when.isoformat()}"] + (["passed"] if passed else [])
    with solara.Tooltip(mark.words()):
        solara.Button(mark.label, small=True, outlined=not passed, color="primary", classes=classes,
                      on_click=lambda: chosen.set(None if chosen.value == mark.when else mark.when))


@component
def timeline_panel(model: solara.Reactive, playing: solara.Reactive) -> None:
    """The bar of 1938's milestones with today's place; a milestone chosen says what happened then and offers to go there."""
    redraw_every_step()
    current: ClassroomModel = model.value
    scenario = current.crisis_scenario
    found = marks(scenario)
    chosen = solara.use_reactive(None)  # the date of the milestone the teacher has clicked
    mark = next((item for item in found if item.when == chosen.value), None)

    def go() -> None:
        playing.value = False
        moved = jump(model.value, day_of(scenario, mark))
        if moved is not model.value:
            model.value = moved
        stepped()

    with solara.Card("1938 as recorded, and where this replay is", classes=["timeline-card"]):
        if not found:
            _html("<p>The record of 1938 is not available in this copy of the model.</p>")
            return
        _html(bar_html(scenario, current.date, found, chosen.value) + (f"<p class='carried-on'>This replay {escape(carried_words(current))}.</p>"
                                                                         if carried_words(current) else ""))
        with solara.Row(classes=["timeline-marks"], gap="4px"):
            for item in found:
                _mark_button(item, current.date, chosen)
        if mark is not None:
            _html(f"<p class='timeline-what'><b>What really happened:</b> {escape(mark.words())}</p>")
            solara.Button(f"Go to {mark.when:%-d %B} in this replay", color="primary", on_click=go, classes=["timeline-go"])


@component
def carry_on_offer(model: solara.Reactive, offer: solara.Reactive, choice: solara.Reactive) -> None:
    """After a change during a replay (which started it again): start again from 12 March, or carry on from the day of the change."""
    redraw_every_step()
    before: ClassroomModel | None = offer.value
    if before is None or model.value.day != 0 or not can_carry_on(before, choice.value):
        return
    when = f"{before.date:%-d %B}"

    def carry() -> None:
        model.value = carry_on(before, choice.value)
        offer.value = None

    with solara.Card(classes=["carry-on-card"]):
        _html(f"<p class='carry-on-note'>You changed the what-if on {when}, during the replay. It has started again from 12 March; "
              f"or it can carry on from {when}: the same replay up to that day, with the change from the next day on.</p>")
        with solara.Row(gap="6px", classes=["carry-on-buttons"]):
            solara.Button("Start again from 12 March", color="primary", outlined=True, on_click=lambda: offer.set(None),
                          classes=["start-again-button"])
            solara.Button(f"Carry on from {when}", color="primary", on_click=carry, classes=["carry-on-button"])
