"""Byte-identity fingerprints of the model's results, to compare two versions of the code.

For every scenario in ``scenarios/``: the SHA-256 of ``runs.csv`` and ``results.json`` from
``run.py SCENARIO --runs N --out DIR``, of the narration of one rollout (``--narrate K``), and of the
whole state (every variable in every lane, and the batch result) after a batch of 3,000 lanes and
after a batch of one lane. A refactoring that keeps the model must keep every fingerprint.

    python benchmarks/identity.py > now.json                 # fingerprints of this checkout
    python benchmarks/identity.py --check benchmarks/identity.json   # exit 1 and name what differs

``benchmarks/identity.json`` holds the fingerprints of the model as it stands. The move to the sub-package
layout was checked against those of 2450e95 (the flat package) and kept every one; the offices (e1fa084) and
war bringing mobilisation changed the model on purpose, and the file was written again with each. Regenerate it
only in a change that is meant to change results, in the same change.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RUNS = 600
NARRATED = 5


def _module(*names: str):
    """The first of ``names`` that imports: the same fingerprints from either layout of the package."""
    for name in names:
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    raise ModuleNotFoundError(names[0])


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _state_digest(scenario, lanes: np.ndarray) -> str:
    model_module = _module("sim.engine.model", "sim.model")
    model = model_module.CrisisModel(scenario, lanes=lanes)
    result = model.run()
    digest = hashlib.sha256()
    for name in sorted(model.state):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(np.broadcast_to(model.state[name], model.lanes.shape), dtype=float).tobytes())
    for field in ("lanes", "outcome", "first_shot_day", "resistance_end_day"):
        digest.update(np.ascontiguousarray(getattr(result, field)).tobytes())
    for table in (result.flags, result.war_days, result.fired):
        for name in sorted(table):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(table[name]).tobytes())
    return digest.hexdigest()


def _cli(*argv: str) -> bytes:
    done = subprocess.run([sys.executable, str(ROOT / "run.py"), *argv], cwd=ROOT, capture_output=True, check=True)  # noqa: S603 (our own run.py)
    return done.stdout


def fingerprints(names: list[str]) -> dict[str, dict[str, str]]:
    load_scenario = _module("sim.book.scenario", "sim.scenario").load_scenario
    prints = {}
    for name in names:
        path = ROOT / "scenarios" / f"{name}.yaml"
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "out"
            _cli(str(path), "--runs", str(RUNS), "--jobs", "1", "--out", str(out))
            files = {file: _digest((out / file).read_bytes()) for file in ("runs.csv", "results.json")}
        scenario = load_scenario(path)
        prints[name] = files | {
            "narration": _digest(_cli(str(path), "--narrate", str(NARRATED))),
            "state_3000": _state_digest(scenario, np.arange(3000)),
            "state_1": _state_digest(scenario, np.array([NARRATED])),
        }
        print(f"{name}: done", file=sys.stderr)
    return prints


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", metavar="JSON", help="compare with fingerprints written earlier; exit 1 if any differs")
    parser.add_argument("scenarios", nargs="*", help="scenario names (default: every file in scenarios/)")
    args = parser.parse_args()
    names = args.scenarios or sorted(path.stem for path in (ROOT / "scenarios").glob("*.yaml"))
    now = fingerprints(names)
    if not args.check:
        print(json.dumps(now, indent=1, sort_keys=True))
        return 0
    before = json.loads(Path(args.check).read_text())
    differ = [f"{name}.{key}" for name in names for key in now[name] if before.get(name, {}).get(key) != now[name][key]]
    print("identical" if not differ else "differ: " + ", ".join(differ))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
