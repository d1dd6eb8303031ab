"""The war sub-model: the German campaign against Czechoslovakia, front by front, into spring 1939.

From Germany's attack, German progress toward a breach builds up on each of three fronts (``FRONTS``: north,
west, south). A front breaks when its progress reaches 1. On a front the time that takes is
``world.breakthrough_days`` times the front's fortification (``world.fort_<front>``, where the works are manned:
Czechoslovakia fully mobilised) times a fortune of war drawn once per rollout and front (within
1 +- ``world.fortune_spread``), divided by the German pace. So a mobilised army behind its works is not beaten in
days: there is a minimum time to break through, not a constant daily chance of collapse. After the first breach
the Czechoslovak army fights its way back east toward Slovakia (``world.retreat_days`` at the same pace); once the
southern front is broken that road is cut and the end comes within ``world.encircle_days``. Resistance ends when the
retreat has no room left.

The pace (``pace``) is the German divisions free for the east over those the campaign needs
(``DE.field_divisions`` less those held in the west: ``DE.west_divisions``, more once France is at war, more again
once it attacks; over ``DE.divisions_needed``), slowed in winter (the ``winter`` event), by Soviet aircraft and
troops once they arrive, by aircraft delivered short of war, and quickened by a Hungarian or a Polish front.
Soviet aircraft arrive ``world.soviet_transit_days`` after the USSR goes to war, through Romania's skies or railways
opened in war or across Poland; ground forces only by rail through Romania (``world.soviet_rail_days``; one line,
with a change of gauge, fn 49) or across Poland. Every number is a parameter of the rule book with its basis.
A step may cover several days (weekly after the crisis): progress is made for each of them. Draws are addressed
like the rules' (streams ``campaign.*``).
"""

from __future__ import annotations

import numpy as np

from sim.book.action_base import at
from sim.book.vocabulary import FRONTS, NEVER
from sim.engine import rng
from sim.engine.rule import Lanes

FORTUNE_STREAMS = {front: rng.key("campaign", "fortune", front) for front in FRONTS}
MAX_PACE = 1.5  # at most half again as fast as planned, however few divisions France holds in the west (modelling assumption)
WRITES = (
    "CZ.at_war", "CZ.mobilisation", "crisis.su_aid_day", "crisis.su_troops_day", "crisis.cz_resistance_end_day", "crisis.breach_day",
    "crisis.retreat", *(f"crisis.front_{front}" for front in FRONTS),
)
# Every variable ``pace`` and ``advance`` read (besides the day): what the war's course depends on, for the
# dependency graph (``sim/engine/dependencies.py``); a test keeps it in step with the code below.
PACE_READS = (
    "DE.field_divisions", "DE.west_divisions", "DE.west_reinforcement", "DE.offensive_reinforcement", "DE.divisions_needed",
    "FR.at_war", "FR.offensive_day", "event.winter.active", "world.winter_factor", "world.soviet_air_effect", "world.soviet_ground_effect",
    "crisis.su_aid_day", "crisis.su_troops_day", "SU.aid_sent_day", "world.early_aid_bonus", "world.hungarian_front", "world.polish_front",
    "crisis.teschen_day", "PL.war_on_CZ_day", "PL.at_war",
)
READS = (
    *PACE_READS,
    "CZ.attacked_day", "CZ.at_war", "CZ.mobilisation", "DE.at_war", "SU.at_war", "SU.war_day",
    "RO.passage_troops", "RO.passage_warplanes", "SU.through_poland", "SU.overflies_poland",
    "crisis.cz_resistance_end_day", "crisis.campaign_halted_day", "crisis.breach_day", "crisis.retreat",
    *(f"crisis.front_{front}" for front in FRONTS), *(f"world.fort_{front}" for front in FRONTS),
    "world.breakthrough_days", "world.fortune_spread", "world.retreat_days", "world.encircle_days",
    "world.soviet_transit_days", "world.soviet_rail_days", "world.resistance_decision_days",
)


def pace(state: dict[str, np.ndarray]) -> np.ndarray:
    """German progress a day against Czechoslovakia, as a share of the planned pace (1: the divisions needed, in autumn)."""
    west = state["DE.west_divisions"] + state["DE.west_reinforcement"] * (state["FR.at_war"] > 0)
    west = west + state["DE.offensive_reinforcement"] * (state["FR.offensive_day"] < NEVER)
    east = np.maximum(state["DE.field_divisions"] - west, 0.0)
    speed = np.minimum(east / state["DE.divisions_needed"], MAX_PACE)
    speed = speed * np.where(state["event.winter.active"] > 0, state["world.winter_factor"], 1.0)
    speed = speed * (1 - state["world.soviet_air_effect"] * (state["crisis.su_aid_day"] < NEVER))
    speed = speed * (1 - state["world.soviet_ground_effect"] * (state["crisis.su_troops_day"] < NEVER))
    # Aircraft delivered before the war (aid short of war) are there from its first day.
    speed = speed / (1 + state["world.early_aid_bonus"] * (state["SU.aid_sent_day"] < NEVER))
    # Hungary's claims pin part of the army in the south (world.hungarian_front; 0 in 1938: Hungary held back).
    speed = speed / (1 - state["world.hungarian_front"])
    polish = ((state["crisis.teschen_day"] < NEVER) | (state["PL.war_on_CZ_day"] < NEVER)) & (state["PL.at_war"] > 0)
    return speed * (1 + state["world.polish_front"] * polish)


def _soviet_arrivals(state: dict[str, np.ndarray], today: int, span: int, fighting: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where Soviet aircraft and ground forces reach Czechoslovakia within this step (dated the day they arrive)."""
    last = today + span - 1
    at_war = fighting & (state["SU.at_war"] > 0)
    poland = (state["SU.through_poland"] > 0) | (state["SU.overflies_poland"] > 0)
    # Aircraft: through Romania's skies or railways opened in war (its peacetime tolerance is not a wartime grant), or Poland.
    air_route = (state["RO.passage_troops"] > 0) | (state["RO.passage_warplanes"] > 0) | poland
    air_due = state["SU.war_day"] + state["world.soviet_transit_days"]
    air = at_war & air_route & (air_due <= last) & (state["crisis.su_aid_day"] >= NEVER)
    np.copyto(state["crisis.su_aid_day"], np.maximum(air_due, today), where=air)
    # Ground forces: only by rail through Romania, or across Poland (at the air's pace: the Red Army stood on its border).
    rail = state["RO.passage_troops"] > 0
    ground_due = np.where(state["SU.through_poland"] > 0, air_due, state["SU.war_day"] + state["world.soviet_rail_days"])
    ground = at_war & (rail | (state["SU.through_poland"] > 0)) & (ground_due <= last) & (state["crisis.su_troops_day"] >= NEVER)
    np.copyto(state["crisis.su_troops_day"], np.maximum(ground_due, today), where=ground)
    return air, ground


def _fronts(state: dict[str, np.ndarray], today: int, span: int, seed: int, lanes: np.ndarray,
            where: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Advance the fronts and the retreat in lanes ``where`` (indices) by ``span`` days: where the main line first broke,
    where the army has no room left, and the day (within the step) on which it ran out."""
    daily = np.broadcast_to(pace(Lanes(state, where)), where.shape)
    manned = state["CZ.mobilisation"][where] >= 0.9  # the works are manned only when Czechoslovakia is fully mobilised
    spread = at(state["world.fortune_spread"], where)
    broken = np.zeros(where.size, dtype=bool)
    for front in FRONTS:
        fortune = 1 + spread * (2 * rng.uniform(seed, FORTUNE_STREAMS[front], 0, lanes[where]) - 1)
        fortification = 1 + (at(state[f"world.fort_{front}"], where) - 1) * manned
        needed = at(state["world.breakthrough_days"], where) * fortification * fortune
        progress = np.minimum(state[f"crisis.front_{front}"][where] + span * daily / needed, 1.0)
        state[f"crisis.front_{front}"][where] = progress
        broken |= progress >= 1
    first_breach = where[broken & (state["crisis.breach_day"][where] >= NEVER)]
    state["crisis.breach_day"][first_breach] = float(today)
    # The fighting retreat east: slower while the road to Slovakia is open, short once the south is broken.
    south = state["crisis.front_south"][where] >= 1
    room = np.where(south, at(state["world.encircle_days"], where), at(state["world.retreat_days"], where))
    before = state["crisis.retreat"][where]
    per_day = broken * daily / np.maximum(room, 1e-9)
    retreat = before + span * per_day
    state["crisis.retreat"][where] = np.minimum(retreat, 1.0)
    out = retreat >= 1
    # The day within the step on which the army ran out of room (the step's first day on a daily step).
    days_in = np.ceil((1 - before[out]) / np.maximum(per_day[out], 1e-12)) - 1
    return first_breach, where[out], today + np.clip(days_in, 0, span - 1)


def _mask(like: np.ndarray, where: np.ndarray) -> np.ndarray:
    mask = np.zeros(like.shape, dtype=bool)
    mask[where] = True
    return mask


def advance(state: dict[str, np.ndarray], today: int, span: int, seed: int, lanes: np.ndarray, open_lanes: np.ndarray) -> dict[str, np.ndarray]:
    """One step of war (``span`` days from ``today``), after the step's decisions, in the open lanes; returns where it changed what."""
    attacked = (state["CZ.attacked_day"] <= today) & (state["crisis.cz_resistance_end_day"] >= NEVER) & open_lanes
    attacked &= state["crisis.campaign_halted_day"] >= NEVER  # after Germany halts, the front stands still
    if not attacked.any():
        return {}
    fighting = attacked & (state["CZ.at_war"] > 0)
    air, ground = _soviet_arrivals(state, today, span, fighting)
    # Czechoslovakia that does not take up arms within the grace period is occupied.
    occupied = attacked & ~fighting & (today + span - 1 - state["CZ.attacked_day"] >= state["world.resistance_decision_days"])
    where = np.flatnonzero(fighting & (state["DE.at_war"] > 0))
    breached, beaten_at, beaten_day = _fronts(state, today, span, seed, lanes, where) if where.size else (where, where, where)
    breached, beaten = _mask(fighting, breached), _mask(fighting, beaten_at)
    ended = occupied | beaten
    # Dated to the day within the step (a weekly step does not make a war end on the day it began).
    state["crisis.cz_resistance_end_day"][occupied] = np.maximum(today, state["CZ.attacked_day"] + state["world.resistance_decision_days"])[occupied]
    state["crisis.cz_resistance_end_day"][beaten_at] = beaten_day
    np.copyto(state["CZ.at_war"], 0.0, where=beaten)
    np.copyto(state["CZ.mobilisation"], 0.0, where=ended)  # a beaten or occupied army is no longer mobilised
    changed = {
        "crisis.su_aid_day": air, "crisis.su_troops_day": ground, "crisis.cz_resistance_end_day": ended, "CZ.at_war": beaten,
        "CZ.mobilisation": ended, "crisis.breach_day": breached,
    }
    return {name: np.flatnonzero(mask) for name, mask in changed.items() if mask.any()}
