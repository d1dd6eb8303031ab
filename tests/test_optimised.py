"""Validation survives ``python -O``: bad input is refused even with assert statements stripped.

The checks run in a child ``python -O`` (pytest's own asserts would be stripped
too if this file ran optimised). The child feeds bad input to the public models
and loaders and prints one JSON line per case; this process, running normally,
checks that every case was refused with its own message and that the child
really ran optimised.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r'''
import json, sys
from pathlib import Path

from pydantic import ValidationError

from sim.book.inputs import InputError
from sim.book.actions import action_from
from sim.book.rules import MAIN_TEXT, Evidence, Parameter, Rule
from sim.book.scenario import load_scenario
from sim.experiments.calibrate import load_priors, load_record
from sim.experiments.sweep_file import load_sweep

root, tmp = Path(sys.argv[1]), Path(sys.argv[2])
baseline = root / "scenarios" / "baseline.yaml"
print(json.dumps({"optimize": sys.flags.optimize, "debug": __debug__}))

CITED = {"source": MAIN_TEXT, "footnote": 53, "quote": "There is no available evidence."}
RULE = {"id": "CZ.test_rule", "summary": "a test", "action": {"kind": "note"}, "evidence": [CITED]}


def write(name, text):
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


CASES = {
    "valid_rule": lambda: Rule.model_validate(RULE),
    "rule_probability": lambda: Rule.model_validate({**RULE, "probability": 1.7}),
    "rule_uncited": lambda: Rule.model_validate({**RULE, "evidence": [{"source": "external", "reference": "r", "paraphrase": "p"}]}),
    "mobilise_level": lambda: action_from({"kind": "mobilise", "level": 5}),
    "settlement_level": lambda: action_from({"kind": "demand", "level": 7}),
    "external_unreferenced": lambda: Evidence.model_validate({"source": "external", "paraphrase": "p"}),
    "parameter_outside_range": lambda: Parameter.model_validate({"value": 2.0, "range": [0, 1], "description": "d"}),
    "scenario_set_probability": lambda: load_scenario(baseline, ["rules.CZ.accepts_munich.probability=1.7"]),
    "sweep_values_and_range": lambda: load_sweep(write("sweep.yaml", f"""\
name: bad
scenario: {baseline}
parameters:
  FR.daladier_weight: {{values: [0.1, 0.9], range: [0.2, 0.8]}}
design: {{kind: grid}}
rollouts: 10
""")),
    "prior_log_scale_from_zero": lambda: load_priors(write("priors.yaml", """\
parameters:
  DE.autonomy_hazard:
    range: [0, 0.1]
    scale: log
    why: a daily chance of unknown order of magnitude
""")),
    "record_date_outside_window": lambda: load_record(write("record.yaml", """\
observations:
  - id: x
    what: y
    event: fired.CZ.accepts_munich
    date: 1938-09-30
    window: [1938-10-01, 1938-10-03]
    source: {source: external, reference: r, paraphrase: p}
""")),
}
for name, attempt in CASES.items():
    try:
        attempt()
    except (InputError, ValidationError, ValueError) as error:
        print(json.dumps({"case": name, "refused": True, "error": type(error).__name__, "message": str(error)}))
    else:
        print(json.dumps({"case": name, "refused": False, "error": None, "message": ""}))
'''

# case: a phrase the refusal must contain (so it is the right check that refused it)
REFUSED = {
    "rule_probability": "probability must be within [0, 1], got 1.7",
    "rule_uncited": "a rule must cite at least one of the two source texts",
    "mobilise_level": "mobilise level must be within [0, 1], got 5",
    "settlement_level": "settlement levels are 1 (autonomy), 2 (cession), 3 (immediate occupation)",
    "external_unreferenced": "an external source needs a reference (author, title, year)",
    "parameter_outside_range": "value 2.0 is outside its range [0.0, 1.0]",
    "scenario_set_probability": "probability must be within [0, 1], got 1.7",
    "sweep_values_and_range": "give `values` or `range`, not both",
    "prior_log_scale_from_zero": "scale: log needs a range above 0",
    "record_date_outside_window": "date 1938-09-30 lies outside its window",
}


def test_validation_refuses_bad_input_under_python_O(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONOPTIMIZE", None)
    child = subprocess.run(
        [sys.executable, "-O", "-c", CHILD, str(ROOT), str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert child.returncode == 0, child.stderr
    lines = [json.loads(line) for line in child.stdout.splitlines()]
    assert lines[0] == {"optimize": 1, "debug": False}, "the child did not run optimised"
    results = {line["case"]: line for line in lines[1:]}
    assert results["valid_rule"]["refused"] is False, results["valid_rule"]["message"]
    assert set(results) == {"valid_rule", *REFUSED}
    for case, phrase in REFUSED.items():
        assert results[case]["refused"], f"{case} was accepted under python -O"
        assert phrase in results[case]["message"], f"{case}: {results[case]['message']}"
        if results[case]["error"] == "InputError":  # what a user sees: no pydantic prefix
            assert "Assertion failed" not in results[case]["message"] and "Value error" not in results[case]["message"]
