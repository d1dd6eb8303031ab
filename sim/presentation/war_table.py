"""The README's table of the war into spring 1939: military results and how long Czechoslovakia held, in the war what-ifs.

``python -m sim.presentation.war_table`` runs the scenarios of ``WAR_SCENARIOS`` on the same rollouts
(``sim.experiments.runner.compare``: one seed, the same rollout indices) and prints two Markdown tables: each
scenario's distribution of military results at the horizon, each with its 95% Wilson interval, and the course of
its wars (the median days Czechoslovakia fought once attacked, and how often the main line broke, France attacked,
Soviet aircraft and troops arrived). ``--readme`` writes them between the ``war-table`` markers in README.md at the
default seed and rollouts (a test fails when they are stale).
"""

from __future__ import annotations

import argparse
import sys

from sim.book.arguments import positive_int, rollouts
from sim.book.paths import ROOT
from sim.book.vocabulary import MILITARY_RESULTS
from sim.experiments import runner
from sim.experiments.runner import Tally
from sim.presentation.channel_table import SEED, cell, heading, markdown_table, proportion, reported, what_ifs
from sim.presentation.scenario_table import days_held_cell, replace_table

RUNS = 2000
WAR_SCENARIOS = ("benes_fights", "france_honours", "grand_alliance", "soviet_unilateral")
COURSE = ("main_line_broken", "fr_offensive", "su_aid_reaches_cz", "su_troops_reach_cz")  # event flags of the war's course
COMMAND = "python -m sim.presentation.war_table"
MARKER = "war-table"


def tallies(runs: int = RUNS, jobs: int | None = None, names: tuple[str, ...] = WAR_SCENARIOS) -> list[tuple[str, Tally]]:
    """Each scenario's tally, all on the same rollouts (the baseline first, for reference)."""
    scenarios = what_ifs(names)
    counted, _ = runner.compare(scenarios, runs, jobs)
    return [(scenario.name, tally) for scenario, tally in zip(scenarios, counted, strict=True)]


def markdown(rows: list[tuple[str, Tally]]) -> str:
    """The two tables: the military results, then the course of the wars."""
    runs = rows[0][1].runs
    lines = [
        f"Military results at the horizon (31 March 1939) on the same {runs} rollouts of each scenario (seed {SEED}); "
        f"regenerate with `{COMMAND}`. Each cell is the share of rollouts with its 95% interval.",
        "",
    ]
    body = [[f"`{cell(name)}`", *(proportion(tally.share(tally.military[result])) for result in MILITARY_RESULTS)] for name, tally in rows]
    lines += markdown_table(["scenario", *map(heading, MILITARY_RESULTS)], body)
    body = [[f"`{cell(name)}`", days_held_cell(tally), *(proportion(tally.share(tally.events[flag])) for flag in COURSE)] for name, tally in rows]
    lines += ["", *markdown_table(["scenario", "median days held once attacked (rollouts attacked)", *map(heading, COURSE)], body)]
    return "\n".join(lines) + "\n"


def rewrite_readme(runs: int = RUNS, jobs: int | None = None) -> None:
    """Replace the table in README.md (a test fails when it is stale)."""
    path = ROOT / "README.md"
    path.write_text(replace_table(path.read_text(encoding="utf-8"), markdown(tallies(runs, jobs)), MARKER), encoding="utf-8")
    print(f"rewrote the war table in {path}")


def main(argv: list[str] | None = None) -> int:
    """Print the tables, or (``--readme``) rewrite them in README.md; 2 for bad input, 130 when interrupted."""
    parser = argparse.ArgumentParser(prog=COMMAND, description="Print the military results and the course of the war in the war what-ifs.")
    parser.add_argument("--runs", type=rollouts, default=RUNS, help=f"rollouts per scenario (default {RUNS})")
    parser.add_argument("--jobs", type=positive_int, help="processes to use (default: all cores)")
    parser.add_argument("--readme", action="store_true", help="rewrite the table in README.md")
    args = parser.parse_args(argv)

    def command() -> int:
        if args.readme:
            rewrite_readme(args.runs, args.jobs)
        else:
            print(markdown(tallies(args.runs, args.jobs)), end="")
        return 0

    return reported(command)


if __name__ == "__main__":
    sys.exit(main())
