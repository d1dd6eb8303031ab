"""The outcome vocabulary: exactly one outcome per rollout, event flags, and the dates that matter.

The outcomes and event flags are named in ``sim/book/vocabulary.py`` (``OUTCOME_MEANINGS``,
``EVENT_DAYS``); adding an outcome is a line there and its case in ``classify`` here.

Classification reads only the final state of a lane, so it is the same for a
lane run alone or in a batch.
"""

from __future__ import annotations

import numpy as np

from sim.book.vocabulary import EVENT_DAYS, EVENTS, MILITARY_RESULTS, NEVER, OUTCOMES

GREAT_POWERS = ("FR", "GB", "SU")
# Every variable classification and flags read.
READS = (
    "crisis.first_shot_day",
    "crisis.settled_day",
    "crisis.climbdown_day",
    "crisis.cz_resistance_end_day",
    "crisis.campaign_halted_day",
    "crisis.breach_day",
    *(f"{power}.war_on_DE_day" for power in GREAT_POWERS),
    *EVENT_DAYS.values(),
)


def classify(state: dict[str, np.ndarray]) -> np.ndarray:
    """Outcome index (into OUTCOMES) per lane. War outranks settlement: a settlement broken by war is a war."""
    war = state["crisis.first_shot_day"] < NEVER
    great_power = np.zeros_like(war)
    for power in GREAT_POWERS:
        great_power |= state[f"{power}.war_on_DE_day"] < NEVER
    outcome = np.full(war.shape, OUTCOMES.index("unresolved"), dtype=np.int8)
    outcome[state["crisis.climbdown_day"] < NEVER] = OUTCOMES.index("german_climbdown")
    outcome[state["crisis.settled_day"] < NEVER] = OUTCOMES.index("settlement")
    outcome[war] = OUTCOMES.index("local_war")
    outcome[war & great_power] = OUTCOMES.index("general_war")
    return outcome


def flags(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each event flag per lane (bool arrays)."""
    return {event: state[EVENT_DAYS[event]] < NEVER for event in EVENTS}


def military(state: dict[str, np.ndarray]) -> np.ndarray:
    """Military result index (into MILITARY_RESULTS) per lane, at the horizon (``MILITARY_MEANINGS`` says what each means)."""
    war = state["crisis.first_shot_day"] < NEVER
    ended = (state["crisis.settled_day"] < NEVER) | (state["crisis.climbdown_day"] < NEVER)
    result = np.full(war.shape, MILITARY_RESULTS.index("standoff"), dtype=np.int8)
    result[ended] = MILITARY_RESULTS.index("no_war")
    result[war & (state["crisis.breach_day"] >= NEVER)] = MILITARY_RESULTS.index("cz_holds")
    result[war & (state["crisis.breach_day"] < NEVER)] = MILITARY_RESULTS.index("cz_falls_back")
    result[war & (state["crisis.campaign_halted_day"] < NEVER)] = MILITARY_RESULTS.index("germany_checked")
    result[war & (state["crisis.cz_resistance_end_day"] < NEVER)] = MILITARY_RESULTS.index("cz_overrun")
    return result
