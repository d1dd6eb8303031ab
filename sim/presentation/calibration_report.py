"""The calibration report: how well the prior and the posterior reproduce each observation, in words, a table and plots.

Written by ``python run.py calibrate`` into ``calibration/`` (or ``--report DIR``): ``report.md``,
``fit.png`` (share of rollouts reproducing each observation under the prior, the posterior and the
out-of-sample posterior) and ``marginals.png`` (each free parameter's prior and posterior).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np

from sim.book.scenario import Scenario
from sim.engine.posterior import Posterior
from sim.experiments.calibrate import Calibration, Priors, Test, posterior_values, prior_values, shares
from sim.presentation.report import pyplot

MARGINAL_BINS = 30  # bins of each marginal plot, even on the scale where the prior is flat


@dataclasses.dataclass
class Report:
    tests: list[Test]
    priors: Priors
    full: Calibration
    held: Calibration
    until: dt.date
    prior: np.ndarray  # share reproducing each observation, parameters drawn from the prior
    posterior: np.ndarray  # ... from the posterior fitted to the whole record
    held_posterior: np.ndarray  # ... from the posterior fitted to the record up to `until`
    runs: int  # rollouts behind each share

    @classmethod
    def build(cls, tests: list[Test], priors: Priors, scenario: Scenario, full: Calibration, held: Calibration, until: dt.date, jobs: int, runs: int) -> Report:
        names = full.names
        return cls(
            tests,
            priors,
            full,
            held,
            until,
            shares(scenario, tests, names, prior_values(priors, runs, scenario.seed), jobs),
            shares(scenario, tests, names, posterior_values(as_posterior(full), runs, scenario.seed), jobs),
            shares(scenario, tests, names, posterior_values(as_posterior(held), runs, scenario.seed), jobs),
            runs,
        )

    @property
    def held_out(self) -> np.ndarray:
        return np.array([test.observation.date > self.until for test in self.tests])

    def summary(self, seconds: float) -> str:
        better = int((self.posterior > self.prior).sum())
        held = self.held_out
        lines = [
            f"Calibration of {len(self.full.names)} parameters on {len(self.tests)} observations, {seconds:.0f} s in all.",
            f"Whole record: {better} of {len(self.tests)} observations reproduced more often under the posterior than under the prior; "
            f"mean share {self.prior.mean():.3f} -> {self.posterior.mean():.3f}.",
            f"Out of sample (fitted to {self.until}, {int(held.sum())} held-out observations): mean share {self.prior[held].mean():.3f} under the prior, "
            f"{self.held_posterior[held].mean():.3f} under the posterior fitted without them; "
            f"{int((self.held_posterior[held] > self.prior[held]).sum())} of {int(held.sum())} improve.",
            "Posterior: calibration/posterior.json; report: report.md, fit.png, marginals.png.",
        ]
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        held = self.held_out
        lines = [
            "# Calibration report",
            "",
            "Written by `python run.py calibrate` (do not edit by hand). Each share is the fraction of "
            f"{self.runs:,} baseline rollouts, each with its own parameters drawn from the distribution named, "
            "in which the observation is reproduced (the model event falls in the observation's window, or never happens for a non-event).",
            "",
            "## Fits",
            "",
            *self._fit_lines("Whole record (the committed posterior)", self.full),
            *self._fit_lines(f"Record up to {self.until} (out-of-sample check)", self.held),
            "## Each observation",
            "",
            f"Columns: prior; posterior (whole record); change; posterior fitted only to the record up to {self.until} "
            "(held-out rows, marked *, were not used by that fit).",
            "",
            "| observation | date | prior | posterior | change | fitted to " + str(self.until) + " |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for index, test in enumerate(self.tests):
            observation = test.observation
            mark = " *" if held[index] else ""
            lines.append(
                f"| {observation.id} | {'never by ' if observation.never else ''}{observation.date} | {self.prior[index]:.3f} | "
                f"{self.posterior[index]:.3f} | {self.posterior[index] - self.prior[index]:+.3f} | {self.held_posterior[index]:.3f}{mark} |"
            )
        lines += [
            "",
            f"Mean share over all observations: prior {self.prior.mean():.3f}, posterior {self.posterior.mean():.3f}.",
            f"Held-out observations (after {self.until}): prior {self.prior[held].mean():.3f}, posterior fitted without them "
            f"{self.held_posterior[held].mean():.3f}; {int((self.held_posterior[held] > self.prior[held]).sum())} of {int(held.sum())} improve.",
            "",
            "## Parameters",
            "",
            "| parameter | prior | posterior mean | 90% interval | fitted to " + str(self.until) + " (mean) |",
            "|---|---|---:|---|---:|",
        ]
        full, held_fit = as_posterior(self.full), as_posterior(self.held)
        for column, name in enumerate(self.full.names):
            prior = self.priors.parameters[name]
            low, high = prior.range
            q05, q95 = weighted_quantiles(full.samples[:, column], full.weights, (0.05, 0.95))
            show = _as_date if isinstance(low, dt.date) else "{:.3g}".format
            shape = "log-uniform" if prior.scale == "log" else "uniform"
            lines.append(f"| {name} | {shape} [{low}, {high}] | {show(full.mean[column])} | [{show(q05)}, {show(q95)}] | {show(held_fit.mean[column])} |")
        lines += ["", "![fit](fit.png)", "", "![marginals](marginals.png)", ""]
        return "\n".join(lines)

    @staticmethod
    def _fit_lines(title: str, calibration: Calibration) -> list[str]:
        lines = [
            f"**{title}**: {len(calibration.fitted)} observations, {calibration.seconds:.0f} s.",
            "",
            "| generation | tolerance (mean distance: observations missed plus recorded pairs reversed) | proposals | accepted |",
            "|---:|---:|---:|---:|",
        ]
        for index, generation in enumerate(calibration.fit.generations):
            tolerance = "none (the prior)" if not np.isfinite(generation.tolerance) else f"{generation.tolerance:g}"
            lines.append(f"| {index} | {tolerance} | {generation.proposals:,} | {generation.accepted:,} |")
        fit = calibration.fit
        kept = f"The posterior is the population at tolerance {fit.tolerance:g} (effective sample size {fit.effective_size:.0f} of {len(fit.weights)})"
        if fit.generations[-1].accepted < len(fit.weights):
            kept += f"; tolerance {fit.generations[-1].tolerance:g} was out of reach within the simulation budget"
        return [*lines, "", kept + ".", ""]

    def write(self, folder: Path) -> None:
        """report.md, fit.png and marginals.png, all three written to temporary files first, then renamed; none is left on failure."""
        names = ("fit.png", "marginals.png", "report.md")
        try:
            self._plot_fit(_temporary(folder / "fit.png"))
            self._plot_marginals(_temporary(folder / "marginals.png"))
            _temporary(folder / "report.md").write_text(self.markdown(), encoding="utf-8")
            for name in names:
                _temporary(folder / name).replace(folder / name)
        finally:
            for name in names:
                _temporary(folder / name).unlink(missing_ok=True)

    def _plot_fit(self, path: Path) -> None:
        plt = pyplot()
        labels = [test.observation.id for test in self.tests]
        positions = np.arange(len(labels))
        figure, axes = plt.subplots(figsize=(8, 0.32 * len(labels) + 1.5))
        axes.barh(positions - 0.27, self.prior, height=0.26, label="prior", color="#bbbbbb")
        axes.barh(positions, self.posterior, height=0.26, label="posterior (whole record)", color="#3b6ea5")
        axes.barh(positions + 0.27, self.held_posterior, height=0.26, label=f"posterior fitted to {self.until}", color="#e39b3b")
        for index in np.flatnonzero(self.held_out):
            axes.text(1.01, positions[index], "held out", va="center", fontsize=7, transform=axes.get_yaxis_transform())
        axes.set_yticks(positions, labels, fontsize=8)
        axes.invert_yaxis()
        axes.set_xlim(0, 1)
        axes.set_xlabel("share of baseline rollouts reproducing the observation")
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, fontsize=8, frameon=False)
        figure.tight_layout()
        figure.savefig(path, format="png", dpi=110)
        plt.close(figure)

    def _plot_marginals(self, path: Path) -> None:
        plt = pyplot()
        names = self.full.names
        columns = 3
        rows = -(-len(names) // columns)
        figure, grid = plt.subplots(rows, columns, figsize=(10, 2.2 * rows), squeeze=False)
        full = as_posterior(self.full)
        for index, name in enumerate(names):
            axes = grid[index // columns][index % columns]
            prior = self.priors.parameters[name]
            low, high = prior.bounds
            if prior.scale == "log":  # bins even in the logarithm, where the prior is flat
                bins = np.geomspace(low, high, MARGINAL_BINS + 1)
                axes.set_xscale("log")
            else:
                bins = np.linspace(low, high, MARGINAL_BINS + 1)
            # The density per bin, as a share of the prior's per-bin mass: a flat prior reads as 1 on either scale.
            counts, _ = np.histogram(full.samples[:, index], bins=bins, weights=full.weights)
            axes.stairs(counts * MARGINAL_BINS, bins, fill=True, color="#3b6ea5", alpha=0.8)
            axes.axhline(1.0, color="#888888", linestyle="--", linewidth=1)
            if isinstance(prior.range[0], dt.date):
                axes.xaxis.set_major_formatter(lambda x, _: dt.date.fromordinal(round(x)).strftime("%d %b"))
            axes.set_title(name, fontsize=9)
            axes.tick_params(labelsize=7)
        for index in range(len(names), rows * columns):
            grid[index // columns][index % columns].axis("off")
        figure.suptitle("Posterior against the prior (dashed): mass per bin relative to the prior's", fontsize=10)
        figure.tight_layout()
        figure.savefig(path, format="png", dpi=100)
        plt.close(figure)


def as_posterior(calibration: Calibration) -> Posterior:
    fit = calibration.fit
    return Posterior(tuple(calibration.names), fit.samples, fit.weights / fit.weights.sum())


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, quantiles: tuple[float, ...]) -> list[float]:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return [float(values[order][min(np.searchsorted(cumulative, q), len(values) - 1)]) for q in quantiles]


def _as_date(ordinal: float) -> str:
    return dt.date.fromordinal(round(ordinal)).isoformat()


def _temporary(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")
