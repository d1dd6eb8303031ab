"""The sweep file (``sweeps/*.yaml``): its format, its checks, and the validated ``Sweep`` with its points.

A sweep file names a base scenario, the parameters to vary, a design (grid,
random, latin hypercube, Sobol/Saltelli, Morris), the rollouts per point, a
seed and the outputs of interest. Every point runs rollouts ``0 .. n-1`` (common
random numbers), so differences between points come from the parameters.

Every mistake is reported with the file, the line and the key, before anything runs. The sweep's
fingerprint hashes everything its rows depend on, so that an output folder holding the parts of
another sweep (or of this file before an edit) is refused rather than mixed in.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from pydantic import Field, model_validator

from sim.book.inputs import Document, InputError, did_you_mean, dotted, load_yaml, validate
from sim.book.rules import Parameter, Strict, load_rulebook
from sim.book.scenario import Scenario, load_scenario
from sim.book.vocabulary import EVENTS, MILITARY_RESULTS, OUTCOMES
from sim.engine.posterior import Posterior, committed_posterior
from sim.experiments import designs
from sim.experiments.designs import Axis, DesignKind, DesignSpec
from sim.experiments.pool import CHUNK
from sim.experiments.runner import point_chunks

MAX_POINTS = 10_000_000

# What each design takes beyond `kind`, and what it cannot do without.
DESIGN_KEYS = {
    "grid": ("levels",),
    "random": ("n",),
    "latin": ("n",),
    "sobol": ("n", "second_order"),
    "morris": ("trajectories", "levels"),
}
DESIGN_NEEDS = {"random": ("n",), "latin": ("n",), "sobol": ("n",), "morris": ("trajectories",)}
DESIGN_MEANING = {
    "n": "the number of points (random, latin) or Saltelli's base sample N (sobol: N * (2D + 2) points)",
    "trajectories": "the number of Morris trajectories (trajectories * (D + 1) points)",
}


class Vary(Strict):
    """How one parameter varies: explicit grid values, or a range (default: the rule book's range)."""

    values: list[float | date] | None = Field(None, min_length=1, description="Grid values, e.g. [0, 0.25, 0.5] (grid designs only).")
    range: tuple[float, float] | tuple[date, date] | None = Field(None, description="[low, high] within the rule book's range.")

    @model_validator(mode="after")
    def _one_of(self) -> Vary:
        if self.values is not None and self.range is not None:
            raise ValueError("give `values` or `range`, not both")
        return self


class Design(Strict):
    """The design: its kind and sizes. Which sizes each kind takes is checked with the file's lines in ``_design_spec``."""

    kind: DesignKind = Field(description="grid, random, latin (hypercube), sobol (Saltelli's scheme) or morris.")
    n: int | None = Field(None, ge=1, le=MAX_POINTS, description="random, latin: points; sobol: base sample N, a power of two.")
    levels: int | None = Field(None, ge=2, le=1000, description="grid: values per ranged parameter (default 5); morris: grid levels (default 4).")
    trajectories: int | None = Field(None, ge=2, le=MAX_POINTS, description="morris: number of trajectories.")
    second_order: bool | None = Field(None, description="sobol: also estimate second-order indices (default true: N * (2D + 2) points).")


class SweepFile(Strict):
    """The keys a sweep file may hold."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Short identifier; the default output folder is sweep-results/NAME.")
    description: str = Field("", description="What the sweep asks and why these parameters.")
    scenario: str = Field(description="The base scenario file, relative to this file.")
    parameters: dict[str, Vary | None] = Field(min_length=1, description="Parameters to vary by dotted name; empty or null: the rule book's range.")
    design: Design
    rollouts: int = Field(200, ge=1, le=100_000_000, description="Rollouts per point (default 200).")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Seed of the design and of every rollout (default: the scenario's).")
    outputs: list[str] | None = Field(None, min_length=1, description="Outcome, military result and event names to report (default: all).")
    chunk: int = Field(CHUNK, ge=1, le=10_000_000, description=f"Lanes per batch (default {CHUNK}); each batch is one part on disk.")


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the scenario it starts from and the points it runs."""

    name: str
    description: str
    scenario: Scenario
    axes: tuple[Axis, ...]
    design: DesignSpec
    rollouts: int
    seed: int
    outputs: tuple[str, ...]
    chunk: int
    points: np.ndarray = field(compare=False, repr=False)
    fingerprint: str = ""

    @property
    def names(self) -> list[str]:
        return [axis.name for axis in self.axes]

    def chunks(self) -> list[tuple[int, int]]:
        return point_chunks(len(self.points), self.rollouts, self.chunk)


def _error(document: Document, path: tuple, message: str) -> InputError:
    return InputError(message, document.file, document.line_of(path), dotted(path))


def load_sweep(path: str | Path) -> Sweep:
    """Read a sweep file, check it against its scenario and the rule book, and build its design."""
    path = Path(path)
    return build_sweep(load_yaml(path), path.parent)


def build_sweep(document: Document, folder: Path, scenario: Scenario | None = None) -> Sweep:
    """Check a sweep's keys (a file's, or a mapping made in memory) and build its design.

    ``scenario`` (the base scenario's path) is relative to ``folder``; a ``Scenario`` given here is the
    base instead. Every mistake is an ``InputError`` naming ``document.file``, the line where known, and the key.
    """
    if not isinstance(document.data, dict):
        raise InputError("a sweep file must be a mapping of keys (name, scenario, parameters, design, ...)", document.file, 1)
    data = validate(SweepFile, document.data, document)
    scenario = scenario or _base_scenario(folder, data, document)
    spec = _design_spec(data.design, document)
    book_parameters = load_rulebook().parameters()
    axes = tuple(_axis(name, vary, scenario, book_parameters, spec, document) for name, vary in data.parameters.items())
    outputs = _outputs(data.outputs, document)
    count = designs.size(axes, spec)
    if count > MAX_POINTS:
        raise _error(document, ("design",), f"the design has {count:,} points; at most {MAX_POINTS:,} are allowed")
    seed = scenario.seed if data.seed is None else data.seed
    scenario = dataclasses.replace(scenario, seed=seed)
    sweep = Sweep(data.name, data.description, scenario, axes, spec, data.rollouts, seed, outputs, data.chunk, designs.build(axes, spec, seed))
    return dataclasses.replace(sweep, fingerprint=fingerprint(sweep))


def _base_scenario(folder: Path, data: SweepFile, document: Document) -> Scenario:
    try:
        scenario_path = folder / data.scenario
        usable = scenario_path.is_file()
    except (OSError, ValueError):
        usable = False
    if not usable:
        raise _error(document, ("scenario",), f"names {data.scenario!r}, which is not a scenario file (the path is relative to the sweep file)")
    return load_scenario(scenario_path)


def _design_spec(design: Design, document: Document) -> DesignSpec:
    kind = design.kind
    allowed = DESIGN_KEYS[kind]
    for key in sorted(design.model_fields_set - {"kind"}):
        if key not in allowed and getattr(design, key) is not None:
            raise _error(document, ("design", key), f"`{key}` does not apply to a {kind} design; a {kind} design takes: {', '.join(allowed)}")
    for key in DESIGN_NEEDS.get(kind, ()):
        if getattr(design, key) is None:
            raise _error(document, ("design",), f"a {kind} design needs `{key}`: {DESIGN_MEANING[key]}")
    if kind == "sobol" and (design.n < 4 or design.n & (design.n - 1)):
        raise _error(document, ("design", "n"), f"Saltelli's scheme needs N a power of two (at least 4), got {design.n}; e.g. 64, 128, 256")
    default_levels = 4 if kind == "morris" else 5
    return DesignSpec(
        kind=kind,
        n=design.n or 0,
        levels=design.levels or default_levels,
        trajectories=design.trajectories or 0,
        second_order=True if design.second_order is None else design.second_order,
    )


def _axis(name: str, vary: Vary | None, scenario: Scenario, parameters: dict[str, Parameter], spec: DesignSpec, document: Document) -> Axis:
    key = ("parameters", name)
    if name not in parameters:
        raise _error(document, key, f"unknown parameter {name!r}{did_you_mean(name, parameters, examples=True)}; `python run.py rules` lists them")
    book_low, book_high = parameters[name].range
    is_date = isinstance(book_low, date)
    vary = vary or Vary()

    def model_value(value: float | date, where: tuple) -> float:
        if isinstance(value, date) != is_date:
            raise _error(document, where, f"must be a {'date' if is_date else 'number'} within the rule book's range [{book_low}, {book_high}]")
        if not book_low <= value <= book_high:
            raise _error(document, where, f"{value} is outside the rule book's range [{book_low}, {book_high}]")
        if not is_date:
            return float(value)
        try:
            return float(scenario.day_of(value))
        except ValueError as error:
            raise _error(document, where, str(error)) from None

    if vary.values is not None:
        if spec.kind != "grid":
            raise _error(document, (*key, "values"), f"a {spec.kind} design samples ranges: give `range: [low, high]`, or nothing for the rule book's range")
        values = tuple(model_value(value, (*key, "values", index)) for index, value in enumerate(vary.values))
        if len(set(values)) != len(values):
            raise _error(document, (*key, "values"), "a value appears twice; each grid value may appear once")
        return Axis(name, min(values), max(values), values, is_date)
    where = (*key, "range") if vary.range is not None else key
    low, high = vary.range or (book_low, book_high)
    low, high = model_value(low, where), model_value(high, where)
    if not low < high:
        empty = f"the range [{vary.range[0]}, {vary.range[1]}] is empty; give [low, high] with low < high" if vary.range else "the book's range is one value"
        raise _error(document, where, empty)
    return Axis(name, low, high, None, is_date)


OUTPUTS = (*OUTCOMES, *MILITARY_RESULTS, *EVENTS)  # what a sweep can report: outcomes, military results at the horizon, event flags


def _outputs(names: list[str] | None, document: Document) -> tuple[str, ...]:
    if names is None:
        return OUTPUTS
    for index, name in enumerate(names):
        if name not in OUTPUTS:
            raise _error(document, ("outputs", index), f"unknown output {name!r}; outcomes: {', '.join(OUTCOMES)}; "
                         f"military results: {', '.join(MILITARY_RESULTS)}; event flags: {', '.join(EVENTS)}")
        if names.index(name) != index:
            raise _error(document, ("outputs", index), f"{name!r} is listed twice")
    return tuple(names)


def fingerprint(sweep: Sweep) -> str:
    """SHA-256 of everything a sweep's rows depend on: scenario, rule book, posterior, points, rollouts, outputs, chunks."""
    digest = hashlib.sha256()
    posterior = sweep_posterior(sweep.scenario)
    described = {
        "scenario": repr(sweep.scenario),
        "rulebook": load_rulebook().model_dump_json(),
        "posterior": None if posterior is None else [posterior.parameters, posterior.samples.tolist(), posterior.weights.tolist()],
        "axes": [dataclasses.asdict(axis) for axis in sweep.axes],
        "design": dataclasses.asdict(sweep.design),
        "rollouts": sweep.rollouts,
        "seed": sweep.seed,
        "outputs": sweep.outputs,
        "chunks": sweep.chunks(),
    }
    digest.update(json.dumps(described, sort_keys=True, default=str).encode())
    digest.update(np.ascontiguousarray(sweep.points, dtype="<f8").tobytes())
    return digest.hexdigest()


def sweep_posterior(scenario: Scenario) -> Posterior | None:
    """The posterior the sweep's rollouts draw from: the committed one, unless the scenario asks for the book's values."""
    return None if scenario.parameter_draws == "book" else committed_posterior()


def human_value(sweep: Sweep, axis: Axis, value: float) -> float | str:
    """A parameter value as people read it: a date for a date parameter (the model counts days), else the number."""
    return sweep.scenario.date_of(int(value)).isoformat() if axis.is_date else value
