"""The action kinds of war: attacks and declarations, aid, the generals' objection, climbing down, offensives and halts.

Split from ``sim/book/actions.py`` (the kinds of diplomacy) so that each module stays short; ``Action``
there names every kind of both.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.book.action_base import ActionKind, Env, Write, _Target, first


def at_war(actor: str, today: int, lanes: np.ndarray) -> list[Write]:
    """Going to war: at war from today, and mobilised in full the same day if it was not already.

    A state does not fight unmobilised: an attack or a declaration of war brings general mobilisation
    with it, so that no rollout has France at war with no mobilisation ordered (modelling assumption:
    the texts date mobilisations, fn 51, 60, not how they relate to declarations).
    """
    return [
        Write(f"{actor}.at_war", "set", 1.0, lanes),
        first(f"{actor}.war_day", today, lanes),
        Write(f"{actor}.mobilisation", "max", 1.0, lanes),
        first(f"{actor}.mobilised_day", today, lanes),
    ]


class Attack(_Target):
    kind: Literal["attack"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [*at_war(actor, today, lanes), first(f"{self.target}.attacked_day", today, lanes), first("crisis.first_shot_day", today, lanes)]


class DeclareWar(_Target):
    kind: Literal["declare_war"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [*at_war(actor, today, lanes), first(f"{actor}.war_on_{self.target}_day", today, lanes)]


class SendAid(_Target):
    """Arms sent short of war (aircraft and matériel flown or carried to the target), seen by those who watch."""

    kind: Literal["send_aid"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [first(f"{actor}.aid_sent_day", today, lanes)]


class GeneralsObject(ActionKind):
    """The army's leaders object to a war they expect to lose; the restraint itself is in the rule's effects."""

    kind: Literal["generals_object"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [first(f"{actor}.generals_object_day", today, lanes)]


class ClimbDown(ActionKind):
    kind: Literal["climb_down"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [first("crisis.climbdown_day", today, lanes), Write("crisis.demand", "set", 0.0, lanes)]


class Offensive(_Target):
    """An attack on the target's own frontier in the west (a French offensive), which ties down its divisions there."""

    kind: Literal["offensive"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [first(f"{actor}.offensive_day", today, lanes)]

    def words(self) -> str:
        return "attack Germany in the west"


class HaltCampaign(ActionKind):
    """The attacker halts its campaign and seeks terms: the fronts stand still and the war against Czechoslovakia ends."""

    kind: Literal["halt_campaign"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [first("crisis.campaign_halted_day", today, lanes)]

    def words(self) -> str:
        return "halt the campaign and seek terms"
