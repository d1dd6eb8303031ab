"""Calibration: the baseline's free parameters fitted to the dated historical record, and checked out of sample.

``python run.py calibrate`` reads ``calibration/record.yaml`` (what happened, when, and the
model event each observation corresponds to) and ``calibration/priors.yaml`` (the free
parameters and their prior ranges), fits the parameters by ABC-SMC (``sim/experiments/abc.py``) over the
batch engine, and writes ``calibration/posterior.json``. It then repeats the fit on the record
up to ``--until`` only and reports how the held-out observations fare under that posterior
against the prior. The distance of a rollout from the record is the number of observations it
fails to reproduce plus the number of recorded pairs it reverses (an observation and one on the
next recorded date that both happen, in the wrong order); a proposal's distance is the mean over
REPLICATES rollouts with its parameters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
from pydantic import Field, model_validator

from sim.book.inputs import InputError, load_yaml, validate
from sim.book.paths import RULEBOOK
from sim.book.rules import Evidence, RuleBook, Strict, load_rulebook
from sim.book.scenario import Scenario, default_scenario
from sim.book.vocabulary import NEVER
from sim.engine.conditions import ConditionError, Expression, parse
from sim.engine.model import CrisisModel
from sim.engine.posterior import POSTERIOR_PATH, Posterior, PosteriorFile, model_units
from sim.engine.world import state_layout
from sim.experiments import abc
from sim.experiments.pool import chunks, map_work
from sim.experiments.targets import atomic_text

CALIBRATION = POSTERIOR_PATH.parent
RECORD_PATH = CALIBRATION / "record.yaml"
PRIORS_PATH = CALIBRATION / "priors.yaml"
DEFAULT_UNTIL = dt.date(1938, 9, 21)
SEED = 1938
PARTICLES = 1000
BATCH = 10_000  # proposals simulated together (one model batch per chunk of them)
CHUNK = 5_000
EVALUATION_RUNS = 20_000  # rollouts per share in the report
REPLICATES = 4  # rollouts per proposal in the fit; its distance is their mean (a modelling choice: see fit_record)


# ------------------------------------------------------------------ file formats
class Observation(Strict):
    """Something that happened (or did not) on a known date, and the model event it corresponds to."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    what: str
    event: str = Field(description="An expression whose value is a day: a rule's first firing (fired.ACTOR.RULE) or a day variable.")
    date: dt.date = Field(description="The historical date (for a non-event: the end of the period in which it did not happen).")
    window: tuple[dt.date, dt.date] | None = Field(None, description="The event reproduces history if its day falls in here.")
    never: bool = Field(False, description="A non-event: reproduced if the day never comes.")
    source: Evidence

    @model_validator(mode="after")
    def _window(self) -> Observation:
        if self.never != (self.window is None):
            raise ValueError("give either a window [from, to] or never: true")
        if self.window is not None:
            if not self.window[0] <= self.date <= self.window[1]:
                raise ValueError(f"date {self.date} lies outside its window {list(self.window)}")
        return self


class Record(Strict):
    observations: list[Observation] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Record:
        ids = [observation.id for observation in self.observations]
        if len(ids) != len(set(ids)):
            raise ValueError(f"observation ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
        return self


class Prior(Strict):
    range: tuple[float, float] | tuple[dt.date, dt.date]
    scale: Literal["linear", "log"] = Field(
        "linear",
        description="linear: uniform on the range; log: uniform in the logarithm, for a daily chance whose order of magnitude is unknown.",
    )
    why: str = Field(min_length=20)

    @model_validator(mode="after")
    def _log_scale(self) -> Prior:
        if self.scale == "log":
            if isinstance(self.range[0], dt.date):
                raise ValueError("scale: log is for numbers, not dates")
            if not self.range[0] > 0:
                raise ValueError(f"scale: log needs a range above 0, not {list(self.range)}")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """The range in the posterior's units: numbers as they are, dates as proleptic ordinals (days)."""
        low, high = self.range
        return (float(low.toordinal()), float(high.toordinal())) if isinstance(low, dt.date) else (float(low), float(high))


class Priors(Strict):
    parameters: dict[str, Prior] = Field(min_length=1)

    # The fit works in coordinates in which every prior is uniform: the logarithm for scale: log.
    def box(self) -> abc.Box:
        bounds = np.array([prior.bounds for prior in self.parameters.values()])
        bounds[self._logarithmic] = np.log(bounds[self._logarithmic])
        return abc.Box(*bounds.T)

    def values(self, coordinates: np.ndarray) -> np.ndarray:
        """Parameter values (posterior units) from the fit's coordinates, one column per parameter."""
        values = np.array(coordinates, dtype=float)
        values[..., self._logarithmic] = np.exp(values[..., self._logarithmic])
        return values

    @property
    def _logarithmic(self) -> np.ndarray:
        return np.array([prior.scale == "log" for prior in self.parameters.values()])


def load_record(path: Path = RECORD_PATH) -> Record:
    document = load_yaml(path)
    return validate(Record, document.data, document)


def load_priors(path: Path = PRIORS_PATH, book: RuleBook | None = None) -> Priors:
    document = load_yaml(path)
    priors = validate(Priors, document.data, document)
    known = (book or load_rulebook()).parameters()
    for name, prior in priors.parameters.items():
        key, line = f"parameters.{name}", document.line_of(("parameters", name))
        if name not in known:
            raise InputError(f"unknown parameter {name!r}", path, line, key)
        low, high = prior.range
        allowed = known[name].range
        if isinstance(allowed[0], dt.date) != isinstance(low, dt.date) or not allowed[0] <= low < high <= allowed[1]:
            kind = "date" if isinstance(allowed[0], dt.date) else "numeric"
            raise InputError(f"range {list(prior.range)} must be a non-empty {kind} range inside {list(allowed)}", path, line, key)
    return priors


# ------------------------------------------------------------------ the record in the model
@dataclasses.dataclass(frozen=True)
class Test:
    """An observation compiled against a scenario's calendar: its event expression and its window in day indices."""

    observation: Observation
    event: Expression
    first: float
    last: float

    def day(self, state: dict, lanes: int) -> np.ndarray:
        return np.broadcast_to(np.asarray(self.event.evaluate(state), dtype=float), (lanes,))

    def reproduced(self, state: dict, lanes: int) -> np.ndarray:
        day = self.day(state, lanes)
        if self.observation.never:
            return day >= NEVER
        return (day >= self.first) & (day <= self.last)


def order_pairs(observations: list[Observation]) -> list[tuple[int, int]]:
    """The record's order as pairs (earlier, later): each dated observation with every one on the next recorded date."""
    dated = sorted({observation.date for observation in observations if not observation.never})
    following = dict(itertools.pairwise(dated))
    return [
        (i, j)
        for i, earlier in enumerate(observations)
        for j, later in enumerate(observations)
        if not earlier.never and not later.never and following.get(earlier.date) == later.date
    ]


class Reading(NamedTuple):
    """What a batch of rollouts says of the record: which observations each reproduces, and how many recorded pairs
    it reverses (both happen, the later one on an earlier day)."""

    reproduced: np.ndarray  # (rollouts, observations) of bool
    reversed: np.ndarray  # (rollouts,) of int

    @property
    def distance(self) -> np.ndarray:
        """Observations missed plus recorded pairs reversed: the fit's distance of each rollout from the record."""
        return (~self.reproduced).sum(axis=1) + self.reversed


def compile_record(record: Record, scenario: Scenario, book: RuleBook) -> list[Test]:
    layout = state_layout(book, scenario)
    tests = []
    for index, observation in enumerate(record.observations):
        try:
            event = parse(observation.event, scenario.day_of, layout)
        except (ConditionError, ValueError) as error:
            raise InputError(f"event: {error}", RECORD_PATH, None, f"observations.{index}.event") from None
        window = observation.window or (observation.date, observation.date)
        tests.append(Test(observation, event, float(scenario.day_of(window[0])), float(scenario.day_of(window[1]))))
    return tests


def calibration_scenario() -> Scenario:
    """The baseline with the rule book's values (the fit supplies the free ones itself)."""
    return dataclasses.replace(default_scenario(), parameter_draws="book", seed=SEED)


def read_record(scenario: Scenario, observations: list[Observation], names: list[str], values: np.ndarray, first: int) -> Reading:
    """For rollouts ``first, first+1, ...`` each with its own parameter row: the record as they reproduce it."""
    tests = compile_record(Record(observations=observations), scenario, load_rulebook())
    lanes = np.arange(first, first + len(values), dtype=np.uint64)
    parameters = model_units({name: values[:, column] for column, name in enumerate(names)}, scenario, load_rulebook())
    model = CrisisModel(scenario, lanes=lanes, parameters=parameters)
    model.run()
    days = [test.day(model.state, lanes.size) for test in tests]
    reversed_pairs = np.zeros(lanes.size, dtype=np.int64)
    for i, j in order_pairs(observations):
        reversed_pairs += (days[i] < NEVER) & (days[j] < NEVER) & (days[i] > days[j])
    return Reading(np.stack([test.reproduced(model.state, lanes.size) for test in tests], axis=1), reversed_pairs)


def _read_args(args: tuple) -> Reading:
    return read_record(*args)


def read_many(scenario: Scenario, tests: list[Test], names: list[str], values: np.ndarray, first: int, jobs: int) -> Reading:
    """``read_record`` in chunks of CHUNK rollouts on ``jobs`` processes (same result whatever ``jobs``)."""
    observations = [test.observation for test in tests]  # compiled expressions stay in the process that made them
    work = [(scenario, observations, names, values[start : start + count], first + start) for start, count in chunks(len(values), CHUNK)]
    parts = list(map_work(_read_args, work, jobs))
    return Reading(np.concatenate([part.reproduced for part in parts]), np.concatenate([part.reversed for part in parts]))


def reproduced_many(scenario: Scenario, tests: list[Test], names: list[str], values: np.ndarray, first: int, jobs: int) -> np.ndarray:
    """Which observations each rollout reproduces (``read_many``'s first half)."""
    return read_many(scenario, tests, names, values, first, jobs).reproduced


# ------------------------------------------------------------------ the fit
@dataclasses.dataclass
class Calibration:
    names: list[str]
    fitted: list[str]  # ids of the observations the fit used
    fit: abc.Fit
    seconds: float


def fit_record(
    tests: list[Test], priors: Priors, scenario: Scenario, until: dt.date | None, jobs: int, particles: int, seed: int, batch: int = BATCH
) -> Calibration:
    """ABC-SMC on the observations dated up to ``until`` (all if None)."""
    names = list(priors.parameters)
    fitted = [index for index, test in enumerate(tests) if until is None or test.observation.date <= until]
    fitted_tests = [tests[index] for index in fitted]

    def distance(values: np.ndarray, first: int) -> np.ndarray:
        # Each proposal is simulated REPLICATES times (rollouts first*R .. first*R+R-1): the distance is their mean, so the
        # fit favours parameters whose typical rollout follows the record, not one lucky draw.
        rows = np.repeat(priors.values(values), REPLICATES, axis=0)
        reading = read_many(scenario, fitted_tests, names, rows, first * REPLICATES, jobs)
        return reading.distance.reshape(len(values), REPLICATES).mean(axis=1)

    def progress(generation: int, result: abc.Generation) -> None:
        print(f"  generation {generation}: tolerance {result.tolerance:g}, {result.accepted} of {result.proposals} accepted", file=sys.stderr)

    started = time.perf_counter()
    fit = abc.abc_smc(distance, priors.box(), particles=particles, seed=seed, batch=batch, progress=progress, resolution=1 / REPLICATES)
    fit.samples = priors.values(fit.samples)  # from here on, everything reads parameter values
    return Calibration(names, [tests[index].observation.id for index in fitted], fit, time.perf_counter() - started)


def hashes() -> dict[str, str]:
    """What a posterior was fitted to: the record, the priors, and every file of the rule book."""
    rulebook = hashlib.sha256()
    for path in sorted(RULEBOOK.glob("*.yaml")):
        rulebook.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return {
        "record": hashlib.sha256(RECORD_PATH.read_bytes()).hexdigest(),
        "priors": hashlib.sha256(PRIORS_PATH.read_bytes()).hexdigest(),
        "rulebook": rulebook.hexdigest(),
    }


def posterior_file(calibration: Calibration, seed: int, until: dt.date | None, command: str) -> PosteriorFile:
    fit = calibration.fit
    return PosteriorFile(
        method=(
            f"ABC-SMC (sim/experiments/abc.py), {len(fit.weights)} particles, tolerance {fit.tolerance:g}: observations missed "
            f"(of {len(calibration.fitted)}) plus recorded pairs reversed, the mean of {REPLICATES} rollouts per particle"
        ),
        command=command,
        seed=seed,
        until=until,
        hashes=hashes(),
        parameters=calibration.names,
        samples=[[float(x) for x in row] for row in fit.samples],
        weights=[float(w) for w in fit.weights],
    )


def write_json(path: Path, data: dict) -> None:
    """Write atomically: a crash never leaves half a file."""
    atomic_text(path, json.dumps(data, indent=1) + "\n")


# ------------------------------------------------------------------ prior and posterior predictive shares
def prior_values(priors: Priors, count: int, seed: int) -> np.ndarray:
    return priors.values(priors.box().sample(np.random.default_rng([seed, 10**6]), count))


def posterior_values(posterior: Posterior, count: int, seed: int) -> np.ndarray:
    return posterior.samples[posterior.draw(seed, np.arange(count, dtype=np.uint64))]


def shares(scenario: Scenario, tests: list[Test], names: list[str], values: np.ndarray, jobs: int) -> np.ndarray:
    """Share of rollouts reproducing each observation, each rollout with its own parameter row."""
    return reproduced_many(scenario, tests, names, values, 0, jobs).mean(axis=0)


# ------------------------------------------------------------------ both fits
@dataclasses.dataclass
class Fits:
    """The record compiled against the calibration scenario, and the two fits made of it."""

    tests: list[Test]
    priors: Priors
    scenario: Scenario
    full: Calibration  # fitted to the whole record: the posterior that is written
    held: Calibration  # fitted to the record up to `until`: the out-of-sample check


def fit_both(until: dt.date, jobs: int, particles: int, batch: int) -> Fits:
    """Fit the whole record, then the record up to ``until`` only, reporting each step on stderr (a fit takes minutes)."""
    book = load_rulebook()
    record, priors = load_record(), load_priors(book=book)
    scenario = calibration_scenario()
    tests = compile_record(record, scenario, book)
    if not any(test.observation.date > until for test in tests) or not any(test.observation.date <= until for test in tests):
        raise InputError(f"--until {until} must split the record into a fitted part and a held-out part", "--until")
    print(f"calibrate: {len(tests)} observations, {len(priors.parameters)} free parameters, {particles} particles, {jobs} processes",
          file=sys.stderr)
    full = fit_record(tests, priors, scenario, None, jobs, particles, SEED, batch)
    print(f"calibrate: whole record fitted in {full.seconds:.0f} s", file=sys.stderr)
    held = fit_record(tests, priors, scenario, until, jobs, particles, SEED + 1, batch)
    print(f"calibrate: record to {until} fitted in {held.seconds:.0f} s", file=sys.stderr)
    return Fits(tests, priors, scenario, full, held)
