"""History in the right order: precedence the rules and actions keep in every rollout (issue 17, first constraints)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.book import actions, war_actions
from sim.book.vocabulary import NEVER, STATES
from sim.engine.model import CrisisModel
from tests.helpers import scenario

WARS = ["baseline", "benes_fights", "france_honours", "may_war", "soviet_unilateral", "poland_attacks"]


def at_war_unmobilised(name: str, runs: int = 1500) -> dict[str, int]:
    """For each state, in how many rollouts it went to war before (or without) mobilising."""
    model = CrisisModel(scenario(name), lanes=np.arange(runs))
    model.run()
    found = {}
    for code in STATES:
        war, mobilised = model.lane_values(f"{code}.war_day"), model.lane_values(f"{code}.mobilised_day")
        found[code] = int(np.count_nonzero((war < NEVER) & (mobilised > war)))
    return found


@pytest.mark.parametrize("name", WARS)
def test_no_state_goes_to_war_unmobilised(name):
    assert at_war_unmobilised(name) == dict.fromkeys(STATES, 0)


def test_without_the_rule_france_fights_unmobilised(monkeypatch):
    """The check can fail: with war not bringing mobilisation, France declares war unmobilised in france_honours."""
    def bare(actor: str, today: int, lanes: np.ndarray) -> list[actions.Write]:
        return [actions.Write(f"{actor}.at_war", "set", 1.0, lanes), actions.first(f"{actor}.war_day", today, lanes)]

    monkeypatch.setattr(war_actions, "at_war", bare)
    assert at_war_unmobilised("france_honours", 500)["FR"] > 0
