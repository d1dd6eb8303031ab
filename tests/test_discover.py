"""Scenario discovery (PRIM): planted boxes are found, in words, and bad input is refused.

Synthetic data only: points uniform in a cube, the target true inside boxes we plant, sometimes
with noise. The command is tested on a results file written with the sweep's own format.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.experiments.discover import Box, full_box, paste, prim
from tests.helpers import run_cli

RNG = np.random.default_rng(1938)


def cube(points: int = 2000, dimensions: int = 4) -> np.ndarray:
    return RNG.random((points, dimensions))


def test_prim_finds_a_planted_box():
    x = cube()
    y = (x[:, 0] >= 0.6) & (x[:, 1] <= 0.3)
    found = prim(x, y)
    first = found[0]
    assert first.restricted == (0, 1), "only the two planted parameters are limited"
    assert first.box.low[0] == pytest.approx(0.6, abs=0.02)
    assert first.box.high[1] == pytest.approx(0.3, abs=0.02)
    assert first.density == 1.0 and first.coverage >= 0.95
    assert first.mass == pytest.approx(y.mean(), abs=0.02)


def test_prim_finds_a_planted_box_through_noise():
    x = cube()
    planted = (x[:, 2] >= 0.5) & (x[:, 3] >= 0.4)
    flips = RNG.random(len(x)) < 0.05
    found = prim(x, planted ^ flips)[0]
    assert set(found.restricted) == {2, 3}
    assert found.box.low[2] == pytest.approx(0.5, abs=0.06) and found.box.low[3] == pytest.approx(0.4, abs=0.06)
    assert found.density >= 0.85 and found.coverage >= 0.8


def test_covering_finds_two_separate_boxes():
    x = cube(3000, 3)
    y = ((x[:, 0] >= 0.6) & (x[:, 1] >= 0.6)) | (x[:, 2] >= 0.85)
    found = prim(x, y, boxes=3)
    assert len(found) >= 2
    limited = [set(box.restricted) for box in found[:2]]
    assert {0, 1} in limited and {2} in limited
    assert sum(box.coverage for box in found) >= 0.9
    assert all(box.density >= 0.8 for box in found)


def test_pasting_undoes_a_cut_that_went_too_far():
    x = cube()
    y = x[:, 0] >= 0.5
    too_tight = full_box(x).with_limit(0, low=0.8)
    grown = paste(x, y, too_tight, alpha=0.05)
    assert grown.low[0] == pytest.approx(0.5, abs=0.02)
    assert float(y[grown.contains(x)].mean()) == 1.0


def test_a_box_contains_its_limits():
    box = Box(np.array([0.2, 0.0]), np.array([0.4, 1.0]))
    assert box.contains(np.array([[0.2, 0.5], [0.4, 1.0], [0.41, 0.5]])).tolist() == [True, True, False]


# ----------------------------------------------------------------------------- the command
def results_file(tmp_path: Path, outputs: tuple[str, ...] = ("general_war",)) -> Path:
    """A results.parquet in the sweep's format: general war is likely where FR.daladier_weight >= 0.6 and the army is ready by 1 September."""
    x = cube(1500, 3)
    days = np.round(x[:, 1] * 60)
    ready = [date(1938, 8, 1) + timedelta(days=int(day)) for day in days]  # 1 August .. 30 September
    likely = (x[:, 0] >= 0.6) & (days <= 31)
    p = np.where(likely, 0.8, 0.1)
    columns = {"point": pa.array(np.arange(len(x)), pa.int64()), "FR.daladier_weight": pa.array(x[:, 0]),
               "DE.ready_date": pa.array(ready, pa.date32()), "GB.resolve": pa.array(x[:, 2])}
    for output in outputs:
        columns |= {f"{output}_p": pa.array(p), f"{output}_lo": pa.array(p - 0.05), f"{output}_hi": pa.array(p + 0.05)}
    described = {
        "name": "synthetic",
        "parameters": [{"name": "FR.daladier_weight", "type": "number"}, {"name": "DE.ready_date", "type": "date"}, {"name": "GB.resolve", "type": "number"}],
        "outputs": list(outputs),
    }
    table = pa.table(columns).replace_schema_metadata({b"munich1938.sweep": json.dumps(described).encode()})
    path = tmp_path / "results.parquet"
    pq.write_table(table, path)
    return path


def run(argv: list, capsys) -> tuple[int, str, str]:
    return run_cli(["discover", *argv], capsys)


def test_discover_prints_the_box_in_words(tmp_path, capsys):
    status, out, _ = run([results_file(tmp_path), "--target", "general_war", "--above", "0.5"], capsys)
    assert status == 0
    assert "general war is likely (p > 0.5) in" in out
    assert "FR.daladier_weight >= 0.6" in out
    assert "DE.ready_date <= 1938-09-01" in out  # dates read as dates
    assert "GB.resolve" not in out  # the irrelevant parameter is not a condition
    assert "coverage 1.00, density 1.00" in out


def test_discover_below_and_by_bound(tmp_path, capsys):
    path = results_file(tmp_path)
    status, out, _ = run([path, "--target", "general_war", "--below", "0.5"], capsys)
    assert status == 0 and "(p < 0.5)" in out
    status, out, _ = run([path, "--target", "general_war", "--above", "0.7", "--by", "lo"], capsys)
    assert status == 0 and "the lower 95% bound > 0.7" in out and "FR.daladier_weight >= 0.6" in out


def test_discover_says_when_there_is_nothing_to_find(tmp_path, capsys):
    status, out, _ = run([results_file(tmp_path), "--target", "general_war", "--above", "0.95"], capsys)
    assert status == 0 and "in 0 of the 1,500 points" in out and "Nothing to discover" in out


@pytest.mark.parametrize(
    ("make", "target", "fragments"),
    [
        (lambda tmp: tmp / "missing.parquet", "general_war", ["missing.parquet", "no such file", "results.parquet"]),
        (lambda tmp: (tmp / "junk.parquet").write_bytes(b"not parquet") and tmp / "junk.parquet", "general_war", ["junk.parquet", "cannot be read as Parquet"]),
        (lambda tmp: pq.write_table(pa.table({"a": [1]}), tmp / "other.parquet") or tmp / "other.parquet", "general_war",
         ["other.parquet", "holds no sweep description"]),
        (results_file, "world_war", ["--target", "'world_war' is not an output of this sweep", "general_war"]),
    ],
)
def test_discover_refuses_bad_input(tmp_path, capsys, make, target, fragments):
    status, out, err = run([make(tmp_path), "--target", target], capsys)
    assert status == 2 and out == "" and "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"


def test_discover_refuses_a_threshold_outside_zero_one(tmp_path, capsys):
    status, _, err = run([results_file(tmp_path), "--target", "general_war", "--above", "1.5"], capsys)
    assert status == 2 and "must be within [0, 1]" in err
