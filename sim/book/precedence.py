"""The order history keeps: declared, cited constraints on when acts may happen (``sim/book/rulebook/precedence.yaml``).

A constraint is not a filter on results. The rules' conditions and the actions' writes are what keep
it (``DE.raises_demands_at_godesberg`` waits for no shot because its condition says so); the
constraint states the order in words with its source, so that ``python run.py check`` can count, in
every rollout of every scenario, how often the rules failed to keep it. Three forms:

- ``after``: the event happens only after another (``Beneš solicits the ultimatum only after Moscow's
  answer``): violated where the event happened and the other had not happened on an earlier day;
- ``before``: the event never comes after another (``Godesberg's demands never after the first
  shot``): violated where both happened and the event came on a later day (or, unless
  ``same_day`` is allowed, the same day);
- ``holds``: a condition true at the end of every rollout (``a state at war is fully mobilised``),
  written with ``{X}`` and checked for each state listed in ``states``.

``applies`` narrows a constraint to the rollouts where a condition holds at the end (``Beneš asked
Moscow before he solicited the ultimatum``). Every expression is in the rule language; ``event``,
``after`` and ``before`` name days (``fired.ACTOR.RULE``, ``crisis.first_shot_day``).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from pydantic import Field, model_validator

from sim.book.inputs import InputError, load_yaml, validate
from sim.book.rules import Evidence, Strict, load_rulebook
from sim.book.vocabulary import Actor


class Constraint(Strict):
    """One ordering that the sources document and the rules must keep."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    says: str = Field(min_length=10, description="The constraint in words, as a historian would state it.")
    event: str | None = Field(None, description="A day: the act the constraint is about (for after and before).")
    after: str | None = Field(None, description="A day: the event happens only after this has happened.")
    before: str | None = Field(None, description="A day: the event never comes after this.")
    holds: str | None = Field(None, description="A condition true at the end of every rollout.")
    states: list[Actor] = Field([], description="holds is written with {X}: checked once for each of these states.")
    same_day: bool = Field(False, description="after/before: the two may fall on the same day.")
    applies: str | None = Field(None, description="A condition (at the end of a rollout) outside which the constraint is not checked.")
    evidence: list[Evidence] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_form(self) -> Constraint:
        forms = [name for name in ("after", "before", "holds") if getattr(self, name) is not None]
        if len(forms) != 1:
            raise ValueError(f"give exactly one of after, before or holds (found {', '.join(forms) or 'none'})")
        if (self.event is None) == (self.holds is None):
            raise ValueError("after and before need an event; holds takes none")
        if bool(self.states) != (self.holds is not None and "{X}" in self.holds):
            raise ValueError("states go with a holds condition written with {X}, and {X} needs states")
        return self

    @property
    def form(self) -> str:
        return "after" if self.after is not None else "before" if self.before is not None else "holds"

    def conditions(self) -> dict[str, str]:
        """The holds condition written out for each state it covers (one entry, keyed '', without states)."""
        if self.holds is None:
            return {}
        if not self.states:
            return {"": self.holds}
        return {code: self.holds.replace("{X}", code) for code in self.states}


class Precedence(Strict):
    constraints: list[Constraint] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Precedence:
        ids = [constraint.id for constraint in self.constraints]
        repeated = sorted({name for name in ids if ids.count(name) > 1})
        if repeated:
            raise ValueError(f"constraint ids repeat: {repeated}")
        return self


PRECEDENCE_FILE = "precedence.yaml"


@cache
def load_precedence() -> Precedence:
    """Read and validate ``sim/book/rulebook/precedence.yaml``; an unknown rule named in it is an InputError."""
    document = load_yaml(resources.files("sim.book") / "rulebook" / PRECEDENCE_FILE)
    precedence = validate(Precedence, document.data, document)
    known = {rule.id for rule in load_rulebook().rules}
    for index, constraint in enumerate(precedence.constraints):
        texts = [constraint.event, constraint.after, constraint.before, constraint.holds, constraint.applies]
        for name in re.findall(r"\bfired\.([A-Z]{2}\.[a-z0-9_]+)", " ".join(text for text in texts if text)):
            if name not in known:
                line = document.line_of(("constraints", index))
                raise InputError(f"names rule {name}, which the rule book does not have", document.file, line, f"constraints.{index}")
    return precedence
