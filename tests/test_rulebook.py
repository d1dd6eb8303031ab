"""The shipped rule book: every rule cited to the sources, every footnote real, every value in range, every rule compiles."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from sim.book.inputs import load_yaml
from sim.book.rules import FRAGMENT, MAIN_TEXT, MAIN_TEXT_FOOTNOTES, Evidence, load_rulebook
from sim.book.scenario import default_scenario, load_scenario
from sim.book.vocabulary import NEVER, STATES
from sim.engine.world import compile_rules, state_layout

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(__file__).resolve().parents[2] / "shared" / "sources"
RULEBOOK = Path(str(resources.files("sim.book") / "rulebook"))
BOOK_FILES = [*STATES, "world"]


@pytest.fixture(scope="module")
def sources() -> Path:
    if not SOURCES.is_dir():
        pytest.skip(f"the shared sources folder {SOURCES} is absent; footnotes cannot be checked against the texts")
    return SOURCES


@cache
def raw(name: str) -> dict:
    """One rule book file as plain YAML data (not through the pydantic models, so their checks are not assumed)."""
    return load_yaml(RULEBOOK / f"{name}.yaml").data


def all_evidence() -> list[tuple[str, Evidence]]:
    """Every piece of evidence in the book, with what it supports: rules, parameters, events and lenses."""
    book = load_rulebook()
    found = [(rule.id, item) for rule in book.rules for item in rule.evidence]
    found += [(name, item) for name, parameter in book.parameters().items() for item in parameter.evidence]
    found += [(f"event.{name}", item) for name, event in book.world.events.items() for item in event.evidence]
    found += [(f"lens.{name}", item) for name, lens in getattr(book, "lenses", {}).items() for item in lens.evidence]
    return found


def note_markers(text: str) -> set[int]:
    """The numbers of the notes printed in the notes section (the "N. ..." lines after the line NOTES)."""
    lines = text.splitlines()
    headings = [index for index, line in enumerate(lines) if line.strip().upper() in ("NOTES", "NOTES:")]
    assert headings, "no NOTES heading in the main text"
    section = lines[headings[-1] + 1 :]
    return {int(match[1]) for line in section if (match := re.match(r"\s*(\d{1,3})\.\s", line))}


def normalise(text: str) -> str:
    """Compare quotations without typography: curly quotes, dashes, markdown emphasis, spacing, case."""
    text = unicodedata.normalize("NFKC", text)
    for curly, straight in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"), ("\u2014", "-"), ("*", "")):
        text = text.replace(curly, straight)
    return re.sub(r"\s+", " ", text).strip().lower()


# --------------------------------------------------------------------- evidence
def test_every_rule_cites_one_of_the_two_source_texts():
    book = load_rulebook()
    assert len(book.rules) > 20
    for rule in book.rules:
        assert rule.evidence, rule.id
        assert any(item.source in (MAIN_TEXT, FRAGMENT) for item in rule.evidence), f"{rule.id} cites only external sources"


def test_evidence_is_locatable():
    for subject, item in all_evidence():
        if item.source == MAIN_TEXT:
            assert item.footnote in MAIN_TEXT_FOOTNOTES, f"{subject}: footnote {item.footnote} is not one of 1..76"
        elif item.source == FRAGMENT:
            assert item.footnote is None, f"{subject}: the fragment has no footnotes"
            assert isinstance(item.date, date) and date(1938, 1, 1) <= item.date <= date(1940, 12, 31), f"{subject}: date {item.date}"
        else:
            assert item.source == "external" and item.reference, f"{subject}: external evidence needs a reference"
        assert item.quote or item.paraphrase, f"{subject}: evidence needs a quote or a paraphrase"


def test_raw_rule_files_cite_sources_with_footnotes_or_dates():
    """The same check on the YAML itself, so that a weakened model validator cannot hide a missing citation."""
    for name in STATES:
        for rule in raw(name)["rules"]:
            cited = [item for item in rule["evidence"] if item["source"] in (MAIN_TEXT, FRAGMENT)]
            assert cited, f"{rule['id']} cites neither source text"
            for item in cited:
                if item["source"] == MAIN_TEXT:
                    assert isinstance(item.get("footnote"), int) and 1 <= item["footnote"] <= 76, rule["id"]
                else:
                    assert item.get("date") is not None, rule["id"]


def test_the_footnote_range_matches_the_text(sources):
    markers = note_markers((sources / MAIN_TEXT).read_text(encoding="utf-8"))
    assert markers == set(MAIN_TEXT_FOOTNOTES) == set(range(1, 77))


def test_every_cited_footnote_is_a_note_in_the_main_text(sources):
    markers = note_markers((sources / MAIN_TEXT).read_text(encoding="utf-8"))
    cited = {(subject, item.footnote) for subject, item in all_evidence() if item.source == MAIN_TEXT}
    assert cited
    missing = sorted((footnote, subject) for subject, footnote in cited if footnote not in markers)
    assert not missing, f"footnotes cited but not printed in the notes: {missing}"


def test_the_source_files_cited_exist(sources):
    for name in (MAIN_TEXT, FRAGMENT):
        assert (sources / name).is_file(), name
    used = {item.source for _, item in all_evidence()}
    assert used <= {MAIN_TEXT, FRAGMENT, "external"}
    assert {MAIN_TEXT, FRAGMENT} <= used


def test_quotations_appear_in_their_source(sources):
    """A quote is "as printed": each part between ellipses occurs in the text it cites (typography aside)."""
    texts = {name: normalise((sources / name).read_text(encoding="utf-8")) for name in (MAIN_TEXT, FRAGMENT)}
    checked, wrong = 0, []
    for subject, item in all_evidence():
        if item.quote and item.source in texts:
            parts = [part.strip(" .") for part in re.split(r"\.\s?\.\s?\.|\u2026", normalise(item.quote))]
            for part in filter(None, parts):
                checked += 1
                if part not in texts[item.source]:
                    wrong.append((subject, item.footnote, part))
    assert checked > 10
    assert not wrong, f"quotations not found in their source: {wrong}"


# -------------------------------------------------------------------- parameters
def test_every_parameter_value_is_inside_its_range():
    """Checked on the YAML itself (not only through the model's validator) and on the loaded book."""
    book_parameters = load_rulebook().parameters()
    count = 0
    for name in BOOK_FILES:
        for key, parameter in (raw(name).get("parameters") or {}).items():
            low, high = parameter["range"]
            value = parameter["value"]
            assert isinstance(value, date) == isinstance(low, date) == isinstance(high, date), f"{name}.{key}"
            assert low <= high, f"{name}.{key}: empty range"
            assert low <= value <= high, f"{name}.{key} = {value} outside [{low}, {high}]"
            assert f"{name}.{key}" in book_parameters
            count += 1
    assert count > 20
    for name, parameter in book_parameters.items():  # including parameters the code adds, such as candour
        low, high = parameter.range
        assert low <= parameter.value <= high, f"{name} = {parameter.value} outside [{low}, {high}]"


def test_lens_values_are_known_parameters_inside_their_ranges():
    book = load_rulebook()
    if not getattr(book, "lenses", None):
        pytest.skip("this rule book has no lenses")
    parameters = book.parameters()
    assert default_scenario().lens in book.lenses
    for lens_name, lens in book.lenses.items():
        for key, value in lens.parameters.items():
            assert key in parameters, f"lens {lens_name} sets unknown parameter {key}"
            low, high = parameters[key].range
            assert low <= value <= high, f"lens {lens_name}: {key} = {value} outside [{low}, {high}]"


def test_probability_parameters_are_probabilities():
    for name, parameter in load_rulebook().parameters().items():
        if not isinstance(parameter.value, date) and parameter.range == (0.0, 1.0):
            assert 0 <= parameter.value <= 1, name


def test_date_parameters_lie_in_the_default_window():
    scenario = default_scenario()
    for name, parameter in load_rulebook().parameters().items():
        if isinstance(parameter.value, date):
            assert scenario.start <= parameter.value <= scenario.end, name


# ------------------------------------------------------------------------- rules
def test_rule_ids_are_unique_and_belong_to_their_file():
    ids = []
    for name in STATES:
        data = raw(name)
        assert data["actor"] == name
        for rule in data["rules"]:
            assert rule["id"].split(".", 1)[0] == name, rule["id"]
            ids.append(rule["id"])
    duplicated = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    assert not duplicated, f"duplicate rule ids: {duplicated}"
    assert sorted(ids) == sorted(rule.id for rule in load_rulebook().rules)


def lenses() -> list[str]:
    return list(getattr(load_rulebook(), "lenses", {})) or [None]


@pytest.mark.parametrize("lens", lenses())
def test_every_rule_compiles_against_the_default_scenario(lens):
    book, scenario = load_rulebook(), default_scenario()
    if lens is not None:
        scenario = dataclasses.replace(scenario, lens=lens)
    layout = state_layout(book, scenario)
    compiled = compile_rules(book, scenario, layout)
    assert [rule.id for rule in compiled] == [rule.id for rule in book.rules if rule.enabled]
    assert len({rule.stream for rule in compiled}) == len(compiled), "two rules share a random stream"
    lanes = 4
    env = {name: np.full(lanes, value, dtype=float) for name, value in layout.items()}
    env["today"] = 0.0
    for rule in compiled:
        assert rule.condition.names <= set(layout), rule.id
        assert rule.probability.names <= set(layout), rule.id
        for effect in rule.effects:
            assert effect.target in layout, rule.id
        # on the first day, every expression evaluates without error to something of the lanes' shape
        with np.errstate(all="raise"):
            condition = np.broadcast_to(rule.condition.evaluate(env), (lanes,))
            probability = np.broadcast_to(rule.probability.evaluate(env), (lanes,))
        assert condition.dtype == bool, f"{rule.id}: condition {rule.condition.text!r} is not true/false"
        assert np.all(np.isfinite(probability)), rule.id


def test_conditions_on_day_variables_respect_never():
    """Nothing has happened on day 0: every day variable in the default layout is NEVER unless a parameter sets it."""
    book, scenario = load_rulebook(), default_scenario()
    layout = state_layout(book, scenario)
    days = [name for name, value in layout.items() if name.endswith("_day") or name.startswith("fired.")]
    assert days
    assert all(layout[name] == NEVER for name in days)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda path: path.stem)
def test_every_rule_compiles_in_every_shipped_scenario(path):
    book = load_rulebook()
    scenario = load_scenario(path, book=book)
    layout = state_layout(book, scenario)
    compiled = compile_rules(book, scenario, layout)
    enabled = [rule.id for rule in book.rules if scenario.rules.get(rule.id) is None or scenario.rules[rule.id].enabled is not False]
    enabled = [rule_id for rule_id in enabled if next(rule for rule in book.rules if rule.id == rule_id).enabled]
    assert [rule.id for rule in compiled] == [*enabled, *(rule.id for rule in scenario.add_rules if rule.enabled)]
