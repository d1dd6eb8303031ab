"""The baseline reproduces 1938 because its rules do: targets, and single rules switched off."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import batch, event_share, outcome_share

# The rules' own structure is tested with the rule book's values (`parameter_draws=book`): the
# calibration posterior is fitted to the record and judged by it (tests/test_calibration.py).
BOOK = ("parameter_draws=book",)


def test_baseline_reproduces_1938():
    result = batch("baseline", BOOK)
    assert outcome_share(result, "settlement") >= 0.60
    assert max(
        ("settlement", "german_climbdown", "local_war", "general_war", "unresolved"),
        key=lambda name: outcome_share(result, name),
    ) == "settlement"
    assert event_share(result, "four_power_conference") >= 0.50
    assert outcome_share(result, "general_war") <= 0.15
    assert event_share(result, "pl_takes_teschen") >= 0.30


def test_baseline_follows_the_historical_sequence_in_a_typical_rollout():
    # The settlement comes after a conference in most settled rollouts, and the conference
    # after the Anglo-French proposals: the order of 1938, not a script.
    result = batch("baseline", BOOK)
    settled = result.outcome == 0
    assert np.mean(result.fired["DE.accepts_conference"][settled]) > 0.5
    assert np.all(result.fired["FR.joins_anglo_french_proposals"][result.fired["DE.accepts_conference"]])


# Each historical step is carried by rules: switch them off and the outcome moves.
SWITCHED_OFF = [
    # Without Chamberlain's flight there are no Anglo-French proposals, so Prague does not yield on 21 September
    # (the other road, a conference after Prague refuses, takes up part of the fall, the more so since a stand-off may
    # now end in such a conference until the horizon of spring 1939: -0.15, not more).
    (("GB.flies_to_hitler",), "settlement", -0.15),
    # Without Beneš soliciting the ultimatum, Prague does not accept cession on 21 September.
    (("CZ.solicits_ultimatum",), "settlement", -0.2),
    # Without Hitler accepting Mussolini's conference, the Godesberg impasse ends in war more often.
    (("DE.accepts_conference",), "four_power_conference", -0.3),
    (("DE.accepts_conference",), "local_war", +0.05),
    # Without Poland's ultimatum, Teschen is not taken after the settlement.
    (("PL.teschen_ultimatum",), "pl_takes_teschen", -0.3),
    # Without Bonnet's private warnings (July, fn 23; September, fn 41) Beneš stays confident of
    # France and does not yield. Either alone is enough to shake him, so both are switched off.
    (("FR.bonnet_warns_osusky", "FR.bonnet_threatens_osusky"), "settlement", -0.2),
]


@pytest.mark.parametrize(("rules", "measure", "at_least"), SWITCHED_OFF)
def test_switching_rules_off_moves_the_outcome(rules, measure, at_least):
    """The share of `measure` moves by at least `at_least` (down if negative) when `rules` are off."""
    base = batch("baseline", BOOK)
    changed = batch("baseline", (*BOOK, *(f"rules.{rule}.enabled=false" for rule in rules)))
    share = event_share if measure in base.flags else outcome_share
    before, after = share(base, measure), share(changed, measure)
    if at_least < 0:
        assert after <= before + at_least, (before, after)
    else:
        assert after >= before + at_least, (before, after)


def test_benes_fights_differs_from_baseline():
    base, fights = batch("baseline", BOOK), batch("benes_fights", BOOK)
    assert event_share(fights, "cz_fights") >= 0.95
    outcomes = ("settlement", "german_climbdown", "local_war", "general_war", "unresolved")
    distance = 0.5 * sum(abs(outcome_share(base, name) - outcome_share(fights, name)) for name in outcomes)
    assert distance > 0.5


def test_france_honours_raises_french_fighting_and_general_war():
    base, honours = batch("baseline", BOOK), batch("france_honours", BOOK)
    assert event_share(honours, "fr_fights") > event_share(base, "fr_fights") + 0.1
    assert outcome_share(honours, "general_war") > outcome_share(base, "general_war") + 0.1


def test_calibrated_baseline_still_ends_in_munich_most_often():
    """Under the posterior (the default), the settlement is still the most likely end, and more likely than any war."""
    result = batch()
    shares = {name: outcome_share(result, name) for name in ("settlement", "german_climbdown", "local_war", "general_war", "unresolved")}
    assert max(shares, key=shares.get) == "settlement"
    assert shares["settlement"] > shares["local_war"] + shares["general_war"]
