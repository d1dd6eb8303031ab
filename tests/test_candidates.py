"""The candidate bookkeeping of one rule (``sim/engine/candidates.py``), through its public methods.

A ``Candidates`` object keeps where a rule may fire from day to day and redoes only what the
day's changes can have changed. Whatever changes, in whatever lanes, its proposals must be
what a fresh evaluation of the rule over every lane gives: the open lanes where the whole
condition holds and a once-only rule has not been used up, with the probability there. Here a
small world is changed at random, day after day, with lanes closing, and each day's proposal is
checked against that fresh evaluation, for bookkeeping built for the world (timers, a kept
probability, sleeping on a blocker) and for bookkeeping built for a rule run alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pytest

from sim.book.actions import Mobilise
from sim.book.rules import load_rulebook
from sim.book.vocabulary import NEVER
from sim.engine import rng
from sim.engine.candidates import Candidates
from sim.engine.conditions import parse
from sim.engine.rule import CompiledRule
from sim.engine.world import timetable

LANES = 400
DAYS = 60
# A blocker that rarely changes (happened(e)), two steady comparisons, a timer (today >= c, c constant) and a dated conjunct.
CONDITION = "happened(e) and a > 0.5 and b < 0.3 and today >= c and today - d < 20"
PROBABILITY = "0.2 + 0.5 * b"  # reads b, which changes: kept over every lane and updated where b changes


@dataclass
class Day:
    """What the bookkeeping reads of a model on a day (``sim.engine.candidates.Day``)."""

    state: dict
    lanes: np.ndarray
    open_lanes: np.ndarray
    day: int = 0
    seed: int = 7
    closed_count: int = 0
    changes: dict = field(default_factory=dict)


def rule(tries: str) -> CompiledRule:
    """A book rule given this test's condition and probability, a simple action, once-only."""
    base = load_rulebook().rules[0]
    source = base.model_copy(update={"once": True, "tries": tries, "action": Mobilise(kind="mobilise", level=0.2), "effects": []})
    condition, probability = parse(CONDITION, date.fromisoformat), parse(PROBABILITY, date.fromisoformat)
    return CompiledRule(0, source, condition, probability, ())


def world(generator: np.random.Generator) -> dict:
    return {
        "a": generator.random(LANES),
        "b": generator.random(LANES),
        "c": generator.integers(0, DAYS, LANES).astype(float),
        "d": np.full(LANES, float(NEVER)),
        "e": np.full(LANES, float(NEVER)),
        "today": 0.0,
    }


def change(generator: np.random.Generator, state: dict, name: str, share: float, values) -> np.ndarray:
    """Change ``name`` in a random share of the lanes; the lanes where it changed."""
    lanes = np.flatnonzero(generator.random(LANES) < share)
    state[name][lanes] = values(lanes.size)
    return lanes


@pytest.mark.parametrize("tries", ["daily", "once"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_proposals_equal_a_fresh_evaluation_whatever_changes(seed: int, tries: str):
    generator = np.random.default_rng(seed)
    compiled = rule(tries)
    state = world(generator)
    day = Day(state, np.arange(LANES, dtype=np.uint64), np.ones(LANES, dtype=bool))
    kept = Candidates(compiled, state, constant={"c"})
    alone = Candidates(compiled)  # no world: no timers, the probability evaluated where proposed
    assert set(kept.timers) and kept.chance_reads == {"b"}
    clock = timetable(kept.timers.values(), (LANES,))
    used = {id(kept): np.zeros(LANES, dtype=bool), id(alone): np.zeros(LANES, dtype=bool)}  # lanes a once-only rule has left
    slept = False
    for today in range(DAYS):
        day.day, state["today"], day.changes = today, float(today), {}
        if today:
            day.changes["a"] = change(generator, state, "a", 0.05, generator.random)
            day.changes["b"] = change(generator, state, "b", 0.05, generator.random)
            day.changes["d"] = change(generator, state, "d", 0.02, lambda size: np.full(size, float(today)))
            if today >= 10:  # the blocker happens in more and more lanes from day 10
                day.changes["e"] = change(generator, state, "e", 0.03, lambda size: np.full(size, float(today)))
            for name, lanes in clock.get(today, ()):
                day.changes[name] = lanes
            closing = day.open_lanes & (generator.random(LANES) < 0.01)
            day.open_lanes &= ~closing
            day.closed_count += int(closing.sum())
        for candidates in (kept, alone):
            candidates.dirty = any(name in day.changes for name in candidates.reads) or candidates.dirty
            candidates.chance_stale = any(name in day.changes for name in candidates.chance_reads)
        holds = np.broadcast_to(parse(CONDITION, date.fromisoformat).evaluate(state), (LANES,))
        for candidates in (kept, alone):
            expected = np.flatnonzero(day.open_lanes & holds & ~used[id(candidates)])
            proposal = candidates.propose(day)
            where = proposal.where if proposal is not None else np.zeros(0, dtype=int)
            assert np.array_equal(where, expected), f"day {today}"
            assert np.array_equal(candidates.kept_lanes, candidates.fresh_lanes(day)), f"day {today}"
            if proposal is None:
                continue
            fresh = np.broadcast_to(compiled.probability.evaluate(state), (LANES,))[where]
            assert np.array_equal(np.broadcast_to(proposal.probability, where.shape), fresh), f"day {today}"
            draws = rng.uniform(day.seed, compiled.stream, today, day.lanes[where])
            decision = candidates.conclude(day, proposal, draws)
            fires = where[draws < fresh]
            used[id(candidates)][where if tries == "once" else fires] = True
            assert (decision is None) == (fires.size == 0)
            if decision is not None:
                assert np.array_equal(decision.fires, fires) and decision.rule is compiled
        slept = slept or kept.asleep
    assert slept, "the rule never slept on its blocker: the test would not cover waking up"
    assert used[id(kept)].any(), "the rule never fired: the test would not cover once-only lanes"


def test_kept_mask_is_the_steady_condition_in_the_open_lanes():
    generator = np.random.default_rng(5)
    state = world(generator)
    state["e"][:] = 0.0  # the blocker holds everywhere: no sleeping
    day = Day(state, np.arange(LANES, dtype=np.uint64), np.ones(LANES, dtype=bool))
    kept = Candidates(rule("daily"), state, constant={"c"})
    clock = timetable(kept.timers.values(), (LANES,))
    assert kept.kept_mask is None and kept.kept_lanes is None  # nothing kept before the first look
    kept.lanes(day)
    for today in range(1, 30):
        day.day, state["today"] = today, float(today)
        day.changes = {"a": change(generator, state, "a", 0.2, generator.random)}
        day.changes.update(clock.get(today, ()))  # the timer today >= c switches in these lanes
        kept.dirty = True
        kept.lanes(day)
        steady = np.broadcast_to(kept.steady.evaluate(state), (LANES,)).astype(bool)
        assert np.array_equal(kept.kept_mask, steady)
        assert not kept.asleep


def test_a_timer_that_switches_in_no_lane_after_the_first_day_has_no_place_in_the_clock():
    """A sweep chunk whose every point dates a switch on the first day (or never) once broke the timetable."""
    from sim.engine.candidates import Timer

    timers = [Timer("first day", np.zeros(LANES)), Timer("never", np.full(LANES, np.nan)),
              Timer("day 3", np.where(np.arange(LANES) % 2 == 0, 3.0, 0.0))]
    clock = timetable(timers, (LANES,))
    assert list(clock) == [3] and [name for name, _ in clock[3]] == ["day 3"]
    assert np.array_equal(clock[3][0][1], np.arange(0, LANES, 2))
