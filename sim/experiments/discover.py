"""Scenario discovery: ``python run.py discover RESULTS.parquet --target general_war --above 0.5``.

PRIM, the Patient Rule Induction Method (Friedman & Fisher, "Bump hunting in
high-dimensional data", Statistics and Computing 9, 1999), as scenario discovery
uses it (Bryant & Lempert 2010; the EMA Workbench): find boxes (a range for a few
parameters) where the points at which the target outcome is likely are dense.

* Peeling: starting from the whole sweep, repeatedly cut off a slice of about
  ``alpha`` of the remaining points from the low or the high end of one
  parameter, whichever cut leaves the highest density of target points, until
  fewer than ``min_mass`` of all points remain. Each step is a box on the
  trajectory, trading coverage for density.
* Choosing: of the boxes whose density reaches ``min_density``, the one
  with the best balance of coverage and density (their harmonic mean: the
  knee of the trajectory); if none is dense enough, the densest.
* Pasting: widen the chosen box by slices of about ``alpha`` while its density
  does not fall (peeling is greedy; pasting undoes cuts that went too far).
* Dropping: a limit whose removal lowers the density by less than one point is
  noise, not a finding, and is removed so that the box reads as few conditions
  as possible.
* Covering: the points of the box are set aside and the search is repeated on
  the rest for a further box, as long as it is as dense as asked.

The EMA Workbench implements PRIM, but it brings scikit-learn, statsmodels,
seaborn and platypus-opt with it; this is the algorithm in about 150 lines,
tested on planted boxes (tests/test_discover.py).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from sim.book.inputs import InputError

METADATA_KEY = b"munich1938.sweep"  # as sim.experiments.sweep_store writes it
DROP_TOLERANCE = 0.01


@dataclass(frozen=True)
class Box:
    """Inclusive limits per parameter; a limit equal to the data's own minimum or maximum restricts nothing."""

    low: np.ndarray
    high: np.ndarray

    def contains(self, x: np.ndarray) -> np.ndarray:
        return np.all((x >= self.low) & (x <= self.high), axis=1)

    def with_limit(self, dimension: int, low: float | None = None, high: float | None = None) -> Box:
        new_low, new_high = self.low.copy(), self.high.copy()
        if low is not None:
            new_low[dimension] = low
        if high is not None:
            new_high[dimension] = high
        return Box(new_low, new_high)


@dataclass(frozen=True)
class Found:
    """A box and how good it is, over the points it was searched on."""

    box: Box
    coverage: float  # share of all target points that lie in the box
    density: float  # share of the box's points that are target points
    mass: float  # share of all points that lie in the box
    restricted: tuple[int, ...]  # parameters the box limits


def full_box(x: np.ndarray) -> Box:
    return Box(x.min(axis=0).astype(float), x.max(axis=0).astype(float))


def measure(x: np.ndarray, y: np.ndarray, box: Box, bounds: Box, total_points: int, total_targets: int) -> Found:
    """Coverage, density and mass of ``box`` (against the whole data set's totals)."""
    inside = box.contains(x)
    count, hits = int(inside.sum()), int(y[inside].sum())
    restricted = tuple(int(d) for d in np.flatnonzero((box.low > bounds.low) | (box.high < bounds.high)))
    return Found(box, hits / max(total_targets, 1), hits / count if count else 0.0, count / total_points, restricted)


def peel(x: np.ndarray, y: np.ndarray, alpha: float, min_points: int) -> list[Box]:
    """The peeling trajectory: the full box, then each box after one more peel."""
    box = full_box(x)
    inside = box.contains(x)
    trajectory = [box]
    while True:
        best = None
        for dimension in range(x.shape[1]):
            for candidate in _peels(x, inside, box, dimension, alpha):
                keep = candidate.contains(x) & inside
                count = int(keep.sum())
                if count < min_points or count == int(inside.sum()):
                    continue
                score = (float(y[keep].mean()), count)  # highest density, then the smaller cut
                if best is None or score > best[0]:
                    best = (score, candidate, keep)
        if best is None:
            return trajectory
        _, box, inside = best
        trajectory.append(box)


def _peels(x: np.ndarray, inside: np.ndarray, box: Box, dimension: int, alpha: float) -> list[Box]:
    """Cut about ``alpha`` of the box's points off the low end and off the high end (whole values only: ties go together)."""
    values = np.sort(x[inside, dimension])
    step = max(1, math.ceil(alpha * values.size))
    cuts = []
    above = values[values > values[step - 1]]
    if above.size:
        cuts.append(box.with_limit(dimension, low=float(above[0])))
    below = values[values < values[values.size - step]]
    if below.size:
        cuts.append(box.with_limit(dimension, high=float(below[-1])))
    return cuts


def paste(x: np.ndarray, y: np.ndarray, box: Box, alpha: float) -> Box:
    """Widen the box by about ``alpha`` of its points at a time, along whichever limit keeps its density highest.

    A paste is taken while the density does not fall: coverage grows for free (a peel that overshot the
    edge of a region of target points is undone).
    """
    while True:
        inside = box.contains(x)
        density = float(y[inside].mean()) if inside.any() else 0.0
        step = max(1, math.ceil(alpha * int(inside.sum())))
        best = None
        for dimension in range(x.shape[1]):
            for candidate in _pastes(x, box, dimension, step):
                grown = candidate.contains(x)
                score = (float(y[grown].mean()), int(grown.sum()))
                if score[0] >= density and (best is None or score > best[0]):
                    best = (score, candidate)
        if best is None:
            return box
        box = best[1]


def _pastes(x: np.ndarray, box: Box, dimension: int, step: int) -> list[Box]:
    others = np.ones(len(x), dtype=bool)
    for other in range(x.shape[1]):
        if other != dimension:
            others &= (x[:, other] >= box.low[other]) & (x[:, other] <= box.high[other])
    column = x[others, dimension]
    grown = []
    lower = np.sort(column[column < box.low[dimension]])
    higher = np.sort(column[column > box.high[dimension]])
    for size in sorted({step, 1}):  # a slice of about alpha, or the single nearest value (to reach a sharp edge exactly)
        if lower.size:
            grown.append(box.with_limit(dimension, low=float(lower[max(lower.size - size, 0)])))
        if higher.size:
            grown.append(box.with_limit(dimension, high=float(higher[min(size, higher.size) - 1])))
    return grown


def drop_loose_limits(x: np.ndarray, y: np.ndarray, box: Box, bounds: Box) -> Box:
    """Remove, one at a time, the limits whose removal costs the box less than DROP_TOLERANCE of density."""
    while True:
        density = float(y[box.contains(x)].mean())
        best = None
        for dimension in range(x.shape[1]):
            if box.low[dimension] <= bounds.low[dimension] and box.high[dimension] >= bounds.high[dimension]:
                continue
            loose = box.with_limit(dimension, low=float(bounds.low[dimension]), high=float(bounds.high[dimension]))
            loss = density - float(y[loose.contains(x)].mean())
            if loss < DROP_TOLERANCE and (best is None or loss < best[0]):
                best = (loss, loose)
        if best is None:
            return box
        box = best[1]


def prim(x: np.ndarray, y: np.ndarray, alpha: float = 0.05, min_mass: float = 0.05, min_density: float = 0.8, boxes: int = 3) -> list[Found]:
    """Up to ``boxes`` boxes, each found on the points the earlier ones left; coverage, density and mass against all points."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=bool)
    bounds, total_points, total_targets = full_box(x), len(x), int(y.sum())
    found: list[Found] = []
    remaining = np.ones(len(x), dtype=bool)
    while len(found) < boxes and y[remaining].any():
        rest_x, rest_y = x[remaining], y[remaining]
        trajectory = [measure(rest_x, rest_y, box, bounds, total_points, total_targets)
                      for box in peel(rest_x, rest_y, alpha, max(1, math.ceil(min_mass * total_points)))]
        chosen = choose(trajectory, min_density)
        box = drop_loose_limits(rest_x, rest_y, paste(rest_x, rest_y, chosen.box, alpha), bounds)
        result = measure(rest_x, rest_y, box, bounds, total_points, total_targets)
        if found and (result.density < min_density or not result.restricted):
            break
        found.append(result)
        if not result.restricted:
            break
        remaining &= ~box.contains(x)
    return found


def choose(trajectory: list[Found], min_density: float) -> Found:
    """Among the boxes dense enough, the best balance of coverage and density; if none is dense enough, the densest.

    Coverage and density are the recall and the precision of the rule "in the box, the target is likely";
    their harmonic mean (the F1 score) is highest at the knee of the trajectory, where peeling further
    would lose more coverage than it gains in density.
    """
    dense = [found for found in trajectory if found.density >= min_density]
    if dense:
        return max(dense, key=lambda found: (_balance(found), found.coverage))
    return max(trajectory, key=lambda found: (found.density, found.coverage))


def _balance(found: Found) -> float:
    total = found.coverage + found.density
    return 2 * found.coverage * found.density / total if total else 0.0


# ----------------------------------------------------------------------------- a sweep's results, in words
@dataclass(frozen=True)
class Results:
    """A sweep's results read back: the parameters (dates as day numbers) and the target's statistic."""

    names: list[str]
    dates: list[bool]
    x: np.ndarray
    outputs: list[str]
    table: object  # pyarrow.Table


def read_results(path: Path) -> Results:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.is_file():
        raise InputError("no such file; give the results.parquet of a sweep (python run.py sweep ... writes it)", path)
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"cannot be read as Parquet: {error}", path) from None
    names, dates, outputs = _described(table, path)
    if len(table) == 0:
        raise InputError("holds no points (zero rows); give the results.parquet of a sweep that ran", path)
    columns = [_parameter_column(table, name, is_date, path) for name, is_date in zip(names, dates, strict=True)]
    return Results(names, dates, np.array(columns, dtype=float).T.reshape(len(table), len(names)), outputs, table)


def _described(table: object, path: Path) -> tuple[list[str], list[bool], list[str]]:
    """The parameters (names, which are dates) and outputs from the sweep description in the file's metadata, checked."""
    metadata = (table.schema.metadata or {}).get(METADATA_KEY)
    if metadata is None:
        raise InputError("holds no sweep description; give the results.parquet a sweep wrote", path)
    try:
        described = json.loads(metadata)
        parameters = described["parameters"]
        names = [str(parameter["name"]) for parameter in parameters]
        dates = [parameter["type"] == "date" for parameter in parameters]
        outputs = [str(output) for output in described["outputs"]]
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"its sweep description (metadata {METADATA_KEY.decode()}) is damaged ({type(error).__name__}: {error}); "
                         "give the results.parquet a sweep wrote", path) from None
    missing = [name for name in names + [f"{output}_{stat}" for output in outputs for stat in ("p", "lo", "hi")]
               if name not in table.column_names]
    if not names or missing:
        raise InputError(f"does not match its sweep description: missing columns {', '.join(missing) or '(no parameters)'}", path)
    return names, dates, outputs


def _parameter_column(table: object, name: str, is_date: bool, path: Path) -> list[float]:
    """A parameter's values as numbers (a date as its ordinal); an InputError for an empty cell or a value of the wrong type."""
    values = table.column(name).to_pylist()
    if any(value is None for value in values):
        raise InputError(f"column {name!r} has empty cells; give the results.parquet a sweep wrote", path)
    try:
        return [float(value.toordinal() if is_date else value) for value in values]
    except (AttributeError, TypeError, ValueError):
        kind = "dates" if is_date else "numbers"
        raise InputError(f"column {name!r} should hold {kind} but holds {type(values[0]).__name__} values", path) from None


def _value(value: float, is_date: bool) -> str:
    return date.fromordinal(round(value)).isoformat() if is_date else f"{value:.3g}"


def conditions(found: Found, results: Results) -> str:
    """The box's limits in words: 'A >= 0.62 and B <= 0.3' (a parameter limited on both sides reads 'between')."""
    parts = []
    bounds = full_box(results.x)
    for dimension in found.restricted:
        name, is_date = results.names[dimension], results.dates[dimension]
        low, high = found.box.low[dimension], found.box.high[dimension]
        cut_low, cut_high = low > bounds.low[dimension], high < bounds.high[dimension]
        if cut_low and cut_high:
            parts.append(f"{name} is between {_value(low, is_date)} and {_value(high, is_date)}")
        elif cut_low:
            parts.append(f"{name} >= {_value(low, is_date)}")
        else:
            parts.append(f"{name} <= {_value(high, is_date)}")
    return " and ".join(parts)


def describe(found: list[Found], results: Results, target: str, rule: str, total: int, hits: int) -> str:
    label = target.replace("_", " ")
    lines = [f"{label} is likely ({rule}) in {hits:,} of the {total:,} points ({hits / total:.0%})."]
    if not hits:
        return lines[0] + " Nothing to discover.\n"
    if hits == total:
        return lines[0] + " Everywhere in the sweep: no box needed.\n"
    for number, box in enumerate(found, start=1):
        if not box.restricted:
            lines.append(f"Box {number}: no limit on the parameters does better than the sweep as a whole.")
            continue
        earlier = " (outside the boxes above)" if number > 1 else ""
        lines.append(
            f"Box {number}: {label} is likely ({rule}) in {box.density:.0%} of the points{earlier} where {conditions(box, results)}; "
            f"these hold {box.coverage:.0%} of all the points where it is likely (coverage {box.coverage:.2f}, density {box.density:.2f}, "
            f"{box.mass:.0%} of the sweep's points)."
        )
    if len(found) > 1:
        lines.append(f"Together the boxes cover {sum(box.coverage for box in found):.0%} of the points where {label} is likely.")
    return "\n".join(lines) + "\n"


def discover(
    path: str | Path, target: str, by: str = "p", above: float | None = None, below: float | None = None,
    alpha: float = 0.05, min_mass: float = 0.05, min_density: float = 0.8, boxes: int = 3,
) -> str:
    """The boxes of a sweep's results (``path``: its results.parquet) where ``target`` is likely, in words.

    A point counts where the target's statistic ``by`` (p, or the lo or hi bound of its 95% interval)
    is below ``below``, if given, else above ``above`` (default 0.5).
    """
    results = read_results(Path(path))
    if target not in results.outputs:
        raise InputError(f"{target!r} is not an output of this sweep; its outputs: {', '.join(results.outputs)}", path, key="--target")
    column = results.table.column(f"{target}_{by}")
    if column.null_count:
        raise InputError(f"column {target}_{by} has empty cells; give the results.parquet a sweep wrote", path)
    try:
        values = np.asarray(column.to_numpy(), dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"column {target}_{by} should hold numbers", path) from None
    statistic = "p" if by == "p" else f"the {'lower' if by == 'lo' else 'upper'} 95% bound"
    if below is not None:
        y, rule = values < below, f"{statistic} < {below:g}"
    else:
        threshold = 0.5 if above is None else above
        y, rule = values > threshold, f"{statistic} > {threshold:g}"
    found = prim(results.x, y, alpha, min_mass, min_density, boxes) if 0 < y.sum() < len(y) else []
    return describe(found, results, target, rule, len(y), int(y.sum()))
