"""Parameter sweeps: designs, the results file, resume after kill -9, Dask against the process pool, bad sweep files.

The sweeps here are tiny (a few points, a few rollouts, chunks of a few points) so that the
whole file runs in well under a minute on two shared cores; what they check does not depend
on size: every row is a pure function of the sweep file, however and wherever its chunks ran.
"""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.book.scenario import load_scenario
from sim.cli import main
from sim.experiments import designs, runner
from sim.experiments.designs import Axis, DesignSpec
from sim.experiments.sweep_file import load_sweep
from sim.experiments.sweep_run import Progress, run_chunk, work
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
# Four chunks of two points (chunk: 20 lanes, 10 rollouts a point): enough parts to kill a run between them.
SMALL = f"""\
name: small
scenario: {BASELINE}
parameters:
  FR.daladier_weight: {{values: [0.1, 0.9]}}
  GB.trust_in_hitler: {{range: [0.2, 0.8]}}
design: {{kind: grid, levels: 4}}
rollouts: 10
seed: 7
chunk: 20
outputs: [general_war, settlement, cz_fights]
"""
SMALL_POINTS, SMALL_PARTS = 8, 4


def write(tmp_path: Path, text: str, name: str = "sweep.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, Path]:
    """The small sweep run once, uninterrupted, on the local process pool: (sweep file, output folder)."""
    folder = tmp_path_factory.mktemp("reference")
    sweep_file = write(folder, SMALL)
    assert main(["sweep", str(sweep_file), "--out", str(folder / "out"), "--jobs", "2"]) == 0
    return sweep_file, folder / "out"


def same_results(folder: Path, reference_folder: Path) -> None:
    """The two results files are the same table and the same bytes."""
    ours, theirs = pq.read_table(folder / "results.parquet"), pq.read_table(reference_folder / "results.parquet")
    assert ours.equals(theirs)
    assert ours.schema.metadata == theirs.schema.metadata
    assert (folder / "results.parquet").read_bytes() == (reference_folder / "results.parquet").read_bytes()


# ----------------------------------------------------------------------------- designs
@pytest.mark.parametrize(
    ("design", "values", "expected"),
    [
        ("{kind: grid, levels: 4}", True, 3 * 4 * 4),  # FR has 3 values; the ranged axes have 4 levels
        ("{kind: random, n: 7}", False, 7),
        ("{kind: latin, n: 9}", False, 9),
        ("{kind: sobol, n: 8}", False, 8 * (2 * 3 + 2)),
        ("{kind: sobol, n: 8, second_order: false}", False, 8 * (3 + 2)),
        ("{kind: morris, trajectories: 5}", False, 5 * (3 + 1)),
    ],
)
def test_designs_have_the_expected_points_inside_their_ranges(tmp_path, design, values, expected):
    fr = "{values: [0.1, 0.5, 0.9]}" if values else "{range: [0.1, 0.9]}"
    sweep = load_sweep(write(tmp_path, f"""\
name: sizes
scenario: {BASELINE}
parameters:
  FR.daladier_weight: {fr}
  GB.trust_in_hitler:
  DE.ready_date: {{range: [1938-08-01, 1938-10-15]}}
design: {design}
"""))
    assert sweep.points.shape == (expected, 3)
    assert sweep.points[:, 0].min() >= 0.1 and sweep.points[:, 0].max() <= 0.9
    assert sweep.points[:, 1].min() >= 0 and sweep.points[:, 1].max() <= 1  # no range given: the rule book's [0, 1]
    days = sweep.points[:, 2]
    assert np.all(days == np.round(days)), "a date parameter runs on whole days"
    assert days.min() >= sweep.scenario.day_of(date(1938, 8, 1)) and days.max() <= sweep.scenario.day_of(date(1938, 10, 15))


def test_the_design_is_a_function_of_the_seed(tmp_path):
    text = f"name: s\nscenario: {BASELINE}\nparameters:\n  FR.daladier_weight:\ndesign: {{kind: latin, n: 20}}\nseed: 3\n"
    first, again = load_sweep(write(tmp_path, text, "a.yaml")), load_sweep(write(tmp_path, text, "b.yaml"))
    other = load_sweep(write(tmp_path, text.replace("seed: 3", "seed: 4"), "c.yaml"))
    assert np.array_equal(first.points, again.points) and first.fingerprint == again.fingerprint
    assert not np.array_equal(first.points, other.points) and first.fingerprint != other.fingerprint


def test_a_grid_runs_the_first_parameter_slowest(tmp_path):
    sweep = load_sweep(write(tmp_path, SMALL))
    assert sweep.points.tolist() == [[a, b] for a in (0.1, 0.9) for b in (0.2, 0.4, 0.6, 0.8)]


def test_sobol_indices_of_an_additive_toy():
    # y = 4a + b: Var = 16/12 + 1/12, so S1 = ST = 16/17 for a, 1/17 for b, 0 for c.
    axes = tuple(Axis(name, 0.0, 1.0) for name in "abc")
    spec = DesignSpec("sobol", n=1024, second_order=False)
    x = designs.build(axes, spec, seed=1)
    indices = designs.sobol_indices(axes, 4 * x[:, 0] + x[:, 1], spec, seed=1)
    for name, share in (("a", 16 / 17), ("b", 1 / 17), ("c", 0.0)):
        assert indices[name]["S1"] == pytest.approx(share, abs=0.04)
        assert indices[name]["ST"] == pytest.approx(share, abs=0.04)
    assert designs.sobol_indices(axes, np.zeros(len(x)), spec, seed=1) is None  # a constant output has no indices


def test_morris_ranks_an_additive_toy():
    axes = tuple(Axis(name, 0.0, 1.0) for name in "abc")
    spec = DesignSpec("morris", trajectories=20, levels=4)
    x = designs.build(axes, spec, seed=1)
    indices = designs.morris_indices(axes, x, 4 * x[:, 0] + x[:, 1], spec, seed=1)
    assert indices["a"]["mu_star"] == pytest.approx(4.0) and indices["b"]["mu_star"] == pytest.approx(1.0)
    assert indices["c"]["mu_star"] == 0.0


def test_a_chunk_counts_each_point_as_if_it_ran_alone(tmp_path):
    """Points share a batch but not their rollouts: each point's counts equal a batch of that point alone."""
    sweep = load_sweep(write(tmp_path, SMALL))
    chunk = work(sweep, [1])[0]
    _, counts = run_chunk(chunk)
    assert len(chunk.points) > 1
    for row, point in enumerate(chunk.points):
        _, alone = run_chunk(dataclasses.replace(chunk, points=point[None, :]))
        assert counts[row].tolist() == alone[0].tolist()


# ----------------------------------------------------------------------------- the results
def test_results_hold_one_row_a_point_with_intervals(reference):
    _, out = reference
    table = pq.read_table(out / "results.parquet")
    assert table.column_names == ["point", "FR.daladier_weight", "GB.trust_in_hitler"] + [
        f"{output}_{stat}" for output in ("general_war", "settlement", "cz_fights") for stat in ("p", "lo", "hi")
    ]
    assert table.column("point").to_pylist() == list(range(SMALL_POINTS))
    for output in ("general_war", "settlement", "cz_fights"):
        p, low, high = (table.column(f"{output}_{stat}").to_numpy() for stat in ("p", "lo", "hi"))
        assert np.all((low <= p) & (p <= high)) and np.all(p * 10 == np.round(p * 10))
    described = json.loads(table.schema.metadata[b"munich1938.sweep"])
    assert described["rollouts"] == 10 and [item["name"] for item in described["parameters"]] == ["FR.daladier_weight", "GB.trust_in_hitler"]
    assert {path.name for path in out.glob("heatmap_*.png")} == {"heatmap_general_war.png", "heatmap_settlement.png", "heatmap_cz_fights.png"}
    assert "general_war" in (out / "summary.txt").read_text()


def test_a_point_equals_the_scenario_with_those_values(reference):
    """A swept point meets the same rollouts as the scenario run with the same values pinned."""
    _, out = reference
    row = pq.read_table(out / "results.parquet").slice(5, 1).to_pylist()[0]  # FR 0.9, GB 0.4
    scenario = load_scenario(BASELINE, [f"parameters.FR.daladier_weight={row['FR.daladier_weight']}",
                                        f"parameters.GB.trust_in_hitler={row['GB.trust_in_hitler']}", "seed=7"])
    tally = runner.run(scenario, runs=10, jobs=1)
    assert row["general_war_p"] == tally.outcomes["general_war"] / 10
    assert row["settlement_p"] == tally.outcomes["settlement"] / 10
    assert row["cz_fights_p"] == tally.events["cz_fights"] / 10


@pytest.mark.parametrize(
    ("design", "files"), [("{kind: sobol, n: 4}", {"sobol_general_war.png"}), ("{kind: morris, trajectories: 3}", {"morris_general_war.png"})]
)
def test_sensitivity_designs_write_indices_and_bars(tmp_path, capsys, design, files):
    path = write(tmp_path, f"""\
name: sa
scenario: {BASELINE}
parameters:
  FR.daladier_weight:
  DE.risk_tolerance:
design: {design}
rollouts: 5
outputs: [general_war]
""")
    status, out, _ = run_cli(["sweep", path, "--out", tmp_path / "out", "--jobs", "1"], capsys)
    assert status == 0
    indices = json.loads((tmp_path / "out" / "indices.json").read_text())["outputs"]["general_war"]
    assert set(indices) == {"FR.daladier_weight", "DE.risk_tolerance"}
    assert {path.name for path in (tmp_path / "out").glob("*.png")} == files
    assert ("Sobol indices" if "sobol" in design else "Morris screening") in out


def test_the_progress_bar_shows_points_and_eta():
    stream = io.StringIO()
    bar = Progress(total=100, done=20, rollouts=50, stream=stream, enabled=True)
    bar.advance(30)
    bar.close()
    assert "50/100 points" in stream.getvalue() and "ETA" in stream.getvalue()
    quiet = io.StringIO()
    Progress(total=100, done=0, rollouts=50, stream=quiet, enabled=False).advance(10)
    assert quiet.getvalue() == ""


# ----------------------------------------------------------------------------- resume
def test_a_killed_sweep_resumes_to_the_same_results(tmp_path, reference, capsys):
    sweep_file, reference_out = reference
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "run.py", "sweep", str(sweep_file), "--out", str(out), "--jobs", "1"],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    try:
        while len(list((out / "parts").glob("part-*.parquet"))) < 2:
            assert process.poll() is None, "the sweep finished before it could be killed; make it longer"
            assert time.monotonic() < deadline, "no part was written in time"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    kept = len(list((out / "parts").glob("part-*.parquet")))
    assert 2 <= kept < SMALL_PARTS and not (out / "results.parquet").exists()

    status, printed, _ = run_cli(["sweep", sweep_file, "--out", out, "--jobs", "1"], capsys)
    assert status == 0
    assert f"ran {SMALL_POINTS - 2 * kept} points" in printed and f"{2 * kept} points were already done" in printed
    same_results(out, reference_out)


def test_a_damaged_part_and_a_torn_write_are_run_again(tmp_path, reference, capsys):
    sweep_file, reference_out = reference
    out = tmp_path / "out"
    shutil.copytree(reference_out, out)
    (out / "parts" / "part-000002.parquet").write_bytes(b"PAR1 not really")
    (out / "parts" / ".part-000003.parquet.999.tmp").write_bytes(b"half a part")
    (out / "results.parquet").unlink()
    status, printed, _ = run_cli(["sweep", sweep_file, "--out", out, "--jobs", "1"], capsys)
    assert status == 0 and "ran 2 points" in printed
    assert not list((out / "parts").glob("*.tmp"))
    same_results(out, reference_out)


def test_a_changed_sweep_is_refused_rather_than_mixed(tmp_path, reference, capsys):
    sweep_file, reference_out = reference
    out = tmp_path / "out"
    shutil.copytree(reference_out, out)
    before = {path.name: path.stat().st_mtime_ns for path in out.rglob("*")}
    changed = write(tmp_path, sweep_file.read_text().replace("rollouts: 10", "rollouts: 11"))
    status, printed, err = run_cli(["sweep", changed, "--out", out, "--jobs", "1"], capsys)
    assert status == 2 and printed == ""
    assert str(out) in err and "different sweep" in err and "--out" in err
    assert {path.name: path.stat().st_mtime_ns for path in out.rglob("*")} == before


# ----------------------------------------------------------------------------- distributed
def test_a_dask_local_cluster_equals_the_process_pool(tmp_path, reference, capsys):
    pytest.importorskip("distributed")
    sweep_file, reference_out = reference  # run with --jobs 2
    status, printed, _ = run_cli(["sweep", sweep_file, "--out", tmp_path / "dask", "--dask-local", "2"], capsys)
    assert status == 0 and "a local Dask cluster of 2 workers" in printed, printed
    same_results(tmp_path / "dask", reference_out)


def test_without_dask_the_flags_say_how_to_install_it(tmp_path, reference, capsys, monkeypatch):
    sweep_file, _ = reference
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now raises ImportError
    status, printed, err = run_cli(["sweep", sweep_file, "--out", tmp_path / "out", "--dask-local", "2"], capsys)
    assert status == 2 and "pip install -e '.[dist]'" in err and printed == ""
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- bad input
GOOD = f"""\
name: bad
scenario: {BASELINE}
parameters:
  FR.daladier_weight: {{values: [0.2, 0.8]}}
  GB.trust_in_hitler: {{range: [0.2, 0.8]}}
design: {{kind: grid, levels: 3}}
rollouts: 10
outputs: [general_war]
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "fragments"),
    [
        ("rollouts: 10", "rollout: 10", 7, ["rollout", "unknown key"]),
        ("rollouts: 10", "rollouts: 0", 7, ["rollouts", "greater than or equal to 1"]),
        ("FR.daladier_weight:", "FR.daladier_wieght:", 4, ["parameters.FR.daladier_wieght", "unknown parameter", "did you mean FR.daladier_weight"]),
        ("{range: [0.2, 0.8]}", "{range: [0.2, 1.5]}", 5, ["parameters.GB.trust_in_hitler.range", "1.5 is outside the rule book's range [0.0, 1.0]"]),
        ("{range: [0.2, 0.8]}", "{range: [0.8, 0.2]}", 5, ["parameters.GB.trust_in_hitler.range", "empty", "low < high"]),
        ("[0.2, 0.8]}\n  GB", "[0.2, 0.2]}\n  GB", 4, ["parameters.FR.daladier_weight.values", "appears twice"]),
        ("{kind: grid, levels: 3}", "{kind: sobol, n: 8}", 4, ["parameters.FR.daladier_weight.values", "sobol design samples ranges", "range: [low, high]"]),
        ("{kind: grid, levels: 3}", "{kind: grid, trajectories: 4}", 6, ["design.trajectories", "does not apply to a grid design", "takes: levels"]),
        ("{kind: grid, levels: 3}", "{kind: latin}", 6, ["design", "a latin design needs `n`"]),
        ("{kind: grid, levels: 3}", "{kind: factorial}", 6, ["design.kind", "'grid'", "'sobol'", "'morris'"]),
        ("[general_war]", "[general_war, world_war]", 8, ["outputs.1", "unknown output 'world_war'", "settlement", "cz_fights"]),
        ("  GB.trust_in_hitler: {range: [0.2, 0.8]}", "  DE.ready_date: {range: [0.2, 0.8]}", 5, ["parameters.DE.ready_date.range", "must be a date"]),
        ("  GB.trust_in_hitler: {range: [0.2, 0.8]}", "  DE.ready_date: {range: [1938-01-01, 1938-09-01]}", 5, ["1938-01-01 is outside"]),
        (f"scenario: {BASELINE}", "scenario: nowhere.yaml", 2, ["scenario", "'nowhere.yaml'", "not a scenario file"]),
        ("design: {kind: grid, levels: 3}", "design: {kind: grid, levels: 3", 7, ["YAML syntax error"]),
    ],
)
def test_a_bad_sweep_file_is_refused_with_file_line_key_and_what_is_allowed(tmp_path, capsys, old, new, line, fragments):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    out = tmp_path / "out"
    status, printed, err = run_cli(["sweep", path, "--out", out], capsys)
    assert status == 2, err
    assert printed == "" and "Traceback" not in err
    assert f"{path}:{line}:" in err, err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert not out.exists(), "nothing may be written for a bad sweep"


def test_sobol_needs_a_power_of_two(tmp_path, capsys):
    path = write(tmp_path, GOOD.replace("{values: [0.2, 0.8]}", "").replace("{kind: grid, levels: 3}", "{kind: sobol, n: 100}"))
    status, _, err = run_cli(["sweep", path, "--out", tmp_path / "out"], capsys)
    assert status == 2 and f"{path}:6: design.n:" in err and "power of two" in err


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (["--jobs", "2", "--dask-local", "2"], "--jobs is for the local process pool"),
        (["--scheduler", "tcp://127.0.0.1:1", "--dask-local", "2"], "not allowed with argument"),
        (["--jobs", "0"], "must be at least 1"),
    ],
)
def test_bad_flags_are_refused(tmp_path, capsys, flags, fragment):
    path = write(tmp_path, GOOD)
    status, printed, err = run_cli(["sweep", path, "--out", tmp_path / "out", *flags], capsys)
    assert status == 2 and fragment in err and printed == ""
    assert not (tmp_path / "out").exists()


def test_a_folder_holding_other_files_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("mine")
    status, _, err = run_cli(["sweep", write(tmp_path, GOOD), "--out", out], capsys)
    assert status == 2 and "is not empty and holds no sweep" in err
    assert [path.name for path in out.iterdir()] == ["thesis.tex"]


def test_a_dry_run_prints_the_plan_and_writes_nothing(tmp_path, capsys):
    status, printed, _ = run_cli(["sweep", write(tmp_path, GOOD), "--out", tmp_path / "out", "--dry-run"], capsys)
    assert status == 0 and "6 points x 10 rollouts = 60 rollouts" in printed
    assert not (tmp_path / "out").exists()


def test_the_examples_are_valid():
    for path in sorted((ROOT / "sweeps").glob("*.yaml")):
        sweep = load_sweep(path)
        assert len(sweep.points) > 0, path
    assert len(load_sweep(ROOT / "sweeps" / "czech_survival_sobol.yaml").points) == 256 * (2 * 8 + 2)
