"""Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC), vectorised over particles.

The algorithm is that of Toni et al. (J. R. Soc. Interface 6, 2009) with the adaptive
tolerances and the kernel of Beaumont et al. (Biometrika 96, 2009): each generation
proposes parameters by perturbing the previous generation's weighted particles with a
Gaussian of twice their covariance, simulates, keeps the proposals whose distance is
within the generation's tolerance, and weights them by prior over proposal density. The
tolerance of the next generation is a quantile of this generation's distances.

Uniform priors on boxes are handled exactly by working in logit coordinates: the kernel
then never leaves the support, and the prior density there is the logistic Jacobian.

Written here rather than taken from pyabc because the simulator is a batch engine: one
call simulates tens of thousands of particles at once, while pyabc calls the model once
per particle (and brings pandas, SQLAlchemy and a database along).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

# simulate(parameters of shape (n, k), first proposal index) -> distance of each proposal, shape (n,)
Simulator = Callable[[np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class Box:
    """A uniform prior: independent uniform distributions between ``low`` and ``high``."""

    low: np.ndarray
    high: np.ndarray

    def to_logit(self, theta: np.ndarray) -> np.ndarray:
        unit = np.clip((theta - self.low) / (self.high - self.low), 1e-12, 1 - 1e-12)
        return np.log(unit) - np.log1p(-unit)

    def from_logit(self, z: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) / (1 + np.exp(-z))

    def log_density_logit(self, z: np.ndarray) -> np.ndarray:
        """Log density, in logit coordinates, of the uniform prior (up to a constant)."""
        return np.sum(-np.abs(z) - 2 * np.log1p(np.exp(-np.abs(z))), axis=1)


@dataclass
class Generation:
    tolerance: float
    proposals: int
    accepted: int

    @property
    def acceptance(self) -> float:
        return self.accepted / self.proposals if self.proposals else 0.0


@dataclass
class Fit:
    samples: np.ndarray  # (particles, k)
    weights: np.ndarray  # normalised
    distances: np.ndarray
    generations: list[Generation] = field(default_factory=list)  # the last may have failed to fill its population
    tolerance: float = np.inf  # the tolerance of the population in samples


def abc_smc(
    simulate: Simulator,
    prior: Box,
    particles: int,
    seed: int,
    batch: int,
    max_generations: int = 10,
    quantile: float = 0.5,
    min_acceptance: float = 0.02,
    max_batches: int = 6,
    progress: Callable[[int, Generation], None] | None = None,
) -> Fit:
    """Weighted particles from the ABC posterior; stops at distance 0, at ``max_generations``, or when acceptance falls too low.

    Proposals are simulated ``batch`` at a time and numbered consecutively across the whole fit,
    so that the result depends only on the arguments, never on how the simulator spreads its work.
    """
    dimensions = len(prior.low)
    counter = 0  # the index of the next proposal
    # Generation 0: the prior itself (tolerance infinite).
    random = np.random.default_rng([seed, 0])
    z = prior.to_logit(prior.low + (prior.high - prior.low) * random.random((particles, dimensions)))
    distances = simulate(prior.from_logit(z), counter)
    counter += particles
    weights = np.full(particles, 1.0 / particles)
    fit = Fit(prior.from_logit(z), weights, distances, [Generation(np.inf, particles, particles)])
    tolerance = np.inf
    for generation in range(1, max_generations + 1):
        # The next tolerance: a quantile of the current distances, and strictly lower than the last one (distances are counts).
        tolerance = max(0.0, min(float(np.quantile(distances, quantile)), tolerance - 1))
        random = np.random.default_rng([seed, generation])
        covariance = 2 * np.atleast_2d(np.cov(z, rowvar=False, aweights=weights)) + 1e-9 * np.eye(dimensions)
        kept_z, kept_distances, tried = [], [], 0
        for _ in range(max_batches):
            parents = random.choice(particles, size=batch, p=weights)
            candidates = z[parents] + random.multivariate_normal(np.zeros(dimensions), covariance, size=batch)
            candidate_distances = simulate(prior.from_logit(candidates), counter)
            counter += batch
            tried += batch
            accept = candidate_distances <= tolerance
            kept_z.append(candidates[accept])
            kept_distances.append(candidate_distances[accept])
            if sum(len(part) for part in kept_z) >= particles:
                break
        new_z, new_distances = np.concatenate(kept_z)[:particles], np.concatenate(kept_distances)[:particles]
        fit.generations.append(Generation(tolerance, tried, len(new_z)))
        if progress is not None:
            progress(generation, fit.generations[-1])
        if len(new_z) < particles:
            break  # this tolerance is out of reach within the budget: keep the previous generation
        new_weights = np.exp(prior.log_density_logit(new_z) - _log_mixture(new_z, z, weights, covariance))
        z, weights, distances = new_z, new_weights / new_weights.sum(), new_distances
        fit.samples, fit.weights, fit.distances, fit.tolerance = prior.from_logit(z), weights, distances, tolerance
        if tolerance == 0 or len(new_z) / tried < min_acceptance:
            break
    return fit


def _log_mixture(points: np.ndarray, centres: np.ndarray, weights: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """log sum_j weights_j N(point | centre_j, covariance), for each point (up to the shared constant)."""
    inverse = np.linalg.inv(covariance)
    result = np.empty(len(points))
    for start in range(0, len(points), 512):
        difference = points[start : start + 512, None, :] - centres[None, :, :]
        exponent = -0.5 * np.einsum("pcd,de,pce->pc", difference, inverse, difference)
        exponent += np.log(weights)[None, :]
        peak = exponent.max(axis=1, keepdims=True)
        result[start : start + 512] = (peak + np.log(np.exp(exponent - peak).sum(axis=1, keepdims=True)))[:, 0]
    return result
