"""The classroom app: one replay of a what-if unfolding day by day, and the odds of war beside history's.

``python run.py ui [--port N] [--host H]`` serves the page on 127.0.0.1. By default it is the
classroom mode: a "how to use" line, Reset, ▶/❚❚, Step and "to the end" (which always work: a
change starts again from 12 March, and at the end ▶ and Step start the run again), the what-if
(scenario and lens by title with their descriptions, switches, sliders) in a narrow left column
and the map at least half the width. An "advanced" switch brings back Mesa's SolaraViz with its
developer controls and the command line's overrides. The model the page steps is a Mesa model
(``ClassroomModel``: one recorded rollout of the chosen scenario); each control is applied through
the scenario's own ``--set`` path. The page is solara components only; what it shows
is computed elsewhere, so it can be tested without a browser: the choices, the model, the odds
and the debrief in ``sim/presentation/classroom.py``, the treaty alerts derived from the rule
book's actions in ``sim/presentation/alerts.py``, each panel's HTML (and the page's style) in
``sim/presentation/panels.py``, the schematic map in ``sim/presentation/map.py`` and the
narration with each step's sources in ``sim/presentation/narrate.py``. The page's parts are split by job:
this module lays them out (``Page``) and serves the page; ``sim/presentation/page_controls.py`` holds the
controls, ``sim/presentation/page_panels.py`` the panels, ``sim/presentation/page_parts.py`` what they share.

Nothing is fetched from the internet: the page's scripts and fonts come from the solara-assets
package through the local server, and solara's telemetry is switched off.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import warnings

from sim.book.rules import load_rulebook
from sim.presentation.classroom import Choice, ClassroomModel, from_address, serving
from sim.presentation.page_controls import TITLE, advanced_panel, developer_view, run_controls, sliders, use_address, what_if
from sim.presentation.page_panels import alerts_panel, crisis_panel, debrief_panel, narration_panel, odds_panel
from sim.presentation.page_parts import component, solara
from sim.presentation.page_style import EXTRA_CSS
from sim.presentation.page_timeline import carry_on_offer, timeline_panel
from sim.presentation.page_whatifs import print_button, saved_whatifs, theme_switch
from sim.presentation.panels import PAGE_CSS
from sim.presentation.printout import PATH, handout_page
from sim.presentation.replays import can_carry_on

DEFAULT_PORT = 8765
INSTALL = "pip install -e '.[ui]'"


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
    offer = solara.use_reactive(None)  # the replay a change interrupted: it may carry on from its day instead of starting again
    write_address = [lambda new: None]

    def apply(new: Choice) -> None:  # any change: stop, and start again from 12 March with the new what-if
        playing.value = False
        old = model.value
        # The replay the change interrupted (or, if nothing has been stepped since the last change, the one before it).
        interrupted = old if old.day > 0 else offer.value
        offer.value = interrupted if interrupted is not None and can_carry_on(interrupted, new) else None
        before.value = choice.value
        choice.value = new
        model.value = ClassroomModel(new)
        write_address[0](new)

    solara.Title(TITLE)
    solara.Style(PAGE_CSS + EXTRA_CSS)
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
            print_button(choice.value)
            theme_switch()
            solara.Switch(label="advanced (Mesa's developer controls)", value=advanced, classes=["advanced-switch"])
            if advanced.value:
                advanced_panel(choice.value)
        with solara.Div(classes=["main"]):
            _main(model, playing, offer, choice, before.value)


def _main(model: solara.Reactive, playing: solara.Reactive, offer: solara.Reactive, choice: solara.Reactive, before: Choice | None) -> None:
    """The main column: what the class watches, in the order a lesson uses it."""
    carry_on_offer(model, offer, choice)
    crisis_panel(model.value)
    timeline_panel(model, playing)
    narration_panel(model.value)
    odds_panel(model.value, before)
    saved_whatifs(choice)
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
    import uvicorn

    offline_solara(__name__)
    add_handout_route()
    with serving():  # the odds every visitor shares, on one process pool; the baseline's made ready first
        uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")


def offline_solara(page_module: str) -> None:
    """Solara's server settings for the class, before its server is imported: the component ``Page`` of ``page_module``
    served from local assets (solara-assets, never a CDN), without telemetry or banner, in production mode.

    Also used by ``benchmarks/bare_page.py``, whose bare solara page measures what any page on these settings costs.
    """
    import solara.server.settings as server_settings

    os.environ["SOLARA_APP"] = page_module  # read by solara's server when it is imported
    solara.settings.assets.proxy = True
    server_settings.telemetry.mixpanel_enable = False
    server_settings.main.mode = "production"
    server_settings.theme.show_banner = False
    # Solara warns on every page served over plain http to 127.0.0.1 that its cookie falls back to SameSite=Lax: right for us.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")


def add_handout_route() -> None:
    """Serve the print button's page, ``/handout?ADDRESS``: the printable handout of the what-if the address holds.

    Added to solara's own Starlette app (the one ``serve`` runs), before its catch-all page route.
    """
    from solara.server import starlette as solara_server
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    async def handout(request) -> HTMLResponse:  # the rollouts run in a thread: the server keeps answering meanwhile
        return HTMLResponse(await run_in_threadpool(handout_page, request.url.query))

    routes = solara_server.app.router.routes
    if not any(getattr(route, "path", None) == PATH for route in routes):
        routes.insert(0, Route(PATH, handout))
