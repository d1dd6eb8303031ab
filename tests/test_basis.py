"""What a what-if's numbers rest on (sim/engine/basis.py): fitted to the record, or an assumption; and where that is shown."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from sim.book.rules import load_rulebook
from sim.engine.basis import Basis, Setting, basis, fitted, scenario_settings, typical_value
from sim.engine.posterior import Posterior, committed_posterior, lane_parameters
from sim.experiments.calibrate import load_priors
from sim.presentation.scenario_table import FOOTNOTE, setting_words, table, what_it_sets
from tests.helpers import scenario

BOOK = load_rulebook()


def test_the_fitted_parameters_are_those_the_runs_draw_and_the_priors_declare():
    drawn = committed_posterior()
    assert drawn is not None
    assert fitted() == frozenset(drawn.parameters) == frozenset(load_priors().parameters)


def test_a_fitted_parameter_and_an_assumption():
    assert basis("CZ.resolve") is Basis.FITTED  # in calibration/priors.yaml
    assert basis("DE.ready_date") is Basis.FITTED  # a date parameter, fitted too
    assert basis("SU.unilateral") is Basis.ASSUMPTION  # left to the lens on purpose (priors.yaml says why)
    assert basis("CZ.resist_invasion") is Basis.ASSUMPTION
    assert Basis.FITTED.value == "fitted to the record of 1938"
    assert Basis.ASSUMPTION.value == "a modelling assumption or a reading of the sources"
    with pytest.raises(KeyError, match="no parameter"):
        basis("CZ.no_such_thing")


def test_without_a_posterior_nothing_is_fitted():
    empty = Posterior(("GB.resolve",), np.zeros((1, 1)), np.ones(1))
    assert basis("GB.resolve", posterior=empty) is Basis.FITTED
    assert basis("CZ.resolve", posterior=empty) is Basis.ASSUMPTION  # only what the posterior samples is fitted


def test_a_lens_setting_is_a_reading_not_a_fit():
    settings = scenario_settings(scenario("soviet_unilateral"))  # lens: soviet_official, no parameters of its own
    assert settings == [Setting(name, value, Basis.ASSUMPTION) for name, value in BOOK.lenses["soviet_official"].parameters.items()]
    assert Setting("SU.unilateral", 0.3, Basis.ASSUMPTION) in settings
    assert scenario_settings(scenario("baseline")) == []  # Carley's lens is the book's own values


def test_a_scenario_setting_of_a_fitted_parameter_overrides_the_fit():
    settings = scenario_settings(scenario("benes_fights"))
    assert Setting("CZ.resolve", 1.0, Basis.OVERRIDE) in settings  # the fit is replaced...
    assert Setting("CZ.resist_invasion", 1.0, Basis.ASSUMPTION) in settings
    assert Basis.OVERRIDE.value == "set by the what-if, overriding the fit"
    chosen = scenario("benes_fights")
    drawn = lane_parameters(chosen, BOOK, np.arange(5, dtype=np.uint64))
    assert "CZ.resolve" not in drawn and "FR.daladier_weight" in drawn  # ...as the runner does: pinned, never drawn


def test_a_scenario_value_beats_its_lens_and_a_no_op_setting_is_left_out():
    as_in_book = BOOK.parameters()["SU.aid_short_of_war"].value
    chosen = dataclasses.replace(scenario("soviet_unilateral"), parameters={"SU.unilateral": 0.5, "SU.aid_short_of_war": as_in_book})
    settings = {setting.name: setting for setting in scenario_settings(chosen)}
    assert settings["SU.unilateral"].value == 0.5  # the scenario's own wins over the lens's 0.3
    assert "SU.aid_short_of_war" not in settings  # set back to the book's value: nothing changed
    pinned = dataclasses.replace(scenario("baseline"), parameters={"GB.resolve": BOOK.parameters()["GB.resolve"].value})
    assert scenario_settings(pinned) == [Setting("GB.resolve", 0.2, Basis.OVERRIDE)]  # the book's value still replaces the fit


def test_with_the_book_values_nothing_is_overridden():
    chosen = dataclasses.replace(scenario("benes_fights"), parameter_draws="book")
    assert {setting.basis for setting in scenario_settings(chosen)} == {Basis.ASSUMPTION}
    assert typical_value(chosen, "GB.resolve") == BOOK.parameters()["GB.resolve"].value


def test_the_typical_value_is_the_one_the_runs_use():
    baseline = scenario("baseline")
    drawn = committed_posterior()
    mean = float(drawn.mean[drawn.parameters.index("CZ.resolve")])
    assert typical_value(baseline, "CZ.resolve") == pytest.approx(mean)
    assert typical_value(baseline, "CZ.resolve") != BOOK.parameters()["CZ.resolve"].value  # not the book's starting value
    assert typical_value(scenario("benes_fights"), "CZ.resolve") == 1.0
    assert typical_value(baseline, "SU.unilateral") == BOOK.parameters()["SU.unilateral"].value
    assert str(typical_value(baseline, "DE.ready_date")).startswith("1938-")


def test_the_table_says_what_each_scenario_sets_and_on_what_basis():
    assert what_it_sets(scenario("benes_fights")) == "`CZ.resolve` 1ᶠ, `CZ.resist_invasion` 1ᵃ, rule changes"
    assert what_it_sets(scenario("soviet_unilateral")) == "`SU.unilateral` 0.3ᵃ, `SU.treaty_fidelity` 0.6ᵃ, `SU.aid_short_of_war` 0.3ᵃ"
    assert what_it_sets(scenario("britain_firm")) == "rule changes"
    assert what_it_sets(scenario("baseline")) == "nothing"
    assert setting_words(Setting("DE.ready_date", BOOK.parameters()["DE.ready_date"].value, Basis.OVERRIDE)) == "`DE.ready_date` 1938-10-01ᶠ"


def test_the_table_has_the_column_and_its_footnote():
    text = table(runs=40, jobs=1)
    lines = text.splitlines()
    heading = next(line for line in lines if line.startswith("| scenario"))
    assert heading.endswith("| what it sets |")
    rows = [line for line in lines if line.startswith("| `")]
    assert len(rows) >= 14 and all(row.count("|") == heading.count("|") for row in rows)  # no cell breaks the table
    benes = next(row for row in rows if row.startswith("| `benes_fights`"))
    assert benes.endswith("| `CZ.resolve` 1ᶠ, `CZ.resist_invasion` 1ᵃ, rule changes |")
    assert lines[-1] == FOOTNOTE and "ᵃ a modelling assumption or a reading of the sources" in FOOTNOTE
    assert re.search(r"ᶠ overrides a parameter fitted to the record", FOOTNOTE)


def test_each_slider_says_whether_its_number_is_fitted_or_assumed_in_plain_words():
    from sim.presentation.classroom import GAPS, PASSAGE, RESOLVE, Choice, scenario_of
    from sim.presentation.panels import ASSUMED, SET_HERE, YOURS, control_note
    from tests.test_ui import RAW_TEXT

    baseline, moved = scenario_of(Choice()), scenario_of(Choice().moved("CZ.resolve", 0.9))
    mean = typical_value(baseline, "CZ.resolve")
    assert control_note(baseline, "CZ.resolve", False, BOOK).startswith("Fitted to the record of 1938")
    assert f"{mean:.2f} on average" in control_note(baseline, "CZ.resolve", False, BOOK)
    assert control_note(moved, "CZ.resolve", True, BOOK) == YOURS
    assert control_note(scenario_of(Choice("benes_fights")), "CZ.resolve", False, BOOK) == SET_HERE
    assert control_note(baseline, "SU.treaty_fidelity", False, BOOK) == ASSUMED
    assert control_note(scenario_of(Choice(lens="soviet_official")), "SU.treaty_fidelity", False, BOOK) == ASSUMED
    notes = {name: control_note(baseline, name, False, BOOK) for name in {**RESOLVE, **PASSAGE, **GAPS}}
    assert {name for name, note in notes.items() if note != ASSUMED} == set(fitted()) & set(notes)
    assert not any(RAW_TEXT.search(note) or any(name in note for name in BOOK.parameters()) for note in notes.values())


def test_a_slider_thumb_sits_on_its_step_so_showing_a_value_never_moves_it():
    from sim.presentation.page_controls import on_step

    assert on_step(0.177, 0.0) == 0.2 and on_step(0.311, 0.0) == 0.3 and on_step(0.325, 0.0) == 0.35  # half up, as the browser
    assert on_step(1.0, 0.0) == 1.0 and on_step(0.85, 0.0) == 0.85
