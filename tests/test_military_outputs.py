"""The military result at the horizon where a user looks: the table, --json, runs.csv, compare, the held plot."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from sim.api import compare, run
from sim.book.vocabulary import EVENTS, MILITARY_MEANINGS, MILITARY_RESULTS
from sim.cli import main
from sim.experiments.runner import Tally
from sim.presentation import report

RUNS = 200


@pytest.fixture(scope="module")
def fights():
    return run("scenarios/benes_fights.yaml", runs=RUNS, jobs=1)


def test_table_has_the_military_block_and_the_held_line(capsys):
    assert main(["scenarios/benes_fights.yaml", "--runs", str(RUNS), "--jobs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "military result at the horizon (31 March 1939)" in printed
    lines = printed.splitlines()
    for name in MILITARY_RESULTS:
        row = next(line for line in lines if line.startswith(f"{name} "))
        assert MILITARY_MEANINGS[name] in row and "[" in row  # p, the interval, n and the meaning
    held = [line for line in lines if line.startswith("Czechoslovakia held")]
    assert len(held) == 1 and "once attacked (of " in held[0] and "rollouts with a German attack" in held[0]


def test_json_has_the_military_results_and_the_held_curve(fights):
    summary = json.loads(fights.to_json())
    assert list(summary["military"]) == list(MILITARY_RESULTS)
    assert sum(share["n"] for share in summary["military"].values()) == RUNS
    for share in summary["military"].values():
        assert set(share) == {"p", "lo", "hi", "n"} and 0 <= share["lo"] <= share["p"] <= share["hi"] <= 1
    attacked = summary["attacked"]
    assert attacked == sum(summary["military"][name]["n"] for name in ("cz_overrun", "germany_checked", "cz_holds", "cz_falls_back"))
    assert attacked > 0 and isinstance(summary["median_days_held"], int) and summary["median_beyond_horizon"] is False
    curve = np.array(summary["held_curve"])
    assert len(curve) == fights.scenario.days + 1
    assert curve[0] == 1.0 and np.all(np.diff(curve) <= 0) and curve[-1] >= 0
    # The median read off the curve: still over half at the day before, at most half on the day.
    median = summary["median_days_held"]
    assert curve[median] <= 0.5 < curve[median - 1]


def test_runs_csv_has_the_military_columns(fights, tmp_path):
    fights.save(tmp_path / "out")
    rows = list(csv.DictReader((tmp_path / "out" / "runs.csv").read_text().splitlines()))
    assert list(rows[0]) == report.CSV_FIELDS
    assert {"military_result", "breach", "campaign_halted", "days_held", *EVENTS} <= set(rows[0])
    summary = json.loads((tmp_path / "out" / "results.json").read_text())
    assert {name: sum(row["military_result"] == name for row in rows) for name in MILITARY_RESULTS} == \
        {name: share["n"] for name, share in summary["military"].items()}
    for row in rows:
        assert (row["days_held"] != "") == (row["first_shot"] != "")  # days held exactly where Germany attacked
        assert row["main_line_broken"] in ("0", "1") and (row["main_line_broken"] == "1") == (row["breach"] != "")
    assert (tmp_path / "out" / "held.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_shows_the_military_results_with_paired_differences(tmp_path):
    both = compare(["scenarios/baseline.yaml", "scenarios/benes_fights.yaml"], runs=RUNS, jobs=1, out=tmp_path / "cmp")
    summary = json.loads(both.to_json())
    base, fights = summary["scenarios"]
    assert list(fights["military"]) == list(MILITARY_RESULTS)
    assert all(base["military"][name]["d"] == 0 for name in MILITARY_RESULTS)  # the reference against itself
    overrun = fights["military"]["cz_overrun"]
    assert overrun["d"] == pytest.approx(overrun["p"] - base["military"]["cz_overrun"]["p"], abs=1e-3) and overrun["d"] > 0
    text = both.text()
    assert "military result" in text and "median days held" in text
    assert any(line.startswith("cz_overrun ") and f"{overrun['d']:+.3f}" in line for line in text.splitlines())
    kinds = both.table.to_pydict()["kind"]
    assert kinds.count("military") == 2 * len(MILITARY_RESULTS)
    assert (tmp_path / "cmp" / "held.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_held_line_says_no_attack_and_beyond_the_horizon():
    assert report.held_line({"attacked": 0, "median_days_held": None, "median_beyond_horizon": False}) == \
        "Czechoslovakia held: no German attack in any rollout."
    beyond = report.held_line({"attacked": 3, "median_days_held": 385, "median_beyond_horizon": True})
    assert "beyond the horizon" in beyond and "of 3 rollouts" in beyond
    assert report.held_line({"attacked": 1, "median_days_held": 1, "median_beyond_horizon": False}) == \
        "Czechoslovakia held a median 1 day once attacked (of 1 rollout with a German attack)."


def test_held_summary_of_a_tally_that_held_to_the_horizon():
    tally = Tally(days=10, runs=4)
    tally.held[-1] = 3  # three attacked, none beaten by the horizon
    held = report.held(tally)
    assert held["attacked"] == 3 and held["median_beyond_horizon"] is True and held["held_curve"] == [1.0] * 11


def test_held_plot_draws_one_styled_line_a_scenario(fights):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    curves = [*report.held_curves(fights.summary), ("quiet", [0.0] * 5, 0)]
    report.draw_held(axes, curves)
    lines = [line for line in axes.get_lines() if line.get_xdata().size]
    assert len(lines) == 1 and lines[0].get_ydata()[0] == 1.0
    labels = [text.get_text() for text in axes.get_legend().get_texts()]
    assert labels == [f"benes_fights ({fights.summary['attacked']} attacked)", "quiet (no German attack)"]
    assert "Czechoslovakia hold" in axes.get_title()
    plt.close(figure)
    # Four scenarios: four different line styles, all black (readable in black and white).
    figure, axes = plt.subplots()
    report.draw_held(axes, [(f"s{index}", [1.0, 0.5, 0.0], 2) for index in range(4)])
    styles = [(line.get_linestyle(), line.get_color()) for line in axes.get_lines()]
    assert len(set(styles)) == 4 and {colour for _, colour in styles} == {"black"}
    plt.close(figure)


def test_the_readme_scenario_table_has_the_military_columns():
    from sim.experiments import runner
    from sim.presentation.scenario_table import MILITARY_COLUMNS, days_held_cell, scenarios, table

    lines = table(runs=40, jobs=1).splitlines()
    heading = next(line for line in lines if line.startswith("| scenario"))
    columns = [cell.strip() for cell in heading.strip("|").split("|")]
    for name, _ in MILITARY_COLUMNS:
        assert name in columns
    assert columns[-2:] == ["median days held once attacked", "what it sets"]
    rows = {line.split("`")[1]: [cell.strip() for cell in line.strip("|").split("|")] for line in lines if line.startswith("| `")}
    chosen = scenarios()
    tallies, _ = runner.compare(chosen, 40, 1)
    for scenario, tally in zip(chosen, tallies, strict=True):
        row = rows[scenario.name]
        assert len(row) == len(columns)
        overrun = row[columns.index("overrun by the horizon")].split()[0]
        assert float(overrun) == pytest.approx(tally.military["cz_overrun"] / 40, abs=0.0051)  # printed to two places
        assert row[columns.index("median days held once attacked")] == days_held_cell(tally)
    assert re.fullmatch(r"\d+ \(\d+\)", rows["benes_fights"][-2])


def test_days_held_cell_says_no_attack_and_beyond_the_horizon():
    from sim.presentation.scenario_table import days_held_cell

    tally = Tally(days=10, runs=5)
    assert days_held_cell(tally) == "no attack"
    tally.held[-1] = 2
    assert days_held_cell(tally) == "beyond the horizon (2)"
    tally.held[3] = 3
    assert days_held_cell(tally) == "3 (5)"


SWEEP = """\
name: military
scenario: {scenario}
parameters:
  FR.daladier_weight: {{values: [0.1, 0.9]}}
design: {{kind: grid}}
rollouts: 30
seed: 1938
outputs: [cz_overrun, germany_checked, general_war]
"""


def test_a_sweep_reports_military_results_and_checks_their_names(tmp_path, capsys):
    import pyarrow.parquet as pq

    from sim.api import sweep
    from sim.api.loading import load_scenario
    from sim.experiments import runner
    from tests.helpers import run_cli

    path = tmp_path / "military.yaml"
    path.write_text(SWEEP.format(scenario=Path("scenarios/benes_fights.yaml").resolve()), encoding="utf-8")
    done = sweep(path, out=tmp_path / "out", jobs=1)
    table = pq.read_table(tmp_path / "out" / "results.parquet").to_pylist()
    assert {"cz_overrun_p", "germany_checked_hi"} <= set(done.table.column_names)
    for row in table:  # each point as the scenario with that value pinned, on the same rollouts
        pinned = load_scenario("scenarios/benes_fights.yaml", [f"parameters.FR.daladier_weight={row['FR.daladier_weight']}"])
        tally = runner.run(pinned, runs=30, jobs=1)
        assert row["cz_overrun_p"] == tally.military["cz_overrun"] / 30
        assert row["germany_checked_p"] == tally.military["germany_checked"] / 30
    path.write_text(SWEEP.format(scenario=Path("scenarios/benes_fights.yaml").resolve()).replace("cz_overrun,", "cz_overran,"))
    status, printed, err = run_cli(["sweep", path, "--out", tmp_path / "bad"], capsys)
    assert printed == ""
    assert status == 2 and "unknown output 'cz_overran'" in err and "military results: no_war, standoff, cz_overrun" in err
