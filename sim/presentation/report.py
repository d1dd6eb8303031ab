"""Presentation of a scenario's results: the JSON object, the text table, runs.csv and the plots.

Everything here reads a ``Tally`` (and streamed rows); nothing here knows how
rules are evaluated. Files are written into a temporary folder beside the
output folder and moved into place only when all of them are complete, so an
interrupted run never leaves a half-written results file.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from types import TracebackType

import numpy as np

from sim.book.scenario import Scenario
from sim.book.vocabulary import EVENTS, MILITARY_MEANINGS, MILITARY_RESULTS, OUTCOME_MEANINGS, OUTCOMES, STATE_NAMES, STATES
from sim.experiments.runner import Paired, Tally
from sim.experiments.targets import check_folder

# The columns of runs.csv, in the order ``runner.rollout_rows`` gives them.
CSV_FIELDS = ["rollout", "outcome", "military_result", *EVENTS, "first_shot", "breach", "resistance_ended", "campaign_halted",
              "days_held"]


def day_words(day: date) -> str:
    """A date as it is written for readers: 31 March 1939 (the terminal's table, the README's, the class's pages)."""
    return f"{day.day} {day:%B %Y}"


def summary(tally: Tally, scenario: Scenario, seed: int) -> dict:
    """The results object printed by --json and written as results.json."""
    return {
        "scenario": scenario.name,
        "runs": tally.runs,
        "seed": seed,
        "parameter_draws": scenario.parameter_draws,
        "outcomes": {name: tally.share(tally.outcomes[name]) for name in OUTCOMES},
        "military": {name: tally.share(tally.military[name]) for name in MILITARY_RESULTS},
        **held(tally),
        "events": {name: tally.share(tally.events[name]) for name in EVENTS},
        "rules": {name: tally.share(count) for name, count in tally.rules.items()},
    }


def held(tally: Tally) -> dict:
    """How long Czechoslovakia held once attacked: the rollouts with a German attack, the median days held (None without an
    attack), whether most still held at the horizon (or until Germany halted: then the median is the window's length), and
    the held curve (share still fighting after 0, 1, ... days since the attack), so that a reader of the JSON can redraw the plot."""
    median = tally.median_days_held()
    return {
        "attacked": int(tally.held.sum()),
        "median_days_held": None if median is None else int(median),
        "median_beyond_horizon": median is not None and median >= tally.days,
        "held_curve": [round(float(value), 4) for value in tally.held_curve()],
    }


def held_line(result: dict) -> str:
    """The median time Czechoslovakia held once attacked, in one sentence."""
    attacked, median = result["attacked"], result["median_days_held"]
    if not attacked:
        return "Czechoslovakia held: no German attack in any rollout."
    of = f"of {attacked} rollout{'s' if attacked != 1 else ''} with a German attack"
    if result["median_beyond_horizon"]:
        return f"Czechoslovakia held beyond the horizon (or until Germany halted) in most rollouts once attacked ({of})."
    return f"Czechoslovakia held a median {median} day{'s' if median != 1 else ''} once attacked ({of})."


def as_json(result: dict) -> str:
    return json.dumps(result, indent=2) + "\n"


PARAMETER_DRAWS_IN_WORDS = {
    "posterior": "each rollout draws its own from calibration/posterior.json",
    "mean": "the posterior mean (--point)",
    "book": "the rule book's values",
}


def table(result: dict, scenario: Scenario) -> str:
    """The outcome and event table, with 95% Wilson intervals."""
    draws = PARAMETER_DRAWS_IN_WORDS[result["parameter_draws"]]
    lines = [f"{scenario.name}: {scenario.question}", f"{result['runs']} rollouts, seed {result['seed']}; calibrated parameters: {draws}", ""]
    lines.append(f"{'outcome':<18} {'p':>6}  {'95% interval':<15} {'n':>8}   meaning")
    for name, share in result["outcomes"].items():
        lines.append(f"{name:<18} {share['p']:>6.3f}  [{share['lo']:.3f}, {share['hi']:.3f}]  {share['n']:>8}   {OUTCOME_MEANINGS[name]}")
    lines += ["", f"military result at the horizon ({day_words(scenario.end)})"]
    for name, share in result["military"].items():
        lines.append(f"{name:<18} {share['p']:>6.3f}  [{share['lo']:.3f}, {share['hi']:.3f}]  {share['n']:>8}   {MILITARY_MEANINGS[name]}")
    lines += [held_line(result), ""]
    lines.append(f"{'event':<22} {'p':>6}  {'95% interval':<15} {'n':>8}")
    for name, share in result["events"].items():
        lines.append(f"{name:<22} {share['p']:>6.3f}  [{share['lo']:.3f}, {share['hi']:.3f}]  {share['n']:>8}")
    return "\n".join(lines) + "\n"


def rules_table(result: dict) -> str:
    """How often each rule fired, most frequent first: which commitments carried the outcome."""
    lines = [f"{'rule':<40} {'fired':>6}  {'95% interval':<15}"]
    ranked = sorted(result["rules"].items(), key=lambda item: (-item[1]["n"], item[0]))
    lines += [f"{name:<40} {share['p']:>6.3f}  [{share['lo']:.3f}, {share['hi']:.3f}]" for name, share in ranked]
    return "\n".join(lines) + "\n"


class OutputFolder:
    """Collects output files in a temporary folder and moves them into ``folder`` only on success.

    The staging folder sits beside ``folder``, named ``.NAME.staging-PID-...`` after the process
    that made it. It is removed on every exit this process lives through (errors, Ctrl-C, SIGTERM,
    which the command line turns into Ctrl-C); one left by a process killed outright (SIGKILL) is
    removed by the next OutputFolder for the same folder, once its process is gone.
    """

    def __init__(self, folder: str | Path, inputs: Iterable[str | Path] = ()):
        self.folder = check_folder(folder, "--out", inputs)
        parent = self.folder.absolute().parent
        remove_stale_staging(parent, self.folder.name)
        self.staging = Path(tempfile.mkdtemp(prefix=f"{staging_prefix(self.folder.name)}{os.getpid()}-", dir=parent))
        self._csv_file = None
        self._csv = None

    def __enter__(self) -> OutputFolder:
        return self

    def path(self, name: str) -> Path:
        return self.staging / name

    def write_rows(self, rows: list[dict]) -> None:
        """Append rollout rows to runs.csv (rows arrive in rollout order)."""
        if self._csv is None:
            self._csv_file = open(self.path("runs.csv"), "w", newline="", encoding="utf-8")  # closed in __exit__
            self._csv = csv.DictWriter(self._csv_file, fieldnames=CSV_FIELDS, lineterminator="\n")
            self._csv.writeheader()
        self._csv.writerows(rows)

    def __exit__(self, kind: type | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._csv_file is not None:
            self._csv_file.close()
        try:
            if error is None:
                self.folder.mkdir(exist_ok=True)
                for item in sorted(self.staging.iterdir()):
                    os.replace(item, self.folder / item.name)
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)


def staging_prefix(name: str) -> str:
    return f".{name}.staging-"


def remove_stale_staging(parent: Path, name: str) -> None:
    """Remove staging folders for ``name`` left in ``parent`` by processes that no longer run."""
    prefix = staging_prefix(name)
    for stale in parent.glob(glob_escape(prefix) + "*"):
        pid = stale.name[len(prefix):].split("-", 1)[0]
        if stale.is_dir() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def glob_escape(text: str) -> str:
    return "".join(f"[{char}]" if char in "*?[" else char for char in text)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def write_results(out: OutputFolder, result: dict, tally: Tally, scenario: Scenario) -> None:
    out.path("results.json").write_text(as_json(result), encoding="utf-8")
    out.path("rules.txt").write_text(rules_table(result), encoding="utf-8")
    plot_outcomes(result, scenario, out.path("outcomes.png"))
    plot_war_by_date(tally, scenario, out.path("war_by_date.png"))
    plot_held(result, out.path("held.png"))


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "munich1938"  # stable output
    plt.rcParams["text.parse_math"] = False  # titles hold scenario names: a '$' in one is a dollar, not mathtext
    return plt


def plot_outcomes(result: dict, scenario: Scenario, path: Path) -> None:
    """Bar chart of outcome probabilities with their 95% intervals, written to ``path`` (outcomes.png)."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(7, 3.8), dpi=120)
    draw_outcomes(axes, result)
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)


def draw_outcomes(axes, result: dict) -> None:
    """Outcome probabilities with their 95% intervals as bars, drawn onto matplotlib ``axes``."""
    names = list(result["outcomes"])
    shares = [result["outcomes"][name] for name in names]
    p = np.array([share["p"] for share in shares])
    errors = np.array([[share["p"] - share["lo"] for share in shares], [share["hi"] - share["p"] for share in shares]])
    axes.bar(names, p, yerr=errors, capsize=4, color=["#4c72b0", "#55a868", "#dd8452", "#c44e52", "#8c8c8c"])
    axes.set_ylim(0, 1)
    axes.set_ylabel("probability")
    axes.set_title(f"{result['scenario']}: outcomes ({result['runs']} rollouts, 95% Wilson intervals)", fontsize=10)
    axes.tick_params(axis="x", labelsize=8)


def plot_war_by_date(tally: Tally, scenario: Scenario, path: Path) -> None:
    """Probability that each state is at war, by date, written to ``path`` (war_by_date.png)."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(8, 4), dpi=120)
    draw_war_by_date(axes, tally, scenario)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)


def draw_war_by_date(axes, tally: Tally, scenario: Scenario) -> None:
    """Probability that each state is at war, by date, as one line a state, drawn onto matplotlib ``axes``."""
    dates = [scenario.start + timedelta(days=day) for day in range(tally.days)]
    for row, state in enumerate(STATES):
        axes.plot(dates, tally.at_war[row] / max(tally.runs, 1), label=STATE_NAMES[state])
    axes.set_ylim(0, 1)
    axes.set_ylabel("probability at war")
    axes.set_title(f"{scenario.name}: who is at war, by date ({tally.runs} rollouts)", fontsize=10)
    axes.legend(fontsize=8, loc="upper left")


def comparison(tallies: list[Tally], paired: list[Paired], scenarios: list[Scenario], seed: int) -> dict:
    """The comparison object: each scenario's shares, and its paired difference from the first."""
    entries = []
    for tally, pairs, scenario in zip(tallies, paired, scenarios, strict=True):
        entry = {"scenario": scenario.name, "question": scenario.question}
        for group, counts in (("outcomes", tally.outcomes), ("military", tally.military), ("events", tally.events)):
            entry[group] = {name: {**tally.share(count), **_prefixed(pairs.difference(name))} for name, count in counts.items()}
        entry.update(held(tally))
        entries.append(entry)
    return {"runs": tallies[0].runs, "seed": seed, "reference": scenarios[0].name, "scenarios": entries}


def _prefixed(difference: dict[str, float]) -> dict[str, float]:
    return {"d": difference["d"], "d_lo": difference["lo"], "d_hi": difference["hi"]}


def comparison_table(result: dict) -> str:
    entries = result["scenarios"]
    reference = result["reference"]
    lines = [f"Compared on the same {result['runs']} rollouts (seed {result['seed']}, common random numbers).",
             f"Each column: probability, then the difference from {reference} with its 95% interval.", ""]
    header = f"{'':<22} {reference:>12}" + "".join(f"   {entry['scenario']:<34}" for entry in entries[1:])
    for group in ("outcomes", "military", "events"):
        lines.append(header if group == "outcomes" else COMPARED_GROUPS[group])
        for name in entries[0][group]:
            line = f"{name:<22} {entries[0][group][name]['p']:>12.3f}"
            for entry in entries[1:]:
                share = entry[group][name]
                line += f"   {share['p']:.3f} {share['d']:+.3f} [{share['d_lo']:+.3f}, {share['d_hi']:+.3f}]".ljust(37)
            lines.append(line.rstrip())
        if group == "military":
            lines.append(f"{'median days held':<22} {_days(entries[0]):>12}" + "".join(f"   {_days(entry):<34}" for entry in entries[1:]).rstrip())
        lines.append("")
    return "\n".join(lines)


COMPARED_GROUPS = {"outcomes": "outcomes", "military": "military result", "events": "events"}


def _days(entry: dict) -> str:
    """An entry's median days held once attacked, for the comparison table: "-" without an attack, "horizon" beyond it."""
    if not entry["attacked"]:
        return "-"
    return f"beyond, of {entry['attacked']}" if entry["median_beyond_horizon"] else f"{entry['median_days_held']}, of {entry['attacked']}"


def plot_comparison(result: dict, path: Path) -> None:
    """Grouped bars: each outcome's probability under each scenario, with 95% Wilson intervals, written to ``path`` (compare.png)."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(max(7, 1.6 * len(OUTCOMES) * len(result["scenarios"]) / 2), 4), dpi=120)
    draw_comparison(axes, result)
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)


def draw_comparison(axes, result: dict) -> None:
    """Each outcome's probability under each scenario of a comparison, as grouped bars, drawn onto matplotlib ``axes``."""
    entries = result["scenarios"]
    width = 0.8 / len(entries)
    positions = np.arange(len(OUTCOMES))
    for index, entry in enumerate(entries):
        shares = [entry["outcomes"][name] for name in OUTCOMES]
        p = np.array([share["p"] for share in shares])
        errors = np.array([[share["p"] - share["lo"] for share in shares], [share["hi"] - share["p"] for share in shares]])
        axes.bar(positions + (index - (len(entries) - 1) / 2) * width, p, width, yerr=errors, capsize=2, label=entry["scenario"])
    axes.set_xticks(positions, OUTCOMES, fontsize=8)
    axes.set_ylim(0, 1)
    axes.set_ylabel("probability")
    axes.set_title(f"Outcomes on the same {result['runs']} rollouts (seed {result['seed']}), 95% intervals", fontsize=10)
    axes.legend(fontsize=7)


# Black-and-white readable: one line style (and, past four scenarios, a marker) a scenario, all in black or grey.
HELD_STYLES = [("-", None, "black"), ("--", None, "black"), (":", None, "black"), ("-.", None, "black"),
               ("-", "o", "dimgray"), ("--", "s", "dimgray"), (":", "^", "dimgray"), ("-.", "d", "dimgray")]


def held_curves(result: dict) -> list[tuple[str, list[float], int]]:
    """(scenario, held curve, rollouts with an attack) of a run's results or of each scenario of a comparison."""
    entries = result["scenarios"] if "scenarios" in result else [result]
    return [(entry["scenario"], entry["held_curve"], entry["attacked"]) for entry in entries]


def draw_held(axes, curves: list[tuple[str, list[float], int]]) -> None:
    """How long did Czechoslovakia hold? The share of rollouts with a German attack in which it still fought, against the
    days since the attack, one line a scenario (those without an attack are named in the legend, without a line)."""
    drawn = [curve for curve in curves if curve[2]]
    last = max((int(np.flatnonzero(np.diff(curve[1]))[-1]) + 1 if np.any(np.diff(curve[1])) else 0 for curve in drawn), default=0)
    end = min(max(last + 14, 28), max((len(curve[1]) - 1 for curve in curves), default=28))
    for index, (name, curve, attacked) in enumerate(curves):
        style, marker, colour = HELD_STYLES[index % len(HELD_STYLES)]
        if not attacked:
            axes.plot([], [], linestyle="none", label=f"{name} (no German attack)")
            continue
        axes.step(range(end + 1), curve[: end + 1], where="post", linestyle=style, marker=marker, markevery=max(end // 8, 1),
                  color=colour, label=f"{name} ({attacked} attacked)")
    axes.set_xlim(0, end)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("days since the German attack")
    axes.set_ylabel("share still fighting")
    axes.set_title("How long did Czechoslovakia hold? (rollouts with a German attack; to the horizon)", fontsize=10)
    axes.legend(fontsize=8, loc="upper right")


def plot_held(result: dict, path: Path) -> None:
    """The held curve of a run or of every scenario of a comparison, written to ``path`` (held.png)."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(8, 4), dpi=120)
    draw_held(axes, held_curves(result))
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)
