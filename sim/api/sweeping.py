"""A sweep run into an output folder, for ``sim.api.sweep`` and ``python run.py sweep``: the same steps in the same order."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sim.api.loading import checked_int
from sim.api.results import SweepResult
from sim.book.inputs import InputError
from sim.experiments.pool import default_jobs
from sim.experiments.sweep_analysis import analyse
from sim.experiments.sweep_file import Sweep
from sim.experiments.sweep_run import dask_cluster, local_pool, require_distributed, run_sweep
from sim.experiments.sweep_store import Store
from sim.presentation.sweep_report import summary, write_reports


def check_executor(jobs: int | None, scheduler: str | None, dask_local: int | None) -> bool:
    """Whether the chunks go to Dask; the dist extra present and no ``jobs`` with it, checked before anything runs."""
    if jobs is not None:
        checked_int(jobs, "jobs", 1, 2**63 - 1)
    if dask_local is not None:
        checked_int(dask_local, "dask_local", 1, 2**63 - 1)
    dask = bool(scheduler or dask_local)
    if scheduler and dask_local:
        raise InputError("give a scheduler or dask_local, not both", key="--scheduler/--dask-local")
    if dask:
        require_distributed()
        if jobs:
            raise InputError("--jobs is for the local process pool; a Dask cluster's workers are its own (--dask-local N sets them)", key="--jobs")
    return dask


def run_sweep_in(
    sweep: Sweep, folder: Path, jobs: int | None, scheduler: str | None, dask_local: int | None, progress: bool, reports: bool
) -> SweepResult:
    """Run the sweep's unfinished chunks into ``folder`` (resuming), analyse the table, and write the reports if asked."""
    dask = check_executor(jobs, scheduler, dask_local)
    store = Store(folder, sweep)
    store.check()
    executor = dask_cluster(scheduler, dask_local) if dask else local_pool(jobs or default_jobs())
    with executor as results:
        table, stats = run_sweep(sweep, store, results, progress=progress)
    indices = analyse(sweep, table)
    text = summary(sweep, table, indices)
    if reports:
        write_reports(sweep, store.folder, table, indices, text)
    return SweepResult(sweep, table, indices, text, store.folder, dataclasses.replace(stats, where=""))
