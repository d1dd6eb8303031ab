"""The README's table of every scenario's outcome probabilities, regenerated from the code.

``python -m sim.presentation.scenario_table`` runs every file in ``scenarios/`` on the same rollouts
(common random numbers, the seed and run count stated below) and rewrites the table
between the markers in README.md. A test fails when the committed table is stale.

Beside the numbers, each row says what the scenario sets and what that rests on (``sim/engine/basis.py``):
a reader sees which of a what-if's numbers are modelling assumptions or readings of the sources, and
where a what-if replaces a parameter that the calibration fits to the record of 1938.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

from sim.book.paths import ROOT, SCENARIOS
from sim.book.scenario import Scenario, load_scenario
from sim.book.vocabulary import OUTCOMES
from sim.engine.basis import Basis, Setting, scenario_settings
from sim.experiments import runner
from sim.presentation.report import day_words

SEED = 1938
RUNS = 2000
TABLE = "scenario-table"  # the README's markers: <!-- scenario-table:start --> ... <!-- scenario-table:end -->
MARKS = {Basis.ASSUMPTION: "ᵃ", Basis.OVERRIDE: "ᶠ"}  # a setting is never simply FITTED: the fit is what it replaces
FOOTNOTE = (
    "What it sets: the parameters the scenario or its reading of the sources sets in place of the rule book's value or the fit; "
    "ᵃ a modelling assumption or a reading of the sources; ᶠ overrides a parameter fitted to the record of 1938 "
    "(every other fitted parameter is drawn, rollout by rollout, from the fit in `calibration/posterior.json`)."
)


def scenarios(folder: Path = SCENARIOS) -> list[Scenario]:
    """The baseline first, then every other scenario by file name, all on one seed."""
    paths = sorted(folder.glob("*.yaml"), key=lambda path: (path.stem != "baseline", path.stem))
    return [dataclasses.replace(load_scenario(path), seed=SEED) for path in paths]


def setting_words(setting: Setting) -> str:
    """One setting, compactly: its name, its value and the mark of what it rests on (``SU.unilateral`` 0.3ᵃ)."""
    value = setting.value.isoformat() if isinstance(setting.value, dt.date) else f"{setting.value:g}"
    return f"`{setting.name}` {value}{MARKS[setting.basis]}"


def what_it_sets(scenario: Scenario) -> str:
    """The table's cell for what a scenario sets: its parameter settings, then whether it also changes rules or events."""
    edits = (("rule changes", scenario.rules or scenario.add_rules), ("event changes", scenario.events))
    words = [*map(setting_words, scenario_settings(scenario)), *(kind for kind, present in edits if present)]
    return ", ".join(words) or "nothing"


# The military results at the horizon as columns, after the outcomes: (heading, the results a cell adds up). A stand-off
# (no attack, nothing settled) is the outcome `unresolved`, and no war is settlement or climb-down: not repeated here.
MILITARY_COLUMNS = (
    ("overrun by the horizon", ("cz_overrun",)),
    ("Germany checked", ("germany_checked",)),
    ("holds or falls back", ("cz_holds", "cz_falls_back")),
)


def table(runs: int = RUNS, jobs: int | None = None) -> str:
    chosen = scenarios()
    tallies, paired = runner.compare(chosen, runs, jobs)
    columns = [name.replace("_", " ") for name in OUTCOMES] + ["war (either kind)"] + [heading for heading, _ in MILITARY_COLUMNS]
    heading = "| scenario | " + " | ".join(columns) + " | median days held once attacked | what it sets |"
    lines = [
        f"Every scenario on the same {runs} rollouts (seed {SEED}, common random numbers); regenerate with "
        "`python -m sim.presentation.scenario_table`. Each cell is the probability; in brackets, the difference from the baseline. "
        f"The military result at the horizon ({day_words(chosen[0].end)}) follows the war: overrun (Czechoslovak resistance "
        "over), Germany checked (it halted and sought terms), Czechoslovakia still fighting (its line held, or broken and falling back); "
        "then the median days Czechoslovakia held once attacked, and in brackets the rollouts with a German attack.",
        "",
        heading,
        "|" + "---|" * (len(columns) + 3),
    ]
    for scenario, tally, pairs in zip(chosen, tallies, paired, strict=True):
        reference = scenario is chosen[0]
        cells = [_share(tally.outcomes[name], tally.runs, None if reference else pairs.difference(name)["d"]) for name in OUTCOMES]
        cells.append(f"{(tally.outcomes['local_war'] + tally.outcomes['general_war']) / tally.runs:.2f}")
        for _, names in MILITARY_COLUMNS:
            moved = None if reference else sum(pairs.difference(name)["d"] for name in names)
            cells.append(_share(sum(tally.military[name] for name in names), tally.runs, moved))
        cells.append(days_held_cell(tally))
        lines.append(f"| `{scenario.name}` | " + " | ".join(cells) + f" | {what_it_sets(scenario)} |")
    return "\n".join([*lines, "", FOOTNOTE]) + "\n"


def _share(count: int, runs: int, difference: float | None) -> str:
    """A probability, and its paired difference from the baseline in brackets (none for the baseline itself)."""
    return f"{count / runs:.2f}" if difference is None else f"{count / runs:.2f} ({difference:+.2f})"


def days_held_cell(tally: runner.Tally) -> str:
    """The median days Czechoslovakia held once attacked with, in brackets, the rollouts with an attack ("no attack" without
    one; "beyond the horizon" when most still fought there or Germany had halted)."""
    median, attacked = tally.median_days_held(), int(tally.held.sum())
    if median is None:
        return "no attack"
    return f"{'beyond the horizon' if median >= tally.days else f'{median:.0f}'} ({attacked})"


def replace_table(readme: str, new_table: str, name: str = TABLE) -> str:
    """The README with the generated table between the markers ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` replaced."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    before, rest = readme.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{new_table}{end}{after}"


def current_table(readme: str, name: str = TABLE) -> str:
    """The generated table the README holds between its ``NAME`` markers."""
    return readme.split(f"<!-- {name}:start -->", 1)[1].split(f"<!-- {name}:end -->", 1)[0].lstrip("\n")


def main() -> int:
    path = ROOT / "README.md"
    path.write_text(replace_table(path.read_text(encoding="utf-8"), table()), encoding="utf-8")
    print(f"rewrote the scenario table in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
