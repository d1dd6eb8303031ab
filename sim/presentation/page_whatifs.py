"""The classroom page's parts about the what-if as a whole: save it and show two side by side, print it, the theme.

Saved what-ifs are addresses (``sim/presentation/saved.py``), kept for this visitor's page; two
chosen are shown side by side with their odds (the page's own Monte Carlo, ``odds_of``) and how
they differ. The print button opens the handout of the current what-if in a new tab
(``sim/presentation/printout.py``, served by ``sim/presentation/app.py``). The theme switch offers
the light theme and a dark one for a dark room, both readable (the page's style, ``sim/presentation/page_style.py``).
"""

from __future__ import annotations

from html import escape

from sim.book.rules import load_rulebook
from sim.presentation.classroom import Choice, odds_of
from sim.presentation.page_parts import component, solara
from sim.presentation.page_parts import html as _html
from sim.presentation.printout import handout_link
from sim.presentation.saved import Saved, save, side_by_side_html


@component
def print_button(choice: Choice) -> None:
    """A link that opens the printable handout of the current what-if in a new tab (none in a notebook: it needs the server)."""
    if solara.use_router().set_path is None:
        return
    _html(f"<a class='print-button' href='{escape(handout_link(choice))}' target='_blank' rel='noopener'>"
          "Print a handout of this what-if</a>")


@component
def theme_switch() -> None:
    """Light or dark: both themes keep every text readable (a dark one for a dark room or a dim projector)."""
    dark = solara.use_reactive(bool(solara.lab.theme.dark))

    def switch(on: bool) -> None:
        dark.value = on
        solara.lab.theme.dark = on

    solara.Switch(label="Dark theme (for a dark room)", value=dark.value, on_value=switch, classes=["theme-switch"])


def _pick(label: str, saved: list[Saved], index: int, on_index, css: str) -> None:
    titles = [item.title for item in saved]
    solara.Select(label, values=titles, value=titles[index], on_value=lambda title: on_index(titles.index(title)), classes=[css])


@component
def saved_whatifs(choice: solara.Reactive) -> None:
    """Save the what-if on the page; show two saved ones side by side (the last two saved, or any two chosen)."""
    saved = solara.use_reactive([])  # list[Saved], this visitor's
    first = solara.use_reactive(0)
    second = solara.use_reactive(1)

    def save_now() -> None:
        saved.value = [*saved.value, save(choice.value, len(saved.value) + 1)]
        if len(saved.value) >= 2:
            first.value, second.value = len(saved.value) - 2, len(saved.value) - 1

    shown = (saved.value[first.value], saved.value[second.value]) if len(saved.value) >= 2 else None

    def compare():
        if shown is None:
            return None
        book = load_rulebook()
        return side_by_side_html(*shown, (odds_of(shown[0].choice(book)), odds_of(shown[1].choice(book))), book)

    task = solara.lab.use_task(compare, dependencies=[shown], prefer_threaded=True)
    with solara.Card("Saved what-ifs, side by side", classes=["saved-card"]):
        solara.Button("Save this what-if", color="primary", outlined=True, on_click=save_now, classes=["save-whatif-button"])
        links = "".join(f"<li><a href='?{escape(item.address)}' target='_blank' rel='noopener'>{escape(item.title)}</a></li>" for item in saved.value)
        _html(f"<ul class='saved-list'>{links}</ul>" if links else
              "<p class='saved-help'>Save a what-if, change the controls, save again: the last two saved are shown side by side.</p>")
        if shown is None:
            return
        with solara.Row(gap="8px", classes=["saved-pickers"]):
            _pick("First", saved.value, first.value, first.set, "saved-first")
            _pick("Second", saved.value, second.value, second.set, "saved-second")
        if task.error:
            solara.Error(f"The odds could not be computed: {task.exception}")
        elif task.latest is not None:
            _html(task.latest)
        if task.pending:
            solara.Text("replaying…", classes=["side-by-side-running"])
