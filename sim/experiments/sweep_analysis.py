"""What a sweep's results say beyond the table: the sensitivity indices of its design, and where the base scenario lies.

The indices are computed by ``designs`` (SALib) from each output's probability at every point;
the base scenario's values mark the historical case on the figures.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from sim.book.rules import load_rulebook
from sim.experiments import designs
from sim.experiments.sweep_file import Sweep, sweep_posterior


def analyse(sweep: Sweep, table: pa.Table) -> dict[str, dict | None] | None:
    """Sobol or Morris indices of each output (None for an output that never varies); None for other designs."""
    kind = sweep.design.kind
    if kind not in ("sobol", "morris"):
        return None
    indices = {}
    for output in sweep.outputs:
        y = table.column(f"{output}_p").to_numpy()
        if kind == "sobol":
            indices[output] = designs.sobol_indices(sweep.axes, y, sweep.design, sweep.seed)
        else:
            indices[output] = designs.morris_indices(sweep.axes, sweep.points, y, sweep.design, sweep.seed)
    return indices


def reference(sweep: Sweep) -> list[float]:
    """The base scenario's value of each swept parameter, in model units.

    What the scenario pins, else its lens, else the posterior mean of a calibrated parameter, else the rule book's value.
    """
    book = load_rulebook()
    values = {name: parameter.value for name, parameter in book.parameters().items()}
    posterior = sweep_posterior(sweep.scenario)
    if posterior is not None:
        values |= dict(zip(posterior.parameters, posterior.mean.tolist(), strict=True))
    values |= book.lenses[sweep.scenario.lens].parameters | sweep.scenario.parameters
    return [float(sweep.scenario.day_of(value)) if isinstance(value := values[axis.name], date) else float(value) for axis in sweep.axes]
