"""What the API's calls return: results with their tables, their figures on given axes, and the files the command line writes.

Each result keeps the exact object the command line prints with ``--json`` (``summary``), so
``to_json()`` is byte for byte what ``python run.py ... --json`` prints and ``save(folder)`` writes
the same files as ``--out``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa

from sim.api import tables
from sim.book.inputs import InputError
from sim.book.scenario import Scenario
from sim.experiments.runner import Tally
from sim.experiments.sweep_file import Sweep
from sim.presentation import report


def _axes(ax):
    """The axes to draw on: the given ones, or a new figure's (pyplot's current backend, so that a notebook shows it)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(8, 4))[1]


@dataclass(frozen=True)
class Step:
    """One line of a rollout's story: what happened on a date, who did it under which rule, and the evidence."""

    date: date
    kind: str  # "rule" (a state acted), "event" (outside the seven), "belief" (a belief moved), "campaign" (the war) or "week" (its fronts)
    actor: str | None  # the state whose rule fired (CZ, FR, GB, SU, PL, RO, DE), else None
    rule: str | None  # the rule's id, e.g. "CZ.accepts_munich", else None
    words: str  # what happened, in words
    evidence: tuple[str, ...] = ()  # the rule's or event's sources: file, footnote, date, speaker, quotation


@dataclass(frozen=True)
class Narration:
    """One rollout told day by day: ``steps`` (a list of ``Step``), its outcome, military result, events and dates, and ``text`` as
    ``--narrate`` prints it."""

    scenario: str
    rollout: int
    steps: list[Step]
    outcome: str
    military: str  # the military result at the horizon (a name of MILITARY_RESULTS)
    events: tuple[str, ...]
    first_shot: date | None
    resistance_ended: date | None
    text: str = field(repr=False)

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __getitem__(self, index: int) -> Step:
        return self.steps[index]

    def __str__(self) -> str:
        return self.text

    def table(self) -> pa.Table:
        """The steps as a table: date, kind, actor, rule, words, evidence (a list of strings)."""
        names = ("date", "kind", "actor", "rule", "words")
        columns = {name: [getattr(step, name) for step in self.steps] for name in names}
        columns["evidence"] = [list(step.evidence) for step in self.steps]
        schema = pa.schema([("date", pa.date32()), *((name, pa.string()) for name in names[1:]), ("evidence", pa.list_(pa.string()))])
        return pa.table(columns, schema=schema)


@dataclass(frozen=True)
class RunResult:
    """The rollouts of one scenario: outcome, event and rule tables, the per-rollout table, figures and files.

    Attributes: ``scenario`` (the ``Scenario`` run), ``summary`` (the ``--json`` object: scenario, runs,
    seed, parameter_draws, outcomes, military, attacked, median_days_held, median_beyond_horizon, held_curve, events,
    rules), ``tally`` (the counts, including who is at war on each
    day), ``rollouts`` (one row a rollout, the columns of ``runs.csv``; None when ``run(..., rollouts=False)``).
    """

    scenario: Scenario
    summary: dict
    tally: Tally = field(repr=False)
    rollouts: pa.Table | None = field(default=None, repr=False)

    @property
    def outcomes(self) -> pa.Table:
        """One row an outcome: ``outcome``, probability ``p``, 95% Wilson interval ``lo``, ``hi``, count ``n``."""
        return tables.shares_table(self.summary["outcomes"], "outcome")

    @property
    def military(self) -> pa.Table:
        """One row a military result at the horizon: ``military``, ``p``, ``lo``, ``hi``, ``n`` (``MILITARY_MEANINGS`` says what each means)."""
        return tables.shares_table(self.summary["military"], "military")

    @property
    def events(self) -> pa.Table:
        """One row an event flag: ``event``, ``p``, ``lo``, ``hi``, ``n`` (rollouts in which it happened)."""
        return tables.shares_table(self.summary["events"], "event")

    @property
    def rules(self) -> pa.Table:
        """One row a rule that fired: ``rule``, ``p``, ``lo``, ``hi``, ``n`` (rollouts in which it fired), most frequent first."""
        return tables.shares_table(self.summary["rules"], "rule").sort_by([("n", "descending"), ("rule", "ascending")])

    def to_json(self) -> str:
        """The results as ``python run.py SCENARIO --json`` prints them (and ``--out`` writes results.json)."""
        return report.as_json(self.summary)

    def text(self) -> str:
        """The outcome and event table as ``python run.py SCENARIO`` prints it."""
        return report.table(self.summary, self.scenario)

    def __str__(self) -> str:
        return self.text()

    def plot_outcomes(self, ax=None):
        """Draw the outcome probabilities with their 95% intervals onto matplotlib axes ``ax`` (a new figure if None); returns the axes."""
        ax = _axes(ax)
        report.draw_outcomes(ax, self.summary)
        return ax

    def plot_war_by_date(self, ax=None):
        """Draw the probability that each state is at war, by date, onto ``ax`` (a new figure if None); returns the axes."""
        ax = _axes(ax)
        report.draw_war_by_date(ax, self.tally, self.scenario)
        ax.tick_params(axis="x", labelrotation=30)
        return ax

    def plot_held(self, ax=None):
        """Draw how long Czechoslovakia held once attacked (share still fighting by days since the attack) onto ``ax``; returns the axes."""
        ax = _axes(ax)
        report.draw_held(ax, report.held_curves(self.summary))
        return ax

    def save(self, folder: str | Path) -> Path:
        """Write results.json, runs.csv, rules.txt, outcomes.png, war_by_date.png and held.png into ``folder``, as ``--out`` does; returns it."""
        if self.rollouts is None:
            raise InputError("this result kept no per-rollout table (run with rollouts=True to save runs.csv)", key="rollouts")
        with report.OutputFolder(folder) as out:
            out.write_rows(tables.csv_rows(self.rollouts))
            report.write_results(out, self.summary, self.tally, self.scenario)
        return Path(folder)


@dataclass(frozen=True)
class Comparison:
    """Several scenarios on the same rollouts: ``summary`` (the ``compare --json`` object), ``scenarios``, ``tallies``."""

    scenarios: list[Scenario]
    summary: dict
    tallies: list[Tally] = field(repr=False)

    @property
    def table(self) -> pa.Table:
        """Long form: scenario, kind (outcome, military or event), name, p, lo, hi, n, and the paired difference from the first d, d_lo, d_hi."""
        return tables.comparison_table(self.summary)

    def to_json(self) -> str:
        """As ``python run.py compare ... --json`` prints it (and ``--out`` writes compare.json)."""
        return report.as_json(self.summary)

    def text(self) -> str:
        """The table ``python run.py compare`` prints."""
        return report.comparison_table(self.summary)

    def __str__(self) -> str:
        return self.text()

    def plot(self, ax=None):
        """Draw each outcome's probability under each scenario (grouped bars, 95% intervals) onto ``ax``; returns the axes."""
        ax = _axes(ax)
        report.draw_comparison(ax, self.summary)
        return ax

    def plot_held(self, ax=None):
        """Draw how long Czechoslovakia held once attacked under each scenario, one line style each, onto ``ax``; returns the axes."""
        ax = _axes(ax)
        report.draw_held(ax, report.held_curves(self.summary))
        return ax

    def save(self, folder: str | Path) -> Path:
        """Write compare.json, compare.png and held.png into ``folder``, as ``compare --out`` does; returns it."""
        with report.OutputFolder(folder) as out:
            write_comparison(out, self.summary)
        return Path(folder)


def write_comparison(out: report.OutputFolder, summary: dict) -> None:
    out.path("compare.json").write_text(report.as_json(summary), encoding="utf-8")
    report.plot_comparison(summary, out.path("compare.png"))
    report.plot_held(summary, out.path("held.png"))


@dataclass(frozen=True)
class SweepResult:
    """A sweep's results: ``table`` (results.parquet: one row a point), ``indices`` (Sobol or Morris, else None), ``summary`` text.

    ``folder`` is where its files are (None for a sweep run without ``out``); ``stats`` says how many
    points ran now and how many were found done.
    """

    sweep: Sweep
    table: pa.Table = field(repr=False)
    indices: dict | None = field(repr=False)
    summary: str = field(repr=False)
    folder: Path | None = None
    stats: object = field(default=None, repr=False)

    def __str__(self) -> str:
        return self.summary

    @property
    def indices_table(self) -> pa.Table:
        """The indices in long form: output, parameter, index (S1, ST, S2[OTHER], mu, mu_star, sigma), value, conf (95% half-width)."""
        return tables.indices_table(self.indices)

    def plot(self, output: str, ax=None):
        """Draw the design's figure of ``output`` onto ``ax``: a heatmap (two-parameter grid), a line (one), Sobol bars or Morris mu*-sigma.

        Returns the axes. Raises InputError for an output the sweep did not report or a design with no figure (random, latin).
        """
        from sim.presentation.sweep_report import FIGURES, figure_specs

        specs = list(figure_specs(self.sweep, self.table, self.indices))
        for name, _, kind, args in specs:
            if name == output:
                ax = _axes(ax)
                FIGURES[kind][1](ax, *args)
                return ax
        drawn = ", ".join(spec[0] for spec in specs) or "none for this design"
        raise InputError(f"no figure for {output!r}; figures: {drawn}", key="output")
