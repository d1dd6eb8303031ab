"""The main job end to end: the table, --json, --out, --set, and byte-identical output whatever --jobs."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

from sim.book.vocabulary import EVENTS, OUTCOMES
from sim.cli import main
from sim.experiments.pool import CHUNK
from tests.helpers import ROOT


def test_table_names_the_question_and_every_outcome_and_event(capsys):
    assert main(["scenarios/benes_fights.yaml", "--runs", "200", "--jobs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "fought alone" in printed
    for name in (*OUTCOMES, *EVENTS):
        assert name in printed


def test_json_has_every_outcome_and_event(capsys):
    assert main(["scenarios/baseline.yaml", "--runs", "300", "--seed", "11", "--json", "--jobs", "1"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["scenario"] == "baseline" and result["runs"] == 300 and result["seed"] == 11
    assert set(result["outcomes"]) == set(OUTCOMES) and set(result["events"]) == set(EVENTS)
    assert sum(share["n"] for share in result["outcomes"].values()) == 300
    for share in (*result["outcomes"].values(), *result["events"].values()):
        assert set(share) == {"p", "lo", "hi", "n"} and 0 <= share["lo"] <= share["p"] <= share["hi"] <= 1


def test_set_overrides_like_the_file(capsys):
    assert main(["scenarios/baseline.yaml", "--runs", "300", "--json", "--jobs", "1",
                 "--set", "rules.GB.flies_to_hitler.enabled=false"]) == 0
    changed = json.loads(capsys.readouterr().out)
    assert main(["scenarios/baseline.yaml", "--runs", "300", "--json", "--jobs", "1"]) == 0
    base = json.loads(capsys.readouterr().out)
    assert changed["outcomes"]["settlement"]["p"] < base["outcomes"]["settlement"]["p"]


RUNS = CHUNK + 100  # two chunks, so that --jobs 2 really uses two processes (and their fork server, started early)


def run_out(tmp_path, jobs: str) -> tuple[bytes, bytes, bytes]:
    folder = tmp_path / f"jobs{jobs}"
    command = [sys.executable, "run.py", "scenarios/benes_fights.yaml", "--runs", str(RUNS), "--jobs", jobs, "--json", "--out", str(folder)]
    printed = subprocess.run(command, cwd=ROOT, capture_output=True, check=True).stdout
    return printed, (folder / "results.json").read_bytes(), (folder / "runs.csv").read_bytes()


def test_jobs_one_and_two_give_the_same_bytes(tmp_path):
    one, two = run_out(tmp_path, "1"), run_out(tmp_path, "2")
    assert one == two
    printed, results, runs = one
    assert json.loads(printed) == json.loads(results)
    rows = list(csv.DictReader(runs.decode().splitlines()))
    assert [int(row["rollout"]) for row in rows] == list(range(RUNS))
    counts = {name: sum(row["outcome"] == name for row in rows) for name in OUTCOMES}
    assert counts == {name: share["n"] for name, share in json.loads(results)["outcomes"].items()}
    assert all(row["first_shot"] for row in rows if row["outcome"] in ("local_war", "general_war"))
    for plot in ("outcomes.png", "war_by_date.png"):
        assert (tmp_path / "jobs1" / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_list_and_schema(capsys, tmp_path):
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert "benes_fights" in listed and "france_honours" in listed and "invalid" not in listed
    assert main(["schema", "--out", str(tmp_path / "schema.json")]) == 0
    schema = json.loads((tmp_path / "schema.json").read_text())
    assert {"name", "question", "parameters", "rules", "events"} <= set(schema["properties"])
    assert main(["rules", "SU"]) == 0
    printed = capsys.readouterr().out
    assert "SU.fights_with_france" in printed and "fn 34" in printed
