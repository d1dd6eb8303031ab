"""The outcome vocabulary: exactly one outcome per rollout, event flags, and the dates that matter.

Adding an outcome is a line in ``OUTCOME_MEANINGS`` and its case in ``classify``; adding an event
flag, a line in ``EVENT_DAYS`` naming the day variable behind it.

Classification reads only the final state of a lane, so it is the same for a
lane run alone or in a batch.
"""

from __future__ import annotations

import numpy as np

from sim.book.vocabulary import NEVER

# Each outcome and its meaning, in the order of their indices; ``classify`` decides between them.
OUTCOME_MEANINGS = {
    "settlement": "territory ceded without war (Munich-like)",
    "german_climbdown": "Germany backs off without war or cession",
    "local_war": "Germany attacks Czechoslovakia and no great power joins",
    "general_war": "Germany at war with Czechoslovakia and at least one of France, Britain, the USSR",
    "unresolved": "none of these by the last day",
}
OUTCOMES = tuple(OUTCOME_MEANINGS)
# Each event flag and the day variable behind it: the flag is set when the day has happened.
EVENT_DAYS = {
    "cz_mobilises": "CZ.mobilised_day",
    "cz_fights": "CZ.war_day",
    "fr_fights": "FR.war_day",
    "gb_fights": "GB.war_day",
    "su_fights": "SU.war_day",
    "pl_fights": "PL.war_day",
    "pl_takes_teschen": "crisis.teschen_day",
    "ro_grants_passage": "RO.passage_troops_day",
    "su_aid_reaches_cz": "crisis.su_aid_day",
    "four_power_conference": "crisis.conference_day",
}
EVENTS = tuple(EVENT_DAYS)
GREAT_POWERS = ("FR", "GB", "SU")
# Every variable classification and flags read.
READS = (
    "crisis.first_shot_day",
    "crisis.settled_day",
    "crisis.climbdown_day",
    "crisis.cz_resistance_end_day",
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
