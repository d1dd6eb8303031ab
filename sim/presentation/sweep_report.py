"""A sweep in words and pictures: the plan of a dry run, the summary (summary.txt), indices.json, the figures and the closing line.

Each file is written atomically (``targets.atomic_write``), so a sweep stopped while writing its
reports leaves the old file or the whole new one. The figures themselves are drawn by ``sweep_plots``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa

from sim.experiments.sweep_analysis import reference
from sim.experiments.sweep_file import Sweep, human_value
from sim.experiments.sweep_run import RunStats
from sim.experiments.targets import atomic_write
from sim.presentation import sweep_plots


def plan(sweep: Sweep, folder: Path) -> str:
    """What ``--dry-run`` prints: the size of the sweep before any rollout is spent on it."""
    chunks = sweep.chunks()
    points = len(sweep.points)
    return (
        f"{sweep.name}: {sweep.design.kind} design over {len(sweep.axes)} parameter(s): {', '.join(sweep.names)}\n"
        f"{points:,} points x {sweep.rollouts:,} rollouts = {points * sweep.rollouts:,} rollouts in {len(chunks)} chunk(s) "
        f"of up to {chunks[0][1]:,} points; base scenario {sweep.scenario.name}, seed {sweep.seed}\n"
        f"outputs: {', '.join(sweep.outputs)}\nresults would go to {folder}\n"
    )


def summary(sweep: Sweep, table: pa.Table, indices: dict | None) -> str:
    """The summary printed at the end and kept as summary.txt: ranges of each output, and the indices."""
    points = len(sweep.points)
    lines = [
        f"{sweep.name}: {sweep.design.kind} design, {points:,} points x {sweep.rollouts:,} rollouts, seed {sweep.seed}, "
        f"base scenario {sweep.scenario.name}",
        f"parameters: {', '.join(f'{axis.name} [{human_value(sweep, axis, axis.low)}, {human_value(sweep, axis, axis.high)}]' for axis in sweep.axes)}",
        "",
        f"{'output':<22} {'min':>6} {'median':>7} {'max':>6}   (probability across the points)",
    ]
    for output in sweep.outputs:
        p = table.column(f"{output}_p").to_numpy()
        lines.append(f"{output:<22} {p.min():>6.3f} {np.median(p):>7.3f} {p.max():>6.3f}")
    if indices is not None:
        lines += ["", *_indices_text(sweep, indices)]
    return "\n".join(lines) + "\n"


SHOWN_INDICES = 12  # per output in the summary; indices.json has them all


def _indices_text(sweep: Sweep, indices: dict) -> list[str]:
    kind = sweep.design.kind
    width = max(len(name) for name in sweep.names) + 2
    if kind == "sobol":
        lines = ["Sobol indices (S1 alone, ST with interactions; +- 95% bootstrap half-width), largest ST first:"]
        rank, header = "ST", f"  {'parameter':<{width}} {'S1':>15} {'ST':>15}"
    else:
        lines = ["Morris screening (mu*: mean absolute effect on the probability over the range, +- 95%; sigma: spread), largest mu* first:"]
        rank, header = "mu_star", f"  {'parameter':<{width}} {'mu*':>15} {'sigma':>7}"
    for output, table in indices.items():
        if table is None:
            lines.append(f"{output}: constant over the design, no indices")
            continue
        lines += [f"{output}:", header]
        ranked = sorted(table, key=lambda name: -(table[name][rank] or 0.0))
        lines += [f"  {name:<{width}} {_index_cells(table[name], kind)}" for name in ranked[:SHOWN_INDICES]]
        if len(ranked) > SHOWN_INDICES:
            rest = max(table[name][rank] or 0.0 for name in ranked[SHOWN_INDICES:])
            lines.append(f"  ... {len(ranked) - SHOWN_INDICES} more, each {rank.replace('_star', '*')} <= {rest:.3f} (indices.json has them all)")
    return lines


def _index_cells(values: dict, kind: str) -> str:
    def cell(value: float | None, half: float | None) -> str:
        return f"{'n/a':>15}" if value is None else f"{value:>7.3f} +- {half or 0.0:<4.2f}"

    if kind == "sobol":
        return f"{cell(values['S1'], values['S1_conf'])} {cell(values['ST'], values['ST_conf'])}"
    return f"{cell(values['mu_star'], values['mu_star_conf'])} {values['sigma'] or 0.0:>7.3f}"


def run_line(sweep: Sweep, stats: RunStats, folder: Path) -> str:
    """The closing lines after the summary: what ran where and how fast (only the console gets them: they vary run to run)."""
    rollouts = stats.points_run * sweep.rollouts
    rate = rollouts / stats.seconds if stats.seconds > 0 else 0.0
    resumed = f"; {stats.points_resumed:,} points were already done" if stats.points_resumed else ""
    ran = f"ran {stats.points_run:,} points ({rollouts:,} rollouts) in {stats.seconds:.1f} s on {stats.where}: {rate:,.0f} rollouts/s{resumed}"
    if not stats.points_run:
        ran = f"nothing left to run: all {stats.points_resumed:,} points were already done"
    return (
        f"\n{ran}\n"
        f"results in {folder}: results.parquet (one row a point), summary.txt"
        + (", indices.json" if sweep.design.kind in ("sobol", "morris") else "") + ", figures (*.png)\n"
    )


def write_reports(sweep: Sweep, folder: Path, table: pa.Table, indices: dict | None, text: str) -> None:
    """summary.txt, indices.json and the figures, each written atomically."""
    atomic_write(folder / "summary.txt", lambda stream: stream.write(text.encode()))
    if indices is not None:
        document = json.dumps({"method": sweep.design.kind, "outputs": indices}, indent=2)
        atomic_write(folder / "indices.json", lambda stream: stream.write(document.encode()))
    for name, draw in figures(sweep, table, indices):
        atomic_write(folder / name, draw)


def figures(sweep: Sweep, table: pa.Table, indices: dict | None) -> Iterator[tuple[str, Callable[[IO[bytes]], None]]]:
    """(file name, drawing function of a stream) for each figure the design calls for, one an output."""
    for _, name, kind, args in figure_specs(sweep, table, indices):
        yield name, functools.partial(FIGURES[kind][0], *args)


# Each kind of figure: the function that writes it into a stream, and the one that draws it onto given axes.
FIGURES = {
    "heatmap": (sweep_plots.heatmap, sweep_plots.draw_heatmap),
    "line": (sweep_plots.line, sweep_plots.draw_line),
    "sobol": (sweep_plots.sobol_bars, sweep_plots.draw_sobol_bars),
    "morris": (sweep_plots.morris_scatter, sweep_plots.draw_morris_scatter),
}


def figure_specs(sweep: Sweep, table: pa.Table, indices: dict | None) -> Iterator[tuple[str, str, str, tuple]]:
    """(output, file name, kind of figure, its arguments) for each figure the design calls for; ``FIGURES[kind]`` draws it."""
    kind, base = sweep.design.kind, f"{sweep.rollouts:,} rollouts a point"
    for output in sweep.outputs:
        p = table.column(f"{output}_p").to_numpy()
        title = f"{sweep.name}: P({output})\n{base}"
        if kind == "grid" and len(sweep.axes) == 2:
            labels = tuple([f"{value:g}" if isinstance(value, float) else str(value) for value in table.column(axis.name).to_pylist()] for axis in sweep.axes)
            yield output, f"heatmap_{output}.png", "heatmap", (output, sweep.axes, sweep.points, p, labels, tuple(reference(sweep)), title)
        elif kind == "grid" and len(sweep.axes) == 1:
            low, high = (table.column(f"{output}_{stat}").to_numpy() for stat in ("lo", "hi"))
            yield output, f"line_{output}.png", "line", (output, sweep.axes[0], sweep.points, p, low, high, title)
        elif indices is not None and indices.get(output) is not None:
            size = f"N={sweep.design.n}" if kind == "sobol" else f"{sweep.design.trajectories} trajectories"
            title = f"{sweep.name}: {kind.capitalize()} indices of P({output})\n{size}, {len(sweep.points):,} points, {base}, 95% intervals"
            yield output, f"{kind}_{output}.png", kind, (output, indices[output], title)
