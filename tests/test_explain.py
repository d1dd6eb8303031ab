"""Seeing and questioning the assumptions: narration, information gaps, lenses, the rule book document."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sim.book.rules import load_rulebook
from sim.book.vocabulary import OUTCOMES
from sim.cli import main
from sim.engine.model import CrisisModel
from sim.experiments.runner import run_chunk
from sim.presentation.explain import rulebook_markdown
from sim.presentation.narrate import narrate
from tests.helpers import ROOT, batch, event_share, scenario


def test_docs_rules_md_matches_the_rule_book():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rulebook_markdown(load_rulebook()), (
        "docs/rules.md is stale: run `python run.py rules --markdown > docs/rules.md`"
    )


@pytest.mark.parametrize("name", ["baseline", "benes_fights"])
def test_narrated_rollout_is_rollout_k_of_the_batch(name):
    chosen = scenario(name)
    _, rows = run_chunk(chosen, 0, 60, rows=True)
    for k in (0, 17, 59):
        text = narrate(chosen, k)
        assert f"Outcome: {rows[k]['outcome']} " in text
        if rows[k]["first_shot"]:
            assert f"First shot: {rows[k]['first_shot']}." in text
        else:
            assert "First shot" not in text


def test_baseline_narration_reads_as_a_cited_chronicle():
    text = narrate(scenario(), 3)
    assert "fn " in text and "000_85e967bd7e3b6f2b.txt" in text
    # the chronicle is in date order
    stamps = [line[:10] for line in text.splitlines() if line[:4] == "1938"]
    assert stamps == sorted(stamps) and len(stamps) > 20


def test_narrate_option_prints_the_chronicle(capsys):
    assert main(["scenarios/benes_fights.yaml", "--narrate", "5"]) == 0
    printed = capsys.readouterr().out
    assert "Rollout 5 of benes_fights" in printed and "Outcome:" in printed


def test_json_reports_how_often_each_rule_fired(capsys):
    import json

    assert main(["scenarios/baseline.yaml", "--runs", "200", "--json", "--jobs", "1"]) == 0
    rules = json.loads(capsys.readouterr().out)["rules"]
    assert set(rules) == {rule.id for rule in load_rulebook().rules if rule.enabled}
    assert rules["GB.flies_to_hitler"]["p"] > 0.5
    assert rules["SU.helps_without_france"]["n"] == 0


def state_on(name: str, sets: tuple[str, ...], day: date, runs: int = 600) -> dict[str, np.ndarray]:
    """The model's state in every lane on the evening before ``day``."""
    chosen = scenario(name, sets)
    model = CrisisModel(chosen, lanes=np.arange(runs))
    while model.day < chosen.day_of(day) and model.running:
        model.step()
    return model.state


# Each information gap of 1938 is closed by one line, and closing it moves the beliefs it should.
GAPS = [
    # Beneš tells Moscow of Bonnet's warnings: Moscow believes France less.
    ("parameters.CZ.informs_moscow=1", "SU.belief.FR", date(1938, 9, 25), "down"),
    # France tells every audience the truth: Moscow no longer hears "France would respect its commitments".
    ("parameters.FR.candour=1", "SU.belief.FR", date(1938, 9, 25), "down"),
    # ... and Germany no longer hears Daladier's warning as France's line.
    ("parameters.FR.candour=1", "DE.belief.FR", date(1938, 9, 1), "down"),
    # ... and Bonnet reports Litvinov's answer to Phipps as it was.
    ("parameters.FR.candour=1", "GB.belief.SU", date(1938, 9, 25), "up"),
    # Fierlinger reports Moscow's conditional line as it was: Paris no longer hears of Soviet unilateralism.
    ("parameters.CZ.fierlinger_misreports=0", "FR.belief.SU", date(1938, 10, 1), "down"),
]


@pytest.mark.parametrize(("change", "belief", "day", "direction"), GAPS)
def test_closing_an_information_gap_moves_beliefs(change, belief, day, direction):
    before = state_on("baseline", (), day)[belief].mean()
    after = state_on("baseline", (change,), day)[belief].mean()
    if direction == "down":
        assert after < before - 0.02, (before, after)
    else:
        assert after > before + 0.02, (before, after)


def test_lenses_move_soviet_fighting_in_the_direction_of_their_reading():
    carley = event_share(batch("benes_fights", ()), "su_fights")
    official = event_share(batch("benes_fights", ("lens=soviet_official",)), "su_fights")
    western = event_share(batch("benes_fights", ("lens=anglo_french_1938",)), "su_fights")
    assert official > carley + 0.1
    assert western < carley - 0.05


def test_soviet_unilateral_action_only_under_the_fragments_lens():
    carley = batch("benes_fights", ())
    official = batch("benes_fights", ("lens=soviet_official",))
    assert carley.fired["SU.helps_without_france"].sum() == 0
    assert official.fired["SU.helps_without_france"].sum() > 0
    assert set(np.unique(official.outcome)) <= set(range(len(OUTCOMES)))


def test_evidence_that_is_an_argument_says_so():
    """A rule resting on what someone argued (kind: argument), not on a record of the act, is labelled in words."""
    from sim.book.rules import load_rulebook
    from sim.presentation.explain import ARGUED, evidence_line, evidence_words, rulebook_markdown

    book = load_rulebook()
    argued = [(rule, item) for rule in book.rules for item in rule.evidence if item.kind == "argument"]
    assert {rule.id for rule, _ in argued} >= {"DE.climbs_down", "GB.stands_by_france", "SU.exposes_bonnet"}
    for _, item in argued:
        assert evidence_line(item).count(ARGUED) == 1 and ARGUED in evidence_words(item)
    recorded = next(item for rule in book.rules for item in rule.evidence if item.kind == "record")
    assert ARGUED not in evidence_line(recorded)
    assert rulebook_markdown(book).count(ARGUED) == len(argued)
