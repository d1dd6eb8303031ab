"""The action kinds: what a rule does when it fires, one class each.

Each class is the whole of one kind: the arguments it needs (its fields: the rule book's
``action: {kind: ..., ...}`` is validated against them), the writes it makes to the world,
its words in the rule book, and whether it raises a treaty alert in the classroom view.
Adding a kind is adding a class here (or in ``sim/book/war_actions.py``) and naming it in ``Action`` (see the README, "How to add").

An action never changes the state directly: ``writes`` returns ``Write``s computed from the
day's snapshot, and the model applies all of them together after every agent has decided
(staged activation), so that no result depends on the order in which agents act. Day
variables record the first day something happened and hold ``NEVER`` until then.

The writes are numpy, but they are part of what an action *means*, so they live with it here
rather than in the engine; nothing here evaluates a condition or knows about lanes beyond
the indices it is given.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field, TypeAdapter, model_validator

from sim.book.action_base import ActionKind, Alert, Env, Write, _Fraction, _SettlementLevel, _Target, at, first
from sim.book.vocabulary import STATE_NAMES, STATES, Actor, pact_words
from sim.book.war_actions import Attack, ClimbDown, DeclareWar, GeneralsObject, HaltCampaign, Offensive, SendAid, at_war

__all__ = ["Action", "ActionKind", "Write", "action_from", "at", "at_war", "first", "variables_written"]

class Mobilise(_Fraction):
    kind: Literal["mobilise"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        writes = [Write(f"{actor}.mobilisation", "max", self.level, lanes)]
        if self.level >= 0.5:
            writes.append(first(f"{actor}.mobilised_day", today, lanes))
        return writes


class Demobilise(_Fraction):
    kind: Literal["demobilise"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [Write(f"{actor}.mobilisation", "min", self.level, lanes)]


class Statement(ActionKind):
    """A claim that ``about`` will fight: each hearer moves its belief toward it as far as it trusts the speaker."""

    kind: Literal["statement"]
    to: list[Actor] | Literal["all"]
    about: Actor
    claim: float = Field(ge=0, le=1, description="The probability the statement asserts that `about` will fight.")
    visibility: Literal["public", "private"] = "private"
    sincere: bool = True
    truth: float | None = Field(None, ge=0, le=1, description="For an insincere statement: what the speaker really holds.")

    @model_validator(mode="after")
    def _sincerity(self) -> Statement:
        if self.sincere != (self.truth is None):
            raise ValueError("an insincere statement needs `truth` (what the speaker really holds); a sincere one has none")
        return self

    def recipients(self, actor: str) -> list[str]:
        """Who hears it: everyone but the speaker if public, else the named addressees."""
        if self.visibility == "public" or self.to == "all":
            return [state for state in STATES if state != actor]
        return [state for state in self.to if state != actor]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        # An insincere speaker's claim gives way to what it really holds as far as its candour goes.
        # No candour parameter where the book has no insincere statement (a scenario may add one): 0, as in 1938.
        claim = self.claim if self.sincere else self.claim + at(env.get(f"{actor}.candour", 0.0), lanes) * (self.truth - self.claim)
        writes = []
        for hearer in self.recipients(actor):
            if hearer == self.about:
                continue
            belief = at(env[f"{hearer}.belief.{self.about}"], lanes)
            trust = at(env[f"{hearer}.trust.{actor}"], lanes)
            writes.append(Write(f"{hearer}.belief.{self.about}", "add", trust * (claim - belief), lanes))
            writes.append(first(f"{hearer}.heard_{actor}_day", today, lanes))
        return writes

    def words(self) -> str:
        hearers = "everyone (public)" if self.visibility == "public" or self.to == "all" else ", ".join(STATE_NAMES[s] for s in self.to)
        sincerity = "sincere" if self.sincere else "insincere"
        return f"{self.visibility} statement to {hearers}: {STATE_NAMES[self.about]} will fight with probability {self.claim:g} ({sincerity})"


class Pressure(_Fraction):
    kind: Literal["pressure"]
    target: Actor

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [Write(f"{self.target}.pressure", "add", self.level, lanes)]

    def aimed_at(self) -> str | None:
        return self.target

    def words(self) -> str:
        return f"press {STATE_NAMES[self.target]} to concede (+{self.level:g})"


class Demand(_SettlementLevel):
    kind: Literal["demand"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [Write("crisis.demand", "set", self.level, lanes), Write("crisis.demand_day", "set", float(today), lanes)]


class Propose(_SettlementLevel):
    kind: Literal["propose"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [Write("crisis.proposal", "max", self.level, lanes), first(f"crisis.proposal_{int(self.level)}_day", today, lanes)]


class Accept(_SettlementLevel):
    kind: Literal["accept"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [Write("crisis.cz_accepts", "max", self.level, lanes), Write("crisis.cz_accept_day", "set", float(today), lanes)]


class Reject(_SettlementLevel):
    kind: Literal["reject"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [first(f"crisis.reject_{int(self.level)}_day", today, lanes)]


class Settle(ActionKind):
    kind: Literal["settle"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [first("crisis.settled_day", today, lanes)]


class AskHelp(_Target):
    kind: Literal["ask_help"]
    alert: ClassVar[Alert | None] = "invokes"

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [first(f"{actor}.asked_{self.target}_day", today, lanes)]

    def alert_words(self) -> str:
        return f"calls on {STATE_NAMES[self.target]}"


class Passage(ActionKind):
    kind: Literal["passage"]
    mode: Literal["troops", "aircraft", "materiel", "warplanes"]
    grant: bool

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        writes = [Write(f"{actor}.passage_{self.mode}", "set", float(self.grant), lanes)]
        if self.grant:
            writes.append(first(f"{actor}.passage_{self.mode}_day", today, lanes))
        return writes

    def words(self) -> str:
        return f"{'grant' if self.grant else 'refuse'} passage of {self.mode}"


class AppealLeague(ActionKind):
    kind: Literal["appeal_league"]
    alert: ClassVar[Alert | None] = "invokes"

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [first("crisis.league_appeal_day", today, lanes)]

    def alert_words(self) -> str:
        return "invokes the League Covenant"


class DenouncePact(ActionKind):
    kind: Literal["denounce_pact"]
    pact: str
    alert: ClassVar[Alert | None] = "breaks"

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [Write(f"pact.{self.pact}", "set", 0.0, lanes), first(f"pact.{self.pact}.denounced_day", today, lanes)]

    def words(self) -> str:
        return f"denounce the {self.pact} pact"

    def alert_words(self) -> str:
        return f"denounces {pact_words(f'pact.{self.pact}')}"


class CallConference(ActionKind):
    kind: Literal["call_conference"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return [first(f"{actor}.called_conference_day", today, lanes)]


class Conference(_SettlementLevel):
    kind: Literal["conference"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        # A conference where Prague had not yet yielded the cession is a second road to a settlement (mediation after a refusal).
        refused = lanes[~np.broadcast_to(np.asarray(at(env["crisis.cz_accepts"], lanes)) >= 2, lanes.shape)]
        # The conference's terms replace the demand on the table and are put to Prague, which must accept them anew.
        return [
            first("crisis.conference_day", today, lanes),
            first("crisis.conference_after_refusal_day", today, refused),
            Write("crisis.demand", "set", self.level, lanes),
            Write("crisis.demand_day", "set", float(today), lanes),
            Write("crisis.proposal", "max", self.level, lanes),
            Write("crisis.cz_accepts", "set", 0.0, lanes),
        ]


class Note(ActionKind):
    """A rule whose whole effect is in its ``effects:`` lines."""

    kind: Literal["note"]

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        return []

    def words(self) -> str:
        return "no direct action; see effects"


Action = Annotated[
    Mobilise | Demobilise | Statement | Pressure | Demand | Propose | Accept | Reject | Settle | AskHelp | Passage | Attack
    | DeclareWar | AppealLeague | DenouncePact | CallConference | Conference | SendAid | GeneralsObject | ClimbDown | Offensive
    | HaltCampaign | Note,
    Field(discriminator="kind"),
]


_ACTIONS: TypeAdapter[ActionKind] = TypeAdapter(Action)


def action_from(data: object) -> ActionKind:
    """An action from its rule-book form, e.g. ``{"kind": "mobilise", "level": 0.5}`` (a pydantic ValidationError if it is wrong)."""
    return _ACTIONS.validate_python(data)


def variables_written(action: ActionKind, actor: str) -> set[str]:
    """Every variable an action may write, so the model can create them before the first day."""
    probe = np.zeros(0, dtype=np.intp)
    return {write.name for write in action.writes(actor, _AnyValue(), probe, 0)}


class _AnyValue(dict):
    def __missing__(self, key: str) -> float:
        return 0.0
