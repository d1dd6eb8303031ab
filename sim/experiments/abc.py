"""Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC), vectorised over particles.

The algorithm is that of Toni et al. (J. R. Soc. Interface 6, 2009) with the adaptive
tolerances and the kernel width of Beaumont et al. (Biometrika 96, 2009): each generation
proposes parameters by perturbing the previous generation's weighted particles, simulates,
keeps the proposals whose distance is within the generation's tolerance, and weights them by
prior over proposal density. The tolerance of the next generation is a quantile of this
generation's distances.

The perturbation is a Gaussian in each parameter, of twice the particles' weighted variance,
truncated to the prior's box. The truncation is normalised exactly (a product of normal
distribution functions), so the weights are exact and proposals never leave the support.

Written here rather than taken from pyabc because the simulator is a batch engine: one
call simulates tens of thousands of particles at once, while pyabc calls the model once
per particle (and brings pandas, SQLAlchemy and a database along).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri

# simulate(parameters of shape (n, k), first proposal index) -> distance of each proposal, shape (n,)
Simulator = Callable[[np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class Box:
    """A uniform prior: independent uniform distributions between ``low`` and ``high``."""

    low: np.ndarray
    high: np.ndarray

    def sample(self, random: np.random.Generator, count: int) -> np.ndarray:
        return self.low + (self.high - self.low) * random.random((count, len(self.low)))


@dataclass(frozen=True)
class Kernel:
    """A Gaussian of standard deviations ``scale`` in each parameter, truncated to the box around each centre."""

    box: Box
    scale: np.ndarray

    def sample(self, centres: np.ndarray, random: np.random.Generator) -> np.ndarray:
        """One proposal around each centre, by inverting the truncated normal's distribution function."""
        below, above = self._bounds(centres)
        u = ndtr(below) + random.random(centres.shape) * (ndtr(above) - ndtr(below))
        return np.clip(centres + self.scale * ndtri(np.clip(u, 1e-300, 1 - 1e-16)), self.box.low, self.box.high)

    def log_mixture(self, points: np.ndarray, centres: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """log sum_j weights_j K(point | centre_j), for each point (exactly normalised)."""
        below, above = self._bounds(centres)
        # log of each centre's truncation mass, summed over parameters: P(box) under the untruncated kernel
        log_mass = np.sum(np.log(np.maximum(ndtr(above) - ndtr(below), 1e-300)), axis=1)
        log_constant = -np.sum(np.log(self.scale)) - 0.5 * len(self.scale) * np.log(2 * np.pi)
        result = np.empty(len(points))
        for start in range(0, len(points), 256):
            standard = (points[start : start + 256, None, :] - centres[None, :, :]) / self.scale
            exponent = -0.5 * np.sum(standard * standard, axis=2) + np.log(weights)[None, :] - log_mass[None, :]
            peak = exponent.max(axis=1, keepdims=True)
            result[start : start + 256] = (peak + np.log(np.exp(exponent - peak).sum(axis=1, keepdims=True)))[:, 0]
        return result + log_constant

    def _bounds(self, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (self.box.low - centres) / self.scale, (self.box.high - centres) / self.scale


@dataclass
class Generation:
    tolerance: float
    proposals: int
    accepted: int


@dataclass
class Fit:
    samples: np.ndarray  # (particles, k)
    weights: np.ndarray  # normalised
    distances: np.ndarray
    generations: list[Generation] = field(default_factory=list)  # the last may have failed to fill its population
    tolerance: float = np.inf  # the tolerance of the population in samples

    @property
    def effective_size(self) -> float:
        """Kish's effective sample size of the weighted particles."""
        return 1.0 / float(np.sum(np.square(self.weights / self.weights.sum())))


def _accepted(
    simulate: Simulator,
    kernel: Kernel,
    theta: np.ndarray,
    weights: np.ndarray,
    tolerance: float,
    random: np.random.Generator,
    counter: int,
    batch: int,
    max_batches: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """One generation's proposals, ``batch`` at a time from proposal number ``counter``, until as many as there are
    particles fall within ``tolerance`` or ``max_batches`` run out: the accepted ones (at most one per particle),
    their distances, and how many were tried."""
    particles = len(theta)
    kept, kept_distances, tried = [], [], 0
    for _ in range(max_batches):
        candidates = kernel.sample(theta[random.choice(particles, size=batch, p=weights)], random)
        candidate_distances = simulate(candidates, counter + tried)
        tried += batch
        accept = candidate_distances <= tolerance
        kept.append(candidates[accept])
        kept_distances.append(candidate_distances[accept])
        if sum(len(part) for part in kept) >= particles:
            break
    return np.concatenate(kept)[:particles], np.concatenate(kept_distances)[:particles], tried


def abc_smc(
    simulate: Simulator,
    prior: Box,
    particles: int,
    seed: int,
    batch: int,
    max_generations: int = 16,
    quantile: float = 0.5,
    min_acceptance: float = 0.005,
    max_batches: int = 20,
    progress: Callable[[int, Generation], None] | None = None,
    resolution: float = 1.0,
) -> Fit:
    """Weighted particles from the ABC posterior; stops at distance 0, at ``max_generations``, or when acceptance falls too low.

    ``resolution`` is the smallest step between two distances (1 when they are counts).
    Proposals are simulated ``batch`` at a time and numbered consecutively across the whole fit,
    so that the result depends only on the arguments, never on how the simulator spreads its work.
    """
    counter = 0  # the index of the next proposal
    # Generation 0: the prior itself (tolerance infinite).
    theta = prior.sample(np.random.default_rng([seed, 0]), particles)
    distances = simulate(theta, counter)
    counter += particles
    weights = np.full(particles, 1.0 / particles)
    fit = Fit(theta, weights, distances, [Generation(np.inf, particles, particles)])
    tolerance = np.inf
    for generation in range(1, max_generations + 1):
        # The next tolerance: a quantile of the current distances, and lower than the last one by at least the distances'
        # resolution (1 for counts; 1/R for the mean of R counts).
        tolerance = max(0.0, min(float(np.quantile(distances, quantile)), tolerance - resolution))
        random = np.random.default_rng([seed, generation])
        mean = weights @ theta
        kernel = Kernel(prior, np.sqrt(2 * (weights @ (theta - mean) ** 2)) + 1e-9 * (prior.high - prior.low))
        new_theta, new_distances, tried = _accepted(simulate, kernel, theta, weights, tolerance, random, counter, batch, max_batches)
        counter += tried
        fit.generations.append(Generation(tolerance, tried, len(new_theta)))
        if progress is not None:
            progress(generation, fit.generations[-1])
        if len(new_theta) < particles:
            break  # this tolerance is out of reach within the budget: keep the previous generation
        # Uniform prior: the weight is 1 over the proposal density (inside the box, where every proposal lies).
        log_weights = -kernel.log_mixture(new_theta, theta, weights)
        new_weights = np.exp(log_weights - log_weights.max())
        theta, weights, distances = new_theta, new_weights / new_weights.sum(), new_distances
        fit.samples, fit.weights, fit.distances, fit.tolerance = theta, weights, distances, tolerance
        if tolerance == 0 or len(new_theta) / tried < min_acceptance:
            break
    return fit
