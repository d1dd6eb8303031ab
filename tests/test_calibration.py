"""Calibration: the record maps onto the model, the ABC algorithm recovers a known posterior, the posterior is fresh and drawn per rollout."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from sim.book.inputs import InputError
from sim.book.rules import load_rulebook
from sim.book.scenario import default_scenario, load_scenario
from sim.book.vocabulary import is_day
from sim.engine import posterior
from sim.engine.conditions import names_in
from sim.engine.model import CrisisModel
from sim.experiments import abc, calibrate
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def record() -> calibrate.Record:
    return calibrate.load_record()


def test_record_has_enough_dated_sourced_observations(record):
    assert len(record.observations) >= 15
    for observation in record.observations:
        assert observation.source.footnote or observation.source.reference or observation.source.date, observation.id
    assert any(observation.never for observation in record.observations), "non-events count too"


def test_every_observation_maps_onto_a_model_event(record):
    scenario = calibrate.calibration_scenario()
    tests = calibrate.compile_record(record, scenario, load_rulebook())
    for test in tests:
        names = names_in(test.event.tree)
        assert names, test.observation.id
        assert all(is_day(name) for name in names), f"{test.observation.id}: {names} are not all day variables"
    # and the events really occur in the model: each windowed observation is reproduced in some rollouts of the baseline
    shares = calibrate.read_record(scenario, record.observations, [], np.zeros((300, 0)), 0).reproduced.mean(axis=0)
    for test, share in zip(tests, shares, strict=True):
        assert share > 0, f"{test.observation.id} is never reproduced: does its event ever happen in the model?"


# The early steps are dated by exogenous occasions (world.yaml), not scripted: take an occasion away and
# the rule still acts, on ordinary days, but the step falls in its historical window far less often.
OCCASIONS = [
    ("sudeten_party_congress", "karlsbad_programme"),
    ("municipal_elections", "may_partial_mobilisation"),
    ("royal_visit_paris", "bonnet_warns_osusky"),
]


@pytest.mark.parametrize(("event", "observation"), OCCASIONS)
def test_an_occasion_dates_its_step(record, event, observation):
    [wanted] = [item for item in record.observations if item.id == observation]
    book = load_rulebook()

    def share(sets: list[str]) -> float:
        scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", sets)  # the posterior's draws, as every scenario
        [test] = calibrate.compile_record(calibrate.Record(observations=[wanted]), scenario, book)
        model = CrisisModel(scenario, lanes=np.arange(4000))
        model.run()
        return float(test.reproduced(model.state, 4000).mean())

    with_occasion, without = share([]), share([f"events.{event}.enabled=false"])
    assert without < 0.5 * with_occasion, (with_occasion, without)


def test_committed_posterior_matches_the_record_priors_and_rules():
    file = json.loads(posterior.POSTERIOR_PATH.read_text(encoding="utf-8"))
    assert file["hashes"] == calibrate.hashes(), (
        "calibration/posterior.json was fitted to another record, priors or rule book: run `python run.py calibrate`"
    )


def test_committed_posterior_lies_inside_the_priors():
    fitted = posterior.committed_posterior()
    priors = calibrate.load_priors()
    assert list(fitted.parameters) == list(priors.parameters)
    for column, name in enumerate(fitted.parameters):
        low, high = priors.parameters[name].bounds  # dates as ordinals, as the posterior holds them
        assert low <= fitted.samples[:, column].min() and fitted.samples[:, column].max() <= high, name


def test_abc_smc_recovers_a_known_posterior():
    """Binomial data (14 successes in 20) under a uniform prior: the exact posterior is Beta(15, 7)."""

    def simulate(theta: np.ndarray, first: int) -> np.ndarray:
        return np.abs(np.random.default_rng(first).binomial(20, theta[:, 0]) - 14).astype(float)

    fit = abc.abc_smc(simulate, abc.Box(np.array([0.0]), np.array([1.0])), particles=2000, seed=7, batch=20_000)
    mean = fit.weights @ fit.samples[:, 0]
    sd = np.sqrt(fit.weights @ (fit.samples[:, 0] - mean) ** 2)
    assert fit.generations[-1].tolerance == 0
    assert mean == pytest.approx(15 / 22, abs=0.015)
    assert sd == pytest.approx(np.sqrt(15 * 7 / (22**2 * 23)), abs=0.01)
    assert fit.effective_size > 1000, "the importance weights have not collapsed onto a few particles"


def test_abc_smc_recovers_two_parameters_at_once():
    """Two independent binomial experiments (14 of 20, 5 of 20): posterior means 15/22 and 6/22."""

    def simulate(theta: np.ndarray, first: int) -> np.ndarray:
        random = np.random.default_rng(first)
        return (np.abs(random.binomial(20, theta[:, 0]) - 14) + np.abs(random.binomial(20, theta[:, 1]) - 5)).astype(float)

    fit = abc.abc_smc(simulate, abc.Box(np.zeros(2), np.ones(2)), particles=2000, seed=3, batch=20_000)
    assert fit.weights @ fit.samples == pytest.approx([15 / 22, 6 / 22], abs=0.02)
    assert np.all((fit.samples >= 0) & (fit.samples <= 1))


def test_posterior_draw_of_a_rollout_does_not_depend_on_its_batch():
    scenario, book = default_scenario(), load_rulebook()
    batch = posterior.lane_parameters(scenario, book, np.arange(50, dtype=np.uint64))
    alone = posterior.lane_parameters(scenario, book, np.array([37], dtype=np.uint64))
    assert batch and all(alone[name][0] == batch[name][37] for name in batch)
    assert len({float(value) for value in batch["FR.daladier_weight"]}) > 10, "rollouts draw different parameters"


def test_parameter_draws_modes_and_pins():
    book = load_rulebook()
    lanes = np.arange(20, dtype=np.uint64)
    mean = posterior.lane_parameters(dataclasses.replace(default_scenario(), parameter_draws="mean"), book, lanes)
    assert all(np.all(values == values[0]) for values in mean.values())
    assert posterior.lane_parameters(dataclasses.replace(default_scenario(), parameter_draws="book"), book, lanes) == {}
    pinned = dataclasses.replace(default_scenario(), parameters={"FR.daladier_weight": 0.9})
    assert "FR.daladier_weight" not in posterior.lane_parameters(pinned, book, lanes)
    model = CrisisModel(pinned, lanes=lanes)
    assert np.all(model.lane_values("FR.daladier_weight") == 0.9)


def test_lane_parameters_equal_a_pinned_scenario():
    """A sweep's per-lane values give exactly the rollouts of a scenario that pins the same values."""
    scenario = dataclasses.replace(default_scenario(), parameter_draws="book")
    lanes = np.arange(40, dtype=np.uint64)
    per_lane = CrisisModel(scenario, lanes=lanes, parameters={"CZ.resolve": np.full(40, 0.65)}).run()
    pinned = CrisisModel(dataclasses.replace(scenario, parameters={"CZ.resolve": 0.65}), lanes=lanes).run()
    assert np.array_equal(per_lane.outcome, pinned.outcome)
    assert all(np.array_equal(per_lane.fired[name], pinned.fired[name]) for name in pinned.fired)


def test_bad_record_is_located(tmp_path):
    bad = tmp_path / "record.yaml"
    bad.write_text("observations:\n  - id: x\n    what: y\n    event: fired.CZ.accepts_munich\n    date: 1938-09-30\n"
                   "    window: [1938-10-01, 1938-10-03]\n    source: {source: external, reference: r, paraphrase: p}\n")
    with pytest.raises(InputError) as error:
        calibrate.load_record(bad)
    assert "outside its window" in str(error.value) and "record.yaml" in str(error.value)


def test_prior_outside_the_rule_book_range_is_refused(tmp_path):
    bad = tmp_path / "priors.yaml"
    bad.write_text("parameters:\n  CZ.resolve:\n    range: [0.5, 1.5]\n    why: because the texts say nothing more precise\n")
    with pytest.raises(InputError) as error:
        calibrate.load_priors(bad)
    assert error.value.line == 2 and "inside [0.0, 1.0]" in str(error.value)


def test_log_scale_prior_is_uniform_in_the_logarithm(tmp_path):
    path = tmp_path / "priors.yaml"
    path.write_text("parameters:\n  DE.autonomy_hazard:\n    range: [0.001, 0.1]\n    scale: log\n    why: a daily chance of unknown order of magnitude\n"
                    "  CZ.resolve:\n    range: [0.2, 0.6]\n    why: because the texts say nothing more precise\n")
    priors = calibrate.load_priors(path)
    values = calibrate.prior_values(priors, 20_000, seed=3)
    hazard, resolve = values[:, 0], values[:, 1]
    assert hazard.min() >= 0.001 and hazard.max() <= 0.1 and resolve.min() >= 0.2 and resolve.max() <= 0.6
    # each decade holds half the mass of a log-uniform prior over two decades; a uniform one would put 9% below 0.01
    assert abs(np.mean(hazard < 0.01) - 0.5) < 0.02
    assert abs(np.mean(resolve < 0.4) - 0.5) < 0.02


def test_log_scale_needs_a_positive_numeric_range(tmp_path):
    path = tmp_path / "priors.yaml"
    path.write_text("parameters:\n  DE.autonomy_hazard:\n    range: [0, 0.1]\n    scale: log\n    why: a daily chance of unknown order of magnitude\n")
    with pytest.raises(InputError) as error:
        calibrate.load_priors(path)
    assert "priors.yaml:2: parameters.DE.autonomy_hazard" in str(error.value) and "scale: log needs a range above 0" in str(error.value)


def test_calibrate_command_runs_the_whole_procedure(tmp_path):
    """End to end at a toy size: both fits, the posterior file (valid, with its hashes) and the report."""
    from sim.cli import main

    out = tmp_path / "posterior.json"
    status = main(["calibrate", "--particles", "20", "--batch", "100", "--evaluation-runs", "100", "--jobs", "1",
                   "--report", str(tmp_path / "report"), "--out", str(out)])
    assert status == 0
    written = posterior.read_posterior(out)
    assert written.samples.shape == (20, len(calibrate.load_priors().parameters))
    assert json.loads(out.read_text())["hashes"] == calibrate.hashes()
    report = (tmp_path / "report" / "report.md").read_text()
    assert "karlsbad_programme" in report and "Held-out observations" in report
    assert (tmp_path / "report" / "fit.png").stat().st_size > 0 and (tmp_path / "report" / "marginals.png").stat().st_size > 0


def test_calibrate_refuses_an_until_that_does_not_split_the_record(capsys):
    from sim.cli import main

    assert main(["calibrate", "--until", "1938-01-01"]) == 2
    assert "--until" in capsys.readouterr().err


def test_the_distance_counts_recorded_pairs_that_come_out_reversed():
    """Each observation is paired with those on the next recorded date; a rollout pays one for each pair it reverses."""
    record = calibrate.load_record()
    pairs = calibrate.order_pairs(record.observations)
    by_id = {observation.id: index for index, observation in enumerate(record.observations)}
    assert (by_id["politburo_reply"], by_id["ultimatum_delivered"]) in pairs
    assert (by_id["benes_asks_moscow"], by_id["politburo_reply"]) in pairs
    assert not any(record.observations[i].never or record.observations[j].never for i, j in pairs)
    assert all(record.observations[i].date < record.observations[j].date for i, j in pairs)
    reading = calibrate.read_record(calibrate.calibration_scenario(), record.observations, [], np.zeros((400, 0)), 0)
    assert reading.reversed.max() > 0  # with the rule book's values, some rollouts reverse recorded pairs
    assert np.array_equal(reading.distance, (~reading.reproduced).sum(axis=1) + reading.reversed)
