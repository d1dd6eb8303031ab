"""Monte Carlo over rollouts: batches of lanes, processes, and streamed aggregates.

Rollouts ``0 .. runs-1`` are cut into chunks of consecutive indices; each chunk
is one ``CrisisModel`` batch. Chunks run in this process or, with ``jobs > 1``,
in a process pool (``sim/experiments/pool.py``); their tallies are added up in chunk order. Because every
draw is addressed by the rollout index, the result does not depend on the
chunk size, on ``jobs`` or on the order in which chunks finish. Only counts
are kept (and, if asked, one CSV row a rollout, streamed to the caller), so
memory does not grow with the number of rollouts.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.book.inputs import InputError
from sim.book.rules import RuleBook, load_rulebook
from sim.book.scenario import MAX_RUNS, Scenario
from sim.book.vocabulary import EVENTS, MILITARY_RESULTS, NEVER, OUTCOMES, STATES
from sim.engine.model import BatchResult, CrisisModel
from sim.engine.outcomes import GREAT_POWERS
from sim.engine.posterior import Posterior, lane_parameters
from sim.experiments.pool import CHUNK, chunks, default_jobs, map_work

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson, JASA 22, 1927)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # At 0 or n successes the bound is exactly 0 or 1; the arithmetic would leave a rounding residue.
    return (0.0 if successes == 0 else max(0.0, centre - half)), (1.0 if successes == n else min(1.0, centre + half))


@dataclass
class Tally:
    """Counts over a set of rollouts; tallies of disjoint sets add up."""

    days: int
    runs: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    military: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MILITARY_RESULTS, 0))
    events: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EVENTS, 0))
    rules: dict[str, int] = field(default_factory=dict)
    at_war: np.ndarray | None = None  # (states, days): rollouts in which each state is at war on each day
    # Rollouts in which Germany attacked, by days Czechoslovak resistance lasted; the last cell: still fighting at the horizon
    # (or halted by Germany), a censored count (``held_curve``).
    held: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.at_war is None:
            self.at_war = np.zeros((len(STATES), self.days), dtype=np.int64)
        if self.held is None:
            self.held = np.zeros(self.days + 1, dtype=np.int64)

    def add(self, other: Tally) -> None:
        self.runs += other.runs
        tables = ((self.outcomes, other.outcomes), (self.military, other.military), (self.events, other.events), (self.rules, other.rules))
        for table, more in tables:
            for name, count in more.items():
                table[name] = table.get(name, 0) + count
        self.at_war += other.at_war
        self.held += other.held

    def held_curve(self) -> np.ndarray:
        """Share of the rollouts with a German attack in which Czechoslovakia still fought after each number of days (0 .. days)."""
        attacked = int(self.held.sum())
        if attacked == 0:
            return np.zeros(self.days + 1)
        ended_by = np.cumsum(self.held[:-1])  # resistance over within d days (the censored cell never ends)
        return 1.0 - np.concatenate([ended_by, ended_by[-1:]]) / attacked

    def median_days_held(self) -> float | None:
        """Median days Czechoslovakia fought once attacked (None without an attack; ``days`` if most held to the horizon)."""
        curve = self.held_curve()
        if self.held.sum() == 0:
            return None
        below = np.flatnonzero(curve[:-1] <= 0.5)
        return float(below[0]) if below.size else float(self.days)

    @classmethod
    def of(cls, result: BatchResult, days: int) -> Tally:
        tally = cls(days=days, runs=int(result.lanes.size))
        counts = np.bincount(result.outcome, minlength=len(OUTCOMES))
        tally.outcomes = {name: int(counts[index]) for index, name in enumerate(OUTCOMES)}
        results = np.bincount(result.military, minlength=len(MILITARY_RESULTS))
        tally.military = {name: int(results[index]) for index, name in enumerate(MILITARY_RESULTS)}
        tally.held = held_histogram(result, days)
        tally.events = {name: int(result.flags[name].sum()) for name in EVENTS}
        tally.rules = {rule_id: int(fired.sum()) for rule_id, fired in result.fired.items()}
        starts, ends = war_spans(result)
        for row, state in enumerate(STATES):
            # Rollouts at war on day d: started on or before d, not ended before d (difference arrays).
            change = np.zeros(days + 1, dtype=np.int64)
            begun = starts[state] < days
            np.add.at(change, starts[state][begun].astype(np.int64), 1)
            ended = begun & (ends[state] < days)
            np.add.at(change, ends[state][ended].astype(np.int64), -1)
            tally.at_war[row] = np.cumsum(change)[:days]
        return tally

    def share(self, count: int) -> dict[str, float | int]:
        low, high = wilson(count, self.runs)
        return {"p": round(count / self.runs, 4), "lo": round(low, 4), "hi": round(high, 4), "n": count}


def days_held(result: BatchResult, days: int) -> np.ndarray:
    """Days Czechoslovakia fought from Germany's attack to the end of its resistance, per lane (``days``: not ended by the horizon
    or a German halt; NaN where no attack)."""
    attacked = result.first_shot_day < NEVER
    over = attacked & (result.resistance_end_day < NEVER)
    held = np.where(over, result.resistance_end_day - result.first_shot_day, float(days))
    return np.where(attacked, held, np.nan)


def held_histogram(result: BatchResult, days: int) -> np.ndarray:
    """Counts of rollouts with an attack by days held (0 .. days-1), and those never beaten in the last cell."""
    held = days_held(result, days)
    held = held[~np.isnan(held)].astype(np.int64)
    return np.bincount(np.minimum(held, days), minlength=days + 1)


def war_spans(result: BatchResult) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """First and last-plus-one day of war per state and lane (NEVER where none).

    Czechoslovakia's war ends when its resistance does; Germany's too, unless a great
    power is at war with it. The others' wars last to the end of the window.
    """
    starts = {state: result.war_days[state] for state in STATES}
    ends = {state: np.full(result.lanes.size, float(NEVER)) for state in STATES}
    ends["CZ"] = result.resistance_end_day + 1
    great_power = np.zeros(result.lanes.size, dtype=bool)
    for power in GREAT_POWERS:
        great_power |= result.war_days[power] < NEVER
    ends["DE"] = np.where(great_power, float(NEVER), result.resistance_end_day + 1)
    return starts, ends


def run_chunk(scenario: Scenario, first: int, count: int, rows: bool) -> tuple[Tally, list[dict] | None]:
    """Run rollouts ``first .. first+count-1`` as one batch."""
    model = CrisisModel(scenario, lanes=np.arange(first, first + count, dtype=np.uint64))
    result = model.run()
    return Tally.of(result, scenario.days), (rollout_rows(result, scenario) if rows else None)


def _run_chunk_args(args: tuple[Scenario, int, int, bool]) -> tuple[Tally, list[dict] | None]:
    return run_chunk(*args)


def rollout_rows(result: BatchResult, scenario: Scenario) -> list[dict]:
    """One row a rollout: index, outcome, military result, each flag, dates of the first shot, the first breach, the end of
    resistance and a German halt, and days held once attacked."""
    dates: dict[int, str] = {}  # a day's date, written out once (a batch has at most a few hundred distinct days)

    def day(value: float) -> str:
        if value >= NEVER:
            return ""
        if value not in dates:
            dates[value] = scenario.date_of(int(value)).isoformat()
        return dates[value]

    # Whole columns as Python lists first: indexing numpy arrays element by element costs more than the rows.
    columns = {"rollout": result.lanes.tolist(), "outcome": [OUTCOMES[index] for index in result.outcome.tolist()]}
    columns["military_result"] = [MILITARY_RESULTS[index] for index in result.military.tolist()]
    columns.update({event: result.flags[event].astype(int).tolist() for event in EVENTS})
    columns["first_shot"] = [day(value) for value in result.first_shot_day.tolist()]
    # The date the main line first broke: not named main_line_broken, the event flag's column, which it would overwrite.
    columns["breach"] = [day(value) for value in result.breach_day.tolist()]
    columns["resistance_ended"] = [day(value) for value in result.resistance_end_day.tolist()]
    columns["campaign_halted"] = [day(value) for value in result.halt_day.tolist()]
    columns["days_held"] = ["" if np.isnan(value) else int(value) for value in days_held(result, scenario.days).tolist()]
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def run(
    scenario: Scenario,
    runs: int | None = None,
    jobs: int | None = None,
    on_rows: Callable[[list[dict]], None] | None = None,
    chunk: int = CHUNK,
) -> Tally:
    """Run ``runs`` rollouts of a scenario on ``jobs`` processes; stream rows to ``on_rows`` in rollout order."""
    runs = scenario.runs if runs is None else runs
    _check_runs(runs)
    work = [(scenario, first, count, on_rows is not None) for first, count in chunks(runs, chunk)]
    total = Tally(days=scenario.days)
    for tally, rows in map_work(_run_chunk_args, work, jobs or default_jobs()):
        total.add(tally)
        if on_rows is not None:
            on_rows(rows)
    return total


def _check_runs(runs: int) -> None:
    """The work list has one entry a chunk: ``MAX_RUNS`` keeps it to a few thousand."""
    if not 1 <= runs <= MAX_RUNS:
        raise InputError(f"{runs:,} rollouts asked for; from 1 to {MAX_RUNS:,} are allowed in one run", key="runs")


def point_chunks(points: int, rollouts: int, chunk: int = CHUNK) -> list[tuple[int, int]]:
    """Runs of consecutive points, each (first point, count), of about ``chunk`` lanes (whole points only)."""
    return chunks(points, max(1, chunk // rollouts))


def run_points(
    scenario: Scenario, names: list[str], points: np.ndarray, rollouts: int, book: RuleBook | None = None, posterior: Posterior | None = None
) -> BatchResult:
    """Rollouts ``0 .. rollouts-1`` at each parameter point, all in one batch (point after point in the lanes).

    ``points`` has one row a point and one column per name in ``names``, in the model's units
    (a date parameter as its day index in the scenario's calendar). Every point meets the same
    random numbers (common random numbers), so differences between points come from the
    parameters, not from noise. The calibrated parameters not swept are drawn per rollout from
    ``posterior`` (default: the committed one): a caller that ships it to a remote worker gets the
    same numbers whatever posterior file the worker has. Cut the points with ``point_chunks``.
    """
    book = book or load_rulebook()
    lanes = np.tile(np.arange(rollouts, dtype=np.uint64), len(points))
    drawn = lane_parameters(scenario, book, lanes, posterior)
    swept = {name: np.repeat(np.asarray(points, dtype=float)[:, column], rollouts) for column, name in enumerate(names)}
    every_value_given = dataclasses.replace(scenario, parameter_draws="book")  # the model reads no posterior file of its own
    return CrisisModel(every_value_given, lanes=lanes, book=book, parameters=drawn | swept).run()


@dataclass
class Paired:
    """Per-rollout differences (a scenario minus the reference, on the same rollouts) summed for each outcome and event."""

    runs: int = 0
    sums: dict[str, int] = field(default_factory=dict)
    squares: dict[str, int] = field(default_factory=dict)

    def add(self, other: Paired) -> None:
        self.runs += other.runs
        for name in other.sums:
            self.sums[name] = self.sums.get(name, 0) + other.sums[name]
            self.squares[name] = self.squares.get(name, 0) + other.squares[name]

    def difference(self, name: str, z: float = Z95) -> dict[str, float]:
        """Mean paired difference with its 95% interval (normal approximation on the per-rollout differences)."""
        n, total, squares = self.runs, self.sums[name], self.squares[name]
        mean = total / n
        variance = max(squares / n - mean * mean, 0.0) * n / max(n - 1, 1)
        half = z * math.sqrt(variance / n)
        return {"d": round(mean, 4), "lo": round(mean - half, 4), "hi": round(mean + half, 4)}


def indicators(result: BatchResult) -> dict[str, np.ndarray]:
    """Each outcome and event as a 0/1 array over the rollouts."""
    marks = {name: (result.outcome == index).astype(np.int64) for index, name in enumerate(OUTCOMES)}
    marks.update({name: (result.military == index).astype(np.int64) for index, name in enumerate(MILITARY_RESULTS)})
    marks.update({name: result.flags[name].astype(np.int64) for name in EVENTS})
    return marks


def compare_chunk(scenarios: list[Scenario], first: int, count: int) -> tuple[list[Tally], list[Paired]]:
    """Run the same rollouts of every scenario (common random numbers) and pair each with the first."""
    lanes = np.arange(first, first + count, dtype=np.uint64)
    results = [CrisisModel(scenario, lanes=lanes).run() for scenario in scenarios]
    reference = indicators(results[0])
    tallies, paired = [], []
    for scenario, result in zip(scenarios, results, strict=True):
        tallies.append(Tally.of(result, scenario.days))
        marks = indicators(result)
        differences = {name: marks[name] - reference[name] for name in marks}
        paired.append(Paired(count, {name: int(d.sum()) for name, d in differences.items()},
                             {name: int((d * d).sum()) for name, d in differences.items()}))
    return tallies, paired


def _compare_chunk_args(args: tuple[list[Scenario], int, int]) -> tuple[list[Tally], list[Paired]]:
    return compare_chunk(*args)


def compare(scenarios: list[Scenario], runs: int, jobs: int | None = None, chunk: int = CHUNK) -> tuple[list[Tally], list[Paired]]:
    """Every scenario on the same rollouts; tallies, and paired differences from the first scenario.

    The scenarios should share a seed: each draw is addressed by (seed, rule, day, rollout), so
    the same rule meets the same random numbers in every scenario, and differences come from the
    scenarios, not from noise. A scenario compared with itself differs by exactly zero.
    """
    _check_runs(runs)
    tallies = [Tally(days=scenario.days) for scenario in scenarios]
    paired = [Paired() for _ in scenarios]
    work = [(scenarios, first, count) for first, count in chunks(runs, chunk)]
    for chunk_tallies, chunk_paired in map_work(_compare_chunk_args, work, jobs or default_jobs()):
        for total, more in zip(tallies, chunk_tallies, strict=True):
            total.add(more)
        for total, more in zip(paired, chunk_paired, strict=True):
            total.add(more)
    return tallies, paired
