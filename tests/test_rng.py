"""Addressed random draws: a pure function of (seed, stream, day, lane), uniform on [0, 1)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import rng

seeds = st.integers(0, 2**63 - 1)
streams = st.integers(0, 2**64 - 1)
days = st.integers(0, 400)
lane_sets = st.lists(st.integers(0, 10**8), min_size=1, max_size=64)


def test_key_is_stable_across_calls_and_versions():
    # Computed once and written down: a change here changes every rollout of every scenario.
    assert rng.key("rule", "CZ.partial_mobilisation") == 3131218867622233603
    assert rng.key("a") == 3405396810240292928
    assert rng.key("rule", "CZ.partial_mobilisation") == rng.key("rule", "CZ.partial_mobilisation")


def test_key_is_64_bit_and_separates_parts():
    values = {rng.key("rule", rule_id) for rule_id in ("CZ.a", "CZ.b", "FR.a", "FR.b", "GB.a")}
    assert len(values) == 5
    assert all(0 <= value < 2**64 for value in values)
    assert rng.key("ab", "c") != rng.key("a", "bc")
    assert rng.key("rule", "x") != rng.key("rulex")


def test_uniform_values_are_pinned():
    # The first draws of the first rule of the book under the default seed, written down once.
    draws = rng.uniform(1938, rng.key("rule", "CZ.partial_mobilisation"), 0, np.arange(3))
    np.testing.assert_allclose(draws, [0.32911922, 0.74620385, 0.70024844], rtol=0, atol=1e-8)


@settings(max_examples=150, deadline=None)
@given(seed=seeds, stream=streams, day=days, lanes=lane_sets)
def test_pure_function_of_the_address(seed, stream, day, lanes):
    lanes = np.array(lanes, dtype=np.uint64)
    first = rng.uniform(seed, stream, day, lanes)
    second = rng.uniform(seed, stream, day, lanes.copy())
    np.testing.assert_array_equal(first, second)
    assert first.shape == lanes.shape and first.dtype == np.float64
    assert np.all(first >= 0.0) and np.all(first < 1.0)


@settings(max_examples=150, deadline=None)
@given(seed=seeds, stream=streams, day=days, lanes=lane_sets, data=st.data())
def test_a_lanes_draw_does_not_depend_on_its_batch(seed, stream, day, lanes, data):
    lanes = np.array(lanes, dtype=np.uint64)
    batch = rng.uniform(seed, stream, day, lanes)
    for position, lane in enumerate(lanes):
        alone = rng.uniform(seed, stream, day, np.array([lane], dtype=np.uint64))
        assert alone.shape == (1,)
        assert alone[0] == batch[position]
    # any reordering or sub-batch gives the same draw per lane
    order = np.array(data.draw(st.permutations(range(lanes.size))), dtype=np.int64)
    np.testing.assert_array_equal(rng.uniform(seed, stream, day, lanes[order]), batch[order])
    # the lane index's integer type does not matter (np.arange gives int64; the model passes uint64)
    np.testing.assert_array_equal(rng.uniform(seed, stream, day, lanes.astype(np.int64)), batch)


def test_empty_batch():
    assert rng.uniform(1, 2, 3, np.array([], dtype=np.uint64)).shape == (0,)


@settings(max_examples=50, deadline=None)
@given(seed=seeds, stream=streams, day=days)
def test_different_addresses_give_different_draws(seed, stream, day):
    lanes = np.arange(1000, dtype=np.uint64)
    base = rng.uniform(seed, stream, day, lanes)
    for other in (
        rng.uniform(seed ^ 1, stream, day, lanes),
        rng.uniform((seed + 1) % 2**63, stream, day, lanes),
        rng.uniform(seed, stream ^ 1, day, lanes),
        rng.uniform(seed, (stream + 1) % 2**64, day, lanes),
        rng.uniform(seed, stream, day + 1, lanes),
    ):
        # independent 53-bit draws essentially never coincide; allow one coincidence in a thousand
        assert np.count_nonzero(other == base) <= 1
    # and the lanes of one address differ from each other
    assert np.unique(base).size >= 999


def test_streams_of_different_rules_are_different():
    lanes = np.arange(500)
    first = rng.uniform(1938, rng.key("rule", "FR.honours_treaty"), 200, lanes)
    second = rng.uniform(1938, rng.key("rule", "GB.honours_treaty"), 200, lanes)
    assert not np.array_equal(first, second)


def test_rough_uniformity_of_200k_draws():
    """Mean, variance, a histogram and lag-1 correlation, each within a 6-sigma band (no tuned tolerance)."""
    n = 200_000
    samples = {
        "over lanes": rng.uniform(1938, rng.key("rule", "DE.attacks"), 150, np.arange(n)),
        # the other axis: one lane, consecutive days, as a rollout sees them
        "over days": np.concatenate([rng.uniform(7, rng.key("rule", "SU.aid"), day, np.arange(1000)) for day in range(200)]),
    }
    for label, u in samples.items():
        assert u.size == n
        assert np.all((u >= 0) & (u < 1)), label
        mean_sigma = np.sqrt(1 / 12 / n)  # sd of the mean of n uniforms
        assert abs(u.mean() - 0.5) < 6 * mean_sigma, label
        var_sigma = np.sqrt((1 / 80 - 1 / 144) / n)  # sd of the sample variance: (mu4 - sigma^4) / n
        assert abs(u.var() - 1 / 12) < 6 * var_sigma, label
        # 20-bin histogram: each count is binomial(n, 1/20)
        counts = np.bincount((u * 20).astype(int), minlength=20)
        expected, count_sigma = n / 20, np.sqrt(n * (1 / 20) * (19 / 20))
        assert np.all(np.abs(counts - expected) < 6 * count_sigma), (label, counts)
        # neighbouring draws are uncorrelated: the correlation of n pairs has sd about 1/sqrt(n)
        correlation = np.corrcoef(u[:-1], u[1:])[0, 1]
        assert abs(correlation) < 6 / np.sqrt(n), (label, correlation)
    # the same lane on consecutive days is not correlated either
    lanes = np.arange(n)
    today, tomorrow = rng.uniform(3, 11, 40, lanes), rng.uniform(3, 11, 41, lanes)
    assert abs(np.corrcoef(today, tomorrow)[0, 1]) < 6 / np.sqrt(n)


@settings(max_examples=100, deadline=None)
@given(seed=seeds, day=days, groups=st.lists(st.tuples(streams, lane_sets | st.just([])), min_size=1, max_size=8))
def test_many_streams_at_once_are_each_streams_own_draws(seed, day, groups):
    """``uniform_many`` (a day's draws for all the rules) gives, bit for bit, each stream's ``uniform`` in turn."""
    lanes = [np.array(group, dtype=np.uint64) for _, group in groups]
    alone = [rng.uniform(seed, stream, day, lane_set) for (stream, _), lane_set in zip(groups, lanes, strict=True)]
    together = rng.uniform_many(
        rng.stream_prefixes(seed, [stream for stream, _ in groups]), day, np.concatenate(lanes), np.array([lane_set.size for lane_set in lanes])
    )
    assert together.tobytes() == np.concatenate(alone).tobytes()
