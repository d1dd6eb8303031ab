"""Two bare pages that show the classroom app's map and nothing else, to measure what a page costs before the app's own parts.

``python benchmarks/bare_page.py solara --port N``: a solara page on the app's own server settings
(``sim.presentation.app.offline_solara``: local assets, production mode), with an app bar, one card
holding the map the app opens on (the baseline on 12 March) and one slider. Every solara page loads
the same scripts, styles and fonts, so this is the least a page of the app can cost a browser.

``python benchmarks/bare_page.py static --port N``: the same map and a slider in a plain HTML page,
with no script at all, served by the same web server (uvicorn): what the browser itself costs.

``python benchmarks/bare_page.py plain --port N``: the app's whole first screen as plain HTML, no script:
its style, the how-to line, the what-if's sliders, and every panel (the date, the map, the story, the
baseline's odds beside themselves, the alerts, the debrief) made by the app's own builders
(``sim/presentation/panels.py``). It cannot be used (nothing in it acts); it tells what a page of the
app's content would cost a browser without solara's scripts.

``benchmarks/classroom_load.py --page solara`` (or ``static``) starts one of them and times ten
sessions opening it at once, as it does for the app.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere: the project's sim package

import solara

from sim.presentation import map as crisis_map
from sim.presentation.classroom import Choice, ClassroomModel

KINDS = ("solara", "static", "plain")


def opening_map() -> str:
    """The SVG the app shows when a page opens: the baseline's replay before its first day."""
    return crisis_map.svg(crisis_map.view_of(ClassroomModel(Choice()), caption=""))


MAP = opening_map()


@solara.component
def Page() -> None:
    """The bare solara page: an app bar, the map in a card, one slider."""
    with solara.AppBar():
        solara.AppBarTitle("Munich 1938: what if?")
    with solara.Card("The crisis, day by day"):
        solara.HTML(tag="div", unsafe_innerHTML=MAP, classes=["crisis-map"])
        solara.SliderFloat("Daladier's line", value=0.5, min=0.0, max=1.0)


STATIC = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Munich 1938</title></head>"
    f"<body><h1>Munich 1938: what if?</h1><div class='crisis-map'>{MAP}</div>"
    "<label>Daladier's line <input type='range' min='0' max='1' step='0.01' value='0.5'></label></body></html>"
)


def plain_page() -> str:
    """The app's first screen, every panel as the app makes it, in plain HTML (the odds: the baseline's 2,000 replays)."""
    from html import escape

    from sim.presentation import panels
    from sim.presentation.classroom import GAPS, PASSAGE, RESOLVE, debrief, odds_of
    from sim.presentation.page_style import EXTRA_CSS

    model = ClassroomModel(Choice())
    sliders = "".join(f"<label>{escape(label)} <input type='range' min='0' max='1' step='0.05' value='0.5'></label><br>"
                      for group in (RESOLVE, PASSAGE, GAPS) for label in group.values())
    main = "".join(f"<section><h2>{title}</h2>{body}</section>" for title, body in (
        ("The crisis, day by day", panels.status_html(model) + f"<div class='crisis-map'>{MAP}</div>"),
        ("What happened, and the sources", panels.narration_html(model)),
        ("The odds", panels.odds_html(odds_of(Choice()), "baseline")),
        ("Treaty alerts", panels.alerts_html(model)),
        ("Debrief: this run beside the record of 1938", panels.debrief_html(debrief(model)))))
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Munich 1938</title>"
            f"<style>{panels.PAGE_CSS}{EXTRA_CSS}</style></head><body><h1>Munich 1938: what if?</h1>"
            f"<div class='classroom'><div class='side'><p>{escape(panels.HOW_TO_USE)}</p>{sliders}</div>"
            f"<div class='main'>{main}</div></div></body></html>")


def static_app(text: str):
    """A Starlette app with one route, a plain page."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    async def page(request) -> HTMLResponse:
        return HTMLResponse(text)

    return Starlette(routes=[Route("/", page)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    import uvicorn

    if args.kind != "solara":
        text = STATIC if args.kind == "static" else plain_page()
        uvicorn.run(static_app(text), host="127.0.0.1", port=args.port, log_level="warning")
    else:
        from sim.presentation.app import offline_solara

        offline_solara("benchmarks.bare_page")
        uvicorn.run("solara.server.starlette:app", host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
