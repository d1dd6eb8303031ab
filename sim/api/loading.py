"""Scenarios and sweeps for the API: read from files (or made in memory), with overrides checked like ``--set``.

Imports only the book and the sweep file's checks (never the model), so that the command line can load
its scenario before it starts its worker processes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from sim.book.inputs import Document, InputError
from sim.book.scenario import Scenario
from sim.book.scenario import load_scenario as _load_file

# What ``draws`` may say, and the scenario's own word for it (the posterior's mean is "mean" in a scenario file).
DRAWS = {"posterior": "posterior", "point": "mean", "mean": "mean", "book": "book"}
MAX_SEED = 2**63 - 1

ScenarioLike = str | Path | Scenario
Overrides = Iterable[str] | Mapping[str, object]


def load_scenario(
    source: ScenarioLike, overrides: Overrides = (), *, seed: int | None = None, runs: int | None = None, draws: str | None = None
) -> Scenario:
    """Read a scenario file, apply overrides, and check everything against the rule book.

    Arguments:
        source: a scenario YAML file (``str`` or ``Path``), e.g. ``"scenarios/benes_fights.yaml"``; its
            ``extends`` chain is followed. A ``Scenario`` already loaded is returned as it is (with
            ``seed``, ``runs`` and ``draws`` applied); overrides need a file.
        overrides: changes by dotted path, exactly as ``python run.py --set``: either strings
            ``"KEY=VALUE"`` or a mapping ``{KEY: VALUE}``, e.g. ``{"parameters.FR.daladier_weight": 0.6,
            "rules.CZ.accepts_munich.enabled": False, "events.lake_khasan.enabled": False}``.
        seed: the master seed (default: the scenario's, 1938).
        runs: the scenario's default number of rollouts (default: the scenario's, 1000).
        draws: where each rollout's calibrated parameters come from: ``"posterior"`` (the default: each
            rollout draws its own from ``calibration/posterior.json``), ``"point"`` (the posterior mean,
            as ``--point``) or ``"book"`` (the rule book's values).

    Returns:
        A validated, immutable ``Scenario`` (``sim.book.scenario.Scenario``): ``name``, ``question``,
        ``seed``, ``runs``, ``parameters``, ``rules``, ... Pass it to ``run``, ``compare`` or ``sweep``.

    Raises:
        InputError: anything wrong in the file or an override (missing file, YAML error, unknown key,
            parameter, rule or event, a value out of range, a date outside the window), with ``file``,
            ``line``, ``key`` and ``problem`` attributes and the command line's message as its text.

    Example:
        >>> from sim.api import load_scenario
        >>> fights = load_scenario("scenarios/baseline.yaml", {"rules.CZ.accepts_munich.enabled": False}, seed=7)
        >>> fights.seed
        7
    """
    if isinstance(source, Scenario):
        if overrides:
            raise InputError("overrides need a scenario file; give its path instead of a loaded Scenario", key="overrides")
        scenario = source
    elif isinstance(source, str | Path):
        scenario = _load_file(source, _assignments(overrides))
    else:
        raise InputError(f"a scenario is a file path or a Scenario, got {type(source).__name__}", key="scenario")
    return with_options(scenario, seed=seed, runs=runs, draws=draws)


def with_options(scenario: Scenario, *, seed: int | None = None, runs: int | None = None, draws: str | None = None) -> Scenario:
    """The scenario with another seed, default number of rollouts or parameter draws (each checked; None keeps the scenario's)."""
    changes: dict[str, object] = {}
    if seed is not None:
        changes["seed"] = checked_int(seed, "seed", 0, MAX_SEED)
    if runs is not None:
        changes["runs"] = checked_int(runs, "runs", 1, 100_000_000)  # as a scenario file's `runs`
    if draws is not None:
        if draws not in DRAWS:
            raise InputError(f"unknown parameter draws {draws!r}; allowed: posterior, point, book", key="draws")
        changes["parameter_draws"] = DRAWS[draws]
    return dataclasses.replace(scenario, **changes) if changes else scenario


def checked_int(value: object, key: str, low: int, high: int) -> int:
    """``value`` as a whole number within [low, high], or an InputError naming ``key``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"must be a whole number within [{low}, {high}], got {value!r}", key=key)
    return value


def _assignments(overrides: Overrides) -> list[str]:
    """Overrides as ``--set`` strings: a mapping's values written as YAML scalars (true, 0.6, 1938-09-30)."""
    if isinstance(overrides, str):
        return [overrides]
    if not isinstance(overrides, Mapping):
        return list(overrides)

    def text(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, date):
            return value.isoformat()
        return "null" if value is None else str(value)

    return [f"{key}={text(value)}" for key, value in overrides.items()]


def load_sweep(source: str | Path | Mapping, *, scenario: ScenarioLike | None = None, base: str | Path = "."):
    """Read a sweep file, or check a sweep given as a mapping, and build its design (the points it will run).

    Arguments:
        source: a sweep YAML file (see ``sweeps/``), or a mapping with the same keys: ``name``,
            ``scenario``, ``parameters``, ``design``, and optionally ``rollouts``, ``seed``, ``outputs``,
            ``chunk``, ``description``.
        scenario: the base scenario, a path or a loaded ``Scenario``; replaces the mapping's or the
            file's ``scenario`` key (which a mapping may then leave out).
        base: the folder a mapping's ``scenario`` path is relative to (default: the current folder).

    Returns:
        A validated ``Sweep`` (``sim.experiments.sweep_file.Sweep``): ``name``, ``axes``, ``points``
        (one row a point), ``rollouts``, ``seed``, ``outputs``. Pass it to ``sweep``.

    Raises:
        InputError: with the file (``<sweep>`` for a mapping), the line where known, the key, what is wrong and what is allowed.

    Example:
        >>> from sim.api import load_sweep
        >>> grid = load_sweep({"name": "fr_gb", "scenario": "scenarios/baseline.yaml",
        ...                    "parameters": {"FR.daladier_weight": {"values": [0, 0.5, 1]}}, "design": {"kind": "grid"}})
        >>> len(grid.points)
        3
    """
    from sim.book.inputs import load_yaml
    from sim.experiments.sweep_file import build_sweep

    given = None if scenario is None else load_scenario(scenario)
    if isinstance(source, Mapping):
        data = dict(source)
        if given is not None:
            data.setdefault("scenario", given.name)
        document, folder = Document(data, Path("<sweep>")), Path(base)
    elif isinstance(source, str | Path):
        document, folder = load_yaml(source), Path(source).parent
    else:
        raise InputError(f"a sweep is a file path or a mapping of its keys, got {type(source).__name__}", key="sweep")
    return build_sweep(document, folder, given)
