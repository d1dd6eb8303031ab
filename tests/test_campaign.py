"""The campaign into spring 1939: weekly steps, fronts with a minimum time to break through, the pace, military results."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest

from sim.book.scenario import DEFAULT_END, DEFAULT_WEEKLY_FROM, RuleEdit
from sim.book.vocabulary import FRONTS, MILITARY_RESULTS, NEVER
from sim.engine import campaign
from sim.engine.model import CrisisModel, over_days
from sim.engine.outcomes import military
from sim.experiments.runner import Tally, rollout_rows, run
from tests.helpers import batch, scenario

LANES = 400


def test_daily_until_november_then_weekly_to_the_horizon():
    chosen = scenario()
    weekly = (DEFAULT_WEEKLY_FROM - chosen.start).days
    assert chosen.end == DEFAULT_END == date(1939, 3, 31)
    assert all(chosen.step_span(day) == 1 for day in range(weekly))
    assert chosen.step_span(weekly) == 7
    assert chosen.step_span(chosen.days - 3) == 3  # the last step stops at the horizon
    model = CrisisModel(scenario("benes_fights"), lanes=200)
    days = []
    while model.running:
        days.append(model.day)
        model.step()
    assert days[: weekly + 1] == list(range(weekly + 1))
    assert set(np.diff(days[weekly:])) == {7}
    assert model.day <= chosen.days


def test_a_daily_chance_over_a_week_is_the_chance_of_at_least_one_success():
    assert over_days(0.1, 7) == pytest.approx(1 - 0.9**7)
    assert over_days(np.array([0.0, 1.0, 1.5, -0.2]), 7).tolist() == [0.0, 1.0, 1.0, 0.0]


def _war_model(lanes: int = LANES, mobilisation: float = 1.0, **state) -> CrisisModel:
    """A model whose lanes are all at war from day 200: Germany attacking, Czechoslovakia fighting."""
    model = CrisisModel(scenario(), lanes=lanes)
    values = {"CZ.attacked_day": 200.0, "CZ.at_war": 1.0, "DE.at_war": 1.0, "CZ.mobilisation": mobilisation, "crisis.first_shot_day": 200.0}
    for name, value in (values | state).items():
        model.state[name] = np.full(lanes, value, dtype=float) if np.ndim(model.state[name]) == 0 else np.full(lanes, value)
    return model


def _days_to_end(model: CrisisModel, last: int = 380) -> np.ndarray:
    open_lanes = np.ones(model.lanes.size, dtype=bool)
    for day in range(200, last):
        campaign.advance(model.state, day, 1, model.seed, model.lanes, open_lanes)
    ended = model.state["crisis.cz_resistance_end_day"]
    return np.where(ended < NEVER, ended - 200, np.inf)


def test_a_mobilised_army_is_not_beaten_before_the_minimum_time_to_break_through():
    model = _war_model()
    state = model.state
    fastest = min(
        float(np.min(state["world.breakthrough_days"])) * float(np.min(state[f"world.fort_{front}"])) for front in FRONTS
    ) * (1 - float(np.max(state["world.fortune_spread"]))) / campaign.MAX_PACE
    held = _days_to_end(model)
    assert held.min() >= fastest  # no collapse in the first days, unlike a constant daily chance
    assert np.isfinite(held).all()  # and, alone in autumn, every army is beaten in the end
    assert (state["crisis.breach_day"] < NEVER).all()


def test_manned_works_hold_longer_than_a_partly_mobilised_army():
    manned = _days_to_end(_war_model(mobilisation=1.0))
    unmanned = _days_to_end(_war_model(mobilisation=0.5))
    assert np.median(unmanned) < np.median(manned)


def test_france_at_war_and_attacking_slows_the_german_pace_and_winter_slows_it_more():
    alone = campaign.pace(_war_model(lanes=3).state)
    france = campaign.pace(_war_model(lanes=3, **{"FR.at_war": 1.0}).state)
    offensive = campaign.pace(_war_model(lanes=3, **{"FR.at_war": 1.0, "FR.offensive_day": 230.0}).state)
    winter = campaign.pace(_war_model(lanes=3, **{"FR.at_war": 1.0, "event.winter.active": 1.0}).state)
    assert (alone > france).all() and (france > offensive).all() and (france > winter).all()


def test_soviet_troops_come_by_rail_only_after_the_rail_transit_and_aircraft_sooner():
    # A stout defence (breakthrough in 30 days or more), so that the army still fights when the troops are due.
    model = _war_model(lanes=2, **{"SU.at_war": 1.0, "SU.war_day": 200.0, "RO.passage_troops": 1.0, "world.breakthrough_days": 30.0})
    open_lanes = np.ones(2, dtype=bool)
    for day in range(200, 260):
        campaign.advance(model.state, day, 1, model.seed, model.lanes, open_lanes)
    state = model.state
    assert (state["crisis.su_aid_day"] == 200 + state["world.soviet_transit_days"]).all()
    assert (state["crisis.su_troops_day"] == 200 + state["world.soviet_rail_days"]).all()


def test_no_soviet_troops_without_a_route_on_the_ground():
    model = _war_model(lanes=2, **{"SU.at_war": 1.0, "SU.war_day": 200.0, "RO.passage_warplanes": 1.0})
    _days_to_end(model, last=300)
    assert (model.state["crisis.su_aid_day"] < NEVER).all()
    assert (model.state["crisis.su_troops_day"] >= NEVER).all()


def test_a_halted_campaign_stands_still():
    model = _war_model(lanes=5, **{"crisis.campaign_halted_day": 205.0})
    held = _days_to_end(model)
    assert np.isinf(held).all() and (model.state["crisis.breach_day"] >= NEVER).all()


def _final(**days) -> dict[str, np.ndarray]:
    names = ("crisis.first_shot_day", "crisis.settled_day", "crisis.climbdown_day", "crisis.breach_day",
             "crisis.campaign_halted_day", "crisis.cz_resistance_end_day")
    return {name: np.array([float(days.get(name.split(".")[1], NEVER))]) for name in names}


@pytest.mark.parametrize(("days", "expected"), [
    ({}, "standoff"),
    ({"settled_day": 200}, "no_war"),
    ({"climbdown_day": 200}, "no_war"),
    ({"first_shot_day": 200}, "cz_holds"),
    ({"first_shot_day": 200, "breach_day": 215}, "cz_falls_back"),
    ({"first_shot_day": 200, "breach_day": 215, "campaign_halted_day": 220}, "germany_checked"),
    ({"first_shot_day": 200, "breach_day": 215, "cz_resistance_end_day": 222}, "cz_overrun"),
    ({"first_shot_day": 200, "settled_day": 190, "cz_resistance_end_day": 222}, "cz_overrun"),
])
def test_every_rollout_has_one_named_military_result(days, expected):
    assert MILITARY_RESULTS[military(_final(**days))[0]] == expected


def test_the_french_offensive_comes_from_its_rule_switching_it_off_removes_it():
    chosen = scenario("france_honours")
    without = dataclasses.replace(chosen, rules=chosen.rules | {"FR.launches_offensive": RuleEdit(enabled=False)})
    assert batch("france_honours", runs=600).flags["fr_offensive"].any()
    assert not CrisisModel(without, lanes=600).run().flags["fr_offensive"].any()


def test_the_held_curve_starts_at_one_and_never_rises():
    tally = run(scenario("benes_fights"), runs=300, jobs=1)
    curve = tally.held_curve()
    assert curve[0] == 1.0 and (np.diff(curve) <= 0).all()
    assert sum(tally.military.values()) == 300
    median = tally.median_days_held()
    assert median is not None and 0 < median < tally.days


def test_rows_with_the_whole_horizon_do_not_depend_on_the_batch():
    chosen = scenario("france_honours")
    whole = rollout_rows(CrisisModel(chosen, lanes=np.arange(120, dtype=np.uint64)).run(), chosen)
    parts = [row for first in range(0, 120, 17)
             for row in rollout_rows(CrisisModel(chosen, lanes=np.arange(first, min(first + 17, 120), dtype=np.uint64)).run(), chosen)]
    assert whole == parts
    assert any(row["military_result"] == "cz_overrun" and row["days_held"] != "" for row in whole)
    assert Tally(days=chosen.days).held.size == chosen.days + 1
