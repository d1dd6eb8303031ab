"""The print button's page: a printable handout of the what-if on the page, for the current settings.

One function makes it from a ``Scenario`` (``handout_for``): the student handout, the same page
``--report`` writes by default (``sim/presentation/handout.py``'s ``handout_text``).
The page's print button opens ``/handout?ADDRESS`` in a new tab (the address holds the what-if,
``sim/presentation/classroom.py``'s ``address``); the server answers with ``handout_page``.
"""

from __future__ import annotations

import functools
from html import escape

from sim.book.rules import load_rulebook
from sim.book.scenario import Scenario
from sim.experiments import runner
from sim.presentation import report
from sim.presentation.classroom import Choice, address, from_address, scenario_of
from sim.presentation.handout import handout_text

HANDOUT_RUNS = 1000
PATH = "/handout"
# A print button on the handout itself (not printed): the page opens in its own tab, ready for the browser's print.
PRINT_BAR = ("<div class='print-bar' style='font:16px sans-serif;margin:0 0 4mm 0'>"
             "<button type='button' onclick='window.print()' style='font-size:16px;padding:4px 14px'>Print this handout</button> "
             "<span>{note}</span></div><style>@media print {{ .print-bar {{ display: none; }} }}</style>")


def handout_for(scenario: Scenario, runs: int = HANDOUT_RUNS) -> str:
    """The printable handout of ``scenario`` (``runs`` rollouts on one process, beside the baseline's), as one HTML document."""
    tally = runner.run(scenario, runs, jobs=1)
    result = report.summary(tally, scenario, scenario.seed)
    return handout_text(scenario, tally, result, "student")


@functools.lru_cache(maxsize=16)
def handout_page(search: str) -> str:
    """The handout of the what-if an address holds, with a print button; parts of the address that are not valid are named."""
    choice, ignored = from_address(search, load_rulebook())
    note = f"Ignored from the address: {'; '.join(ignored)}." if ignored else "Use the browser's print (A4)."
    html = handout_for(scenario_of(choice))
    return html.replace("<body>\n", "<body>\n" + PRINT_BAR.format(note=escape(note)), 1)


def handout_link(choice: Choice) -> str:
    """Where the print button points for a what-if: this server's handout page, with the what-if in its address."""
    return f"{PATH}?{address(choice)}"
