"""Office-holders (``sim/book/rulebook/offices.yaml``): a rule that names who acts (``by:``) fires only in their term."""

from __future__ import annotations

import numpy as np
import pytest

from sim.book.rules import RuleBook, load_rulebook
from sim.book.vocabulary import NEVER
from sim.engine.model import CrisisModel
from sim.presentation.narrate import entries
from tests.helpers import run_cli, scenario

SCENARIOS = ["baseline", "benes_fights", "france_honours", "may_war", "romania_passage"]


def outside_term(model: CrisisModel) -> dict[str, int]:
    """For each rule naming its actor: how many rollouts have it fire outside the actor's term."""
    found = {}
    for rule in model.rules:
        term = model.book.term(rule.rule)
        if term is None:
            continue
        _, holder = term
        days = model.lane_values(f"fired.{rule.id}")
        fired = days < NEVER
        start = model.crisis_scenario.day_of(holder.start) if holder.start else -np.inf
        end = model.crisis_scenario.day_of(holder.end) if holder.end else np.inf
        found[rule.id] = int(np.count_nonzero(fired & ((days < start) | (days >= end))))
    return found


def test_every_rule_naming_its_actor_names_an_office_holder():
    book = load_rulebook()
    named = [rule for rule in book.rules if rule.by is not None]
    assert len(named) >= 20
    for rule in named:
        _, holder = book.term(rule)
        assert holder.name == rule.by and holder.evidence


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_rule_fires_outside_its_actors_term(name):
    model = CrisisModel(scenario(name), lanes=np.arange(1500))
    model.run()
    counts = outside_term(model)
    assert counts and all(count == 0 for count in counts.values()), {rule: count for rule, count in counts.items() if count}


def test_the_term_is_what_keeps_them_in_office(monkeypatch):
    """Without the office gate, Bonnet acts before he is minister and Paul-Boncour after he has left (the test can fail)."""
    monkeypatch.setattr(RuleBook, "in_office", lambda self, rule, window=None: rule.condition)
    model = CrisisModel(scenario("baseline"), lanes=np.arange(1500))
    model.run()
    counts = outside_term(model)
    assert counts["FR.paul_boncour_proposes_passage_talks"] > 0
    bonnet = [rule.id for rule in model.rules if rule.rule.by == "Bonnet"]
    assert sum(counts[rule] for rule in bonnet) > 0


def test_narration_names_the_office_holder():
    model = CrisisModel(scenario("baseline"), lanes=np.array([0], dtype=np.uint64), record=True)
    model.run()
    told = [item.text for item in entries(model) if item.rule == "FR.paul_boncour_proposes_passage_talks"]
    assert told and told[0].startswith("France (Paul-Boncour, French foreign minister): ")


@pytest.mark.parametrize(("rule", "prefix"), [
    ("GB.flies_to_hitler", "Britain (Chamberlain, British prime minister): "),
    ("SU.answers_payart", "the USSR (Litvinov, Soviet commissar for foreign affairs): "),
])
def test_narration_names_the_new_office_holders(rule, prefix):
    model = CrisisModel(scenario("baseline"), lanes=np.arange(4, dtype=np.uint64), record=True)
    model.run()
    told = [item.text for item in entries(model) if item.rule == rule]
    assert told and all(text.startswith(prefix) for text in told), told[:1]


def test_every_office_quotation_stands_in_the_passage_of_its_footnote():
    """A holder's evidence from Carley must be where its footnote says (the test can fail: a wrong note fails)."""
    from sim.book.rules import MAIN_TEXT
    from tests.test_citations import passages
    from tests.test_rulebook import normalise

    wrong = [(key, holder.name, item.footnote, item.quote) for key, office in load_rulebook().offices.items()
             for holder in office.holders for item in holder.evidence
             if item.source == MAIN_TEXT and item.quote and normalise(item.quote).strip(" .") not in passages()[item.footnote]]
    assert not wrong, wrong


def test_a_scenario_rule_naming_someone_out_of_office_is_refused(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\nquestion: q?\ndescription: d\nadd_rules:\n"
        "  - id: FR.gamelin_acts\n    by: Gamelin\n    summary: s\n    action: {kind: note}\n"
        "    evidence: [{source: 000_85e967bd7e3b6f2b.txt, footnote: 60, paraphrase: p}]\n",
        encoding="utf-8",
    )
    status, _, err = run_cli([path, "--runs", "10", "--jobs", "1"], capsys)
    assert status == 2
    assert "add_rules.0" in err and "by" in err and "'Gamelin' holds no office of FR" in err and "Bonnet" in err


def test_a_bad_office_table_is_refused():
    from sim.book.rules import Office

    with pytest.raises(ValueError, match="must end"):
        Office.model_validate({"title": "t", "holders": [
            {"name": "A", "start": "1938-03-13", "evidence": [{"source": "000_85e967bd7e3b6f2b.txt", "footnote": 4, "quote": "q"}]},
            {"name": "B", "start": "1938-04-10", "evidence": [{"source": "000_85e967bd7e3b6f2b.txt", "footnote": 11, "quote": "q"}]},
        ]})
