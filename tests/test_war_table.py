"""The README's war table: every military result and the course of the wars, for the war what-ifs, fresh."""

from __future__ import annotations

import re

import numpy as np

from sim.book.paths import ROOT
from sim.book.vocabulary import MILITARY_RESULTS
from sim.experiments.runner import Tally
from sim.presentation import war_table
from sim.presentation.scenario_table import current_table, days_held_cell
from tests.test_channel_table import tables


def test_the_table_names_every_military_result_and_the_median_days_held():
    rows = war_table.tallies(runs=120, jobs=1)
    assert [name for name, _ in rows] == ["baseline", *war_table.WAR_SCENARIOS]
    first, second = tables(war_table.markdown(rows))
    assert first[0][1:] == [result.replace("_", " ") for result in MILITARY_RESULTS]
    assert [row[0] for row in first[1]] == [f"`{name}`" for name, _ in rows]
    benes = dict(zip(second[0], second[1][1], strict=True))
    held = benes["median days held once attacked (rollouts attacked)"]
    assert benes["scenario"] == "`benes_fights`" and re.fullmatch(r"\d+ \(\d+\)", held), held


def test_the_median_cell_says_when_there_was_no_attack_or_the_army_held_to_the_horizon():
    tally = Tally(days=10, runs=4)
    assert days_held_cell(tally) == "no attack"
    tally.held = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4])
    assert days_held_cell(tally) == "beyond the horizon (4)"
    tally.held = np.array([0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1])
    assert days_held_cell(tally) == "2 (4)"


def test_the_readme_table_is_fresh():
    """The README holds what the model gives now: regenerate with `python -m sim.presentation.war_table --readme`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    fresh = war_table.markdown(war_table.tallies())
    assert current_table(readme, war_table.MARKER) == fresh, "the README's war table is stale: run `python -m sim.presentation.war_table --readme`"
