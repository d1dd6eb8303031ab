"""Bad input of every kind, through the command line: exit status 2, one clear message, no traceback, nothing written.

Each test calls ``sim.cli.main(argv)`` in this process and reads stderr with
capsys. A message must name the file (and the line where there is one), the key
path, and what is allowed. The last test fuzzes scenario data and checks that
loading either succeeds with a usable scenario or raises ``InputError``.
"""

from __future__ import annotations

import copy
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.book.inputs import InputError
from sim.book.rules import load_rulebook
from sim.book.scenario import load_scenario
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
BENES = ROOT / "scenarios" / "benes_fights.yaml"
HEAD = "name: bad\nquestion: What if the input were wrong?\n"  # lines 1-2; the mistake goes on line 3 or later
FAST = ["--runs", "1", "--jobs", "1"]  # only for mistakes found when the rules are compiled


def rejected(argv: list[str], capsys, *expected: str) -> str:
    """Assert a clean rejection (status 2, no traceback, nothing on stdout) whose message holds every expected fragment."""
    status, out, err = run_cli(argv, capsys)
    assert status == 2, f"status {status}; stderr: {err}"
    assert "Traceback" not in err
    assert err.strip(), "no message on stderr"
    assert out == "", f"something was printed on stdout: {out[:200]}"
    for fragment in expected:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    return err


def scenario_file(tmp_path: Path, body: str, name: str = "scenario.yaml", head: str = HEAD) -> Path:
    path = tmp_path / name
    path.write_text(head + body, encoding="utf-8")
    return path


# ------------------------------------------------------------- the file itself
def test_missing_file(tmp_path, capsys):
    path = tmp_path / "nowhere.yaml"
    rejected([path], capsys, str(path), "no such file", "scenario YAML file")


def test_directory_instead_of_file(tmp_path, capsys):
    rejected([tmp_path], capsys, str(tmp_path), "directory", "scenario file")


def test_yaml_syntax_error_gives_the_line(tmp_path, capsys):
    path = scenario_file(tmp_path, "description: fine\nrules:\n  a: b: c\n")
    rejected([path], capsys, f"{path}:5:", "YAML syntax error")


def test_unclosed_bracket_gives_a_line(tmp_path, capsys):
    path = scenario_file(tmp_path, "parameters: {CZ.resolve: 0.5\nrules: {}\n")
    err = rejected([path], capsys, str(path), "YAML syntax error")
    assert re.search(re.escape(str(path)) + r":\d+:", err)


def test_duplicate_key(tmp_path, capsys):
    path = scenario_file(tmp_path, "description: x\nname: again\n")
    rejected([path], capsys, f"{path}:4:", "duplicate key 'name'", "first at line 1", "may appear once")


def test_nested_duplicate_key(tmp_path, capsys):
    path = scenario_file(tmp_path, "parameters:\n  CZ.resolve: 0.5\n  CZ.resolve: 0.6\n")
    rejected([path], capsys, f"{path}:5:", "duplicate key 'CZ.resolve'", "first at line 4")


def test_scenario_that_is_a_list(tmp_path, capsys):
    path = tmp_path / "list.yaml"
    path.write_text("- name: bad\n- question: q\n", encoding="utf-8")
    rejected([path], capsys, f"{path}:1:", "must be a mapping", "name, question")


def test_empty_file(tmp_path, capsys):
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    rejected([path], capsys, str(path), "must be a mapping")


def test_not_utf8(tmp_path, capsys):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(HEAD.encode() + "description: Bene\u0161\n".encode("cp1250"))
    rejected([path], capsys, str(path), "cannot be read")


@pytest.mark.parametrize("missing", ["name", "question"])
def test_missing_required_key(tmp_path, capsys, missing):
    body = {"name": "name: bad\n", "question": "question: q?\n"}
    path = tmp_path / "missing.yaml"
    path.write_text("".join(text for key, text in body.items() if key != missing) + "description: d\n", encoding="utf-8")
    rejected([path], capsys, f"{path}:1: {missing}: ", "required key is missing")


def test_unknown_top_level_key(tmp_path, capsys):
    path = scenario_file(tmp_path, "description: d\ncolour: red\n")
    rejected([path], capsys, f"{path}:4: colour: ", "unknown key", "schema")


def test_unknown_key_inside_a_rule_edit(tmp_path, capsys):
    path = scenario_file(tmp_path, "rules:\n  CZ.accepts_munich:\n    enabeld: false\n")
    rejected([path], capsys, f"{path}:5: rules.CZ.accepts_munich.enabeld: ", "unknown key")


# ------------------------------------------------------------------ parameters
def test_unknown_parameter(tmp_path, capsys):
    path = scenario_file(tmp_path, "parameters:\n  CZ.resolv: 0.5\n")
    rejected([path], capsys, f"{path}:4: parameters.CZ.resolv: ", "unknown parameter 'CZ.resolv'", "python run.py rules")


def test_parameter_outside_its_range(tmp_path, capsys):
    path = scenario_file(tmp_path, "description: d\nparameters:\n  FR.daladier_weight: 0.5\n  CZ.resolve: 1.7\n")
    rejected([path], capsys, f"{path}:6: parameters.CZ.resolve: ", "1.7", "outside the allowed range [0.0, 1.0]")


def test_parameter_of_the_wrong_kind(tmp_path, capsys):
    path = scenario_file(tmp_path, "parameters:\n  CZ.resolve: 1938-05-01\n")
    rejected([path], capsys, f"{path}:4: parameters.CZ.resolve: ", "must be a number within [0.0, 1.0]")


def test_parameter_that_is_text(tmp_path, capsys):
    path = scenario_file(tmp_path, "parameters:\n  CZ.resolve: high\n")
    rejected([path], capsys, f"{path}:4: parameters.CZ.resolve", "number")


# ----------------------------------------------------------------------- rules
def test_probability_above_one_in_a_rule_edit(tmp_path, capsys):
    path = scenario_file(tmp_path, "rules:\n  CZ.accepts_munich: {probability: 1.7}\n")
    rejected([path], capsys, f"{path}:4: rules.CZ.accepts_munich", "probability must be within [0, 1], got 1.7")


def test_unknown_rule_id(tmp_path, capsys):
    path = scenario_file(tmp_path, "rules:\n  CZ.accepts_munch: {enabled: false}\n")
    rejected([path], capsys, f"{path}:4: rules.CZ.accepts_munch: ", "unknown rule 'CZ.accepts_munch'", "python run.py rules")


def test_condition_that_does_not_parse(tmp_path, capsys):
    path = scenario_file(tmp_path, 'rules:\n  CZ.accepts_munich: {condition: "CZ.resolve >= (0.5"}\n')
    rejected([path, *FAST], capsys, f"{path}:4: rules.CZ.accepts_munich: ", "condition", "expected ')'", "CZ.resolve >= (0.5")


def test_condition_with_a_stray_character(tmp_path, capsys):
    path = scenario_file(tmp_path, "rules:\n  CZ.accepts_munich: {condition: \"CZ.resolve > 0.5; __import__('os')\"}\n")
    rejected([path, *FAST], capsys, f"{path}:4: rules.CZ.accepts_munich: ", "condition", "unexpected character ';'")


def test_condition_with_an_unknown_variable(tmp_path, capsys):
    path = scenario_file(tmp_path, 'rules:\n  CZ.accepts_munich: {condition: "CZ.resolv >= 0.5"}\n')
    rejected([path, *FAST], capsys, f"{path}:4: rules.CZ.accepts_munich: ", "unknown name 'CZ.resolv'", "did you mean", "CZ.resolve")


def test_probability_expression_with_an_unknown_function(tmp_path, capsys):
    path = scenario_file(tmp_path, 'rules:\n  CZ.accepts_munich: {probability: "sqrt(CZ.resolve)"}\n')
    rejected([path, *FAST], capsys, f"{path}:4: rules.CZ.accepts_munich: ", "probability", "unknown function 'sqrt'", "allowed: clip, happened, max, min")


def test_added_rule_that_already_exists(tmp_path, capsys):
    rule = (
        "add_rules:\n"
        "  - id: CZ.accepts_munich\n"
        "    summary: again\n"
        "    action: {kind: note}\n"
        "    evidence: [{source: 000_85e967bd7e3b6f2b.txt, footnote: 66, paraphrase: p}]\n"
    )
    path = scenario_file(tmp_path, rule)
    rejected([path], capsys, f"{path}:4: add_rules.0: ", "already exists", "rules:")


def test_added_rule_with_a_footnote_that_does_not_exist(tmp_path, capsys):
    rule = (
        "add_rules:\n"
        "  - id: CZ.new_rule\n"
        "    summary: new\n"
        "    action: {kind: note}\n"
        "    evidence: [{source: 000_85e967bd7e3b6f2b.txt, footnote: 99, paraphrase: p}]\n"
    )
    path = scenario_file(tmp_path, rule)
    rejected([path], capsys, str(path), "add_rules.0.evidence.0", "footnote 99 does not exist", "1-76")


# ---------------------------------------------------------------------- events
def test_unknown_event(tmp_path, capsys):
    path = scenario_file(tmp_path, "events:\n  lake_kasan: {enabled: false}\n")
    rejected([path], capsys, f"{path}:4: events.lake_kasan: ", "unknown event 'lake_kasan' (did you mean lake_khasan?)", "allowed: ", "league_assembly")


def test_event_date_outside_the_window(tmp_path, capsys):
    path = scenario_file(tmp_path, "events:\n  lake_khasan: {date: 1939-07-29}\n")
    rejected([path], capsys, f"{path}:4: events.lake_khasan: ", "1939-07-29", "outside the simulated window 1938-03-12 to 1939-03-31")


def test_event_end_before_its_date(tmp_path, capsys):
    path = scenario_file(tmp_path, "events:\n  lake_khasan: {end: 1938-07-01}\n")
    rejected([path], capsys, f"{path}:4: events.lake_khasan: ", "comes before date 1938-07-29")


# ----------------------------------------------------------------------- lens
def test_unknown_lens(tmp_path, capsys):
    path = scenario_file(tmp_path, "description: d\nlens: nonsense\n")
    rejected([path], capsys, f"{path}:4: lens: ", "unknown lens 'nonsense'", "allowed: carley")


# ---------------------------------------------------------------------- window
def test_end_before_start(tmp_path, capsys):
    path = scenario_file(tmp_path, "start: 1938-09-01\nend: 1938-08-01\n")
    rejected([path], capsys, f"{path}:4: end: ", "must come after start 1938-09-01")


def test_window_too_long(tmp_path, capsys):
    path = scenario_file(tmp_path, "end: 1940-01-01\n")
    rejected([path], capsys, f"{path}:3: end: ", "at most 400")


@pytest.mark.parametrize("day", ["1938-02-30", "1938-13-01"])
def test_impossible_calendar_date(tmp_path, capsys, day):
    path = scenario_file(tmp_path, f"start: {day}\n")
    rejected([path], capsys, f"{path}:3:", day)


def test_window_that_cuts_a_book_event_short(tmp_path, capsys):
    path = scenario_file(tmp_path, "end: 1938-09-15\n")
    status, _, err = run_cli([path, *FAST], capsys)
    # either it runs (the event is clipped to the window) or it is refused with a clear message
    assert status in (0, 2) and "Traceback" not in err
    if status == 2:
        assert str(path) in err and "end" in err


@pytest.mark.parametrize("key", ["start", "end"])
def test_null_window_date(tmp_path, capsys, key):
    path = scenario_file(tmp_path, f"{key}: null\n")
    status, _, err = run_cli([path, *FAST], capsys)
    assert status in (0, 2) and "Traceback" not in err  # null means "the default" or is refused; never a crash


@pytest.mark.parametrize("key", ["runs", "seed"])
def test_null_runs_or_seed(tmp_path, key):
    path = scenario_file(tmp_path, f"{key}: null\n")
    try:
        scenario = load_scenario(path)
    except InputError:
        return  # refused: fine
    assert isinstance(getattr(scenario, key), int)  # or null means "the default"


# --------------------------------------------------------------------- extends
def test_extends_a_missing_file(tmp_path, capsys):
    path = scenario_file(tmp_path, "extends: nothere.yaml\n")
    rejected([path], capsys, f"{path}:3: extends: ", "'nothere.yaml'", "not a file next to this one")


def test_extends_cycle(tmp_path, capsys):
    first = scenario_file(tmp_path, "extends: second.yaml\n", "first.yaml")
    second = scenario_file(tmp_path, "extends: first.yaml\n", "second.yaml")
    err = rejected([first], capsys, str(first), "extends", "cycle")
    assert str(second.resolve()) in err or "second.yaml" in err


def test_extends_itself(tmp_path, capsys):
    path = scenario_file(tmp_path, "extends: self.yaml\n", "self.yaml")
    rejected([path], capsys, str(path), "cycle")


def test_error_in_the_parent_names_the_parent(tmp_path, capsys):
    parent = scenario_file(tmp_path, "parameters:\n  CZ.resolve: 1.7\n", "parent.yaml")
    child = scenario_file(tmp_path, "extends: parent.yaml\n", "child.yaml")
    rejected([child], capsys, f"{parent.name}:4: parameters.CZ.resolve: ", "outside the allowed range")


def test_extends_null(tmp_path, capsys):
    path = scenario_file(tmp_path, "extends: null\n")
    status, _, err = run_cli([path, *FAST], capsys)
    assert status in (0, 2) and "Traceback" not in err


@pytest.mark.parametrize("target", ['"a\\0b.yaml"', "x" * 300 + ".yaml"])
def test_extends_an_impossible_path(tmp_path, capsys, target):
    path = scenario_file(tmp_path, f"extends: {target}\n")
    rejected([path], capsys, f"{path}:3: extends: ")


# ------------------------------------------------------------------------ --set
def test_set_without_equals(capsys):
    rejected([BASELINE, "--set", "runs"], capsys, "--set", "KEY=VALUE", "'runs'")


def test_set_with_a_bad_key_shape(capsys):
    rejected([BASELINE, "--set", "rules.CZ=1"], capsys, "--set", "rules.CZ", "rules.ACTOR.RULE.FIELD=VALUE")


def test_set_event_without_field(capsys):
    rejected([BASELINE, "--set", "events.lake_khasan=1"], capsys, "--set", "events.lake_khasan", "events.NAME.FIELD=VALUE")


@pytest.mark.parametrize("assignment", ["parameters=5", "parameters.=5"])
def test_set_parameters_without_a_name(capsys, assignment):
    rejected([BASELINE, "--set", assignment], capsys, "--set", "parameters")


def test_set_unknown_key(capsys):
    rejected([BASELINE, "--set", "colour=red"], capsys, "--set", "colour", "allowed:", "parameters.*", "rules.*", "events.*")


def test_set_extends_is_refused(capsys):
    rejected([BASELINE, "--set", "extends=other.yaml"], capsys, "--set", "extends", "allowed:")


def test_set_unknown_parameter(capsys):
    rejected([BASELINE, "--set", "parameters.CZ.resolv=0.5"], capsys, "--set: parameters.CZ.resolv: ", "unknown parameter")


def test_set_unknown_rule(capsys):
    rejected([BASELINE, "--set", "rules.CZ.accepts_munch.enabled=false"], capsys, "--set: rules.CZ.accepts_munch: ", "unknown rule")


def test_set_value_out_of_range(capsys):
    rejected([BASELINE, "--set", "parameters.CZ.resolve=1.7"], capsys, "--set: parameters.CZ.resolve: ", "outside the allowed range [0.0, 1.0]")


def test_set_bad_value_for_a_number(capsys):
    rejected([BASELINE, "--set", "runs=abc"], capsys, "--set: runs: ", "integer")


def test_set_bad_value_for_a_rule_field(capsys):
    rejected([BASELINE, "--set", "rules.CZ.accepts_munich.probability=1.7"], capsys, "--set: rules.CZ.accepts_munich", "within [0, 1]")


def test_set_bad_boolean(capsys):
    rejected([BASELINE, "--set", "rules.CZ.accepts_munich.enabled=maybe"], capsys, "--set: rules.CZ.accepts_munich.enabled: ", "boolean")


def test_set_text_for_a_parameter(capsys):
    rejected([BASELINE, "--set", "parameters.CZ.resolve=abc"], capsys, "--set: parameters.CZ.resolve: ", "number")


# -------------------------------------------------------------------- options
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--runs", "0"], ("--runs", "at least 1")),
        (["--runs", "abc"], ("--runs", "whole number", "'abc'")),
        (["--runs", "-5"], ("--runs", "at least 1")),
        (["--jobs", "0"], ("--jobs", "at least 1")),
        (["--jobs", "many"], ("--jobs", "whole number")),
        (["--seed", "-1"], ("--seed", "within [0, 2**63)")),
        (["--seed", "x"], ("--seed", "whole number")),
        (["--narrate", "first"], ("--narrate", "whole number")),
        (["--frobnicate"], ("unrecognized arguments", "--frobnicate")),
    ],
)
def test_bad_option_values(capsys, options, expected):
    rejected([BASELINE, *options], capsys, *expected)


def test_no_arguments(capsys):
    rejected([], capsys, "give a scenario file", "rules", "list", "schema")


def test_unknown_subcommand_word(capsys):
    rejected(["frobnicate"], capsys, "'frobnicate'", "neither a scenario file nor a subcommand", "rules, list, schema")


def test_bad_subcommand_argument(capsys):
    rejected(["rules", "XX"], capsys, "invalid choice", "'XX'", "CZ")


def test_list_of_a_missing_folder(tmp_path, capsys):
    folder = tmp_path / "none"
    rejected(["list", folder], capsys, str(folder), "not a folder")


# ---------------------------------------------------------------------- --out
def test_out_pointing_at_an_existing_file(tmp_path, capsys):
    target = tmp_path / "results.txt"
    target.write_text("keep me\n", encoding="utf-8")
    before = sorted(tmp_path.iterdir())
    rejected([BASELINE, *FAST, "--out", target], capsys, str(target), "not a folder", "--out")
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert sorted(tmp_path.iterdir()) == before  # no output folder, no staging folder, no partial file


def test_out_in_a_missing_parent(tmp_path, capsys):
    target = tmp_path / "no" / "such" / "folder"
    rejected([BASELINE, *FAST, "--out", target], capsys, "--out", "does not exist")
    assert list(tmp_path.iterdir()) == []


def test_bad_rule_with_out_leaves_nothing_behind(tmp_path, capsys):
    scenarios = tmp_path / "in"
    scenarios.mkdir()
    path = scenario_file(scenarios, 'rules:\n  CZ.accepts_munich: {condition: "CZ.resolv >= 0.5"}\n')
    out = tmp_path / "out"
    rejected([path, *FAST, "--out", out], capsys, f"{path}:4:", "unknown name")
    assert not out.exists()
    assert sorted(item.name for item in tmp_path.iterdir()) == ["in"]  # the staging folder was removed too


# ------------------------------------------------- loading: unhashable YAML keys
def test_unhashable_key(tmp_path, capsys):
    path = scenario_file(tmp_path, "? [a, b]\n: 1\n")
    rejected([path], capsys, f"{path}:3:")


# --------------------------------------------------------------- fuzzed scenarios
def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _at(data, path):
    for part in path:
        data = data[part]
    return data


SCENARIO_WORDS = ["colour", "extends", "CZ.resolve", "FR.daladier_weight", "enabled", "probability", "condition", "date", "end",
                  "lake_khasan", "start", "runs", "seed", "add_rules", "events", "rules", "parameters", "CZ.accepts_munich"]
garbage = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(),
    st.sampled_from([1.7, -0.1, 2, 1e300, 0, 1, "1938-13-45", "", "baseline.yaml", "benes_fights.yaml", "true", "~", "{}", "[1",
                     "CZ.resolve >= (0.5", "x" * 300, "1938-09-29", "not", "../..", "/", "mutant.yaml"]),
    st.lists(st.integers(0, 3) | st.text(max_size=5) | st.none(), max_size=3),
    st.dictionaries(st.text(max_size=8) | st.sampled_from(SCENARIO_WORDS), st.integers(0, 3) | st.text(max_size=5) | st.none() | st.booleans(),
                    max_size=3),
)


@st.composite
def mutated_scenarios(draw):
    """benes_fights.yaml's data with one to three random changes: set, delete, add or rename a key."""
    data = copy.deepcopy(yaml.safe_load(BENES.read_text(encoding="utf-8")))
    for _ in range(draw(st.integers(1, 3))):
        existing = [path for path in _paths(data) if path]
        kind = draw(st.sampled_from(["set", "delete", "add", "rename"])) if existing else "add"
        if kind == "add":
            holders = [path for path in _paths(data) if isinstance(_at(data, path), dict)]
            if holders:
                holder = _at(data, draw(st.sampled_from(holders)))
                holder[draw(st.text(max_size=12) | st.sampled_from(SCENARIO_WORDS))] = draw(garbage)
            continue
        path = draw(st.sampled_from(existing))
        parent = _at(data, path[:-1])
        if kind == "set":
            parent[path[-1]] = draw(garbage)
        elif kind == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12) | st.sampled_from(SCENARIO_WORDS))] = parent.pop(path[-1])
    return data


def test_fuzzed_bad_scenarios_load_or_raise_input_error(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copy(BASELINE, folder / "baseline.yaml")
    book = load_rulebook()
    known_parameters = book.parameters()
    outcomes = {"loaded": 0, "refused": 0}

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(data=mutated_scenarios())
    def load(data):
        path = folder / "mutant.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        try:
            scenario = load_scenario(path, book=book)
        except InputError as error:
            outcomes["refused"] += 1
            assert str(error).strip()
            return
        outcomes["loaded"] += 1
        # what loads must be usable: every value of the right type and inside its bounds
        assert isinstance(scenario.name, str) and isinstance(scenario.question, str)
        assert isinstance(scenario.start, date) and isinstance(scenario.end, date) and scenario.start < scenario.end
        assert isinstance(scenario.runs, int) and scenario.runs >= 1
        assert isinstance(scenario.seed, int) and 0 <= scenario.seed < 2**63
        for name, value in scenario.parameters.items():
            low, high = known_parameters[name].range
            assert low <= value <= high, name

    load()
    assert outcomes["refused"] > 0  # the mutations do produce bad input


YAML_FILES = sorted([*ROOT.glob("sim/book/rulebook/*.yaml"), *ROOT.glob("scenarios/*.yaml"), *ROOT.glob("sweeps/*.yaml")])


@pytest.mark.parametrize("file", YAML_FILES, ids=lambda path: path.name)
def test_the_fast_yaml_reader_gives_the_reference_data_and_lines(file: Path):
    """load_yaml reads with libyaml where it can: the same data and the same line for every key as PyYAML's pure-Python parser."""
    from sim.book.inputs import _record_lines, load_yaml

    text = file.read_text(encoding="utf-8")
    lines = _record_lines(yaml.compose(text, Loader=yaml.SafeLoader))
    document = load_yaml(file)
    assert document.data == yaml.load(text, Loader=yaml.SafeLoader)
    assert document.lines == lines
