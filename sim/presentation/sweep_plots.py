"""Figures of a sweep: a heatmap for a two-parameter grid (a line for one), Sobol S1/ST bars, Morris mu*-sigma.

Each figure has a ``draw_*`` function that draws it onto given matplotlib axes (a notebook's, through
``sim.api``) and a function that draws it into an open binary stream as a PNG (the caller writes it
atomically) and reads only numbers: the results table's columns, the
indices from ``sim.experiments.designs`` and the reference point (the scenario's values).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, TYPE_CHECKING

import numpy as np

from sim.experiments.designs import Axis
from sim.presentation.report import pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def heatmap(
    output: str,
    axes: tuple[Axis, Axis],
    points: np.ndarray,
    p: np.ndarray,
    labels: tuple[list[str], list[str]],
    reference: tuple[float, float],
    title: str,
    stream: IO[bytes],
) -> None:
    """P(output) over a two-parameter grid (``draw_heatmap``), written as a PNG into ``stream``."""
    _write((7.2, 6), stream, draw_heatmap, output, axes, points, p, labels, reference, title)


def draw_heatmap(
    plot: Axes,
    output: str,
    axes: tuple[Axis, Axis],
    points: np.ndarray,
    p: np.ndarray,
    labels: tuple[list[str], list[str]],
    reference: tuple[float, float],
    title: str,
) -> None:
    """P(output) over a two-parameter grid onto matplotlib axes ``plot``: the first parameter across, the second up, each cell annotated."""
    across, up = (np.unique(points[:, column]) for column in (0, 1))
    grid = np.full((len(up), len(across)), np.nan)
    grid[np.searchsorted(up, points[:, 1]), np.searchsorted(across, points[:, 0])] = p
    image = plot.imshow(grid, origin="lower", cmap="viridis", vmin=0, vmax=1, aspect="auto")
    if grid.size <= 400:  # numbers stay legible up to 20 x 20
        for row, column in np.ndindex(grid.shape):
            value = grid[row, column]
            plot.text(column, row, f"{value:.2f}", ha="center", va="center", fontsize=7, color="black" if value > 0.6 else "white")
    plot.set_xticks(range(len(across)), _tick_labels(across, points[:, 0], labels[0]), rotation=45 if len(across) > 8 else 0, fontsize=8)
    plot.set_yticks(range(len(up)), _tick_labels(up, points[:, 1], labels[1]), fontsize=8)
    plot.set_xlabel(axes[0].name)
    plot.set_ylabel(axes[1].name)
    marker = (np.interp(reference[0], across, range(len(across))), np.interp(reference[1], up, range(len(up))))
    plot.plot(*marker, marker="*", markersize=22, markerfacecolor="none", markeredgecolor="red", markeredgewidth=1.5, linestyle="none")
    plot.figure.colorbar(image, ax=plot, label=f"P({output})")
    plot.set_title(f"{title}; red star: the scenario's values (posterior mean where calibrated)", fontsize=10)


def _tick_labels(values: np.ndarray, column: np.ndarray, labels: list[str]) -> list[str]:
    """A label per distinct value: the table's own text (dates as dates), else the number."""
    first = {float(value): labels[position] for position, value in reversed(list(enumerate(column)))}
    return [first.get(float(value), f"{value:g}") for value in values]


def line(output: str, axis: Axis, points: np.ndarray, p: np.ndarray, low: np.ndarray, high: np.ndarray, title: str, stream: IO[bytes]) -> None:
    """P(output) along a one-parameter grid (``draw_line``), written as a PNG into ``stream``."""
    _write((7, 4), stream, draw_line, output, axis, points, p, low, high, title)


def draw_line(plot: Axes, output: str, axis: Axis, points: np.ndarray, p: np.ndarray, low: np.ndarray, high: np.ndarray, title: str) -> None:
    """P(output) along a one-parameter grid with its 95% Wilson band, onto matplotlib axes ``plot``."""
    order = np.argsort(points[:, 0])
    x = points[order, 0]
    plot.fill_between(x, low[order], high[order], alpha=0.3, label="95% Wilson interval")
    plot.plot(x, p[order], marker="o", label=f"P({output})")
    plot.set_ylim(0, 1)
    plot.set_xlabel(axis.name + (" (day of the window)" if axis.is_date else ""))
    plot.set_ylabel("probability")
    plot.legend(fontsize=8)
    plot.set_title(title, fontsize=10)


def sobol_bars(output: str, indices: dict, title: str, stream: IO[bytes]) -> None:
    """Sobol indices of one output (``draw_sobol_bars``), written as a PNG into ``stream``."""
    _write((7.5, 0.45 * len(indices) + 1.6), stream, draw_sobol_bars, output, indices, title)


def draw_sobol_bars(plot: Axes, output: str, indices: dict, title: str) -> None:
    """First-order (S1) and total (ST) Sobol indices per parameter, largest ST on top, with 95% bootstrap intervals, onto ``plot``."""
    names = sorted(indices, key=lambda name: indices[name]["ST"] or 0.0)
    position = np.arange(len(names))
    for offset, key, colour in ((-0.2, "S1", "#4c72b0"), (0.2, "ST", "#dd8452")):
        values = np.array([indices[name][key] or 0.0 for name in names])
        errors = np.array([indices[name][f"{key}_conf"] or 0.0 for name in names])
        plot.barh(position + offset, values, height=0.4, xerr=errors, capsize=3, color=colour,
                  label={"S1": "first order S1 (alone)", "ST": "total ST (with interactions)"}[key])
    plot.set_yticks(position, names, fontsize=8)
    plot.axvline(0, color="black", linewidth=0.8)
    plot.set_xlabel(f"share of the variance of P({output})")
    plot.legend(fontsize=8, loc="lower right")
    plot.set_title(title, fontsize=10)


def morris_scatter(output: str, indices: dict, title: str, stream: IO[bytes]) -> None:
    """Morris indices of one output (``draw_morris_scatter``), written as a PNG into ``stream``."""
    _write((7.5, 5.5), stream, draw_morris_scatter, output, indices, title)


def draw_morris_scatter(plot: Axes, output: str, indices: dict, title: str) -> None:
    """Morris mu* (how much) against sigma (how non-linear or interacting), with mu*'s 95% interval, onto ``plot``."""
    names = list(indices)
    mu_star = np.array([indices[name]["mu_star"] or 0.0 for name in names])
    sigma = np.array([indices[name]["sigma"] or 0.0 for name in names])
    errors = np.array([indices[name]["mu_star_conf"] or 0.0 for name in names])
    plot.errorbar(mu_star, sigma, xerr=errors, fmt="o", markersize=4, capsize=2, color="#4c72b0")
    # Label the leaders only: sixty names on one plot are unreadable, and the near-zero ones pile up at the origin.
    leaders = [index for index in np.argsort(-mu_star)[:12] if mu_star[index] >= 0.05 * mu_star.max()]
    for index in leaders:
        plot.annotate(names[index], (mu_star[index], sigma[index]), fontsize=7, xytext=(4, 2), textcoords="offset points")
    limit = max(float(mu_star.max()), float(sigma.max()), 1e-9) * 1.1
    plot.plot([0, limit], [0, limit], linestyle="--", color="grey", linewidth=0.8, label="sigma = mu*")
    plot.set_xlim(0, limit)
    plot.set_ylim(0, limit)
    plot.set_xlabel(f"mu* (mean absolute effect on P({output}) across the range)")
    plot.set_ylabel("sigma (spread of the effects)")
    plot.legend(fontsize=8)
    plot.set_title(title, fontsize=10)


def _write(size: tuple[float, float], stream: IO[bytes], draw: Callable[..., None], *args: object) -> None:
    """A new figure of ``size`` inches at 120 dpi, ``draw(axes, *args)`` onto it, saved as a PNG into ``stream``."""
    plt = pyplot()
    figure, plot = plt.subplots(figsize=size, dpi=120)
    draw(plot, *args)
    figure.tight_layout()
    figure.savefig(stream, format="png", metadata={"Software": None})
    plt.close(figure)
