"""The Python API: the same runs as ``python run.py``, as tables and figures for a notebook.

    from sim.api import load_scenario, run, compare, narrate, sweep

    base = run("scenarios/baseline.yaml", runs=1000)        # a RunResult
    base.outcomes.to_pandas()                               # outcome, p, lo, hi, n (pandas: the notebook extra)
    both = compare(["scenarios/baseline.yaml", "scenarios/benes_fights.yaml"])
    narrate("scenarios/benes_fights.yaml", 3).table()      # date, kind, actor, rule, words, evidence

The public names (each has a complete ``help()``):

- ``load_scenario(path, overrides, seed=, runs=, draws=)``: a validated ``Scenario``, overrides as ``--set``.
- ``run(scenario, runs, seed=, jobs=, draws=, overrides=, rollouts=, out=)``: a ``RunResult`` (outcomes,
  events, rules, rollouts tables; ``plot_outcomes(ax)``, ``plot_war_by_date(ax)``, ``save(folder)``).
- ``compare(scenarios, runs, seed=, jobs=, out=)``: a ``Comparison`` on common random numbers (``table``, ``plot(ax)``).
- ``narrate(scenario, rollout)``: a ``Narration``, the rollout's ``Step``s (date, kind, actor, rule, words, evidence).
- ``load_sweep(path_or_mapping)`` and ``sweep(path_or_mapping_or_sweep, out=, jobs=)``: a ``SweepResult``
  (``table``: results.parquet; ``indices``, ``indices_table``; ``plot(output, ax)``).
- ``classroom(scenario, lens=, rollout=)``: the classroom page (``python run.py ui``) as a solara element for a
  notebook cell, opening on the chosen what-if (needs the ui extra).
- ``handout(scenario, out=, audience="student"|"teacher", runs=, result=)``: the printable A4 handout as HTML
  (``--report``): the student worksheet by default, the teacher's briefing on request; written to ``out`` if given.
- ``InputError``: the one exception for bad input (``file``, ``line``, ``key``, ``problem``), as the command line's.

Tables are pyarrow tables (``to_pandas()`` where pandas is installed). The command line computes through
these functions, so the two give the same bytes. This package is the ``api`` layer: it imports the layers
below it (book, engine, experiments, presentation) and only ``sim.cli`` imports it. Its names are loaded
on first use, so that ``sim.api.loading`` (what the command line needs before it starts its workers)
does not import the model.
"""

from __future__ import annotations

import importlib

# Each public name and the module that defines it.
_HOMES = {
    "load_scenario": "sim.api.loading",
    "load_sweep": "sim.api.loading",
    "run": "sim.api.jobs",
    "compare": "sim.api.jobs",
    "narrate": "sim.api.jobs",
    "sweep": "sim.api.jobs",
    "classroom": "sim.api.jobs",
    "handout": "sim.api.handouts",
    "RunResult": "sim.api.results",
    "Comparison": "sim.api.results",
    "Narration": "sim.api.results",
    "Step": "sim.api.results",
    "SweepResult": "sim.api.results",
    "InputError": "sim.book.inputs",
    "Scenario": "sim.book.scenario",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module 'sim.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
