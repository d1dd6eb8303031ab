"""Hostile output paths and other doors, through the real command line (``tests/hostile.py``).

Every output path is checked before any work starts: a bad one ends with exit status 2, one
message naming the option and what is wrong, no traceback and nothing left behind. Each case runs
in its own folder (``tmp_path``), which holds copies of the inputs it names:

* ``baseline.yaml``, a valid scenario; ``bad.yaml``, britain_firm.yaml (which extends it) with its added rule's condition broken;
* ``sweep.yaml``, a tiny sweep of the baseline; ``bad_sweep.yaml``, the same sweep of ``bad.yaml``;
* ``folder/``, an empty folder, and ``file.txt``, a file;
* Parquet files shaped like a sweep's results but damaged one way each.

``{ro}`` in an argument is a folder nobody may write in: a folder without write permission, or,
when the tests run as root (whom permissions do not stop), ``/proc``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import ROOT, hostile, refused

LONG = "x" * 300  # longer than a file name may be (255 bytes)

SWEEP = """\
name: tiny
scenario: {scenario}
design: {{kind: grid}}
rollouts: 5
seed: 1
outputs: [general_war]
parameters:
  FR.daladier_weight: {{values: [0.1, 0.9]}}
"""

# (case, arguments, words the message must hold)
REFUSED = [
    ("report is the scenario", ["baseline.yaml", "--runs", "10", "--report", "baseline.yaml"], ["--report", "input"]),
    ("report is a folder", ["baseline.yaml", "--runs", "10", "--report", "folder"], ["--report", "is a folder"]),
    ("report in a read-only folder", ["baseline.yaml", "--runs", "10", "--report", "{ro}/handout.html"], ["--report", "cannot write"]),
    ("report in a missing folder", ["baseline.yaml", "--runs", "10", "--report", "missing/handout.html"], ["--report", "does not exist"]),
    ("report name too long", ["baseline.yaml", "--runs", "10", "--report", LONG + ".html"], ["--report", "too long"]),
    ("out in a read-only folder", ["baseline.yaml", "--runs", "10", "--out", "{ro}/results"], ["--out", "cannot write"]),
    ("out is empty", ["baseline.yaml", "--runs", "10", "--out", ""], ["--out", "empty"]),
    ("out is a file", ["baseline.yaml", "--runs", "10", "--out", "file.txt"], ["--out", "not a folder"]),
    ("out name too long", ["baseline.yaml", "--runs", "10", "--out", LONG], ["--out", "too long"]),
    ("narrate with report", ["baseline.yaml", "--narrate", "1", "--report", "handout.html"], ["--narrate", "--report"]),
    ("narrate with out", ["baseline.yaml", "--narrate", "1", "--out", "results"], ["--narrate", "--out"]),
    ("scenario name too long", [LONG + ".yaml"], ["too long"]),
    ("sweep out in a read-only folder", ["sweep", "sweep.yaml", "--out", "{ro}/sweep"], ["--out", "cannot write"]),
    ("sweep out is the sweep file", ["sweep", "sweep.yaml", "--out", "sweep.yaml"], ["--out", "not a folder"]),
    ("sweep of a scenario that does not run", ["sweep", "bad_sweep.yaml", "--out", "sweep", "--jobs", "1"], ["bad.yaml", "condition"]),
    ("sweep scheduler not an address", ["sweep", "sweep.yaml", "--scheduler", "not a url"], ["--scheduler", "not a scheduler address"]),
    ("sweep scheduler port out of range", ["sweep", "sweep.yaml", "--scheduler", "tcp://127.0.0.1:99999"], ["--scheduler"]),
    ("schema out is a folder", ["schema", "--out", "folder"], ["--out", "is a folder"]),
    ("schema out in a missing folder", ["schema", "--out", "missing/schema.json"], ["--out", "does not exist"]),
    ("schema out in a read-only folder", ["schema", "--out", "{ro}/schema.json"], ["--out", "cannot write"]),
    ("schema out is a device", ["schema", "--out", "/dev/full"], ["--out", "not a regular file"]),
    ("calibrate out is a folder", ["calibrate", "--out", "folder", "--report", "report"], ["--out", "is a folder"]),
    ("calibrate report is a file", ["calibrate", "--out", "posterior.json", "--report", "file.txt"], ["--report", "not a folder"]),
    ("calibrate report in a read-only folder", ["calibrate", "--out", "posterior.json", "--report", "{ro}/report"], ["--report", "cannot write"]),
    ("compare out in a read-only folder", ["compare", "baseline.yaml", "baseline.yaml", "--runs", "10", "--out", "{ro}/compare"], ["--out"]),
    ("compare out is an input", ["compare", "baseline.yaml", "baseline.yaml", "--runs", "10", "--out", "baseline.yaml"], ["--out", "not a folder"]),
    ("ui port too high", ["ui", "--port", "99999"], ["--port", "65535"]),
    ("ui port zero", ["ui", "--port", "0"], ["--port", "65535"]),
    ("ui port negative", ["ui", "--port", "-1"], ["--port", "65535"]),
    ("ui port not a number", ["ui", "--port", "abc"], ["--port", "65535"]),
    ("discover damaged metadata", ["discover", "damaged.parquet", "--target", "general_war"], ["damaged.parquet", "damaged"]),
    ("discover metadata of the wrong shape", ["discover", "shapeless.parquet", "--target", "general_war"], ["shapeless.parquet", "damaged"]),
    ("discover missing parameter column", ["discover", "no_column.parquet", "--target", "general_war"], ["missing columns a"]),
    ("discover missing output column", ["discover", "no_output.parquet", "--target", "general_war"], ["missing columns general_war_p"]),
    ("discover zero rows", ["discover", "empty.parquet", "--target", "general_war"], ["no points"]),
    ("discover a null date", ["discover", "null_date.parquet", "--target", "general_war"], ["'d'", "empty cells"]),
]


def results_file(path: Path, rows: int = 4, metadata: bytes | None = None, drop: str | None = None, null_date: bool = False) -> None:
    """A Parquet file shaped like a sweep's results.parquet (parameters a and d, output general_war), damaged as asked."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    described = {"name": "t", "parameters": [{"name": "a", "type": "number"}, {"name": "d", "type": "date"}], "outputs": ["general_war"]}
    columns = {
        "point": pa.array(range(rows), pa.int64()),
        "a": pa.array([0.1 * i for i in range(rows)], pa.float64()),
        "d": pa.array([None if null_date and i == 0 else dt.date(1938, 9, 1 + i) for i in range(rows)], pa.date32()),
    }
    columns.update({f"general_war_{stat}": pa.array([0.25 * i for i in range(rows)], pa.float64()) for stat in ("p", "lo", "hi")})
    columns.pop(drop, None)
    table = pa.table(columns).replace_schema_metadata({b"munich1938.sweep": metadata or json.dumps(described).encode()})
    pq.write_table(table, path)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """The input files every case finds in its folder."""
    folder = tmp_path_factory.mktemp("inputs")
    shutil.copy(ROOT / "scenarios" / "baseline.yaml", folder / "baseline.yaml")
    firm = (ROOT / "scenarios" / "britain_firm.yaml").read_text(encoding="utf-8")  # extends baseline.yaml and adds a rule
    (folder / "bad.yaml").write_text(re.sub(r'(?m)^(\s+condition: )".*"', r'\1"crisis.demand >= and"', firm, count=1), encoding="utf-8")
    (folder / "sweep.yaml").write_text(SWEEP.format(scenario="baseline.yaml"), encoding="utf-8")
    (folder / "bad_sweep.yaml").write_text(SWEEP.format(scenario="bad.yaml"), encoding="utf-8")
    (folder / "folder").mkdir()
    (folder / "file.txt").write_text("a file\n", encoding="utf-8")
    results_file(folder / "damaged.parquet", metadata=b"{not json")
    results_file(folder / "shapeless.parquet", metadata=b'{"parameters": 3}')
    results_file(folder / "no_column.parquet", drop="a")
    results_file(folder / "no_output.parquet", drop="general_war_p")
    results_file(folder / "empty.parquet", rows=0)
    results_file(folder / "null_date.parquet", null_date=True)
    return folder


@pytest.fixture
def cwd(tmp_path, inputs) -> Path:
    shutil.copytree(inputs, tmp_path, dirs_exist_ok=True)
    return tmp_path


@pytest.fixture
def read_only(tmp_path_factory) -> Path:
    if os.geteuid() == 0:
        return Path("/proc")  # root writes through permissions; nobody creates files in /proc
    folder = tmp_path_factory.mktemp("read_only")
    folder.chmod(0o555)
    return folder


@pytest.mark.parametrize("case, argv, words", REFUSED, ids=[case for case, _, _ in REFUSED])
def test_a_bad_output_or_door_is_refused_before_any_work(case, argv, words, cwd, read_only):
    before = {path.name: path.read_bytes() for path in cwd.iterdir() if path.is_file()}
    outcome = hostile([arg.replace("{ro}", str(read_only)) for arg in argv], cwd)
    refused(outcome, *words)
    assert {path.name: path.read_bytes() for path in cwd.iterdir() if path.is_file()} == before  # no input overwritten


def test_a_dollar_in_a_scenario_name_is_a_dollar_in_the_plots(cwd):
    text = (cwd / "baseline.yaml").read_text(encoding="utf-8")
    name = next(line for line in text.splitlines() if line.startswith("name:"))
    (cwd / "dollar.yaml").write_text(text.replace(name, 'name: "costs $5 and $x^2$ \\\\frac{a}{"'), encoding="utf-8")
    ran = hostile(["dollar.yaml", "--runs", "20", "--jobs", "1", "--out", "results", "--report", "handout.html"], cwd)
    assert ran.status == 0 and not ran.traceback, ran.err[-2000:]
    assert (cwd / "results" / "outcomes.png").is_file() and (cwd / "handout.html").is_file()
    compared = hostile(["compare", "dollar.yaml", "baseline.yaml", "--runs", "20", "--jobs", "1", "--out", "compare"], cwd)
    assert compared.status == 0 and not compared.traceback, compared.err[-2000:]
    assert sorted(path.name for path in (cwd / "compare").iterdir()) == ["compare.json", "compare.png", "held.png"]
    assert not [path for path in cwd.iterdir() if ".staging-" in path.name]


def test_schema_out_is_written_whole(cwd):
    outcome = hostile(["schema", "--out", "schema.json"], cwd)
    assert outcome.status == 0, outcome.err
    assert json.loads((cwd / "schema.json").read_text(encoding="utf-8"))["title"] == "Munich 1938 scenario"
    assert outcome.left == [str(cwd / "schema.json")]  # no temporary file beside it


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["rules"], ["list", str(ROOT / "scenarios")], ["schema"]])
def test_a_full_standard_output_is_one_line(argv, tmp_path):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, str(ROOT / "run.py"), *argv], cwd=tmp_path, stdout=full, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=90)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == ["error: cannot write the output: No space left on device"]
