"""The war sub-model: how long Czechoslovak resistance lasts once Germany attacks, and whether Soviet aid arrives.

Deliberately small. Resistance ends on each day with a hazard of one over the
expected length of resistance, which grows with Czechoslovak mobilisation
(the frontier fortifications are manned only when mobilised), with a French
offensive in the west (Gamelin's "wall of marmalade", fn 60), with Soviet
aircraft delivered short of war, and with Soviet aid arriving in war through
Romania once it opens its airspace or railways (air transit was judged easy,
land transit hard, fn 49); it shortens with a Hungarian front. Every number is a parameter in ``sim/book/rulebook/world.yaml`` with its
basis. Draws are addressed like the rules' (stream ``campaign.*``).
"""

from __future__ import annotations

import numpy as np

from sim.book.vocabulary import NEVER
from sim.engine import rng

COLLAPSE_STREAM = rng.key("campaign", "collapse")
WRITES = ("CZ.at_war", "CZ.mobilisation", "crisis.su_aid_day", "crisis.cz_resistance_end_day")
# Every variable ``expected_resistance_days`` and ``advance`` read (besides the day): what the war's course depends on,
# for the dependency graph (``sim/engine/dependencies.py``); a test keeps it in step with the code below.
READS = (
    "CZ.attacked_day", "CZ.at_war", "CZ.mobilisation", "FR.at_war", "SU.at_war", "SU.war_day",
    "RO.passage_troops", "RO.passage_warplanes", "SU.through_poland", "SU.overflies_poland", "SU.aid_sent_day",
    "crisis.su_aid_day", "crisis.cz_resistance_end_day",
    "world.cz_hold_days", "world.fortification_bonus", "world.french_offensive_bonus", "world.soviet_aid_bonus",
    "world.early_aid_bonus", "world.hungarian_front",
    "world.soviet_transit_days", "world.resistance_decision_days",
)


def expected_resistance_days(state: dict[str, np.ndarray]) -> np.ndarray:
    """Expected days of Czechoslovak resistance, per lane, given who is fighting and what is mobilised."""
    days = state["world.cz_hold_days"] * (1 + state["world.fortification_bonus"] * (state["CZ.mobilisation"] >= 0.9))
    days = days * (1 + state["world.french_offensive_bonus"] * (state["FR.at_war"] > 0))
    # Aircraft delivered before the war (aid short of war) are already there when it starts.
    days = days * (1 + state["world.early_aid_bonus"] * (state["SU.aid_sent_day"] < NEVER))
    # Hungary's claims pin part of the army on the southern front (world.hungarian_front; 0 in 1938: Hungary held back).
    days = days * (1 - state["world.hungarian_front"])
    return days * (1 + state["world.soviet_aid_bonus"] * (state["crisis.su_aid_day"] < NEVER))


def advance(state: dict[str, np.ndarray], today: int, seed: int, lanes: np.ndarray, open_lanes: np.ndarray) -> dict[str, np.ndarray]:
    """One day of war, applied after the day's decisions, in the lanes that are still open; returns where it changed what."""
    attacked = (state["CZ.attacked_day"] <= today) & (state["crisis.cz_resistance_end_day"] >= NEVER) & open_lanes
    if not attacked.any():
        return {}
    fighting = attacked & (state["CZ.at_war"] > 0)
    # Soviet aid reaches Czechoslovakia once the USSR is at war and a route is open in war, after the transit time:
    # Romania's railways or airspace opened in war (its peacetime tolerance of deliveries is not a wartime grant), or Poland crossed.
    route = (state["RO.passage_troops"] > 0) | (state["RO.passage_warplanes"] > 0) | (state["SU.through_poland"] > 0)
    route |= state["SU.overflies_poland"] > 0
    arrives = fighting & (state["SU.at_war"] > 0) & route & (today - state["SU.war_day"] >= state["world.soviet_transit_days"])
    arrives &= state["crisis.su_aid_day"] >= NEVER
    np.minimum(state["crisis.su_aid_day"], today, out=state["crisis.su_aid_day"], where=arrives)
    # Czechoslovakia that does not take up arms within the grace period is occupied.
    occupied = attacked & ~fighting & (today - state["CZ.attacked_day"] >= state["world.resistance_decision_days"])
    where = np.flatnonzero(fighting)
    collapses = np.zeros_like(fighting)
    if where.size:
        draws = rng.uniform(seed, COLLAPSE_STREAM, today, lanes[where])
        collapses[where[draws < 1.0 / expected_resistance_days(state)[where]]] = True
    ended = occupied | collapses
    np.copyto(state["crisis.cz_resistance_end_day"], float(today), where=ended)
    np.copyto(state["CZ.at_war"], 0.0, where=collapses)
    np.copyto(state["CZ.mobilisation"], 0.0, where=ended)  # a beaten or occupied army is no longer mobilised
    changed = {"crisis.su_aid_day": arrives, "crisis.cz_resistance_end_day": ended, "CZ.at_war": collapses, "CZ.mobilisation": ended}
    return {name: np.flatnonzero(mask) for name, mask in changed.items() if mask.any()}
