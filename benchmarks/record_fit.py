"""How closely single rollouts follow the record of 1938: the figures issue 17 set as targets.

    .venv/bin/python benchmarks/record_fit.py [SCENARIO] [--runs N]

Prints, for N rollouts of the scenario (default: the baseline, 4,000; parameters drawn from the
calibration posterior as in every run): the mean share of the record's observations reproduced, the
median number a rollout reproduces, the share of rollouts with the four-power conference, and where
Bonnet's warning to Osusky falls (its July window against the April London talks).
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np

from sim.book.rules import load_rulebook
from sim.book.scenario import load_scenario
from sim.book.vocabulary import NEVER
from sim.engine.model import CrisisModel
from sim.experiments.calibrate import compile_record, load_record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/baseline.yaml")
    parser.add_argument("--runs", type=int, default=4000)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    tests = compile_record(load_record(), scenario, load_rulebook())
    model = CrisisModel(scenario, lanes=args.runs)
    result = model.run()
    reproduced = np.stack([test.reproduced(model.state, args.runs) for test in tests], axis=1)
    counts = reproduced.sum(axis=1)
    print(f"{scenario.name}, {args.runs:,} rollouts")
    print(f"mean share of the {len(tests)} observations reproduced: {reproduced.mean():.3f}")
    print(f"median rollout reproduces {np.median(counts):g} of {len(tests)}")
    print(f"four-power conference: {np.mean(result.flags['four_power_conference']):.3f}")
    warned = model.lane_values("fired.FR.bonnet_warns_osusky")

    def share(first: str, last: str) -> float:
        return float(np.mean((warned >= scenario.day_of(dt.date.fromisoformat(first))) & (warned <= scenario.day_of(dt.date.fromisoformat(last)))))

    print(f"Bonnet's warning on 19-22 July: {share('1938-07-19', '1938-07-22'):.3f}; on 28-30 April: {share('1938-04-28', '1938-04-30'):.3f}; "
          f"never: {np.mean(warned >= NEVER):.3f}")


if __name__ == "__main__":
    main()
