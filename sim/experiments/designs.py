"""Sweep designs (which parameter points to run) and sensitivity indices, from SALib.

A design is a matrix with one row a point and one column a swept parameter, in
the model's units (a date parameter as its day index in the scenario's
calendar, rounded to a whole day). It is a pure function of the axes, the
design's sizes and the seed, so a sweep can be resumed or rerun elsewhere and
meet exactly the same points.

Saltelli's scheme for Sobol indices (Saltelli et al. 2010, with SALib's
scrambled Sobol sequence) needs N * (2D + 2) points with second-order indices
and N * (D + 2) without; Morris's elementary effects (Morris 1991, with
Campolongo's mu*) need trajectories * (D + 1).
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np

DesignKind = Literal["grid", "random", "latin", "sobol", "morris"]
DESIGN_KINDS: tuple[str, ...] = ("grid", "random", "latin", "sobol", "morris")


@dataclass(frozen=True)
class Axis:
    """One swept parameter: its bounds in model units, or the explicit values of a grid axis."""

    name: str
    low: float
    high: float
    values: tuple[float, ...] | None = None
    is_date: bool = False


@dataclass(frozen=True)
class DesignSpec:
    """The design's kind and sizes, already checked (see ``sim.experiments.sweep_file``)."""

    kind: DesignKind
    n: int = 0  # random, latin: points; sobol: the base sample N
    levels: int = 5  # grid: values per ranged axis; morris: levels of the grid the trajectories move on
    trajectories: int = 0  # morris
    second_order: bool = True  # sobol


def problem(axes: tuple[Axis, ...]) -> dict:
    """SALib's description of the parameter space."""
    return {"num_vars": len(axes), "names": [axis.name for axis in axes], "bounds": [[axis.low, axis.high] for axis in axes]}


def size(axes: tuple[Axis, ...], spec: DesignSpec) -> int:
    """Number of points the design has, without building it (to refuse absurd sweeps before they start)."""
    dimensions = len(axes)
    if spec.kind == "grid":
        return math.prod(len(axis.values) if axis.values is not None else spec.levels for axis in axes)
    if spec.kind in ("random", "latin"):
        return spec.n
    if spec.kind == "sobol":
        return spec.n * (2 * dimensions + 2 if spec.second_order else dimensions + 2)
    return spec.trajectories * (dimensions + 1)


def build(axes: tuple[Axis, ...], spec: DesignSpec, seed: int) -> np.ndarray:
    """The design's points, one row each, in model units; date axes rounded to whole days."""
    builders = {"grid": _grid, "random": _random, "latin": _latin, "sobol": _sobol, "morris": _morris}
    points = np.asarray(builders[spec.kind](axes, spec, seed), dtype=float).reshape(-1, len(axes))
    for column, axis in enumerate(axes):
        if axis.is_date:
            points[:, column] = np.clip(np.round(points[:, column]), axis.low, axis.high)
    return points


def _grid(axes: tuple[Axis, ...], spec: DesignSpec, seed: int) -> np.ndarray:
    # The first parameter varies slowest (row-major), as in a table read line by line.
    # Rounded so that 0.1 * 3 reads 0.3 in the results and on the axes, not 0.30000000000000004.
    columns = [axis.values if axis.values is not None else tuple(np.round(np.linspace(axis.low, axis.high, spec.levels), 12)) for axis in axes]
    return np.array(list(itertools.product(*columns)), dtype=float)


def _random(axes: tuple[Axis, ...], spec: DesignSpec, seed: int) -> np.ndarray:
    lows, highs = _bounds(axes)
    return lows + np.random.default_rng(seed).random((spec.n, len(axes))) * (highs - lows)


def _latin(axes: tuple[Axis, ...], spec: DesignSpec, seed: int) -> np.ndarray:
    from SALib.sample import latin

    return latin.sample(problem(axes), spec.n, seed=seed)


def _sobol(axes: tuple[Axis, ...], spec: DesignSpec, seed: int) -> np.ndarray:
    from SALib.sample import sobol

    return sobol.sample(problem(axes), spec.n, calc_second_order=spec.second_order, scramble=True, seed=seed)


def _morris(axes: tuple[Axis, ...], spec: DesignSpec, seed: int) -> np.ndarray:
    from SALib.sample import morris

    return morris.sample(problem(axes), spec.trajectories, num_levels=spec.levels, seed=seed)


def _bounds(axes: tuple[Axis, ...]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([axis.low for axis in axes]), np.array([axis.high for axis in axes])


def _finite(value: float) -> float | None:
    """JSON has no NaN: an index SALib cannot estimate becomes None."""
    value = float(value)
    return value if math.isfinite(value) else None


def sobol_indices(axes: tuple[Axis, ...], y: np.ndarray, spec: DesignSpec, seed: int) -> dict | None:
    """First-order and total Sobol indices with 95% bootstrap half-widths, per parameter; None if ``y`` is constant."""
    if np.ptp(y) == 0:
        return None
    from SALib.analyze import sobol

    with warnings.catch_warnings():  # SALib warns about its own estimator choices; the indices carry their intervals
        warnings.simplefilter("ignore")
        found = sobol.analyze(problem(axes), np.asarray(y, dtype=float), calc_second_order=spec.second_order, num_resamples=200, seed=seed)
    indices = {
        axis.name: {key: _finite(found[key][column]) for key in ("S1", "S1_conf", "ST", "ST_conf")}
        for column, axis in enumerate(axes)
    }
    if spec.second_order:
        for row, axis in enumerate(axes):
            indices[axis.name]["S2"] = {other.name: _finite(found["S2"][row, column]) for column, other in enumerate(axes) if column != row}
    return indices


def morris_indices(axes: tuple[Axis, ...], points: np.ndarray, y: np.ndarray, spec: DesignSpec, seed: int) -> dict | None:
    """Morris's mu* (mean absolute elementary effect) with its 95% interval and sigma, per parameter; None if ``y`` is constant."""
    if np.ptp(y) == 0:
        return None
    from SALib.analyze import morris

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = morris.analyze(problem(axes), points, np.asarray(y, dtype=float), num_levels=spec.levels, num_resamples=200, seed=seed)
    return {
        axis.name: {key: _finite(found[key][column]) for key in ("mu", "mu_star", "mu_star_conf", "sigma")}
        for column, axis in enumerate(axes)
    }
