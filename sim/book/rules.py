"""The rule book's file format: rules, actions, evidence, parameters and the exogenous calendar.

These are the pydantic models for ``sim/book/rulebook/*.yaml`` (what the sources say,
as data) and for the rules a scenario adds. How a rule is evaluated lives in
the engine (``sim/engine/``); what an action does lives in ``sim/book/actions.py``, and the
states and variables the rules may name in ``sim/book/vocabulary.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.book.actions import Action
from sim.book.inputs import InputError, load_yaml, validate
from sim.book.vocabulary import STATES, Actor, Kind, kind_of

MAIN_TEXT = "000_85e967bd7e3b6f2b.txt"
FRAGMENT = "002_a872aad8d61a84ba.txt"
# Carley's article prints notes 1-76 (the ledger says 75; the text, which wins, has 76).
MAIN_TEXT_FOOTNOTES = range(1, 77)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidence(Strict):
    """Where a rule or a number comes from: a source file and footnote, or a dated passage."""

    source: Literal["000_85e967bd7e3b6f2b.txt", "002_a872aad8d61a84ba.txt", "external"]
    footnote: int | None = None
    date: dt.date | None = None
    speaker: str | None = None
    quote: str | None = Field(None, description="A short quotation from the source, as printed.")
    paraphrase: str | None = None
    reference: str | None = Field(None, description="For external sources: the published work cited.")
    kind: Literal["record", "argument"] = Field(
        "record",
        description="record: the passage documents the act or statement the rule models; argument: it gives what someone "
        "argued or expected (the author's counterfactual, an actor's assessment of another), not the act itself.",
    )

    @model_validator(mode="after")
    def _locatable(self) -> Evidence:
        if self.source == MAIN_TEXT:
            if self.footnote is None:
                raise ValueError(f"evidence from {MAIN_TEXT} needs the footnote of the passage")
            if self.footnote not in MAIN_TEXT_FOOTNOTES:
                raise ValueError(f"footnote {self.footnote} does not exist; the text has 1-76")
        elif self.source == FRAGMENT:
            if self.footnote is not None:
                raise ValueError("the fragment has no footnotes; give the date instead")
            if self.date is None:
                raise ValueError("evidence from the fragment needs the date of the passage")
        else:
            if not self.reference:
                raise ValueError("an external source needs a reference (author, title, year)")
        if not (self.quote or self.paraphrase):
            raise ValueError("evidence needs a quote or a paraphrase")
        return self

    def cite(self) -> str:
        if self.source == "external":
            return f"[ext] {self.reference}"
        where = f"fn {self.footnote}" if self.footnote else str(self.date)
        return f"{self.source} {where}"


class Parameter(Strict):
    """A number the model needs, its allowed range and why it has the value it has."""

    value: float | dt.date = Field(description="A number, or a date (used in conditions as that day's index).")
    range: tuple[float, float] | tuple[dt.date, dt.date]
    description: str
    evidence: list[Evidence] = []

    @model_validator(mode="after")
    def _inside(self) -> Parameter:
        low, high = self.range
        if isinstance(self.value, dt.date) != isinstance(low, dt.date):
            raise ValueError("value and range must both be numbers or both dates")
        if not low <= high:
            raise ValueError(f"range {list(self.range)} is empty")
        if not low <= self.value <= high:
            raise ValueError(f"value {self.value} is outside its range {list(self.range)}")
        return self


EFFECT = re.compile(r"^\s*(?P<target>[A-Za-z_][\w.]*)\s*(?P<op>=|\+=|-=|max=|min=)\s*(?P<expr>.+)$")


PROBABILITY = (
    "A number within [0, 1], or an expression. An expression that reads no variable (e.g. '1 / 7') must also be within [0, 1]; "
    "one that does is clipped into [0, 1] where it is worked out, and where it is undefined (0/0) the rule does not fire."
)


class Rule(Strict):
    """One commitment, promise, refusal, threat or policy line, with its evidence.

    The rule fires for a lane on a day when ``condition`` holds there and the
    lane's addressed draw falls below ``probability``. With ``once`` it fires at
    most once per rollout.
    """

    id: str = Field(description="ACTOR.name, e.g. FR.honours_treaty")
    summary: str
    description: str | None = Field(
        None,
        description="What the passages document and what the rule adds to them (numbers no source gives are named "
        "modelling assumptions); shown in the rule book, not in narration.",
    )
    condition: str | bool = True
    probability: str | float = Field(1.0, description=PROBABILITY)
    once: bool = True
    tries: Literal["daily", "once"] = Field(
        "daily",
        description="daily: a new draw each day the condition holds; once: a single draw on the first day it holds (a one-off decision).",
    )
    enabled: bool = True
    yields_to: list[str] = Field(
        [],
        description="Declared precedence among options of one day: rules (earlier in the rule book) that take precedence; "
        "where one of them fires on a day, this rule does not fire there that day (Hitler takes the conference or attacks, not both).",
    )
    action: Action
    effects: list[str] = Field([], description="Extra state changes: 'VAR = EXPR', 'VAR += EXPR', 'VAR max= EXPR'.")
    by: str | None = Field(
        None,
        description="The person who acts (e.g. Bonnet): the rule fires only while they hold the office offices.yaml gives them.",
    )
    evidence: list[Evidence] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id_names_actor(cls, value: str) -> str:
        actor, _, name = value.partition(".")
        if actor not in STATES or not re.fullmatch(r"[a-z][a-z0-9_]*", name or ""):
            raise ValueError(f"rule id {value!r} must be ACTOR.snake_case_name with ACTOR one of {', '.join(STATES)}")
        return value

    @field_validator("probability")
    @classmethod
    def _probability(cls, value: str | float) -> str | float:
        if isinstance(value, int | float):
            if not 0 <= value <= 1:
                raise ValueError(f"probability must be within [0, 1], got {value}")
        return value

    @field_validator("effects")
    @classmethod
    def _effects(cls, value: list[str]) -> list[str]:
        for effect in value:
            if not EFFECT.match(effect):
                raise ValueError(f"effect {effect!r} must read 'VARIABLE = EXPRESSION' (or +=, -=, max=, min=)")
        return value

    @model_validator(mode="after")
    def _tries(self) -> Rule:
        if not (self.once or self.tries == "daily"):
            raise ValueError("a one-off decision (tries: once) fires at most once: set once: true")
        return self

    @model_validator(mode="after")
    def _cited(self) -> Rule:
        if all(item.source == "external" for item in self.evidence):
            raise ValueError("a rule must cite at least one of the two source texts")
        return self

    @property
    def actor(self) -> str:
        return self.id.split(".", 1)[0]


class ActorBook(Strict):
    """One state's file in the rule book: its parameters, its extra state variables, its rules."""

    actor: Actor
    name: str
    factions: str = Field(description="How the texts show this state divided, and where that division lives in the model.")
    parameters: dict[str, Parameter] = {}
    variables: dict[str, float] = Field({}, description="Extra per-lane state, with its initial value.")
    rules: list[Rule]

    @model_validator(mode="after")
    def _rules_belong(self) -> ActorBook:
        for rule in self.rules:
            if rule.actor != self.actor:
                raise ValueError(f"rule {rule.id} sits in {self.actor}'s book but names another actor")
        return self


class Event(Strict):
    """An exogenous dated event (outside the seven states), movable or removable by a scenario."""

    date: dt.date
    end: dt.date | None = None
    enabled: bool = True
    description: str
    moot_after: list[str] = Field(
        [],
        description="Declared day variables (crisis.settled_day, crisis.first_shot_day): in a rollout where one of them came "
        "before the event's day, the event still happens but its story no longer tells it (Mussolini's offer after a settlement).",
    )
    evidence: list[Evidence] = Field(min_length=1)

    @field_validator("moot_after")
    @classmethod
    def _days(cls, names: list[str]) -> list[str]:
        wrong = [name for name in names if kind_of(name) is not Kind.DAY]
        if wrong:
            raise ValueError(f"moot_after names {wrong}, which are not declared day variables (e.g. crisis.settled_day)")
        return names


class EventEdit(Strict):
    """A scenario's change to one exogenous event."""

    date: dt.date | None = None
    end: dt.date | None = None
    enabled: bool | None = None


class World(Strict):
    """Crisis-wide parameters (perception, campaign) and the exogenous calendar."""

    parameters: dict[str, Parameter]
    variables: dict[str, float] = Field({}, description="Crisis-wide state with its initial value, e.g. pact.su_pl: 1.")
    events: dict[str, Event]


# Every state has this parameter; scenarios close the information gaps of double-dealing with it.
CANDOUR = Parameter(
    value=0.0,
    range=(0.0, 1.0),
    description=(
        "How far this state's insincere statements are replaced by what it really holds: 0 as in 1938, each audience "
        "hearing its own line (France had 'one line for the Germans; one line for the Americans, and one for the Soviet "
        "Union', fn 19); 1, every audience hears the truth."
    ),
    evidence=[Evidence(source=MAIN_TEXT, footnote=19, quote="one line for the Germans; one line for the Americans, and one for the Soviet Union")],
)


class Lens(Strict):
    """A reading of a contested point: a named set of parameter values a scenario selects with `lens:`."""

    description: str
    parameters: dict[str, float] = {}
    evidence: list[Evidence] = Field(min_length=1)


class Holder(Strict):
    """One person's term in an office, within or across the crisis (``None``: before, or after, the simulated window)."""

    name: str
    start: dt.date | None = None
    end: dt.date | None = Field(None, description="The day the successor took over (the holder acts until the day before).")
    evidence: list[Evidence] = Field(min_length=1)


class Office(Strict):
    """An office whose holder a rule may name (``by:``), with its holders in order."""

    title: str = Field(description="In words, e.g. 'French foreign minister'.")
    holders: list[Holder] = Field(min_length=1)

    @model_validator(mode="after")
    def _in_order(self) -> Office:
        for before, after in zip(self.holders, self.holders[1:], strict=False):
            if before.end is None or after.start is None or before.end > after.start:
                raise ValueError(f"{before.name}'s term must end (end:) no later than {after.name}'s begins (start:)")
        return self


class RuleBook(Strict):
    actors: dict[str, ActorBook]
    world: World
    lenses: dict[str, Lens]
    offices: dict[str, Office] = {}

    def term(self, rule: Rule) -> tuple[Office, Holder] | None:
        """The office and term of the person a rule names in ``by`` (None for a rule that names nobody).

        Offices are keyed ``ACTOR.name`` (``FR.foreign_minister``); the person must hold one of the acting state's.
        """
        if rule.by is None:
            return None
        for key, office in self.offices.items():
            if key.split(".", 1)[0] == rule.actor:
                for holder in office.holders:
                    if holder.name == rule.by:
                        return office, holder
        known = sorted(holder.name for key, office in self.offices.items() if key.split(".", 1)[0] == rule.actor for holder in office.holders)
        raise ValueError(f"{rule.by!r} holds no office of {rule.actor} in offices.yaml; known: {', '.join(known) or 'none'}")

    def in_office(self, rule: Rule, window: tuple[dt.date, dt.date] | None = None) -> str | bool:
        """The rule's condition, and (for a rule naming its actor) that today falls within the actor's term.

        With a simulated ``window`` (first and last day), a bound of the term outside it is left out (it always holds
        there), and a term that misses the window altogether makes the condition false.
        """
        found = self.term(rule)
        if found is None:
            return rule.condition
        _, holder = found
        first, last = window or (None, None)
        if window is not None and ((holder.start and holder.start > last) or (holder.end and holder.end <= first)):
            return False
        within = [f"today >= {holder.start}" if holder.start and (first is None or holder.start > first) else "",
                  f"today < {holder.end}" if holder.end and (last is None or holder.end <= last) else ""]
        condition = "true" if rule.condition is True else "false" if rule.condition is False else f"({rule.condition})"
        return " and ".join([condition, *(part for part in within if part)])

    @property
    def rules(self) -> list[Rule]:
        return [rule for actor in STATES for rule in self.actors[actor].rules]

    def parameters(self) -> dict[str, Parameter]:
        """Every parameter by its dotted name: ``FR.daladier_weight``, ``world.observation_weight``."""
        named = {f"world.{name}": parameter for name, parameter in self.world.parameters.items()}
        for actor in STATES:
            # Candour only where there is something to be candid about: a state with an insincere statement.
            if any(getattr(rule.action, "sincere", True) is False for rule in self.actors[actor].rules):
                named[f"{actor}.candour"] = CANDOUR
            named.update({f"{actor}.{name}": parameter for name, parameter in self.actors[actor].parameters.items()})
        return named


@cache
def load_rulebook() -> RuleBook:
    """Read and validate the rule book shipped in ``sim/book/rulebook``."""
    folder = resources.files("sim.book") / "rulebook"
    actors = {}
    for actor in STATES:
        document = load_yaml(folder / f"{actor}.yaml")
        actors[actor] = validate(ActorBook, document.data, document)
    world_document = load_yaml(folder / "world.yaml")
    world = validate(World, world_document.data, world_document)
    lens_document = load_yaml(folder / "lenses.yaml")
    lenses = {name: validate(Lens, data, lens_document, (name,)) for name, data in lens_document.data.items()}
    office_document = load_yaml(folder / "offices.yaml")
    offices = {name: validate(Office, data, office_document, (name,)) for name, data in office_document.data.items()}
    book = RuleBook(actors=actors, world=world, lenses=lenses, offices=offices)
    for rule in book.rules:
        try:
            book.term(rule)
        except ValueError as error:
            raise InputError(str(error), f"sim/book/rulebook/{rule.actor}.yaml", None, rule.id) from None
    parameters = book.parameters()
    for name, lens in lenses.items():
        for key, value in lens.parameters.items():
            line = lens_document.line_of((name, "parameters", key))
            if key not in parameters:
                raise InputError(f"lens {name} sets unknown parameter {key}", lens_document.file, line)
            low, high = parameters[key].range
            if not low <= value <= high:
                raise InputError(f"lens {name} sets {key} = {value}, outside [{low}, {high}]", lens_document.file, line)
    ids = [rule.id for rule in book.rules]
    duplicated = {rule_id for rule_id in ids if ids.count(rule_id) > 1}
    if duplicated:
        raise InputError(f"duplicate rule ids in the rule book: {sorted(duplicated)}")
    return book
