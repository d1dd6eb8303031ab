"""Tables for the causal channels: each what-if's paired difference from the baseline, and the baseline under each lens.

``python -m sim.presentation.channel_table`` runs the baseline and the what-ifs of ``WHAT_IFS`` on the
same rollouts with ``sim.experiments.runner.compare``, the machinery of ``python run.py compare``
(common random numbers: one seed, the same rollout indices), and prints for every outcome and every
event flag of the vocabulary each what-if's mean paired difference from the baseline with its 95%
interval, beside the channel its file names (``channel:``). Paired, because a what-if that changes
one mechanism changes few rollouts: the difference rollout by rollout has a far narrower interval
than two independent shares would, and a what-if that changes nothing differs by exactly 0.

``--lenses`` prints instead the baseline run under each lens of ``lenses.yaml`` (the same rollouts
for all): the share of the rollouts with Soviet fighting, Soviet aid short of war, a German
climb-down and a general war.

Markdown (printed), ``--json``, or ``--readme``: both tables written between their markers in README.md at
the default seed (a test fails when they are stale).
Text from the scenario files and the rule book is escaped for Markdown before it reaches a table.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from sim.book.arguments import positive_int, rollouts, seed
from sim.book.inputs import InputError, printable
from sim.book.paths import ROOT, SCENARIOS
from sim.book.rules import load_rulebook
from sim.book.scenario import Scenario, load_scenario
from sim.book.vocabulary import EVENTS, OUTCOMES
from sim.experiments import runner
from sim.presentation import report
from sim.presentation.scenario_table import replace_table

SEED = 1938
RUNS = 2000
WHAT_IFS = ("soviet_unilateral", "romania_passage", "poland_neutral", "poland_attacks",
            "staff_talks_may", "britain_firm", "grand_alliance", "france_honours")
LENS_MEASURES = ("su_fights", "su_aid_short_of_war", "german_climbdown", "general_war")  # outcomes or event flags
COLUMNS = 5  # value columns a table holds at most, so that each reads on GitHub without scrolling far
COMMAND = "python -m sim.presentation.channel_table"


def what_ifs(names: tuple[str, ...] | None = None, seed: int = SEED, folder: Path | None = None) -> list[Scenario]:
    """The baseline first, then the named what-ifs (default ``WHAT_IFS`` in ``scenarios/``), all on one seed (common random numbers)."""
    folder = SCENARIOS if folder is None else folder
    paths = [folder / "baseline.yaml", *(folder / f"{name}.yaml" for name in (WHAT_IFS if names is None else names))]
    return [dataclasses.replace(load_scenario(path), seed=seed) for path in paths]


def channels(scenarios: list[Scenario], runs: int = RUNS, jobs: int | None = None) -> dict:
    """The comparison object of ``run.py compare --json`` (paired differences from the first scenario), with each channel."""
    tallies, paired = runner.compare(scenarios, runs, jobs)
    result = report.comparison(tallies, paired, scenarios, scenarios[0].seed)
    for entry, scenario in zip(result["scenarios"], scenarios, strict=True):
        entry["channel"] = scenario.channel
    return result


def lenses(runs: int = RUNS, jobs: int | None = None, seed: int = SEED, folder: Path | None = None) -> dict:
    """The baseline under each lens of the rule book, on the same rollouts: the shares of ``LENS_MEASURES``."""
    book = load_rulebook()
    folder = SCENARIOS if folder is None else folder
    baseline = dataclasses.replace(load_scenario(folder / "baseline.yaml", book=book), seed=seed)
    variants = [dataclasses.replace(baseline, lens=name) for name in book.lenses]
    tallies, _ = runner.compare(variants, runs, jobs)
    rows = []
    for (name, lens), tally in zip(book.lenses.items(), tallies, strict=True):
        counts = {**tally.outcomes, **tally.events}
        rows.append({"lens": name, "description": first_sentence(lens.description),
                     "shares": {measure: tally.share(counts[measure]) for measure in LENS_MEASURES}})
    return {"scenario": baseline.name, "runs": runs, "seed": seed, "lenses": rows}


def first_sentence(text: str) -> str:
    """The text up to the end of its first sentence (a full stop, ! or ? before a capital or an opening mark)."""
    words = " ".join(text.split())
    return re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", words, maxsplit=1)[0]


def cell(text: str) -> str:
    """Text from an input file, safe in a Markdown table cell: one line, control characters, pipes and HTML escaped."""
    text = printable(" ".join(str(text).split())).replace("\\", "\\\\")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def signed(value: float) -> str:
    """A difference to three decimals with its sign; one that rounds to zero without a sign."""
    text = f"{value:+.3f}"
    return "0.000" if text in ("+0.000", "-0.000") else text


def difference(share: dict) -> str:
    """A paired difference and its 95% interval, "+0.012 [+0.004, +0.020]"; "0" when no rollout differs."""
    if share["d"] == share["d_lo"] == share["d_hi"] == 0:
        return "0"
    return f"{signed(share['d'])} [{signed(share['d_lo'])}, {signed(share['d_hi'])}]"


def proportion(share: dict) -> str:
    """A share and its 95% Wilson interval, "0.112 [0.099, 0.127]"."""
    return f"{share['p']:.3f} [{share['lo']:.3f}, {share['hi']:.3f}]"


def heading(name: str) -> str:
    return name.replace("_", " ")


def markdown_table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def channel_markdown(result: dict) -> str:
    """The what-ifs as Markdown: one table of the outcomes with each channel, then the event flags, ``COLUMNS`` a table."""
    entries = result["scenarios"][1:]
    lines = [
        f"Each what-if against `{result['reference']}` on the same {result['runs']} rollouts (seed {result['seed']}, "
        f"common random numbers); regenerate with `{COMMAND}`. Each cell is the mean paired difference from "
        f"`{result['reference']}` (rollout by rollout) with its 95% interval; 0: no rollout differs.",
        "",
    ]
    names = [f"`{cell(entry['scenario'])}`" for entry in entries]
    rows = [[name, cell(entry["channel"]), *(difference(entry["outcomes"][o]) for o in OUTCOMES)] for name, entry in zip(names, entries, strict=True)]
    lines += markdown_table(["what-if", "channel", *map(heading, OUTCOMES)], rows)
    for start in range(0, len(EVENTS), COLUMNS):
        flags = EVENTS[start : start + COLUMNS]
        rows = [[name, *(difference(entry["events"][flag]) for flag in flags)] for name, entry in zip(names, entries, strict=True)]
        lines += ["", *markdown_table(["what-if", *map(heading, flags)], rows)]
    return "\n".join(lines) + "\n"


def lens_markdown(result: dict) -> str:
    """The lenses as Markdown: each lens's reading in a sentence and the shares with their 95% Wilson intervals."""
    measures = list(result["lenses"][0]["shares"]) if result["lenses"] else []
    lines = [
        f"`{result['scenario']}` under each lens on the same {result['runs']} rollouts (seed {result['seed']}); "
        f"regenerate with `{COMMAND} --lenses`. Each cell is the share of rollouts with its 95% interval.",
        "",
    ]
    rows = [[f"`{cell(row['lens'])}`", cell(row["description"]), *(proportion(row["shares"][m]) for m in measures)]
            for row in result["lenses"]]
    lines += markdown_table(["lens", "reading", *map(heading, measures)], rows)
    return "\n".join(lines) + "\n"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=COMMAND, description="Print the causal channels' tables: each what-if's paired "
                                     "difference from the baseline, or (--lenses) the baseline under each lens.")
    parser.add_argument("--runs", type=rollouts, default=RUNS, help=f"rollouts per scenario (default {RUNS})")
    parser.add_argument("--seed", type=seed, default=SEED, help=f"master seed for all (default {SEED})")
    parser.add_argument("--jobs", type=positive_int, help="processes to use (default: all cores)")
    parser.add_argument("--lenses", action="store_true", help="the baseline under each lens instead of the what-ifs")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--markdown", action="store_true", help="print Markdown tables (the default)")
    form.add_argument("--json", action="store_true", help="print one JSON object instead")
    form.add_argument("--readme", action="store_true", help="rewrite both tables in README.md (the what-ifs' and the lenses')")
    return parser


CHANNELS, LENSES = "channel-table", "lens-table"  # the README's markers for the two tables


def readme_tables(runs: int = RUNS, jobs: int | None = None) -> dict[str, str]:
    """Both tables as the README holds them, by marker name."""
    return {CHANNELS: channel_markdown(channels(what_ifs(), runs, jobs)), LENSES: lens_markdown(lenses(runs, jobs))}


def rewrite_readme(runs: int = RUNS, jobs: int | None = None) -> None:
    """Replace both tables in README.md (a test fails when they are stale)."""
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    for name, table in readme_tables(runs, jobs).items():
        text = replace_table(text, table, name)
    path.write_text(text, encoding="utf-8")
    print(f"rewrote the channel and lens tables in {path}")


def reported(command: Callable[[], int]) -> int:
    """Run a table's command: its own exit status, or 2 for bad input (one line on stderr) and 130 when interrupted."""
    try:
        return command()
    except InputError as error:
        print(f"error: {printable(error, newlines=True)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def main(argv: list[str] | None = None) -> int:
    """Print the chosen table; the exit status: 0, 2 for bad input (one line on stderr), 130 when interrupted."""
    args = parser().parse_args(argv)

    def command() -> int:
        if args.readme:
            if args.lenses or args.seed != SEED:
                print("error: --readme writes both tables at the default seed; leave out --lenses and --seed", file=sys.stderr)
                return 2
            rewrite_readme(args.runs, args.jobs)
            return 0
        if args.lenses:
            result = lenses(args.runs, args.jobs, args.seed)
            text = lens_markdown(result)
        else:
            result = channels(what_ifs(seed=args.seed), args.runs, args.jobs)
            text = channel_markdown(result)
        sys.stdout.write(json.dumps(result, indent=2) + "\n" if args.json else text)
        return 0

    return reported(command)


if __name__ == "__main__":
    sys.exit(main())
