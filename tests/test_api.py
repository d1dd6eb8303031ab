"""The Python API (``sim.api``): the same bytes as the command line, tables, narration, figures on given axes, bad input.

The command line computes through the API; these tests run each job both ways and compare the bytes
of what they write (results.json, runs.csv, compare.json, results.parquet) and print.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import matplotlib
import pyarrow.parquet as pq
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import sim.api
from sim.api import InputError, compare, load_scenario, load_sweep, narrate, run, sweep
from sim.book.vocabulary import EVENTS, OUTCOMES
from sim.cli import main
from sim.presentation.report import CSV_FIELDS
from tests.helpers import ROOT

BASELINE, FIGHTS = str(ROOT / "scenarios" / "baseline.yaml"), str(ROOT / "scenarios" / "benes_fights.yaml")
GRID = {
    "name": "grid",
    "scenario": BASELINE,
    "parameters": {"FR.daladier_weight": {"values": [0.1, 0.9]}, "GB.trust_in_hitler": {"range": [0.2, 0.8]}},
    "design": {"kind": "grid", "levels": 3},
    "rollouts": 12,
    "seed": 7,
    "chunk": 24,
    "outputs": ["general_war", "settlement"],
}


def cli(capsys, argv: list[str]) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out


# ----------------------------------------------------------------------------- the same bytes as the command line
def test_run_gives_the_command_lines_bytes(tmp_path, capsys):
    argv = [FIGHTS, "--runs", "150", "--seed", "5", "--point", "--set", "parameters.FR.daladier_weight=0.6", "--jobs", "1"]
    printed = cli(capsys, [*argv, "--json", "--out", str(tmp_path / "cli")])
    table = cli(capsys, argv)
    result = run(FIGHTS, 150, seed=5, draws="point", overrides={"parameters.FR.daladier_weight": 0.6}, jobs=1, out=tmp_path / "api")
    result.save(tmp_path / "saved")
    assert result.to_json() == printed and result.text() == table
    for name in ("results.json", "runs.csv", "rules.txt", "outcomes.png", "war_by_date.png"):
        cli_bytes = (tmp_path / "cli" / name).read_bytes()
        assert (tmp_path / "api" / name).read_bytes() == cli_bytes, name
        assert (tmp_path / "saved" / name).read_bytes() == cli_bytes, name


def test_compare_gives_the_command_lines_bytes(tmp_path, capsys):
    argv = ["compare", BASELINE, FIGHTS, "--runs", "120", "--seed", "3", "--jobs", "1"]
    printed = cli(capsys, [*argv, "--json", "--out", str(tmp_path / "cli")])
    table = cli(capsys, argv)
    result = compare([BASELINE, FIGHTS], 120, seed=3, jobs=1, out=tmp_path / "api")
    result.save(tmp_path / "saved")
    assert result.to_json() == printed and result.text() == table
    for name in ("compare.json", "compare.png"):
        cli_bytes = (tmp_path / "cli" / name).read_bytes()
        assert (tmp_path / "api" / name).read_bytes() == cli_bytes == (tmp_path / "saved" / name).read_bytes(), name


def test_sweep_gives_the_command_lines_bytes(tmp_path, capsys):
    sweep_file = tmp_path / "grid.yaml"
    sweep_file.write_text(json.dumps(GRID), encoding="utf-8")  # JSON is YAML
    printed = cli(capsys, ["sweep", str(sweep_file), "--jobs", "1", "--out", str(tmp_path / "cli")])
    from_file = sweep(sweep_file, jobs=1, out=tmp_path / "api")
    in_memory = sweep(GRID, jobs=2)
    assert from_file.summary in printed and in_memory.folder is None
    for name in ("results.parquet", "summary.txt", "heatmap_general_war.png", "heatmap_settlement.png"):
        assert (tmp_path / "api" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    on_disk = pq.read_table(tmp_path / "cli" / "results.parquet")
    assert from_file.table.equals(on_disk) and in_memory.table.equals(on_disk)
    assert in_memory.table.schema.metadata == on_disk.schema.metadata


def test_narration_is_the_command_lines_and_its_steps_are_data(capsys):
    printed = cli(capsys, [FIGHTS, "--narrate", "3", "--seed", "11"])
    story = narrate(FIGHTS, 3, seed=11)
    assert story.text == printed == str(story)
    acts = [step for step in story if step.kind == "rule"]
    assert acts and all(step.actor and step.rule and step.rule.startswith(step.actor + ".") and step.evidence for step in acts)
    assert all(isinstance(step.date, date) for step in story) and [s.date for s in story] == sorted(s.date for s in story)
    assert story.outcome in OUTCOMES and set(story.events) <= set(EVENTS)
    table = story.table()
    assert table.column_names == ["date", "kind", "actor", "rule", "words", "evidence"] and table.num_rows == len(story)
    row = run(FIGHTS, 4, seed=11, jobs=1).rollouts.slice(3, 1).to_pylist()[0]
    assert row["outcome"] == story.outcome and row["first_shot"] == story.first_shot
    assert {event for event in EVENTS if row[event]} == set(story.events)


# ----------------------------------------------------------------------------- tables
def test_tables_hold_what_the_files_hold(tmp_path):
    result = run(BASELINE, 200, jobs=1)
    assert result.outcomes.column_names == ["outcome", "p", "lo", "hi", "n"] and result.outcomes.column("outcome").to_pylist() == list(OUTCOMES)
    assert sum(result.outcomes.column("n").to_pylist()) == 200
    assert result.events.column("event").to_pylist() == list(EVENTS)
    counts = result.rules.column("n").to_pylist()
    assert counts == sorted(counts, reverse=True) and result.rules.num_rows == len(result.summary["rules"])
    assert result.rollouts.column_names == CSV_FIELDS and result.rollouts.num_rows == 200
    assert result.rollouts.column("rollout").to_pylist() == list(range(200))
    result.save(tmp_path / "out")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "runs.csv").read_text(encoding="utf-8"))))
    assert [row["outcome"] for row in rows] == result.rollouts.column("outcome").to_pylist()
    assert run(BASELINE, 200, jobs=1, rollouts=False).rollouts is None


def test_tables_become_pandas_where_pandas_is_installed():
    pandas = pytest.importorskip("pandas", reason="pandas is in the optional notebook extra")
    result = run(BASELINE, 50, jobs=1)
    frame = result.rollouts.to_pandas()
    assert isinstance(frame, pandas.DataFrame) and list(frame.columns) == CSV_FIELDS and len(frame) == 50
    assert list(compare([BASELINE, FIGHTS], 50, jobs=1).table.to_pandas()["scenario"].unique()) == ["baseline", "benes_fights"]


def test_sensitivity_indices_come_as_a_table():
    morris = sweep({**GRID, "name": "m", "parameters": {"FR.daladier_weight": None, "GB.trust_in_hitler": None},
                    "design": {"kind": "morris", "trajectories": 3}, "rollouts": 8}, jobs=1)
    table = morris.indices_table
    assert set(table.column("index").to_pylist()) == {"mu", "mu_star", "sigma"}
    assert set(table.column("parameter").to_pylist()) == {"FR.daladier_weight", "GB.trust_in_hitler"}
    fig, ax = plt.subplots()
    assert morris.plot("general_war", ax) is ax and ax.collections
    plt.close(fig)


# ----------------------------------------------------------------------------- figures on given axes
def test_figures_are_drawn_on_the_axes_given():
    result = run(FIGHTS, 100, jobs=1)
    both = compare([BASELINE, FIGHTS], 100, jobs=1)
    grid = sweep(GRID, jobs=1)
    fig, axes = plt.subplots(2, 2)
    assert result.plot_outcomes(axes[0, 0]) is axes[0, 0] and len(axes[0, 0].patches) == len(OUTCOMES)
    assert result.plot_war_by_date(axes[0, 1]) is axes[0, 1] and len(axes[0, 1].lines) == 7
    assert both.plot(axes[1, 0]) is axes[1, 0] and len(axes[1, 0].patches) == 2 * len(OUTCOMES)
    assert grid.plot("general_war", axes[1, 1]) is axes[1, 1] and axes[1, 1].images
    plt.close(fig)
    with pytest.raises(InputError, match="no figure for 'cz_fights'"):
        grid.plot("cz_fights")


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        (lambda: load_scenario(BASELINE, {"parameters.FR.daladier_weight": 1.7}), ("--set", "parameters.FR.daladier_weight", "[0.0, 1.0]")),
        (lambda: load_scenario(BASELINE, ["rules.CZ.nope.enabled=false"]), ("rules.CZ.nope", "python run.py rules")),
        (lambda: load_scenario(str(ROOT / "scenarios" / "missing.yaml")), ("missing.yaml",)),
        (lambda: run(BASELINE, 0), ("runs", "[1,")),
        (lambda: run(BASELINE, 10, draws="median"), ("draws", "posterior, point, book")),
        (lambda: run(BASELINE, 10, seed=-1), ("seed",)),
        (lambda: narrate(BASELINE, -2), ("rollout",)),
        (lambda: compare([]), ("at least one scenario",)),
        (lambda: load_sweep({**GRID, "parameters": {"FR.nope": None}}), ("<sweep>", "parameters.FR.nope", "unknown parameter")),
        (lambda: load_sweep({**GRID, "design": {"kind": "sobol", "n": 6}}), ("<sweep>", "design.n", "power of two")),
    ],
)
def test_bad_input_raises_one_error_naming_where_and_what(call, fragments):
    with pytest.raises(InputError) as caught:
        call()
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_a_bad_line_in_a_file_is_named_by_file_and_line(tmp_path):
    (tmp_path / "baseline.yaml").write_bytes(Path(BASELINE).read_bytes())  # extends reaches only the scenario's own folder
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nquestion: what?\nextends: baseline.yaml\nparameters:\n  FR.daladier_weight: 3\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(bad)
    assert (str(caught.value.file), caught.value.line, caught.value.key) == (str(bad), 5, "parameters.FR.daladier_weight")


# ----------------------------------------------------------------------------- documentation and layering
@pytest.mark.parametrize("name", ["load_scenario", "load_sweep", "run", "compare", "narrate", "sweep", "classroom", "handout"])
def test_help_reads_as_a_reference(name):
    text = getattr(sim.api, name).__doc__
    for part in ("Arguments:", "Returns:", "Example:", ">>> from sim.api import"):
        assert part in text, f"{name}: no {part!r}"


def test_every_public_name_resolves_and_loading_does_not_import_the_model():
    assert all(getattr(sim.api, name) is not None for name in sim.api.__all__)
    code = "import sys, sim.api.loading; print('sim.engine.model' in sys.modules)"
    printed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert printed.strip() == "False"
