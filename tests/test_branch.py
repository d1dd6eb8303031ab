"""A branch: rollouts carried on from a day under another scenario (``sim/engine/branch.py``).

The days before the branch are those of the unchanged run (state and happenings); a branch on day 0
is a fresh run of the new scenario, byte for byte; a branch into the same scenario is the unbranched
run, byte for byte (so nothing the next day needs is lost at the seam); and a real change does change
what follows.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.engine.branch import past_of
from sim.engine.model import BatchResult, CrisisModel
from tests.helpers import scenario

LANES = np.arange(300, dtype=np.uint64)


def stepped(model: CrisisModel, days: int) -> CrisisModel:
    for _ in range(days):
        if model.running:
            model.step()
    return model


def finished(model: CrisisModel) -> tuple[BatchResult, dict[str, np.ndarray]]:
    result = model.run()
    return result, {name: model.lane_values(name) for name in model.state}


def same_results(one: BatchResult, other: BatchResult) -> None:
    for field in dataclasses.fields(BatchResult):
        mine, theirs = getattr(one, field.name), getattr(other, field.name)
        if isinstance(mine, dict):
            assert mine.keys() == theirs.keys(), field.name
            for name in mine:
                assert mine[name].tobytes() == theirs[name].tobytes(), (field.name, name)
        else:
            assert mine.tobytes() == theirs.tobytes(), field.name


def same_states(one: dict[str, np.ndarray], other: dict[str, np.ndarray]) -> None:
    assert one.keys() == other.keys()
    for name in one:
        assert one[name].tobytes() == other[name].tobytes(), name


def same_logs(one, other) -> None:
    assert len(one) == len(other)
    for mine, theirs in zip(one, other, strict=True):
        assert (mine.day, mine.kind, mine.name) == (theirs.day, theirs.kind, theirs.name)
        assert mine.lanes.tobytes() == theirs.lanes.tobytes()


def branch(old: CrisisModel, name: str, sets: tuple[str, ...] = ()) -> CrisisModel:
    return CrisisModel(scenario(name, sets), lanes=old.lanes, record=old.log is not None, past=past_of(old))


def test_a_branch_on_day_0_is_a_fresh_run_of_the_new_scenario_byte_for_byte():
    fresh = CrisisModel(scenario("benes_fights"), lanes=LANES, record=True)
    branched = branch(CrisisModel(scenario("baseline"), lanes=LANES, record=True), "benes_fights")
    fresh_result, fresh_state = finished(fresh)
    branched_result, branched_state = finished(branched)
    same_results(fresh_result, branched_result)
    same_states(fresh_state, branched_state)
    same_logs(fresh.log, branched.log)


@pytest.mark.parametrize("day", [1, 60, 186, 195])  # 186: the change from 14 September on, the eve of Berchtesgaden
def test_a_branch_into_the_same_scenario_is_the_unbranched_run_byte_for_byte(day):
    whole = CrisisModel(scenario("baseline"), lanes=LANES, record=True)
    result, state = finished(whole)
    branched = branch(stepped(CrisisModel(scenario("baseline"), lanes=LANES, record=True), day), "baseline")
    assert branched.day == day
    branched_result, branched_state = finished(branched)
    same_results(result, branched_result)
    same_states(state, branched_state)
    same_logs(whole.log, branched.log)


def test_the_days_before_a_branch_are_the_unchanged_runs_and_the_change_acts_after():
    day = 186
    unchanged = stepped(CrisisModel(scenario("baseline"), lanes=LANES, record=True), day)
    at_branch = {name: unchanged.lane_values(name) for name in unchanged.state if name != "today"}
    branched = branch(unchanged, "benes_fights")
    assert branched.day == day and branched.crisis_scenario.name == "benes_fights"
    old_start, new_start = CrisisModel(scenario("baseline"), lanes=LANES), CrisisModel(scenario("benes_fights"), lanes=LANES)
    touched_somewhere = 0
    for name, values in at_branch.items():  # what the run did before the branch is in the branch's state
        touched = values != old_start.lane_values(name)
        carried, start = branched.lane_values(name), new_start.lane_values(name)
        assert carried[~touched].tobytes() == start[~touched].tobytes(), name  # the rest starts as the new scenario says
        same_start = touched & (start == old_start.lane_values(name))
        assert carried[same_start].tobytes() == values[same_start].tobytes(), name
        touched_somewhere += bool(touched.any())
    assert touched_somewhere > 50
    assert branched.lane_values("CZ.resolve").tolist() == [1.0] * LANES.size  # the new scenario's parameter
    same_logs(unchanged.log, [happening for happening in branched.log if happening.day < day])
    result = branched.run()
    assert all(happening.day >= day for happening in branched.log[len(unchanged.log):])
    went_on = stepped(unchanged, 10_000).result()
    assert not np.array_equal(result.outcome, went_on.outcome)  # Beneš fighting from 14 September on changes outcomes
    assert (result.outcome != went_on.outcome).sum() > 30


def test_a_branch_onto_another_calendar_or_other_rollouts_is_refused():
    old = stepped(CrisisModel(scenario("baseline"), lanes=LANES), 5)
    with pytest.raises(ValueError, match="same calendar"):
        CrisisModel(scenario("baseline", ("start=1938-03-13",)), lanes=LANES, past=past_of(old))
    with pytest.raises(ValueError, match="same rollouts"):
        CrisisModel(scenario("baseline"), lanes=LANES[:10], past=past_of(old))
