"""What every part of the classroom page shares: solara where the ui extra is installed, and three small helpers.

The page is split by job: ``sim/presentation/app.py`` lays the page out and serves it,
``sim/presentation/page_controls.py`` holds what the class touches (the run's buttons, the
what-if, the sliders, the address), ``sim/presentation/page_panels.py`` what it watches (the
crisis, the narration, the odds, the alerts, the debrief). Each imports solara from here, so that
without the ui extra the modules still import (``python run.py ui`` then says how to install it).
"""

from __future__ import annotations

from collections.abc import Callable

try:  # the ui extra; without it `python run.py ui` says how to install it, and no page is built
    import solara
except ImportError:
    solara = None


def component(function: Callable) -> Callable:
    """``solara.component`` where the ui extra is installed; without it nothing is served and the function stays plain."""
    return solara.component(function) if solara is not None else function


def redraw_every_step() -> None:
    """Subscribe the calling component to the step counter (Mesa's), so that it is drawn again after every step."""
    from mesa.visualization.utils import update_counter

    update_counter.get()


def stepped() -> None:
    from mesa.visualization.utils import force_update

    force_update()


def html(markup: str, classes: list[str] | None = None) -> None:
    # all text in it is escaped (sim/presentation/panels.py and the callers here)
    solara.HTML(tag="div", unsafe_innerHTML=markup, classes=classes or [])


