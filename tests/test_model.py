"""Properties of the model: one outcome per rollout, determinism, lane independence, order independence, monotone effects."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.book.rules import load_rulebook
from sim.book.vocabulary import EVENTS, NEVER, OUTCOMES
from sim.engine.candidates import Timer
from sim.engine.conditions import parse
from sim.engine.model import CrisisModel
from sim.engine.outcomes import GREAT_POWERS, classify
from sim.experiments.runner import run
from tests.helpers import batch, event_share, scenario

SLOW = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same_results(a, b) -> None:
    assert np.array_equal(a.lanes, b.lanes)
    assert np.array_equal(a.outcome, b.outcome)
    assert np.array_equal(a.military, b.military)
    assert np.array_equal(a.breach_day, b.breach_day)
    assert np.array_equal(a.halt_day, b.halt_day)
    for event in EVENTS:
        assert np.array_equal(a.flags[event], b.flags[event]), event
    assert np.array_equal(a.first_shot_day, b.first_shot_day)
    assert np.array_equal(a.resistance_end_day, b.resistance_end_day)
    for rule_id in a.fired:
        assert np.array_equal(a.fired[rule_id], b.fired[rule_id]), rule_id


def test_mesa_contract_constructible_without_arguments():
    model = CrisisModel()
    model.run_for(10)
    assert model.time == 10.0
    assert model.day == 10
    assert len(model.agents) == 7


def test_exactly_one_outcome_consistent_with_the_state():
    for name in ("baseline", "benes_fights", "france_honours"):
        result = batch(name)
        assert set(np.unique(result.outcome)) <= set(range(len(OUTCOMES)))
        war = result.first_shot_day < NEVER
        great_power = np.zeros_like(war)
        for power in GREAT_POWERS:
            great_power |= result.war_days[power] < NEVER
        assert np.all((result.outcome == OUTCOMES.index("general_war")) == (war & great_power))
        assert np.all((result.outcome == OUTCOMES.index("local_war")) == (war & ~great_power))


def test_classification_priority_war_over_settlement():
    state = {name: np.full(3, float(NEVER)) for name in ("crisis.first_shot_day", "crisis.settled_day", "crisis.climbdown_day")}
    state.update({f"{power}.war_on_DE_day": np.full(3, float(NEVER)) for power in GREAT_POWERS})
    state["crisis.settled_day"][:] = [5, 5, NEVER]
    state["crisis.first_shot_day"][:] = [NEVER, 9, 9]
    state["FR.war_on_DE_day"][2] = 12
    assert [OUTCOMES[index] for index in classify(state)] == ["settlement", "local_war", "general_war"]


def test_same_seed_same_results_and_different_seed_different_results():
    a = CrisisModel(scenario(), lanes=300).run()
    b = CrisisModel(scenario(), lanes=300).run()
    same_results(a, b)
    other = CrisisModel(scenario("baseline", ("seed=7",)), lanes=300).run()
    assert not np.array_equal(a.first_shot_day, other.first_shot_day) or not np.array_equal(a.outcome, other.outcome)


@SLOW
@given(
    name=st.sampled_from(["baseline", "benes_fights", "france_honours"]),
    seed=st.integers(0, 2**40),
    index=st.integers(0, 149),
)
def test_lane_independence_rollout_alone_equals_rollout_in_batch(name, seed, index):
    chosen = scenario(name, (f"seed={seed}",))
    whole = CrisisModel(chosen, lanes=np.arange(150)).run()
    alone = CrisisModel(chosen, lanes=np.array([index])).run()
    offset = CrisisModel(chosen, lanes=np.arange(index, index + 7)).run()  # a different batch containing it
    for other, position in ((alone, 0), (offset, 0)):
        assert whole.outcome[index] == other.outcome[position]
        assert whole.first_shot_day[index] == other.first_shot_day[position]
        assert whole.resistance_end_day[index] == other.resistance_end_day[position]
        for event in EVENTS:
            assert whole.flags[event][index] == other.flags[event][position]
        for rule_id in whole.fired:
            assert whole.fired[rule_id][index] == other.fired[rule_id][position], rule_id


def test_results_do_not_depend_on_agent_order():
    ordered = CrisisModel(scenario("benes_fights"), lanes=400)
    shuffled = CrisisModel(scenario("benes_fights"), lanes=400)
    orders = set()
    while ordered.running:
        ordered.step()
        shuffled.agents.shuffle(inplace=True)  # a new activation order every day
        orders.add(tuple(agent.code for agent in shuffled.agents))
        shuffled.step()
    assert len(orders) > 1  # the order really changed
    same_results(ordered.result(), shuffled.result())


def test_chunking_and_jobs_do_not_change_the_tally():
    chosen = scenario("benes_fights")
    small_chunks = run(chosen, runs=240, jobs=1, chunk=37)
    one_chunk = run(chosen, runs=240, jobs=1, chunk=5000)
    assert small_chunks.outcomes == one_chunk.outcomes
    assert small_chunks.military == one_chunk.military
    assert np.array_equal(small_chunks.held, one_chunk.held)
    assert small_chunks.events == one_chunk.events
    assert small_chunks.rules == one_chunk.rules
    assert np.array_equal(small_chunks.at_war, one_chunk.at_war)


def test_probabilities_are_proportions_within_unit_interval():
    tally = run(scenario(), runs=500, jobs=1)
    assert sum(tally.outcomes.values()) == tally.runs == 500
    for count in (*tally.outcomes.values(), *tally.events.values(), *tally.rules.values()):
        share = tally.share(count)
        assert 0 <= share["lo"] <= share["p"] <= share["hi"] <= 1
    assert tally.at_war.max() <= tally.runs


def monotone(values, share):
    shares = [share(value) for value in values]
    # Common random numbers make the comparison paired; a small tolerance covers path effects.
    return all(later >= earlier - 0.01 for earlier, later in itertools.pairwise(shares)), shares


def test_raising_french_resolve_never_lowers_the_chance_france_fights():
    values = (0.0, 0.3, 0.6, 0.9)
    ok, shares = monotone(values, lambda value: event_share(batch("baseline", (f"parameters.FR.daladier_weight={value}",), 1500), "fr_fights"))
    assert ok, shares
    assert shares[-1] > shares[0]


def test_raising_french_honour_never_lowers_the_chance_france_fights_when_benes_fights():
    values = (0.0, 0.2, 0.5, 1.0)
    ok, shares = monotone(values, lambda value: event_share(batch("benes_fights", (f"parameters.FR.honour_base={value}",), 1500), "fr_fights"))
    assert ok, shares
    assert shares[-1] > shares[0]


def test_raising_czechoslovak_resolve_never_lowers_the_chance_it_fights():
    values = (0.0, 0.4, 0.8, 1.0)
    ok, shares = monotone(values, lambda value: event_share(batch("baseline", (f"parameters.CZ.resolve={value}",), 1500), "cz_fights"))
    assert ok, shares
    assert shares[-1] > shares[0]


PARAMETERS = sorted(name for name, parameter in load_rulebook().parameters().items() if not isinstance(parameter.value, date))
RULES = sorted(rule.id for rule in load_rulebook().rules)


@st.composite
def random_scenario(draw):
    """A scenario file's worth of random changes: parameters within their ranges, rules switched off, a seed, a lens."""
    book = load_rulebook().parameters()
    sets = [f"seed={draw(st.integers(0, 2**62))}", f"lens={draw(st.sampled_from(sorted(load_rulebook().lenses)))}"]
    for name in draw(st.lists(st.sampled_from(PARAMETERS), max_size=4, unique=True)):
        low, high = book[name].range
        sets.append(f"parameters.{name}={draw(st.floats(low, high, allow_nan=False)):.6g}")
    for rule_id in draw(st.lists(st.sampled_from(RULES), max_size=3, unique=True)):
        sets.append(f"rules.{rule_id}.enabled=false")
    return draw(st.sampled_from(["baseline", "benes_fights", "france_honours"])), tuple(sets)


@SLOW
@given(choice=random_scenario(), index=st.integers(0, 999))
def test_random_scenarios_rollout_alone_equals_rollout_in_a_large_batch(choice, index):
    name, sets = choice
    chosen = scenario(name, sets)
    whole = CrisisModel(chosen, lanes=np.arange(1000)).run()
    alone = CrisisModel(chosen, lanes=np.array([index])).run()
    assert whole.outcome[index] == alone.outcome[0]
    assert whole.first_shot_day[index] == alone.first_shot_day[0]
    assert whole.resistance_end_day[index] == alone.resistance_end_day[0]
    for event in EVENTS:
        assert whole.flags[event][index] == alone.flags[event][0], event
    for state in whole.war_days:
        assert whole.war_days[state][index] == alone.war_days[state][0], state
    for rule_id in whole.fired:
        assert whole.fired[rule_id][index] == alone.fired[rule_id][0], rule_id


@settings(max_examples=3, deadline=None)
@given(choice=random_scenario())
def test_random_scenarios_same_frequencies_with_one_or_two_processes(choice):
    name, sets = choice
    chosen = scenario(name, sets)
    one = run(chosen, runs=1200, jobs=1, chunk=500)
    two = run(chosen, runs=1200, jobs=2, chunk=500)
    assert one.outcomes == two.outcomes and one.events == two.events and one.rules == two.rules
    assert np.array_equal(one.at_war, two.at_war)


def test_each_state_carries_its_posture_beliefs_and_rules():
    model = CrisisModel(scenario("benes_fights"), lanes=300)
    model.run_for(205)  # to late September: mobilised states, some at war
    for agent in model.agents:
        assert agent.rules and all(rule.rule.actor == agent.code for rule in agent.rules)
        posture = agent.posture
        assert posture.shape == (300,)
        assert np.all((posture == 3) == agent.at_war)
        assert np.all((posture >= 2) == (agent.at_war | (agent.mobilisation >= 0.5)))
        for other in agent.others:
            assert np.all((agent.belief(other) >= 0) & (agent.belief(other) <= 1))
    assert (model.states["CZ"].posture >= 2).mean() > 0.9  # Prague has mobilised to resist


@given(
    st.sampled_from(["today >= X", "today > X", "today < X", "today <= X", "X <= today", "X > today", "today >= X - 30"]),
    st.lists(st.one_of(st.floats(-5, 60, allow_nan=False), st.integers(-5, 60).map(float), st.just(float("nan"))), min_size=1, max_size=20),
)
def test_a_timer_switches_on_the_one_day_its_comparison_changes(text, thresholds):
    """A timer's switch day is the first whole day on which the comparison differs from the day before; NaN never switches."""
    comparison = parse(text, date.fromisoformat)
    state = {"X": np.array(thresholds), "today": 0.0}
    timer = Timer.of(comparison.tree, state, {"X"})
    values = np.array([comparison.evaluate({"X": state["X"], "today": float(day)}) for day in range(100)])
    for lane in range(len(thresholds)):
        changes = [day for day in range(1, 100) if values[day, lane] != values[day - 1, lane]]
        switch_day = timer.switch_day[lane]
        assert changes == ([int(switch_day)] if 1 <= switch_day < 100 else []), (text, thresholds[lane], switch_day)


def test_only_comparisons_of_today_with_constants_are_timers():
    state = {"X": np.array([3.0]), "Y": np.array([1.0]), "today": 0.0}
    for text in ("today == X", "today - Y >= X", "today >= Y", "X >= 2"):
        assert Timer.of(parse(text, date.fromisoformat).tree, state, {"X"}) is None, text
    assert Timer.of(parse("today >= X + 1", date.fromisoformat).tree, state, {"X"}) is not None


# may_war adds rules that compare today with dates (timers with one switch day for every lane).
@pytest.mark.parametrize("name", ["baseline", "benes_fights", "grand_alliance", "may_war"])
def test_each_rule_keeps_its_condition_right_in_every_open_lane(name):
    """The engine re-evaluates a rule's steady condition only where something it reads changed, and a rule
    that holds nowhere sleeps until its blocking conjunct changes, and a comparison of ``today`` with a
    constant (a timer) is looked at again only on the day it switches: every day, what it keeps must still
    be the condition evaluated afresh in every open lane (the rule looks at the day's changes first, as it
    would at the start of the next day). The same holds for a probability kept over all lanes."""
    lanes = 1500
    model = CrisisModel(scenario(name), lanes=lanes)
    slept, timed, kept = set(), set(), set()
    while model.running:
        model.step()
        for rule in model.candidates:
            rule.lanes(model)
            expected = np.broadcast_to(np.asarray(rule.steady.evaluate(model.state), dtype=bool), (lanes,))
            open_lanes = model.open_lanes
            assert np.array_equal(rule.kept_mask[open_lanes], expected[open_lanes]), f"{rule.rule.id} on day {model.day}"
            assert np.array_equal(rule.kept_lanes, rule.fresh_lanes(model)), f"{rule.rule.id}'s candidates on day {model.day}"
            if rule.asleep:
                slept.add(rule.rule.id)
            if rule.timers:
                timed.add(rule.rule.id)
            if rule.chance_reads:  # a probability kept over all lanes, updated where what it reads changed
                rule.note_chance_changes(model)
                fresh = np.broadcast_to(rule.probability.evaluate(model.state), (lanes,))
                assert np.array_equal(rule.kept_chance(model)[open_lanes], fresh[open_lanes], equal_nan=True), f"{rule.rule.id} on day {model.day}"
                kept.add(rule.rule.id)
    assert len(slept) > 10, "too few rules slept for the test to mean much"
    assert len(timed) >= 5 and len(kept) >= 10, "too few timers or kept probabilities for the test to mean much"
