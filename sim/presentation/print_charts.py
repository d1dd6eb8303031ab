"""Charts for paper: black and white, their text at print size, drawn as inline SVG for the student handout.

A school printer prints in grey, so nothing here relies on colour: the lines of the war-by-date chart
differ by dash and marker and carry their names at their ends (states whose lines coincide share one
line and one label); the outcome bars are grey with black interval whiskers (this what-if) or hatched
white (the baseline), with their numbers written beside them. Each figure is drawn at the size it is
printed (the SVG's width in points is its width on paper, and the page must not scale it), so a
``FONT_PT`` font in matplotlib is ``FONT_PT`` on paper; its text stays text (``svg.fonttype: none``),
so a test can find and measure every word. Shares are said "in N of 100 replays", never as decimals.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from sim.book.vocabulary import STATE_NAMES, STATES
from sim.experiments.runner import Tally
from sim.presentation import report

FONT_PT = 9.5  # every word in a chart, on paper (the handout's floor for charts is 9 pt)
WIDTH_IN = 176 / 25.4  # the printed width: within the A4 page's text width
RC = {"svg.fonttype": "none", "font.size": FONT_PT, "font.family": "DejaVu Sans", "axes.titlesize": FONT_PT,
      "axes.labelsize": FONT_PT, "xtick.labelsize": FONT_PT, "ytick.labelsize": FONT_PT, "legend.fontsize": FONT_PT,
      "axes.edgecolor": "black", "xtick.color": "black", "ytick.color": "black", "hatch.linewidth": 0.6}
# Line styles a grey printer keeps apart: dash pattern and marker, one per state shown.
STYLES = [("-", ""), ("--", ""), (":", "o"), ("-.", ""), ("-", "s"), ("--", "^"), (":", "")]
LEAD_DAYS = 14  # the chart starts this many days before the first state is at war
SHOWN_FROM = 1  # a state whose line never reaches this many of 100 replays is named under the chart instead


def svg_of(figure) -> str:
    """The figure as an ``<svg>`` element to put inline: no XML prologue, no metadata, no web address (not even a namespace's)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    report.pyplot().close(figure)
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.DOTALL)  # its RDF names web vocabularies
    return re.sub(r'\s+xmlns(?::xlink)?="[^"]*"', "", text, count=2)  # inline in HTML, the parser knows both namespaces


def war_lines(tally: Tally) -> tuple[list[tuple[str, np.ndarray]], list[str]]:
    """The states' at-war curves (in 100 replays) to draw, states with the same curve sharing one; and the states never at war."""
    shares = 100 * tally.at_war / max(tally.runs, 1)
    lines: list[tuple[list[str], np.ndarray]] = []
    quiet = []
    for row, state in enumerate(STATES):
        if shares[row].max() < SHOWN_FROM:
            quiet.append(STATE_NAMES[state])
            continue
        same = next((line for line in lines if np.allclose(line[1], shares[row], atol=0.5)), None)
        if same is None:
            lines.append(([STATE_NAMES[state]], shares[row]))
        else:
            same[0].append(STATE_NAMES[state])
    return [(" and ".join(names), curve) for names, curve in lines], quiet


def spread(ends: list[float], gap: float, top: float) -> list[float]:
    """Label heights near ``ends`` at least ``gap`` apart and at most ``top``, in the order of ``ends``."""
    order = sorted(range(len(ends)), key=lambda index: ends[index])
    placed = [0.0] * len(ends)
    floor = -np.inf
    for index in order:
        placed[index] = max(ends[index], floor + gap)
        floor = placed[index]
    overflow = max(placed, default=0) - top
    if overflow > 0:  # pushed above the chart: shift the whole stack down
        placed = [value - overflow for value in placed]
    return placed


@dataclass(frozen=True)
class WarChart:
    """The war-by-date chart and what its caption must say: the states left out, and where the time axis starts."""

    svg: str  # empty when no state is ever at war
    quiet: list[str]  # states never at war in these replays (not drawn)
    since: date  # the first day drawn: two weeks before anyone is at war, or the window's start
    first: date  # the first day any state is at war in some replay


def war_by_date(tally: Tally, start: date) -> WarChart:
    """Who is at war, by date, in 100 replays: one black line a state, named at its end, from shortly before the first war."""
    lines, quiet = war_lines(tally)
    if not lines:
        return WarChart("", quiet, start, start)
    first = min(int(np.argmax(curve >= SHOWN_FROM / 2)) for _, curve in lines)
    begin = max(0, first - LEAD_DAYS)
    dates = [start + timedelta(days=day) for day in range(begin, tally.days)]
    plt = report.pyplot()
    with plt.rc_context(RC):
        figure, axes = plt.subplots(figsize=(WIDTH_IN, 2.3))
        step = max(3, len(dates) // 9)
        for index, ((_, curve), (dash, marker)) in enumerate(zip(lines, STYLES * 2, strict=False)):
            axes.plot(dates, curve[begin:], color="black", linestyle=dash, marker=marker or None, markersize=4.5,
                      markevery=(index * step // len(lines), step), linewidth=1.8 if dash == ":" else 1.3)
        _axes_in_words(axes, dates)
        figure.subplots_adjust(left=0.08, right=0.76, bottom=0.12, top=0.97)
        _name_line_ends(axes, figure, lines, dates[-1])
        return WarChart(svg_of(figure), quiet, dates[0], start + timedelta(days=first))


def _axes_in_words(axes, dates: list[date]) -> None:
    import matplotlib.dates as mdates

    axes.set_xlim(dates[0], dates[-1])
    axes.set_ylim(0, 100)
    axes.set_yticks([0, 25, 50, 75, 100])
    axes.set_ylabel("replays at war (of 100)")
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b"))
    axes.spines[["top", "right"]].set_visible(False)


def _name_line_ends(axes, figure, lines: list[tuple[str, np.ndarray]], last: date) -> None:
    """Each line's name beside its end, spread so that no two names overlap, joined to the line by a thin stroke."""
    gap = FONT_PT * 1.2 / (axes.get_position().height * figure.get_figheight() * 72) * 100  # a line of text, in replays
    heights = spread([float(curve[-1]) for _, curve in lines], gap, 100)
    days = (axes.get_xlim()[1] - axes.get_xlim()[0]) * 0.04
    for (name, curve), height in zip(lines, heights, strict=True):
        axes.annotate(name, xy=(last, curve[-1]), xytext=(last + timedelta(days=days), height), va="center",
                      annotation_clip=False, arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "black", "shrinkA": 0, "shrinkB": 1})
