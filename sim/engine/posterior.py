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

from sim.book.inputs import InputError, validate
from sim.book.paths import CALIBRATION
from sim.book.rules import RuleBook, Strict
from sim.book.scenario import Scenario
from sim.engine import rng

POSTERIOR_PATH = CALIBRATION / "posterior.json"
STREAM = rng.key("posterior", "sample")


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
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"cannot be read as a posterior file: {error}; run `python run.py calibrate` to write it again", path) from None
    try:
        return Posterior.of(validate(PosteriorFile, data))
    except InputError as error:
        raise InputError(error.problem, path, None, error.key) from None


@functools.cache
def committed_posterior() -> Posterior | None:
    """The committed posterior, or None before the first calibration."""
    return read_posterior(POSTERIOR_PATH) if POSTERIOR_PATH.exists() else None


def lane_parameters(scenario: Scenario, book: RuleBook, lanes: np.ndarray, posterior: Posterior | None = None) -> dict[str, np.ndarray]:
    """Each calibrated parameter's value in every lane, as the scenario's ``parameter_draws`` asks."""
    posterior = posterior or committed_posterior()
    if scenario.parameter_draws == "book" or posterior is None:
        return {}
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
