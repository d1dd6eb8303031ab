"""The printable handout from Python: a scenario in, the HTML out (and, if asked, written to a file).

``python run.py SCENARIO --report FILE.html [--handout student|teacher]`` calls this with the run it has
just made; the classroom app's print button can call it with the ``Scenario`` of the class's current
what-if (``classroom.scenario_of(choice)``), and a notebook with a path.
"""

from __future__ import annotations

from pathlib import Path

from sim.api.jobs import MAX_COUNT, run
from sim.api.loading import Overrides, ScenarioLike, checked_int, load_scenario
from sim.api.results import RunResult
from sim.book.inputs import InputError
from sim.experiments.targets import atomic_text, check_file
from sim.presentation.handout import FORMATS, handout_text


def handout(
    scenario: ScenarioLike,
    out: str | Path | None = None,
    *,
    audience: str = "student",
    runs: int | None = None,
    seed: int | None = None,
    jobs: int | None = None,
    draws: str | None = None,
    overrides: Overrides = (),
    result: RunResult | None = None,
) -> str:
    """The printable handout of a scenario as one self-contained HTML page (A4), returned and, with ``out``, written.

    Arguments:
        scenario: a scenario file path or a ``Scenario`` (e.g. the classroom's current what-if).
        out: a file to write the page to (written whole or not at all, as ``--report``); None only returns it.
        audience: ``"student"`` (the default: a worksheet of at most three pages, no technical names, odds in
            words, black-and-white charts, questions and source work) or ``"teacher"`` (the briefing: rule ids,
            parameters, the command that repeats the run), as ``--handout``.
        runs, seed, jobs, draws, overrides: as ``run``; ignored when ``result`` is given.
        result: a ``RunResult`` of this scenario already computed (the command line passes its own), so the
            handout shows exactly those numbers instead of running again.

    Returns:
        The HTML text.

    Raises:
        InputError: an unknown audience, a bad scenario, override, runs or seed, or an output file that cannot be written
            (all checked before anything runs).

    Example:
        >>> from sim.api import handout
        >>> html = handout("scenarios/benes_fights.yaml", "benes_fights.html", runs=1000, jobs=1)
    """
    if audience not in FORMATS:
        raise InputError(f"unknown handout {audience!r}; choose one of {', '.join(FORMATS)}", key="audience")
    target = None if out is None else check_file(out, "out")
    if result is None:
        scenario = load_scenario(scenario, overrides, seed=seed, draws=draws)
        count = scenario.runs if runs is None else checked_int(runs, "runs", 1, MAX_COUNT)
        result = run(scenario, count, jobs=jobs, rollouts=False)
    html = handout_text(result.scenario, result.tally, result.summary, audience)
    if target is not None:
        atomic_text(target, html)
    return html
