"""Pages with the classroom app's map or content and without the app's solara page: what a page costs before the app's parts.

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

``python benchmarks/bare_page.py interactive --port N``: the plain page with its sliders working: a small script
sends the sliders moved (as the app's address does) to ``/odds``, which answers with the odds panel of that what-if,
from the app's own cache and process pool (``sim/presentation/class_server.py``). It shows what a classroom page
without solara would cost for both of the class's timings: page open and slider -> odds.

``benchmarks/classroom_load.py --page KIND`` starts one of them and times ten sessions opening it at once
(and, on the interactive page, moving a slider), as it does for the app.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere: the project's sim package

import solara

from sim.presentation import map as crisis_map
from sim.presentation.classroom import Choice, ClassroomModel

KINDS = ("solara", "static", "plain", "interactive")
# The interactive page's script: a slider moved sends every moved slider to /odds and shows the panel it gets back.
# Only the latest request's answer is shown (an earlier one may come back later); a failed one says so.
SCRIPT = """<script>
const moved = new Map();
let latest = 0;
for (const input of document.querySelectorAll('input[type=range][name]')) {
  input.addEventListener('change', async () => {
    moved.set(input.name, input.value);
    const odds = document.getElementById('odds'), asked = ++latest;
    odds.insertAdjacentHTML('beforeend', "<p class='monte-carlo-running'>replaying...</p>");
    let answer;
    try {
      const response = await fetch('/odds?' + new URLSearchParams([['scenario', 'baseline'], ...moved]));
      answer = response.ok ? await response.text() : `<p>The odds could not be computed (${response.status}).</p>`;
    } catch (error) {
      answer = '<p>The odds could not be computed (no answer from the server).</p>';
    }
    if (asked === latest) odds.innerHTML = answer;
  });
}
</script>"""


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


def plain_page(script: str = "") -> str:
    """The app's first screen, every panel as the app makes it, in plain HTML (the odds: the baseline's 2,000 replays);
    each slider over its parameter's range, at the baseline's value, named as the app's address names it."""
    from html import escape

    from sim.book.rules import load_rulebook
    from sim.presentation import panels
    from sim.presentation.classroom import GAPS, PASSAGE, RESOLVE, debrief, odds_of, parameter_value, scenario_of
    from sim.presentation.page_style import EXTRA_CSS

    model, book, baseline = ClassroomModel(Choice()), load_rulebook(), scenario_of(Choice())

    def slider(name: str, label: str) -> str:
        low, high = book.parameters()[name].range
        return (f"<div class='control-{name.replace('.', '-')}'><label>{escape(label)} <input type='range' name='{name}' "
                f"min='{low}' max='{high}' step='0.05' value='{parameter_value(baseline, name, book)}'></label></div>")

    sliders = "".join(slider(name, label) for group in (RESOLVE, PASSAGE, GAPS) for name, label in group.items())
    main = "".join(f"<section><h2>{title}</h2>{body}</section>" for title, body in (
        ("The crisis, day by day", panels.status_html(model) + f"<div class='crisis-map'>{MAP}</div>"),
        ("What happened, and the sources", panels.narration_html(model)),
        ("The odds", f"<div id='odds'>{panels.odds_html(odds_of(Choice()), 'baseline')}</div>"),
        ("Treaty alerts", panels.alerts_html(model)),
        ("Debrief: this run beside the record of 1938", panels.debrief_html(debrief(model)))))
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Munich 1938</title>"
            f"<style>{panels.PAGE_CSS}{EXTRA_CSS}</style></head><body><h1>Munich 1938: what if?</h1>"
            f"<div class='classroom'><div class='side'><p>{escape(panels.HOW_TO_USE)}</p>{sliders}</div>"
            f"<div class='main'>{main}</div></div>{script}</body></html>")


def plain_app(text: str):
    """A Starlette app serving a plain page at ``/``, and at ``/odds?ADDRESS`` the odds panel of the what-if the address holds."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    from sim.book.rules import load_rulebook
    from sim.presentation import panels
    from sim.presentation.classroom import from_address, odds_of

    async def page(request) -> HTMLResponse:
        return HTMLResponse(text)

    def odds_panel(query: str) -> str:
        choice = from_address(query, load_rulebook())[0]
        return panels.odds_html(odds_of(choice), choice.scenario)

    async def odds(request) -> HTMLResponse:  # computed in a thread (on the shared pool): the server keeps answering
        return HTMLResponse(await run_in_threadpool(odds_panel, request.url.query))

    return Starlette(routes=[Route("/", page), Route("/odds", odds)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    import uvicorn

    if args.kind != "solara":
        from sim.presentation.class_server import serving

        with serving():  # the app's shared cache and process pool, as `python run.py ui` has them (and shut down after)
            text = STATIC if args.kind == "static" else plain_page(SCRIPT if args.kind == "interactive" else "")
            uvicorn.run(plain_app(text), host="127.0.0.1", port=args.port, log_level="warning")
    else:
        from sim.presentation.app import offline_solara

        offline_solara("benchmarks.bare_page")
        uvicorn.run("solara.server.starlette:app", host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
