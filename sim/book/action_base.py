"""What every action kind shares: the ``Write`` an action makes, its base class, and the small helpers they all use.

The kinds themselves are in ``sim/book/actions.py`` (diplomacy) and ``sim/book/war_actions.py`` (war);
``Action`` there names them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from sim.book.vocabulary import LEVEL_NAMES, STATE_NAMES, Actor

Op = Literal["set", "add", "max", "min"]
Env = Mapping[str, np.ndarray | float]
Alert = Literal["invokes", "breaks"]


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


class ActionKind(BaseModel):
    """What every action kind shares: strict fields, its words, its writes, and its treaty alert (none by default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str
    # "invokes" (a state calls on a commitment) or "breaks" (it renounces one); the classroom view shows these.
    alert: ClassVar[Alert | None] = None

    def writes(self, actor: str, env: Env, lanes: np.ndarray, today: int) -> list[Write]:
        """The changes this action makes in ``lanes``, computed from the day's snapshot ``env``."""
        raise NotImplementedError

    def words(self) -> str:
        """The action in the rule book's words."""
        return self.kind.replace("_", " ")

    def alert_words(self) -> str:
        """For a kind with an alert: what the actor does, e.g. 'calls on France'."""
        return self.words()

    def aimed_at(self) -> str | None:
        """The state the action is directed at, if any (the map draws an arrow to it)."""
        return None


class _Target(ActionKind):
    target: Actor

    def aimed_at(self) -> str | None:
        return self.target

    def words(self) -> str:
        return f"{self.kind.replace('_', ' ')}: {STATE_NAMES[self.target]}"


class _SettlementLevel(ActionKind):
    """Demands, proposals, acceptances, rejections and conference terms: a settlement level (``LEVEL_NAMES``)."""

    level: float

    @model_validator(mode="after")
    def _known_level(self) -> _SettlementLevel:
        if self.level not in LEVEL_NAMES:
            raise ValueError("settlement levels are 1 (autonomy), 2 (cession), 3 (immediate occupation)")
        return self

    def words(self) -> str:
        return f"{self.kind} level {self.level:g} ({LEVEL_NAMES[int(self.level)]})"

    def aimed_at(self) -> str | None:
        return "CZ"  # demands, proposals and terms are put to Prague


class _Fraction(ActionKind):
    """Mobilisation and pressure levels: within [0, 1]."""

    level: float

    @model_validator(mode="after")
    def _within_unit(self) -> _Fraction:
        if not 0 <= self.level <= 1:
            raise ValueError(f"{self.kind} level must be within [0, 1], got {self.level:g}")
        return self

    def words(self) -> str:
        return f"{self.kind} to level {self.level:g}"
