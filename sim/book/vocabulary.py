"""The model's vocabulary: the seven states, and every state variable with its kind, bounds and words.

One table, ``VARIABLES``, declares the variables the model keeps for each state and for the
crisis as a whole. From it come the world's layout (``names`` and ``initial_value``, used by
``sim/engine/world.py``), which variables are days (``kind_of``), which are kept within
[0, 1] after each day's writes (``is_clipped``), and how a name reads in the rule book in
words and in narration (``words_of``, ``happened_words_of``). Variables that the rule book
declares itself (a state's ``variables:``, the pacts, the exogenous events, the rules'
``fired.*`` days and the parameters) are named by their prefix here.

Adding a state variable is one ``Variable`` row (see the README, "How to add").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Literal

# The seven states, by code, in the rule book's order, with their names in words: adding a state starts here.
STATE_NAMES = {
    "CZ": "Czechoslovakia",
    "FR": "France",
    "GB": "Britain",
    "SU": "the USSR",
    "PL": "Poland",
    "RO": "Romania",
    "DE": "Germany",
}
STATES = tuple(STATE_NAMES)
Actor = Literal[STATES]  # a state's code, as the rule book and scenarios must write it

# Settlement levels, as demands, proposals, acceptances and conference terms use them.
LEVEL_NAMES = {1: "autonomy", 2: "cession", 3: "immediate occupation"}
LEVELS = "settlement levels: 0 none, 1 autonomy for the Sudeten Germans, 2 cession of the Sudeten territories, 3 immediate occupation"
PASSAGE_MODES = ("troops", "aircraft", "materiel", "warplanes")  # aircraft and materiel: tolerated in peace; warplanes: overflight in war
# The standing pacts of ``world.yaml``'s variables, in words (dates: fn 19, 20, 22, 25, 48, 52, 71).
PACT_NAMES = {
    "pact.fr_cz": "the Franco-Czechoslovak alliance (1925)",
    "pact.su_cz": "the Soviet-Czechoslovak pact (1935)",
    "pact.fr_su": "the Franco-Soviet pact (1935)",
    "pact.su_pl": "the Soviet-Polish non-aggression pact (1932)",
    "pact.fr_pl": "the Franco-Polish alliance (1921)",
}
# Each outcome and its meaning, in the order of their indices; ``classify`` decides between them.
OUTCOME_MEANINGS = {
    "settlement": "territory ceded without war (Munich-like)",
    "german_climbdown": "Germany backs off without war or cession",
    "local_war": "Germany attacks Czechoslovakia and no great power joins",
    "general_war": "Germany at war with Czechoslovakia and at least one of France, Britain, the USSR",
    "unresolved": "a stand-off: no war, settlement or climb-down by the horizon (spring 1939 unless the scenario ends earlier)",
}
OUTCOMES = tuple(OUTCOME_MEANINGS)
# The military result of each rollout at the horizon, in the order of their indices (``sim/engine/outcomes.py`` ``military``).
MILITARY_MEANINGS = {
    "no_war": "no German attack: the crisis ended in a settlement or a climb-down",
    "standoff": "no German attack, and nothing settled: the armies still face each other at the horizon",
    "cz_overrun": "Czechoslovak resistance ended before the horizon (beaten, or occupied without a fight)",
    "germany_checked": "Germany halted its campaign and sought terms while Czechoslovakia still fought",
    "cz_holds": "Czechoslovakia still fighting at the horizon, its main line unbroken",
    "cz_falls_back": "Czechoslovakia still fighting at the horizon, its main line broken and its army falling back east",
}
MILITARY_RESULTS = tuple(MILITARY_MEANINGS)
# The Czechoslovak fronts of the campaign (sim/engine/campaign.py), in words.
FRONT_NAMES = {
    "north": "the northern front (Silesia to the Oder gap: the heavy works)",
    "west": "the western front (Bohemia's hills: light works)",
    "south": "the southern front (the old Austrian border: hardly fortified)",
}
FRONTS = tuple(FRONT_NAMES)
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
    "su_aid_short_of_war": "SU.aid_sent_day",
    "ro_opens_airspace_in_war": "RO.passage_warplanes_day",
    "de_generals_object": "DE.generals_object_day",
    "conference_after_refusal": "crisis.conference_after_refusal_day",
    "fr_offensive": "FR.offensive_day",
    "main_line_broken": "crisis.breach_day",
    "su_troops_reach_cz": "crisis.su_troops_day",
}
EVENTS = tuple(EVENT_DAYS)
NEVER = 10**9  # the value of a day variable until its day comes: later than any day of any scenario ("today - X >= k" is false)


class Kind(StrEnum):
    LEVEL = "level"  # a quantity: a mobilisation, a pressure, a settlement level
    DAY = "day"  # the first day something happened (NEVER until then)
    FLAG = "flag"  # 1 or 0: at war, a passage granted, a pact in force, an event under way
    BELIEF = "belief"  # the probability a state gives that another will fight
    TRUST = "trust"  # how far a state moves toward what another tells it
    PARAMETER = "parameter"  # a number of the rule book (or a scenario, lens, posterior draw or sweep point)


@dataclass(frozen=True)
class Variable:
    """One declared variable, or a family of them.

    ``name`` is a pattern: ``{actor}`` stands for each state (a per-state variable), ``{other}``
    for each other state, ``{mode}`` for each passage mode. ``initial`` is the value on the first
    day (``None``: the parameter ``{actor}.{...}`` if the book has one, else ``default``, a world
    parameter). ``clipped``: kept within ``bounds`` after every day's writes.
    """

    name: str
    kind: Kind
    words: str
    happened: str | None = None  # for days: the fact that the day has come, in words
    initial: float | None = 0.0
    default: str | None = None
    bounds: tuple[float, float] | None = None
    clipped: bool = False

    def __post_init__(self) -> None:
        if self.kind is Kind.DAY and self.initial is not None:
            object.__setattr__(self, "initial", NEVER)


V, K = Variable, Kind
UNIT = (0.0, 1.0)
# In the order the world lays them out (the order narration lists belief changes in).
VARIABLES = (
    V("{actor}.mobilisation", K.LEVEL, "{actor}'s mobilisation (0 to 1)", bounds=UNIT, clipped=True),
    V("{actor}.at_war", K.FLAG, "{actor} is at war", bounds=UNIT),
    V("{actor}.pressure", K.LEVEL, "the pressure on {actor} to concede", bounds=UNIT, clipped=True),
    V("{actor}.mobilised_day", K.DAY, "the day {actor} mobilised", "{actor} has mobilised"),
    V("{actor}.war_day", K.DAY, "the day {actor} went to war", "{actor} has gone to war"),
    V("{actor}.attacked_day", K.DAY, "the day {actor} was attacked", "{actor} has been attacked"),
    V("{actor}.aid_sent_day", K.DAY, "the day {actor} sent arms to Czechoslovakia short of war", "{actor} has sent arms short of war"),
    V("{actor}.generals_object_day", K.DAY, "the day {actor}'s generals objected to war", "{actor}'s generals have objected to war"),
    V("{actor}.offensive_day", K.DAY, "the day {actor} attacked Germany in the west", "{actor} has attacked Germany in the west"),
    V("{actor}.called_conference_day", K.DAY, "the day {actor} called for a conference", "{actor} has called for a conference"),
    V("{actor}.belief.{other}", K.BELIEF, "{actor}'s belief that {other} will fight", initial=None, default="world.default_belief",
      bounds=UNIT, clipped=True),
    V("{actor}.trust.{other}", K.TRUST, "{actor}'s trust in what {other} says", initial=None, default="world.default_trust"),
    V("{actor}.heard_{other}_day", K.DAY, "the day {actor} heard from {other}", "{actor} has heard from {other}"),
    V("{actor}.asked_{other}_day", K.DAY, "the day {actor} asked {other} for help", "{actor} has asked {other} for help"),
    V("{actor}.war_on_{other}_day", K.DAY, "the day {actor} went to war with {other}", "{actor} has gone to war with {other}"),
    V("{actor}.passage_{mode}", K.FLAG, "{actor} lets {mode} through", bounds=UNIT),
    V("{actor}.passage_{mode}_day", K.DAY, "{actor} lets {mode} through (the day it began)"),
    V("crisis.demand", K.LEVEL, "Germany's demand level", bounds=(0, 3)),
    V("crisis.proposal", K.LEVEL, "the level Britain and France have put to Prague", bounds=(0, 3)),
    V("crisis.cz_accepts", K.LEVEL, "the level Prague has accepted", bounds=(0, 3)),
    V("crisis.demand_day", K.DAY, "the day of Germany's latest demand"),
    V("crisis.cz_accept_day", K.DAY, "the day Prague last accepted terms"),
    V("crisis.settled_day", K.DAY, "the day a settlement was concluded", "a settlement has been concluded"),
    V("crisis.first_shot_day", K.DAY, "the day of the first shot", "the first shot has been fired"),
    V("crisis.league_appeal_day", K.DAY, "the day Prague appealed to the League", "Prague has appealed to the League"),
    V("crisis.conference_day", K.DAY, "the day the four-power conference met", "the four-power conference has met"),
    V("crisis.conference_after_refusal_day", K.DAY, "the day a conference met before Prague had yielded the cession",
      "a conference has met before Prague yielded the cession"),
    V("crisis.climbdown_day", K.DAY, "the day Germany backed down", "Germany has backed down"),
    V("crisis.cz_resistance_end_day", K.DAY, "the day Czechoslovak resistance ended", "Czechoslovak resistance has ended"),
    V("crisis.teschen_day", K.DAY, "the day Poland took Teschen", "Poland has taken Teschen"),
    V("crisis.su_aid_day", K.DAY, "the day Soviet aid reached Czechoslovakia", "Soviet aid has reached Czechoslovakia"),
    V("crisis.su_troops_day", K.DAY, "the day Soviet ground forces reached Czechoslovakia", "Soviet ground forces have reached Czechoslovakia"),
    V("crisis.campaign_halted_day", K.DAY, "the day Germany halted its campaign and sought terms", "Germany has halted its campaign"),
    V("crisis.breach_day", K.DAY, "the day the Czechoslovak main line was first broken", "the Czechoslovak main line has been broken"),
    *(V(f"crisis.front_{front}", K.LEVEL, f"German progress toward a breach on {words} (1: broken)", bounds=(0, 1)) for front, words in FRONT_NAMES.items()),
    V("crisis.retreat", K.LEVEL, "how far the Czechoslovak army's fighting retreat east has gone (1: no room left)", bounds=(0, 1)),
    V("crisis.league_verdict_day", K.DAY, "the day the League found against Germany", "the League has found against Germany"),
    V("crisis.closed_day", K.DAY, "the day the rollout closed"),
    *(V(f"crisis.proposal_{level}_day", K.DAY, f"the day {LEVEL_NAMES[level]} was first proposed to Prague") for level in LEVEL_NAMES),
    *(V(f"crisis.reject_{level}_day", K.DAY, f"the day Prague first rejected {LEVEL_NAMES[level]}") for level in LEVEL_NAMES),
)
# What the other states see of each state (its mobilisation, or war): a change to these is a sighting.
SEEN = ("mobilisation", "at_war")


@dataclass(frozen=True)
class Named:
    """A declared variable under one concrete name, with the states (and mode) its pattern was filled with."""

    variable: Variable
    actor: str = ""
    other: str = ""
    mode: str = ""

    @property
    def name(self) -> str:
        return self.variable.name.format(actor=self.actor, other=self.other, mode=self.mode)

    def fill(self, template: str) -> str:
        """``template`` (the variable's words) with the states' names and the mode filled in."""
        return template.format(actor=STATE_NAMES.get(self.actor, ""), other=STATE_NAMES.get(self.other, ""), mode=self.mode)


def per_state(actor: str) -> list[Named]:
    """A state's declared variables, in layout order: its own, then per other state, then per passage mode."""
    own = [variable for variable in VARIABLES if variable.name.startswith("{actor}.")]
    found = [Named(variable, actor) for variable in own if "{other}" not in variable.name and "{mode}" not in variable.name]
    for other in STATES:
        if other != actor:
            found += [Named(variable, actor, other) for variable in own if "{other}" in variable.name]
    for mode in PASSAGE_MODES:
        found += [Named(variable, actor, mode=mode) for variable in own if "{mode}" in variable.name]
    return found


def crisis_wide() -> list[Named]:
    """The crisis-wide declared variables, in layout order."""
    return [Named(variable) for variable in VARIABLES if not variable.name.startswith("{actor}.")]


@cache
def declared() -> dict[str, Named]:
    """Every declared variable by concrete name."""
    return {named.name: named for named in [*(named for actor in STATES for named in per_state(actor)), *crisis_wide()]}


def kind_of(name: str) -> Kind | None:
    """A variable's kind: declared in the table, or by the rule book's prefixes; None for today and unknown names."""
    if name in declared():
        return declared()[name].variable.kind
    head, _, rest = name.partition(".")
    if head == "fired" or (head == "event" and not rest.endswith(".active")) or (head == "pact" and rest.endswith(".denounced_day")):
        return Kind.DAY
    if head in ("event", "pact"):
        return Kind.FLAG
    if head == "world":
        return Kind.PARAMETER
    return None


def is_day(name: str) -> bool:
    """Day variables hold the first day something happened, NEVER until it does (a state's own ``*_day`` variables too)."""
    kind = kind_of(name)
    return kind is Kind.DAY or (kind is None and name.endswith("_day"))


def is_clipped(name: str) -> bool:
    """Kept within its bounds after every day's writes (mobilisation, pressure, belief)."""
    named = declared().get(name)
    return named is not None and named.variable.clipped


def seen(actor: str) -> tuple[str, ...]:
    """The variables through which the other states see ``actor``."""
    return tuple(f"{actor}.{name}" for name in SEEN)


def words_of(name: str) -> str:
    """A variable's meaning in words, e.g. ``DE.belief.GB`` -> Germany's belief that Britain will fight."""
    if name == "today":
        return "today"
    if name in declared():
        named = declared()[name]
        return named.fill(named.variable.words)
    head, _, rest = name.partition(".")
    if head in STATES:
        return f"{STATE_NAMES[head]}'s {rest.replace('_', ' ')}"  # a state's own variable from the rule book
    if head == "fired":
        return f"the day rule {rest} fired"
    if head == "event":
        event = rest.removesuffix(".active").replace("_", " ")
        return f"{event} is under way" if rest.endswith(".active") else f"the day {event} began"
    if head == "pact":
        return f"the {rest.replace('_', '-')} pact is in force"
    if head == "world":
        return rest.replace("_", " ")
    return name


def happened_words_of(name: str) -> str:
    """That a day variable's day has come, in words, e.g. ``crisis.first_shot_day`` -> the first shot has been fired."""
    named = declared().get(name)
    if named is not None and named.variable.happened:
        return named.fill(named.variable.happened)
    head, _, rest = name.partition(".")
    if head == "fired":
        return f"rule {rest} has fired"
    if head == "event":
        return f"{rest.replace('_', ' ')} has begun"
    return f"{words_of(name)} has happened"


def pact_words(name: str) -> str:
    """A pact variable (``pact.fr_cz``) by its name in words."""
    return PACT_NAMES.get(name, words_of(name))
