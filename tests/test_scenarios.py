"""The scenario library: readable files with only their changes, paired comparison, the README table, the schema."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from sim.book.inputs import InputError
from sim.book.scenario import ScenarioFile, load_scenario
from sim.cli import main
from sim.experiments.claims import measured
from sim.experiments.runner import compare
from sim.presentation.scenario_table import current_table, table
from tests.helpers import ROOT, SCENARIOS, batch, scenario

FILES = sorted(SCENARIOS.glob("*.yaml"))
CHANGES = ("parameters", "rules", "events", "add_rules", "lens")


def test_comparing_a_scenario_with_itself_gives_exactly_zero():
    chosen = scenario("benes_fights")
    _, paired = compare([chosen, chosen], runs=400, jobs=1, chunk=150)
    for name in paired[1].sums:
        assert paired[1].difference(name) == {"d": 0.0, "lo": 0.0, "hi": 0.0}


def test_compare_uses_common_random_numbers_so_a_rule_switched_off_only_moves_what_it_touches():
    base = scenario("baseline")
    without_teschen = scenario("baseline", ("rules.PL.teschen_ultimatum.enabled=false",))
    _, paired = compare([base, without_teschen], runs=600, jobs=1)
    # Poland's ultimatum comes after the settlement, so nothing before it can change: the outcomes are identical.
    for name in ("settlement", "local_war", "general_war"):
        assert paired[1].difference(name)["d"] == 0.0
    assert paired[1].difference("pl_takes_teschen")["d"] < -0.3


def test_compare_command_prints_and_writes(capsys, tmp_path):
    assert main(["compare", "scenarios/baseline.yaml", "scenarios/benes_fights.yaml", "--runs", "200", "--jobs", "1",
                 "--json", "--out", str(tmp_path / "cmp")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [entry["scenario"] for entry in result["scenarios"]] == ["baseline", "benes_fights"]
    assert result["scenarios"][0]["outcomes"]["settlement"]["d"] == 0.0
    assert result["scenarios"][1]["events"]["cz_fights"]["d"] > 0.3  # Beneš fights whenever Germany attacks; how often it does is calibrated
    assert (tmp_path / "cmp" / "compare.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((tmp_path / "cmp" / "compare.json").read_text()) == result


def test_list_shows_every_scenario_with_its_question(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(FILES)
    for path, line in zip(FILES, lines, strict=True):
        assert line.startswith(f"scenarios/{path.name}") and "invalid" not in line and "?" in line


@pytest.mark.parametrize("path", [path for path in FILES if path.stem != "baseline"], ids=lambda path: path.stem)
def test_scenario_files_hold_only_commented_changes(path):
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["name"] == path.stem
    assert data.get("extends") == "baseline.yaml"
    assert data["question"].strip() and re.search(r"\bfn \d+", data["description"]), "the description names its footnotes"
    assert set(data) <= {"name", "question", "channel", "description", "extends", "claims", *CHANGES}, "no copies of anything but changes"
    assert any(key in data for key in CHANGES), "a scenario changes something"
    # every changed parameter, rule or event is commented on its own line
    for section in ("parameters", "rules", "events"):
        for key in data.get(section, {}):
            line = next(line for line in text.splitlines() if line.strip().startswith(f"{key}:"))
            assert "#" in line, f"{section}.{key} has no comment"


def test_readme_table_is_fresh():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert current_table(readme) == table(), "the README's scenario table is stale: run `python -m sim.presentation.scenario_table`"


def test_schema_file_is_fresh():
    committed = json.loads((ROOT / "docs" / "scenario.schema.json").read_text(encoding="utf-8"))
    assert committed["properties"] == ScenarioFile.model_json_schema()["properties"], (
        "docs/scenario.schema.json is stale: run `python run.py schema --out docs/scenario.schema.json`"
    )


# What each scenario's question implies, as (measure, sign of the change from the baseline).
# Where the model disagrees with intuition (romania_passage leaves Soviet aid as it was; poland_attacks leaves
# the outcomes as they were), the expectation here is the model's, and the scenario's description says why.
DIRECTIONS = {
    "benes_fights": [("cz_fights", +1), ("settlement", -1)],
    "france_honours": [("fr_fights", +1), ("general_war", +1)],
    "britain_firm": [("german_climbdown", +1), ("settlement", -1)],
    "staff_talks": [("su_aid_short_of_war", +1)],
    "staff_talks_may": [("su_fights", +1), ("su_aid_reaches_cz", +1)],
    "romania_passage": [("ro_grants_passage", +1)],
    "poland_attacks": [("pl_fights", +1), ("pl_takes_teschen", +1)],
    "poland_neutral": [("pl_takes_teschen", -1), ("pl_fights", -1)],
    "soviet_unilateral": [("su_fights", +1), ("general_war", +1)],
    "benes_informs_moscow": [("settlement", -1)],
    "no_berchtesgaden": [("settlement", -1), ("four_power_conference", -1)],
    "grand_alliance": [("german_climbdown", +1), ("settlement", -1)],
    "may_war": [("cz_fights", +1), ("settlement", -1)],
}


@pytest.fixture(scope="module")
def library():
    chosen = [scenario("baseline"), *(scenario(name) for name in DIRECTIONS)]
    _, paired = compare(chosen, runs=1500, jobs=1)
    return {item.name: pairs for item, pairs in zip(chosen, paired, strict=True)}


def test_every_scenario_in_the_library_is_checked():
    assert {path.stem for path in FILES} == {"baseline", *DIRECTIONS}


@pytest.mark.parametrize("name", sorted(DIRECTIONS))
def test_scenario_moves_the_way_its_question_implies(library, name):
    for measure, sign in DIRECTIONS[name]:
        difference = library[name].difference(measure)
        # the whole 95% interval of the paired difference lies on the expected side of zero
        assert (difference["lo"] > 0) if sign > 0 else (difference["hi"] < 0), (measure, difference)


# ----------------------------------------------------------------------------- what descriptions claim
CLAIMED = sorted(path.stem for path in SCENARIOS.glob("*.yaml") if scenario(path.stem).claims)


def test_descriptions_that_state_quantities_carry_claims():
    """The scenarios whose descriptions give shares (two in three, half, one in eight...) say so with claims."""
    assert {"britain_firm", "grand_alliance", "may_war", "no_berchtesgaden", "benes_informs_moscow"} <= set(CLAIMED)


@pytest.mark.parametrize("name", CLAIMED)
def test_each_claim_of_a_description_holds_in_a_run(name):
    """Every quantity a description states falls in its stated range in 2,000 rollouts (seed 1938)."""
    loaded = scenario(name)
    result = batch(name)
    for claim in loaded.claims:
        value = measured(claim, result, loaded)
        assert claim.between[0] <= value <= claim.between[1], f"{name}: {claim.says!r} measures {value:.3f}, outside {list(claim.between)}"


def test_a_stale_claim_fails(tmp_path):
    """A description that says two thirds where the run gives one in eight is refused by the check above."""
    loaded = scenario("britain_firm")
    stale = loaded.claims[2].model_copy(update={"between": (0.6, 0.75)})
    value = measured(stale, batch("britain_firm"), loaded)
    assert not stale.between[0] <= value <= stale.between[1]


def test_a_claim_must_quote_its_description(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text("name: c\nquestion: q?\ndescription: Munich in half the rollouts.\n"
                    "claims:\n  - {says: two thirds, share: [settlement], between: [0.6, 0.7]}\n", encoding="utf-8")
    with pytest.raises(InputError, match="not in this file's description"):
        load_scenario(path)


@pytest.mark.parametrize(("counts", "words"), [("[settlment]", "none of: settlement"), ('["fired:CZ.no_such_rule"]', "is no rule"),
                                                ('["first_shot_before:1938-13-01"]', "none of:")])
def test_a_claim_counts_only_what_a_run_has(tmp_path, counts, words):
    path = tmp_path / "claims.yaml"
    path.write_text("name: c\nquestion: q?\ndescription: Munich in half the rollouts.\n"
                    f"claims:\n  - {{says: half, share: {counts}, between: [0.4, 0.6]}}\n", encoding="utf-8")
    with pytest.raises(InputError, match=words):
        load_scenario(path)
