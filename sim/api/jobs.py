"""The API's jobs: run a scenario, compare scenarios, run a sweep, tell a rollout, show the classroom page in a notebook.

The command line calls the first four too.

Every job computes through the layers below exactly as ``python run.py`` does (the command line is
built on these functions), so a notebook and the command line give the same numbers and the same bytes.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa

from sim.api import tables
from sim.api.loading import Overrides, ScenarioLike, checked_int, load_scenario, load_sweep
from sim.api.results import Comparison, Narration, RunResult, Step, SweepResult, write_comparison
from sim.book.inputs import InputError
from sim.book.scenario import Scenario
from sim.experiments import runner
from sim.experiments.sweep_file import Sweep
from sim.experiments.targets import check_folder
from sim.presentation import report

MAX_COUNT = 2**63 - 1  # runs and jobs: any positive whole number, as the command line takes


def run(
    scenario: ScenarioLike,
    runs: int | None = None,
    *,
    seed: int | None = None,
    jobs: int | None = None,
    draws: str | None = None,
    overrides: Overrides = (),
    rollouts: bool = True,
    out: str | Path | None = None,
) -> RunResult:
    """Run Monte Carlo rollouts of a scenario: ``python run.py SCENARIO`` as a function.

    Arguments:
        scenario: a scenario file path or a ``Scenario`` from ``load_scenario``.
        runs: the number of rollouts (default: the scenario's, 1000).
        seed: the master seed (default: the scenario's, 1938). Rollout i's result depends only on the
            scenario, the seed and i: never on ``jobs`` or on how the rollouts are batched.
        jobs: worker processes (default: all cores; 1 runs in this process).
        draws: ``"posterior"`` (default: each rollout draws its calibrated parameters from the posterior),
            ``"point"`` (the posterior mean, as ``--point``) or ``"book"`` (the rule book's values).
        overrides: ``--set`` changes (``{"parameters.FR.daladier_weight": 0.6}`` or ``["KEY=VALUE", ...]``); needs a path.
        rollouts: keep the per-rollout table (``result.rollouts``); False saves memory on very large runs.
        out: a folder to write results.json, runs.csv, rules.txt and the three plots into, as ``--out``.

    Returns:
        A ``RunResult``: ``outcomes``, ``military`` (the military result at the horizon), ``events`` and ``rules``
        tables (p, lo, hi, n), ``rollouts`` (the columns of runs.csv: rollout, outcome, military_result, each event
        flag, first_shot, breach, resistance_ended, campaign_halted, days_held), ``summary`` (the
        ``--json`` object), ``tally`` (counts, who is at war each day, how long Czechoslovakia held),
        ``plot_outcomes(ax)``, ``plot_war_by_date(ax)``, ``plot_held(ax)``, ``save(folder)``, ``to_json()``, ``text()``.
        Rollout k told: ``narrate(scenario, k)``.

    Raises:
        InputError: bad scenario, override, runs, seed, draws or output folder (with file, line and key).

    Example:
        >>> from sim.api import run
        >>> result = run("scenarios/benes_fights.yaml", runs=200, jobs=1)
        >>> result.outcomes.to_pandas()          # with pandas installed
        >>> result.plot_war_by_date()
    """
    scenario = load_scenario(scenario, overrides, seed=seed, draws=draws)
    runs = scenario.runs if runs is None else checked_int(runs, "runs", 1, MAX_COUNT)
    return _run(scenario, runs, None if jobs is None else checked_int(jobs, "jobs", 1, MAX_COUNT), rollouts, out)


def _run(scenario: Scenario, runs: int, jobs: int | None, rollouts: bool, out: str | Path | None) -> RunResult:
    """The rollouts, the per-rollout table (kept and, with ``out``, streamed into runs.csv) and the files of ``--out``."""
    kept: list[pa.Table] = []

    def collect(write):
        def on_rows(rows: list[dict]) -> None:
            table = tables.rollout_table(rows)
            if rollouts:
                kept.append(table)
            if write is not None:
                write(tables.csv_rows(table))

        return on_rows if (rollouts or write is not None) else None

    if out is not None:
        with report.OutputFolder(out) as folder:
            tally = runner.run(scenario, runs, jobs, on_rows=collect(folder.write_rows))
            summary = report.summary(tally, scenario, scenario.seed)
            report.write_results(folder, summary, tally, scenario)
    else:
        tally = runner.run(scenario, runs, jobs, on_rows=collect(None))
        summary = report.summary(tally, scenario, scenario.seed)
    table = (pa.concat_tables(kept) if kept else tables.ROLLOUT_SCHEMA.empty_table()) if rollouts else None
    return RunResult(scenario, summary, tally, table)


def compare(
    scenarios: Iterable[ScenarioLike], runs: int = 1000, *, seed: int | None = None, jobs: int | None = None, out: str | Path | None = None
) -> Comparison:
    """Run several scenarios on the same rollouts (common random numbers): ``python run.py compare`` as a function.

    Every scenario gets the same seed, so each rule meets the same random numbers in every scenario and a
    difference comes from the scenarios, not from noise (a scenario compared with itself differs by exactly 0).

    Arguments:
        scenarios: two or more scenario paths or ``Scenario`` objects (one is allowed); the first is the reference.
        runs: rollouts per scenario (default 1000, as the command line).
        seed: the common seed (default: the first scenario's).
        jobs: worker processes (default: all cores).
        out: a folder to write compare.json, compare.png and held.png into, as ``--out``.

    Returns:
        A ``Comparison``: ``table`` (long form: scenario, kind (outcome, military or event), name, p, lo, hi, n,
        and d, d_lo, d_hi, the paired difference from the first scenario with its 95% interval), ``summary``
        (the ``--json`` object), ``plot(ax)``, ``plot_held(ax)``, ``save(folder)``, ``to_json()``, ``text()``.

    Raises:
        InputError: a bad scenario, runs, seed or output folder.

    Example:
        >>> from sim.api import compare
        >>> both = compare(["scenarios/baseline.yaml", "scenarios/benes_fights.yaml"], runs=300, jobs=1)
        >>> both.table.to_pandas().query("kind == 'outcome'")      # with pandas installed
        >>> both.plot()
    """
    loaded = [load_scenario(scenario) for scenario in scenarios]
    if not loaded:
        raise InputError("give at least one scenario; the first is the reference", key="scenarios")
    common = loaded[0].seed if seed is None else checked_int(seed, "seed", 0, 2**63 - 1)
    return _compare(loaded, checked_int(runs, "runs", 1, MAX_COUNT), common, None if jobs is None else checked_int(jobs, "jobs", 1, MAX_COUNT), out)


def _compare(scenarios: list[Scenario], runs: int, seed: int, jobs: int | None, out: str | Path | None) -> Comparison:
    scenarios = [dataclasses.replace(scenario, seed=seed) for scenario in scenarios]  # common random numbers
    if out is not None:
        check_folder(out, "--out", [])  # a bad folder is refused before the run; the staging folder is made only after it
    tallies, paired = runner.compare(scenarios, runs, jobs)
    summary = report.comparison(tallies, paired, scenarios, seed)
    if out is not None:
        with report.OutputFolder(out) as folder:
            write_comparison(folder, summary)
    return Comparison(scenarios, summary, tallies)


def narrate(scenario: ScenarioLike, rollout: int = 0, *, seed: int | None = None, draws: str | None = None, overrides: Overrides = ()) -> Narration:
    """Tell rollout ``rollout`` of a scenario day by day: ``python run.py SCENARIO --narrate K`` as data.

    The rollout is the same as row ``rollout`` of ``run(scenario).rollouts`` (same seed and draws).

    Arguments:
        scenario: a scenario path or ``Scenario``; ``seed``, ``draws`` and ``overrides`` as in ``run``.
        rollout: the rollout's index (0 or more).

    Returns:
        A ``Narration``: a sequence of ``Step`` (``date``, ``kind``, ``actor``, ``rule``, ``words``,
        ``evidence``), with ``outcome``, ``military``, ``events``, ``first_shot``, ``resistance_ended``, ``table()``
        (a pyarrow table of the steps) and ``text`` (exactly what ``--narrate`` prints).

    Example:
        >>> from sim.api import narrate
        >>> story = narrate("scenarios/benes_fights.yaml", 3)
        >>> [(step.date, step.actor, step.rule) for step in story if step.kind == "rule"][:3]
    """
    scenario = load_scenario(scenario, overrides, seed=seed, draws=draws)
    return _narrate(scenario, checked_int(rollout, "rollout", 0, 2**63 - 1))


def _narrate(scenario: Scenario, rollout: int) -> Narration:
    from sim.book.vocabulary import EVENTS, MILITARY_RESULTS, NEVER, OUTCOMES
    from sim.presentation import narrate as told

    model, result = told.recorded(scenario, rollout)
    steps = [Step(scenario.date_of(item.day), item.kind, item.actor, item.rule, item.text, item.evidence) for item in told.entries(model)]

    def when(value: float):
        return scenario.date_of(int(value)) if value < NEVER else None

    return Narration(
        scenario.name, rollout, steps, OUTCOMES[result.outcome[0]], MILITARY_RESULTS[result.military[0]],
        tuple(event for event in EVENTS if result.flags[event][0]),
        when(result.first_shot_day[0]), when(result.resistance_end_day[0]), told.chronicle(scenario, rollout, model, result),
    )


def sweep(
    source: str | Path | Mapping | Sweep,
    *,
    out: str | Path | None = None,
    jobs: int | None = None,
    scenario: ScenarioLike | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    progress: bool = False,
) -> SweepResult:
    """Run a parameter sweep: ``python run.py sweep SWEEP.yaml`` as a function, from a file or a mapping.

    Arguments:
        source: a sweep file, a mapping with its keys (see ``load_sweep``) or a ``Sweep``.
        out: the output folder (results.parquet, summary.txt, indices.json, figures, parts/ for resuming,
            as the command line); None runs in a temporary folder and writes nothing that stays.
        jobs: local worker processes (default: all cores).
        scenario: the base scenario, replacing the sweep's ``scenario`` key (a path or a ``Scenario``).
        scheduler, dask_local: run the chunks on a Dask cluster instead (needs the ``dist`` extra).
        progress: show a progress bar on stderr.

    Returns:
        A ``SweepResult``: ``table`` (one row a point: point, each parameter, OUTPUT_p, OUTPUT_lo,
        OUTPUT_hi), ``indices`` (Sobol or Morris, else None) and ``indices_table``, ``summary`` (the
        text of summary.txt), ``plot(output, ax)`` (the heatmap, line, Sobol or Morris figure).

    Raises:
        InputError: a bad sweep (file, line, key), an output folder holding another sweep, ``jobs`` with Dask.

    Example:
        >>> from sim.api import sweep
        >>> grid = sweep({"name": "fr", "scenario": "scenarios/baseline.yaml", "rollouts": 50,
        ...               "parameters": {"FR.daladier_weight": {}, "GB.trust_in_hitler": {}},
        ...               "design": {"kind": "grid", "levels": 3}, "outputs": ["general_war"]}, jobs=1)
        >>> grid.plot("general_war")
    """
    from sim.api.sweeping import run_sweep_in

    loaded = source if isinstance(source, Sweep) else load_sweep(source, scenario=scenario)
    if out is not None:
        return run_sweep_in(loaded, Path(out), jobs, scheduler, dask_local, progress, reports=True)
    with tempfile.TemporaryDirectory(prefix="munich1938-sweep-") as folder:
        result = run_sweep_in(loaded, Path(folder) / loaded.name, jobs, scheduler, dask_local, progress, reports=False)
    return dataclasses.replace(result, folder=None)


def classroom(scenario: str | Path = "baseline", lens: str | None = None, rollout: int = 0) -> object:
    """The classroom page (``python run.py ui``) for a notebook cell, opening on a chosen what-if.

    The page is the served one: Reset, ▶/❚❚, Step and "to the end", the what-if (scenario, switches, lens,
    sliders), the map, the narration with its sources, the odds beside 1938's and the debrief. It starts
    on the scenario, lens and replay given; the class can change them there as in the browser. As the served
    page, it fetches nothing from the internet: solara's telemetry and its Jupyter check are switched off in
    this Python process.

    Arguments:
        scenario: a scenario of ``scenarios/`` by name (``"benes_fights"``) or by its file's path
            (``"scenarios/benes_fights.yaml"``); the page offers only that folder's scenarios.
        lens: a reading of the sources from the rule book (``"carley"``, ``"soviet_official"``,
            ``"anglo_french_1938"``); None keeps the scenario's own.
        rollout: the replay the page steps (0 or more; the page calls it replay no. ``rollout + 1``), the
            same rollout as ``narrate(scenario, rollout)`` with the scenario's own draws.

    Returns:
        A solara element (``sim.presentation.app.Page``). As a cell's last expression (or through
        ``IPython.display.display``) Jupyter renders it as widgets; ``solara.render(element)`` renders it
        elsewhere. ``examples/first_look.ipynb`` ends with this cell.

    Raises:
        InputError: an unknown scenario or lens (naming those allowed), or a bad ``rollout``.
        ImportError: the ui extra is not installed; it names ``pip install -e '.[ui]'``.

    Example:
        >>> from sim.api import classroom
        >>> classroom("benes_fights", lens="carley")       # the cell's last line: the page shows below it
    """
    from sim.book.rules import load_rulebook
    from sim.presentation import app
    from sim.presentation.classroom import Choice, scenario_names

    missing = [package for package in app.missing_ui() if package != "solara-assets"]  # the assets serve only the page of `ui`
    if missing:
        raise ImportError(f"the classroom page needs the ui extra ({', '.join(missing)} missing): {app.INSTALL}")
    names = scenario_names()
    name = _scenario_name(scenario, names)
    lenses = sorted(load_rulebook().lenses)
    if lens is not None and lens not in lenses:
        raise InputError(f"unknown lens {lens!r}; allowed: {', '.join(lenses)} (or None: the scenario's own)", key="lens")
    choice = Choice(scenario=name, lens=lens, rollout=checked_int(rollout, "rollout", 0, 2**63 - 1))
    app.offline_in_jupyter()
    return app.Page(start=choice)


def _scenario_name(scenario: object, names: list[str]) -> str:
    """A classroom scenario's name from its name or from the path of its file in scenarios/."""
    from sim.book.paths import SCENARIOS

    if isinstance(scenario, str | Path):
        path = Path(scenario)
        if path.suffix in (".yaml", ".yml") and path.resolve().parent == SCENARIOS.resolve():
            scenario = path.stem
        if str(scenario) in names:
            return str(scenario)
    raise InputError(f"no classroom scenario {scenario!r}; allowed: {', '.join(names)} (by name, or the path of its file in scenarios/)",
                     key="scenario")
