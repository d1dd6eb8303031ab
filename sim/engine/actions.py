"""What each kind of action does to the world, as writes to be applied at the end of the day.

An action never changes the state directly: it returns ``Write``s computed from
the day's snapshot, and the model applies all of them together after every
agent has decided (staged activation), so that no result depends on the order
in which agents act. Day variables (``*_day``) record the first day something
happened and hold ``NEVER`` until then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, NamedTuple

import numpy as np

from sim.book.rules import STATES, Action

Op = Literal["set", "add", "max", "min"]


class Write(NamedTuple):
    """Change variable ``name`` in the lanes at indices ``lanes``: set, add, max or min with ``value``.

    ``value`` is a number or an array aligned with ``lanes``. Writes touch only the
    lanes where a rule fired, so their cost does not grow with the batch. A named tuple
    rather than a frozen dataclass: a day makes about a hundred, and it is five times
    cheaper to build.
    """

    name: str
    op: Op
    value: np.ndarray | float
    lanes: np.ndarray


def first(name: str, today: int, lanes: np.ndarray) -> Write:
    """Record today as the first day of something (keeps an earlier day if there is one)."""
    return Write(name, "min", float(today), lanes)


def at(value: np.ndarray | float, lanes: np.ndarray) -> np.ndarray | float:
    """A variable's values in the given lanes (a number stays a number)."""
    return value[lanes] if isinstance(value, np.ndarray) else value


Env = Mapping[str, np.ndarray | float]
Handler = Callable[[Action, str, Env, np.ndarray, int], list[Write]]


def _mobilise(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    writes = [Write(f"{actor}.mobilisation", "max", action.level, lanes)]
    if action.level >= 0.5:
        writes.append(first(f"{actor}.mobilised_day", today, lanes))
    return writes


def _demobilise(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [Write(f"{actor}.mobilisation", "min", action.level, lanes)]


def recipients(action: Action, actor: str) -> list[str]:
    """Who hears a statement: everyone but the speaker if public, else the named addressees."""
    if action.visibility == "public" or action.to == "all":
        return [state for state in STATES if state != actor]
    return [state for state in action.to if state != actor]


def _statement(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    # Each hearer moves its belief about `about` toward the claim, as far as it trusts the speaker.
    # An insincere speaker's claim gives way to what it really holds as far as its candour goes.
    claim = action.claim if action.sincere else action.claim + at(env[f"{actor}.candour"], lanes) * (action.truth - action.claim)
    writes = []
    for hearer in recipients(action, actor):
        if hearer == action.about:
            continue
        belief = at(env[f"{hearer}.belief.{action.about}"], lanes)
        trust = at(env[f"{hearer}.trust.{actor}"], lanes)
        writes.append(Write(f"{hearer}.belief.{action.about}", "add", trust * (claim - belief), lanes))
        writes.append(first(f"{hearer}.heard_{actor}_day", today, lanes))
    return writes


def _pressure(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [Write(f"{action.target}.pressure", "add", action.level, lanes)]


def _demand(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [Write("crisis.demand", "set", action.level, lanes), Write("crisis.demand_day", "set", float(today), lanes)]


def _propose(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [Write("crisis.proposal", "max", action.level, lanes), first(f"crisis.proposal_{int(action.level)}_day", today, lanes)]


def _accept(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [Write("crisis.cz_accepts", "max", action.level, lanes), Write("crisis.cz_accept_day", "set", float(today), lanes)]


def _reject(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [first(f"crisis.reject_{int(action.level)}_day", today, lanes)]


def _settle(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [first("crisis.settled_day", today, lanes)]


def _ask_help(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [first(f"{actor}.asked_{action.target}_day", today, lanes)]


def _passage(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    writes = [Write(f"{actor}.passage_{action.mode}", "set", float(action.grant), lanes)]
    if action.grant:
        writes.append(first(f"{actor}.passage_{action.mode}_day", today, lanes))
    return writes


def _attack(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [
        Write(f"{actor}.at_war", "set", 1.0, lanes),
        first(f"{actor}.war_day", today, lanes),
        first(f"{action.target}.attacked_day", today, lanes),
        first("crisis.first_shot_day", today, lanes),
    ]


def _declare_war(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [
        Write(f"{actor}.at_war", "set", 1.0, lanes),
        first(f"{actor}.war_day", today, lanes),
        first(f"{actor}.war_on_{action.target}_day", today, lanes),
    ]


def _appeal_league(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [first("crisis.league_appeal_day", today, lanes)]


def _denounce_pact(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [Write(f"pact.{action.pact}", "set", 0.0, lanes), first(f"pact.{action.pact}.denounced_day", today, lanes)]


def _call_conference(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [first(f"{actor}.called_conference_day", today, lanes)]


def _conference(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    # The conference's terms replace the demand on the table and are put to Prague, which must accept them anew.
    return [
        first("crisis.conference_day", today, lanes),
        Write("crisis.demand", "set", action.level, lanes),
        Write("crisis.demand_day", "set", float(today), lanes),
        Write("crisis.proposal", "max", action.level, lanes),
        Write("crisis.cz_accepts", "set", 0.0, lanes),
    ]


def _climb_down(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return [first("crisis.climbdown_day", today, lanes), Write("crisis.demand", "set", 0.0, lanes)]


def _note(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return []  # a rule whose whole effect is in its `effects:` lines


HANDLERS: dict[str, Handler] = {
    "mobilise": _mobilise,
    "demobilise": _demobilise,
    "statement": _statement,
    "pressure": _pressure,
    "demand": _demand,
    "propose": _propose,
    "accept": _accept,
    "reject": _reject,
    "settle": _settle,
    "ask_help": _ask_help,
    "passage": _passage,
    "attack": _attack,
    "declare_war": _declare_war,
    "appeal_league": _appeal_league,
    "denounce_pact": _denounce_pact,
    "call_conference": _call_conference,
    "conference": _conference,
    "climb_down": _climb_down,
    "note": _note,
}


def writes(action: Action, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
    return HANDLERS[action.kind](action, actor, env, lanes, today)


def variables_written(action: Action, actor: str) -> set[str]:
    """Every variable an action may write, so the model can create them before the first day."""
    probe = np.zeros(0, dtype=np.intp)
    env = _AnyValue()
    return {write.name for write in writes(action, actor, env, probe, 0)}


class _AnyValue(dict):
    def __missing__(self, key: str) -> float:
        return 0.0
