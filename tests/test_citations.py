"""Citation repair: the rules a review found wrong or stretched cite the passage that documents them.

For each named rule (and the `soviet_official` lens) at least one quotation from the main text must
stand in the passage of its footnote: between the note before it and the note after it (the passage
the note closes, or Carley's own sentences that follow it, "after note N"). A quotation that exists
somewhere else in the text, or under the wrong note, fails. Evidence that is an argument (a
counterfactual, an actor's assessment) must be marked so, and every double-quoted phrase in these
rules' descriptions must occur in the texts, so a description cannot put words in a source's mouth.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from sim.book.rules import FRAGMENT, MAIN_TEXT, load_rulebook
from tests.test_rulebook import SOURCES, normalise

SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")

# rule id (or lens.NAME) -> the (footnote, first words of the quote) of each piece of evidence that must be an argument
NAMED: dict[str, set[tuple[int, str]]] = {
    "FR.disclaims_polish_obligation": set(),
    "SU.exposes_bonnet": {(47, "an aggressive approach"), (47, "this beneš could not do")},
    "RO.tolerates_soviet_aircraft": set(),
    "CZ.rejects_godesberg": {(57, "a messenger for a murderer")},
    "GB.stands_by_france": {(30, "could not leave france"), (30, "or it was a bluff"), (3, "britain would be obliged")},
    "DE.stands_down_in_fury": set(),
    "DE.climbs_down": {(29, "show the bayonet"), (29, "but what if"), (10, "would immediately compel")},
    "CZ.concedes_autonomy": set(),
    "FR.asks_romania_about_passage": set(),
    "lens.soviet_official": set(),
}


@cache
def texts() -> dict[str, str]:
    if not SOURCES.is_dir():
        pytest.skip(f"the shared sources folder {SOURCES} is absent; passages cannot be checked against the texts")
    return {name: (SOURCES / name).read_text(encoding="utf-8") for name in (MAIN_TEXT, FRAGMENT)}


@cache
def passages() -> dict[int, str]:
    """Footnote N -> the body text from note N-1 to note N+1 (normalised), located by the superscript markers."""
    text = texts()[MAIN_TEXT]
    body = text[: text.rindex("\nNOTES")]
    marks = {int(m.group().translate(SUPERSCRIPT)): m.start() for m in re.finditer("[⁰¹²³⁴⁵⁶⁷⁸⁹]+", body)}
    assert sorted(marks) == list(range(1, 77)), "the body's note markers are not 1..76 in order"
    bounds = {0: 0, **marks, 77: len(body)}
    return {n: normalise(body[bounds[n - 1] : bounds[n + 1]]) for n in range(1, 77)}


def subjects() -> dict[str, tuple[str | None, list]]:
    """The named rules and lens: their description and their evidence."""
    book = load_rulebook()
    found = {rule.id: (rule.description, rule.evidence) for rule in book.rules}
    found |= {f"lens.{name}": (lens.description, lens.evidence) for name, lens in book.lenses.items()}
    return {name: found[name] for name in NAMED}


def in_its_passage(item) -> bool:
    return item.source == MAIN_TEXT and bool(item.quote) and normalise(item.quote).strip(" .") in passages()[item.footnote]


@pytest.mark.parametrize("name", sorted(NAMED))
def test_a_quotation_stands_in_the_passage_of_its_footnote(name):
    _, evidence = subjects()[name]
    located = [item for item in evidence if in_its_passage(item)]
    assert located, f"{name}: no quotation from the main text stands in the passage of its footnote"


def test_every_main_text_quotation_of_the_named_rules_is_in_its_passage():
    wrong = [(name, item.footnote, item.quote) for name, (_, evidence) in subjects().items() for item in evidence
             if item.source == MAIN_TEXT and item.quote and not in_its_passage(item)]
    assert not wrong, f"quotations outside the passage of their footnote: {wrong}"


@pytest.mark.parametrize("name", sorted(NAMED))
def test_arguments_are_marked_and_records_are_not(name):
    _, evidence = subjects()[name]
    argued = {(item.footnote, normalise(item.quote or item.paraphrase)) for item in evidence
              if item.kind == "argument" and item.source == MAIN_TEXT}
    expected = NAMED[name]
    for footnote, opening in expected:
        assert any(f == footnote and text.startswith(opening) for f, text in argued), f"{name}: fn {footnote} '{opening}...' is not marked as an argument"
    assert len(argued) == len(expected), f"{name}: main-text evidence marked as argument beyond {sorted(expected)}: {sorted(argued)}"


@pytest.mark.parametrize("name", sorted(NAMED))
def test_descriptions_quote_only_what_the_texts_say(name):
    description, _ = subjects()[name]
    assert description, f"{name} has no description saying what its passages document"
    both = normalise(texts()[MAIN_TEXT] + " " + texts()[FRAGMENT])
    quoted = re.findall(r'"([^"]+)"', description)
    missing = [phrase for phrase in quoted if normalise(phrase).strip(" .,") not in both]
    assert not missing, f"{name}: quoted in the description but not in the texts: {missing}"


def test_numbers_no_source_gives_are_named_modelling_assumptions():
    for name, (description, _) in subjects().items():
        assert "modelling assumption" in " ".join(description.lower().split()), name


def test_the_polish_answer_goes_to_moscow_and_claims_nothing_about_fighting():
    """Fn 20: Bonnet's answer was to Litvinov's question; it told no one that France would fight."""
    rule = next(rule for rule in load_rulebook().rules if rule.id == "FR.disclaims_polish_obligation")
    assert rule.action.kind == "note" and not rule.effects
    assert "fired.SU.asks_about_polish_alliance" in rule.condition


def test_exposing_bonnet_is_a_counterfactual_that_never_fires_in_the_baseline():
    """It needs Beneš to have told Moscow (CZ.tells_moscow_of_bonnet), whose chance is 0 in the rule book."""
    book = load_rulebook()
    rules = {rule.id: rule for rule in book.rules}
    assert "happened(fired.CZ.tells_moscow_of_bonnet)" in rules["SU.exposes_bonnet"].condition
    assert rules["CZ.tells_moscow_of_bonnet"].probability == "CZ.informs_moscow"
    assert book.parameters()["CZ.informs_moscow"].value == 0


def test_the_conference_is_rejected_by_the_government_in_office_in_march():
    """Litvinov's call (17 March, fn 5) was answered by Blum's government, not Daladier's (from 10 April, fn 11)."""
    book = load_rulebook()
    rule = next(rule for rule in book.rules if rule.id == "FR.rejects_litvinov_conference")
    assert "daladier_weight" not in str(rule.probability)
    office, holder = book.term(rule)
    assert (office.title, holder.name) == ("French foreign minister", "Paul-Boncour")
    assert holder.start.isoformat() <= "1938-03-17" < holder.end.isoformat()


def test_the_rule_book_in_words_shows_each_description():
    """The description is for readers of the rule book (`rules`, docs/rules.md); narration keeps the summary."""
    from sim.presentation.explain import rule_text, rulebook_markdown

    book = load_rulebook()
    markdown = rulebook_markdown(book)
    described = [rule for rule in book.rules if rule.description]
    assert {rule.id for rule in described} >= {name for name in NAMED if not name.startswith("lens.")}
    for rule in described:
        words = " ".join(rule.description.split())
        assert f"  why:         {words}" in rule_text(rule, book)
        assert words in markdown
