"""No control is inert by construction: every parameter a scenario or the class can move has a path to a result.

The graph (``sim/engine/dependencies.py``) is checked on a tiny book made here, where the answer is known, against
scenario edits, against the engine's own reads (the war sub-model's ``READS``, every ``world.*`` name the engine reads),
and then on the shipped book under every shipped scenario with the classroom's controls.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

import sim.engine
from sim.book.rules import MAIN_TEXT, ActorBook, Lens, Parameter, Rule, RuleBook, load_rulebook
from sim.book.rules import World as BookWorld
from sim.book.scenario import RuleEdit, default_scenario, load_scenario
from sim.book.vocabulary import FRONTS, STATES
from sim.engine import campaign
from sim.engine.dependencies import DEAD_END, NO_READER, inert, inert_parameters, influences, reaches_result
from sim.engine.world import compile_world
from sim.presentation.classroom import GAPS, PASSAGE, RESOLVE
from tests.helpers import SCENARIOS, run_cli

EVIDENCE = [{"source": MAIN_TEXT, "footnote": 13, "paraphrase": "a case made for a test"}]
ENGINE = Path(sim.engine.__file__).resolve().parent


def rule(rule_id: str, condition: str, action: dict, effects: tuple[str, ...] = ()) -> Rule:
    return Rule.model_validate({"id": rule_id, "summary": "a test rule", "condition": condition, "action": action,
                                "effects": list(effects), "evidence": EVIDENCE})


STRIKES = rule("DE.strikes", "DE.resolve > 0.5", {"kind": "attack", "target": "CZ"})  # writes crisis.first_shot_day, an outcome's
DOODLES = rule("DE.doodles", "DE.whim > 0.5", {"kind": "note"}, ("DE.scratch += 1",))  # writes DE.scratch, which nothing reads


def tiny_book(*rules: Rule) -> RuleBook:
    """A book of a few rules: Germany's parameters resolve, whim and unused, and its own variable scratch."""
    number = Parameter(value=0.5, range=(0.0, 1.0), description="a test parameter")
    own = {"resolve": number, "whim": number, "unused": number}
    actors = {code: ActorBook(actor=code, name=code, factions="none", parameters=own if code == "DE" else {},
                              variables={"scratch": 0.0} if code == "DE" else {}, rules=[r for r in rules if r.actor == code])
              for code in STATES}
    world = BookWorld(parameters={"default_belief": number, "default_trust": number}, events={})
    return RuleBook(actors=actors, world=world, lenses={"carley": Lens(description="the test's reading", evidence=EVIDENCE)})


def reasons(book: RuleBook, scenario=None) -> dict[str, str]:
    return {item.name: item.reason for item in inert(scenario, book)}


def test_a_parameter_read_only_where_nothing_used_is_written_is_inert():
    found = reasons(tiny_book(STRIKES, DOODLES))
    assert found["DE.whim"] == DEAD_END  # read by DE.doodles, which writes only DE.scratch and its own record
    assert found["DE.unused"] == NO_READER
    assert "DE.resolve" not in found  # read by DE.strikes, which fires the first shot


def test_a_reader_of_what_the_dead_end_writes_brings_it_to_life():
    """The same parameter becomes live once a rule that reaches a result reads what its rule writes: the test above can fail."""
    settles = rule("GB.settles", "DE.scratch > 0", {"kind": "settle"})
    found = reasons(tiny_book(STRIKES, DOODLES, settles))
    assert "DE.whim" not in found and "DE.resolve" not in found


def test_a_scenario_s_edits_are_respected():
    book = tiny_book(STRIKES, DOODLES)
    disabled = dataclasses.replace(default_scenario(), rules={"DE.strikes": RuleEdit(enabled=False)})
    assert reasons(book, disabled)["DE.resolve"] == NO_READER
    rewritten = dataclasses.replace(default_scenario(), rules={"DE.strikes": RuleEdit(condition="DE.whim > 0.5")})
    found = reasons(book, rewritten)
    assert "DE.whim" not in found and found["DE.resolve"] == NO_READER
    added = dataclasses.replace(default_scenario(), add_rules=(rule("CZ.yields", "DE.unused > 0", {"kind": "settle"}),))
    assert "DE.unused" not in reasons(book, added)


def test_a_statement_moves_each_hearer_s_belief_from_that_hearer_s_trust_and_the_speaker_s_candour():
    lie = rule("GB.reassures", "DE.whim > 0", {"kind": "statement", "to": ["FR", "CZ"], "about": "DE", "claim": 1, "sincere": False, "truth": 0})
    edges = influences(tiny_book(lie))
    for name in ("GB.candour", "FR.trust.GB", "FR.belief.DE"):
        assert "FR.belief.DE" in edges[name]
    assert "CZ.belief.DE" not in edges["FR.trust.GB"] and "CZ.belief.DE" in edges["CZ.trust.GB"]  # each hearer apart
    assert "fired.GB.reassures" not in edges["FR.trust.GB"]  # what it says does not decide whether it speaks
    assert {"FR.belief.DE", "CZ.belief.DE", "fired.GB.reassures"} <= edges["DE.whim"]  # whether it speaks does
    sincere = lie.model_copy(update={"action": lie.action.model_copy(update={"sincere": True, "truth": None})})
    assert "GB.candour" not in influences(tiny_book(sincere))


def test_reaching_follows_paths_backwards():
    edges = {"a": {"b"}, "b": {"crisis.first_shot_day"}, "c": {"d"}}
    assert reaches_result(edges) >= {"a", "b", "crisis.first_shot_day"}
    assert "c" not in reaches_result(edges) and "d" not in reaches_result(edges)


def state_names(source: str) -> set[str]:
    """Every name a module reads as ``state["..."]``, or as ``state[f"...{front}..."]`` for each of the campaign's fronts."""
    names = set(re.findall(r'state\["([^"]+)"\]', source))
    for pattern in re.findall(r'state\[f"([^"]*\{front\}[^"]*)"\]', source):
        names |= {pattern.replace("{front}", front) for front in FRONTS}
    return names


def test_the_war_sub_model_declares_what_it_reads():
    names = state_names((ENGINE / "campaign.py").read_text(encoding="utf-8"))
    assert names - set(campaign.READS) == set(), "campaign.py reads names its READS does not declare"
    assert set(campaign.READS) - names == set(), "campaign.READS names what campaign.py does not read"
    assert state_names('state["world.new_number"] * state["CZ.at_war"]') - set(campaign.READS) == {"world.new_number"}


def test_every_world_parameter_the_engine_reads_is_in_the_graph():
    """A ``world.*`` name read anywhere in the engine is read by something in the graph (perception, the war, closing)."""
    sources = [path.read_text(encoding="utf-8") for path in ENGINE.glob("*.py") if path.name != "dependencies.py"]
    read = {name for text in sources for name in re.findall(r'"(world\.[a-z_]+)"', text)}
    edges = influences()
    assert read and sorted(name for name in read if not edges.get(name)) == []


def test_a_compiled_world_gives_the_same_graph_as_its_book():
    book = load_rulebook()
    assert influences(compile_world(default_scenario(), book, np.arange(3))) == influences(book)


def controls() -> list[str]:
    return [*RESOLVE, *PASSAGE, *GAPS]


def test_no_parameter_of_the_book_is_inert():
    """In the book as it stands (the baseline), every parameter, every lens's and every classroom control has a path."""
    assert inert_parameters(SCENARIOS / "baseline.yaml", controls=controls()) == []


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda path: path.stem)
def test_no_control_is_inert_by_construction(path):
    """Under every scenario, the classroom's controls, the scenario's own parameters and its lens's have a path.

    A parameter may go quiet only because the scenario itself switched off or rewrote the rule that read it (the
    what-if: France without Bonnet's warnings has no use for their hazard); each such one is named and shown live
    in the baseline.
    """
    scenario = load_scenario(path)
    moved = {*controls(), *scenario.parameters, *load_rulebook().lenses[scenario.lens].parameters}
    found = {item.name: item for item in inert(path)}
    assert sorted(moved & set(found)) == []
    edited = {rule_id for rule_id in scenario.rules}
    for name, item in found.items():
        readers = [rule.id for rule in load_rulebook().rules if name in " ".join(map(str, (rule.condition, rule.probability, *rule.effects)))]
        assert readers and set(readers) <= edited, f"{name} is inert in {path.stem} but not because the scenario edits its readers"


def test_rules_inert_prints_the_report(capsys):
    status, out, _ = run_cli(["rules", "--inert", SCENARIOS / "no_berchtesgaden.yaml"], capsys)
    assert status == 0 and out.startswith("no_berchtesgaden:")
    for item in inert(SCENARIOS / "no_berchtesgaden.yaml"):
        assert f"    {item.name}" in out
    status, _, err = run_cli(["rules", "--inert", "no/such.yaml"], capsys)
    assert status == 2 and err.count("\n") == 1


def test_a_scenario_may_add_an_insincere_statement_for_a_state_without_candour(tmp_path):
    """Candour is a parameter only where the book has an insincere statement; a scenario's own runs with candour 0."""
    from sim.engine.model import CrisisModel

    assert "SU.candour" not in load_rulebook().parameters() and "FR.candour" in load_rulebook().parameters()
    (tmp_path / "baseline.yaml").write_bytes((SCENARIOS / "baseline.yaml").read_bytes())
    path = tmp_path / "bluff.yaml"
    path.write_text(
        "extends: baseline.yaml\nname: bluff\nquestion: What if Moscow bluffed?\ndescription: A test (fn 30).\n"
        "add_rules:\n  - id: SU.bluffs\n    summary: Moscow tells Berlin it will fight, not meaning it.\n"
        "    condition: \"crisis.demand >= 1\"\n    probability: 0.5\n"
        "    action: {kind: statement, to: [DE], about: SU, claim: 0.9, visibility: private, sincere: false, truth: 0.1}\n"
        "    evidence:\n      - {source: 000_85e967bd7e3b6f2b.txt, footnote: 30, paraphrase: \"A bluff to deter Berlin.\"}\n",
        encoding="utf-8",
    )
    bluff = load_scenario(path)
    model = CrisisModel(bluff, lanes=np.arange(50, dtype=np.uint64))
    model.run()
    assert (model.lane_values("fired.SU.bluffs") < 10**9).any()
    assert "SU.candour" in influences(load_rulebook(), bluff)  # the read is in the graph, with nothing to set it
