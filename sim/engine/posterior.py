"""The calibration posterior: parameter samples fitted to the historical record, drawn once per rollout.

``calibration/posterior.json`` is written by ``python run.py calibrate`` (``sim/experiments/calibrate.py``):
weighted samples of the free parameters declared in ``calibration/priors.yaml``. Every scenario
draws each rollout's values from it by default, so that what the record leaves uncertain shows
in the intervals of every counterfactual. Rollout i's draw is addressed by (seed, i) like every
other draw, so it is the same whether the rollout runs alone or in a batch. Parameters that the
scenario or its lens pins are not drawn.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import Field

from sim.book.inputs import InputError, read_text, validate
from sim.book.paths import CALIBRATION
from sim.book.rules import RuleBook, Strict
from sim.book.scenario import Scenario
from sim.engine import rng

POSTERIOR_PATH = CALIBRATION / "posterior.json"
STREAM = rng.key("posterior", "sample")
MAX_BYTES = 200_000_000  # a posterior file of some 400,000 samples of a dozen parameters


class PosteriorFile(Strict):
    """The format of ``calibration/posterior.json``."""

    method: str = Field(description="How the samples were obtained.")
    command: str = Field(description="The command that wrote this file.")
    seed: int
    until: dt.date | None = Field(description="Only observations up to this date were fitted (None: the whole record).")
    hashes: dict[str, str] = Field(description="SHA-256 of the record, the priors and the rule book the fit used.")
    parameters: list[str]
    samples: list[list[float]] = Field(description="One row a sample, one column a parameter; a date parameter as its proleptic ordinal (days).")
    weights: list[float] = Field(description="Importance weight of each sample (they need not sum to one).")


@dataclass(frozen=True)
class Posterior:
    parameters: tuple[str, ...]
    samples: np.ndarray  # (samples, parameters)
    weights: np.ndarray  # normalised to sum to one

    @classmethod
    def of(cls, file: PosteriorFile) -> Posterior:
        weights = np.asarray(file.weights, dtype=float)
        return cls(tuple(file.parameters), np.asarray(file.samples, dtype=float).reshape(len(weights), len(file.parameters)), weights / weights.sum())

    @property
    def mean(self) -> np.ndarray:
        return self.weights @ self.samples

    def draw(self, seed: int, lanes: np.ndarray) -> np.ndarray:
        """One sample index per lane, addressed by (seed, lane): weighted, with replacement."""
        uniforms = rng.uniform(seed, STREAM, 0, lanes)
        cumulative = np.cumsum(self.weights)
        return np.minimum(np.searchsorted(cumulative, uniforms * cumulative[-1], side="right"), len(self.weights) - 1)


def read_posterior(path: Path) -> Posterior:
    """Read a posterior file (plain JSON: the YAML loader's line map is too slow for thousands of numbers)."""
    again = "run `python run.py calibrate` to write it again"
    try:
        data = json.loads(read_text(path, "a posterior file (JSON) written by `python run.py calibrate`", MAX_BYTES))
    except (ValueError, RecursionError) as error:
        raise InputError(f"cannot be read as a posterior file: {error}; {again}", path) from None
    try:
        file = validate(PosteriorFile, data)
    except InputError as error:
        raise InputError(error.problem, path, None, error.key) from None
    problem = _shape_problem(file)
    if problem:
        raise InputError(f"{problem}; {again}", path, None, "samples" if "sample" in problem else "weights")
    return Posterior.of(file)


def _shape_problem(file: PosteriorFile) -> str | None:
    """What is wrong with the shape of a posterior file's numbers, if anything."""
    columns = len(file.parameters)
    if not file.weights or len(file.samples) != len(file.weights):
        return f"{len(file.samples)} samples but {len(file.weights)} weights; each sample needs one weight and there must be some"
    for row, sample in enumerate(file.samples):
        if len(sample) != columns:
            return f"sample {row} has {len(sample)} values for {columns} parameters"
    weights = np.asarray(file.weights, dtype=float)
    if not np.isfinite(np.asarray(file.samples, dtype=float)).all():
        return "a sample holds a value that is not a finite number"
    if not (np.isfinite(weights).all() and (weights >= 0).all() and weights.sum() > 0):
        return "the weights must be finite, not negative, and not all zero"
    return None


@functools.cache
def committed_posterior() -> Posterior | None:
    """The committed posterior, or None before the first calibration."""
    return read_posterior(POSTERIOR_PATH) if POSTERIOR_PATH.exists() else None


def lane_parameters(scenario: Scenario, book: RuleBook, lanes: np.ndarray, posterior: Posterior | None = None) -> dict[str, np.ndarray]:
    """Each calibrated parameter's value in every lane, as the scenario's ``parameter_draws`` asks."""
    posterior = posterior or committed_posterior()
    if scenario.parameter_draws == "book" or posterior is None:
        return {}
    unknown = sorted(set(posterior.parameters) - set(book.parameters()))
    if unknown:
        raise InputError(f"samples parameters the rule book does not have: {', '.join(unknown)}; run `python run.py calibrate` to write it again",
                         POSTERIOR_PATH, None, "parameters")
    pinned = set(scenario.parameters) | set(book.lenses[scenario.lens].parameters)
    free = [(column, name) for column, name in enumerate(posterior.parameters) if name not in pinned]
    if scenario.parameter_draws == "mean":
        mean = posterior.mean
        values = {name: np.full(lanes.size, mean[column]) for column, name in free}
    else:
        rows = posterior.samples[posterior.draw(scenario.seed, lanes)]
        values = {name: rows[:, column] for column, name in free}
    return model_units(values, scenario, book)


def model_units(values: dict[str, np.ndarray], scenario: Scenario, book: RuleBook) -> dict[str, np.ndarray]:
    """Date parameters from ordinals (days) to the day index the model uses in this scenario's calendar."""
    parameters = book.parameters()
    start = scenario.start.toordinal()
    return {name: value - start if isinstance(parameters[name].value, dt.date) else value for name, value in values.items()}
