"""``python run.py calibrate``: fit the baseline's free parameters to the record, write the posterior and the fit report.

The fitting is ``sim.experiments.calibrate``; the report (``report.md`` and plots) is
``sim.presentation.calibration_report``. This module reads the options and writes the files: the
report first, then the posterior, each into a folder it creates if need be.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from sim.cli.args import positive_int
from sim.engine.posterior import POSTERIOR_PATH
from sim.experiments.calibrate import BATCH, CALIBRATION, DEFAULT_UNTIL, EVALUATION_RUNS, PARTICLES, SEED, fit_both, posterior_file, write_json
from sim.experiments.pool import default_jobs
from sim.experiments.targets import check_file, check_folder
from sim.presentation.calibration_report import Report

DESCRIPTION = "Calibration: the baseline's free parameters fitted to the dated historical record, and checked out of sample."


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python run.py calibrate", description=DESCRIPTION)
    parser.add_argument("--until", type=dt.date.fromisoformat, default=DEFAULT_UNTIL,
                        help=f"out-of-sample check: fit on the record up to this date, predict the rest (default {DEFAULT_UNTIL})")
    parser.add_argument("--report", metavar="DIR", type=Path, default=CALIBRATION, help="where the fit report goes (default calibration/)")
    parser.add_argument("--particles", type=positive_int, default=PARTICLES, help=f"ABC particles (default {PARTICLES})")
    parser.add_argument("--batch", type=positive_int, default=BATCH, help=f"proposals simulated together in a generation (default {BATCH:,})")
    parser.add_argument("--evaluation-runs", type=positive_int, default=EVALUATION_RUNS,
                        help=f"rollouts behind each share in the report (default {EVALUATION_RUNS:,}); smaller values make a quick trial")
    parser.add_argument("--jobs", type=positive_int, help="processes (default: all cores)")
    parser.add_argument("--out", type=Path, default=POSTERIOR_PATH, help="where the posterior goes (default calibration/posterior.json)")
    return parser


def command(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    check_folder(args.report, "--report")  # before the fit, which takes minutes
    check_file(args.out, "--out")
    jobs = args.jobs or default_jobs()
    started = time.perf_counter()
    fits = fit_both(args.until, jobs, args.particles, args.batch)
    posterior = posterior_file(fits.full, SEED, None, " ".join(["python run.py calibrate", *argv]))
    report = Report.build(fits.tests, fits.priors, fits.scenario, fits.full, fits.held, args.until, jobs, args.evaluation_runs)
    args.report.mkdir(parents=True, exist_ok=True)
    report.write(args.report)
    write_json(args.out, posterior.model_dump(mode="json"))
    print(report.summary(time.perf_counter() - started))
    return 0
