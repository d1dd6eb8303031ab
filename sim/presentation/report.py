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
from datetime import timedelta
from pathlib import Path
from types import TracebackType

import numpy as np

from sim.book.scenario import Scenario
from sim.book.vocabulary import EVENTS, OUTCOME_MEANINGS, OUTCOMES, STATE_NAMES, STATES
from sim.experiments.runner import Paired, Tally
from sim.experiments.targets import check_folder

CSV_FIELDS = ["rollout", "outcome", *EVENTS, "first_shot", "resistance_ended"]


def summary(tally: Tally, scenario: Scenario, seed: int) -> dict:
    """The results object printed by --json and written as results.json."""
    return {
        "scenario": scenario.name,
        "runs": tally.runs,
        "seed": seed,
        "parameter_draws": scenario.parameter_draws,
        "outcomes": {name: tally.share(tally.outcomes[name]) for name in OUTCOMES},
        "events": {name: tally.share(tally.events[name]) for name in EVENTS},
        "rules": {name: tally.share(count) for name, count in tally.rules.items()},
    }


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
    lines.append("")
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
        for group, names in (("outcomes", OUTCOMES), ("events", EVENTS)):
            counts = tally.outcomes if group == "outcomes" else tally.events
            entry[group] = {name: {**tally.share(counts[name]), **_prefixed(pairs.difference(name))} for name in names}
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
    for group in ("outcomes", "events"):
        lines.append(f"{group:<22} {'':>12}" if group == "events" else header)
        for name in entries[0][group]:
            line = f"{name:<22} {entries[0][group][name]['p']:>12.3f}"
            for entry in entries[1:]:
                share = entry[group][name]
                line += f"   {share['p']:.3f} {share['d']:+.3f} [{share['d_lo']:+.3f}, {share['d_hi']:+.3f}]".ljust(37)
            lines.append(line.rstrip())
        lines.append("")
    return "\n".join(lines)


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
