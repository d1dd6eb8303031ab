"""Rules in words: what each variable means, conditions read aloud, and the rule book as text or Markdown.

Presentation only: it reads the rule book and parsed expressions, and never
evaluates anything.
"""

from __future__ import annotations

import re

from sim.book.rules import STATE_NAMES, STATES, Rule, RuleBook
from sim.book.scenario import default_scenario
from sim.engine.conditions import Binary, Call, Literal, Name, Node, Unary, parse

LEVELS = "settlement levels: 0 none, 1 autonomy for the Sudeten Germans, 2 cession of the Sudeten territories, 3 immediate occupation"
LEVEL_NAMES = {1: "autonomy", 2: "cession", 3: "immediate occupation"}
CRISIS_WORDS = {
    "crisis.demand": "Germany's demand level",
    "crisis.proposal": "the level Britain and France have put to Prague",
    "crisis.cz_accepts": "the level Prague has accepted",
    "crisis.demand_day": "the day of Germany's latest demand",
    "crisis.cz_accept_day": "the day Prague last accepted terms",
    "crisis.settled_day": "the day a settlement was concluded",
    "crisis.first_shot_day": "the day of the first shot",
    "crisis.league_appeal_day": "the day Prague appealed to the League",
    "crisis.league_verdict_day": "the day the League found against Germany",
    "crisis.conference_day": "the day the four-power conference met",
    "crisis.climbdown_day": "the day Germany backed down",
    "crisis.cz_resistance_end_day": "the day Czechoslovak resistance ended",
    "crisis.teschen_day": "the day Poland took Teschen",
    "crisis.su_aid_day": "the day Soviet aid reached Czechoslovakia",
    "crisis.closed_day": "the day the rollout closed",
    "today": "today",
}
HAPPENED_WORDS = {
    "crisis.settled_day": "a settlement has been concluded",
    "crisis.first_shot_day": "the first shot has been fired",
    "crisis.league_appeal_day": "Prague has appealed to the League",
    "crisis.league_verdict_day": "the League has found against Germany",
    "crisis.conference_day": "the four-power conference has met",
    "crisis.climbdown_day": "Germany has backed down",
    "crisis.cz_resistance_end_day": "Czechoslovak resistance has ended",
    "crisis.teschen_day": "Poland has taken Teschen",
    "crisis.su_aid_day": "Soviet aid has reached Czechoslovakia",
}
ACTOR_WORDS = {
    "mobilisation": "{actor}'s mobilisation (0 to 1)",
    "at_war": "{actor} is at war",
    "pressure": "the pressure on {actor} to concede",
    "war_day": "the day {actor} went to war",
    "mobilised_day": "the day {actor} mobilised",
    "attacked_day": "the day {actor} was attacked",
    "called_conference_day": "the day {actor} called for a conference",
}
ACTOR_HAPPENED = {
    "war_day": "{actor} has gone to war",
    "mobilised_day": "{actor} has mobilised",
    "attacked_day": "{actor} has been attacked",
    "called_conference_day": "{actor} has called for a conference",
}
# Day variables between two states (``CZ.asked_SU_day``): the day, and the fact that it has happened.
RELATIONS = {
    "asked": ("the day {actor} asked {other} for help", "{actor} has asked {other} for help"),
    "heard": ("the day {actor} heard from {other}", "{actor} has heard from {other}"),
    "war_on": ("the day {actor} went to war with {other}", "{actor} has gone to war with {other}"),
}
RELATION = re.compile(r"(asked|heard|war_on)_(\w\w)_day")
OPERATORS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠", "+": "+", "-": "−", "*": "×", "/": "/"}


def name_in_words(name: str) -> str:
    """A variable's meaning in words, e.g. ``DE.belief.GB`` -> Germany's belief that Britain will fight."""
    if name in CRISIS_WORDS:
        return CRISIS_WORDS[name]
    head, _, rest = name.partition(".")
    if head in STATES:
        actor = STATE_NAMES[head]
        if rest in ACTOR_WORDS:
            return ACTOR_WORDS[rest].format(actor=actor)
        if match := re.fullmatch(r"(belief|trust)\.(\w\w)", rest):
            other = STATE_NAMES[match[2]]
            return f"{actor}'s belief that {other} will fight" if match[1] == "belief" else f"{actor}'s trust in what {other} says"
        if match := RELATION.fullmatch(rest):
            return RELATIONS[match[1]][0].format(actor=actor, other=STATE_NAMES[match[2]])
        if match := re.fullmatch(r"passage_(\w+?)(_day)?", rest):
            return f"{actor} lets {match[1]} through" + (" (the day it began)" if match[2] else "")
        return f"{actor}'s {rest.replace('_', ' ')}"
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


def happened_in_words(name: str) -> str:
    if name in HAPPENED_WORDS:
        return HAPPENED_WORDS[name]
    head, _, rest = name.partition(".")
    if head in STATES:
        actor = STATE_NAMES[head]
        if rest in ACTOR_HAPPENED:
            return ACTOR_HAPPENED[rest].format(actor=actor)
        if match := RELATION.fullmatch(rest):
            return RELATIONS[match[1]][1].format(actor=actor, other=STATE_NAMES[match[2]])
    if head == "fired":
        return f"rule {rest} has fired"
    if head == "event":
        return f"{rest.replace('_', ' ')} has begun"
    return f"{name_in_words(name)} has happened"


def in_words(node: Node, dates: dict[float, str] | None = None) -> str:
    """A condition or probability read aloud."""
    dates = dates or {}
    match node:
        case Literal(value) if isinstance(value, bool):
            return "always" if value else "never"
        case Literal(value):
            return dates.get(value, f"{value:g}")
        case Name(name):
            return name_in_words(name)
        case Call("happened", (Name(name),)):
            return happened_in_words(name)
        case Call(function, args):
            return f"{function}({', '.join(in_words(arg, dates) for arg in args)})"
        case Unary("not", Call("happened", (Name(name),))):
            return f"not yet: {happened_in_words(name)}"
        case Unary("not", operand):
            return f"not ({in_words(operand, dates)})"
        case Unary(_, operand):
            return f"−{in_words(operand, dates)}"
        case Binary(">" | "!=", Name(name), Literal(0.0)) if name.endswith((".at_war", "_day")) or name.startswith("pact."):
            return name_in_words(name)
        case Binary("==", Name(name), Literal(0.0)) if name.endswith(".at_war") or name.startswith("pact."):
            return f"not: {name_in_words(name)}"
        case Binary("and" | "or", left, right):
            return f"{_grouped(left, node.op, dates)} {node.op} {_grouped(right, node.op, dates)}"
        case Binary(op, left, right):
            return f"{_grouped(left, op, dates)} {OPERATORS[op]} {_grouped(right, op, dates, right_operand=True)}"
    return str(node)


# How tightly each operator binds, as the parser reads them; "and" and "or" are always grouped
# when mixed, so that a reader never has to know which binds tighter.
_BINDING = {"or": 0, "and": 1, "<": 3, "<=": 3, ">": 3, ">=": 3, "==": 3, "!=": 3, "+": 4, "-": 4, "*": 5, "/": 5}


def _grouped(node: Node, parent: str, dates: dict[float, str], right_operand: bool = False) -> str:
    """A sub-expression in words, in brackets where the words alone would read differently."""
    text = in_words(node, dates)
    if not isinstance(node, Binary):
        return text
    if node.op in ("and", "or") and parent in ("and", "or"):
        return f"({text})" if node.op != parent else text
    looser = _BINDING[node.op] < _BINDING[parent]
    # a - (b - c) and a / (b * c): the right operand of a non-associative operator at the same level
    same_level_right = right_operand and parent in ("-", "/") and _BINDING[node.op] == _BINDING[parent]
    return f"({text})" if looser or same_level_right else text


def expression_in_words(text: str | float | bool) -> str:
    scenario = default_scenario()
    return in_words(parse(text, scenario.day_of).tree)


def timing_in_words(rule: Rule) -> str:
    if rule.tries == "once":
        return "drawn once, on the first day the condition holds"
    return "each day the condition holds, until it fires" if rule.once else "each day the condition holds"


def action_in_words(rule: Rule) -> str:
    action = rule.action
    target = STATE_NAMES.get(action.target or "", action.target)
    match action.kind:
        case "statement":
            hearers = "everyone (public)" if action.visibility == "public" or action.to == "all" else ", ".join(STATE_NAMES[s] for s in action.to)
            sincerity = "sincere" if action.sincere else "insincere"
            return (f"{action.visibility} statement to {hearers}: {STATE_NAMES[action.about]} will fight with probability "
                    f"{action.claim:g} ({sincerity})")
        case "mobilise" | "demobilise":
            return f"{action.kind} to level {action.level:g}"
        case "pressure":
            return f"press {target} to concede (+{action.level:g})"
        case "demand" | "propose" | "accept" | "reject" | "conference":
            return f"{action.kind} level {action.level:g} ({LEVEL_NAMES[int(action.level)]})"
        case "passage":
            return f"{'grant' if action.grant else 'refuse'} passage of {action.mode}"
        case "attack" | "declare_war" | "ask_help":
            return f"{action.kind.replace('_', ' ')}: {target}"
        case "denounce_pact":
            return f"denounce the {action.pact} pact"
        case "note":
            return "no direct action; see effects"
    return action.kind.replace("_", " ")


def evidence_line(item) -> str:
    said = f"{item.speaker}: " if item.speaker else ""
    dated = f", {item.date}" if item.date else ""
    text = f"“{item.quote}”" if item.quote else item.paraphrase
    return f"{item.cite()}{dated}. {said}{text}"


def rule_text(rule: Rule) -> list[str]:
    lines = [f"{rule.id}: {rule.summary}"]
    lines.append(f"  when:        {expression_in_words(rule.condition)}")
    lines.append(f"  chance:      {expression_in_words(rule.probability)}, {timing_in_words(rule)}")
    lines.append(f"  action:      {action_in_words(rule)}")
    lines.extend(f"  effect:      {effect}" for effect in rule.effects)
    lines.extend(f"  evidence:    {evidence_line(item)}" for item in rule.evidence)
    return lines


def lenses_text(book: RuleBook) -> list[str]:
    out = []
    for name, lens in book.lenses.items():
        settings = ", ".join(f"{key} = {value:g}" for key, value in lens.parameters.items()) or "the rule book's own values"
        cites = "; ".join(item.cite() for item in lens.evidence)
        out.append(f"- `{name}`: {' '.join(lens.description.split())} Sets: {settings}. ({cites})")
    return out


def rulebook_text(book: RuleBook, actors: list[str]) -> str:
    out = [LEVELS, "", "Lenses (a scenario picks one with `lens:`; the default is carley):", *lenses_text(book), ""]
    for actor in actors:
        chapter = book.actors[actor]
        out += [f"== {chapter.name} ({actor})", chapter.factions, ""]
        for name, parameter in chapter.parameters.items():
            out.append(f"  parameter {actor}.{name} = {parameter.value}  (range {parameter.range[0]} to {parameter.range[1]})")
        out.append("")
        for rule in chapter.rules:
            out += ["  " + line for line in rule_text(rule)] + [""]
    return "\n".join(out) + "\n"


def rulebook_markdown(book: RuleBook) -> str:
    """The whole rule book as a Markdown document (docs/rules.md is this, kept in step by a test)."""
    out = ["# The rule book", "", "Generated by `python run.py rules --markdown`; do not edit by hand. "
           "Sources: `000_85e967bd7e3b6f2b.txt` (Carley 2010, footnotes 1-76) and `002_a872aad8d61a84ba.txt` (the Geneva speech fragment). "
           "A footnote number is that of the note closing the passage; Carley's own unsourced sentences that follow a note in the same "
           "paragraph cite that note and say \"after note N\" (the conclusion, which has no note, says \"after note 76\").", "",
           f"The crisis runs on {LEVELS}.", ""]
    for actor in STATES:
        chapter = book.actors[actor]
        out += [f"## {chapter.name} ({actor})", "", chapter.factions, "", "| parameter | value | range | why |", "|---|---|---|---|"]
        for name, parameter in chapter.parameters.items():
            why = " ".join(parameter.description.split())
            cites = "; ".join(item.cite() for item in parameter.evidence)
            out.append(f"| `{actor}.{name}` | {parameter.value} | {parameter.range[0]} to {parameter.range[1]} | {why}{f' ({cites})' if cites else ''} |")
        out.append("")
        for rule in chapter.rules:
            out += [f"### `{rule.id}`", "", rule.summary, "",
                    f"- **when**: {expression_in_words(rule.condition)}",
                    f"- **chance**: {expression_in_words(rule.probability)}, {timing_in_words(rule)}",
                    f"- **action**: {action_in_words(rule)}"]
            out += [f"- **effect**: `{effect}`" for effect in rule.effects]
            out += [f"- **evidence**: {evidence_line(item)}" for item in rule.evidence]
            out.append("")
    out += ["## Lenses", "", "A scenario picks one reading of the contested points with `lens:`; the default is `carley`.", "",
            *lenses_text(book), ""]
    world = book.world
    out += ["## The world", "", "| parameter | value | range | why |", "|---|---|---|---|"]
    for name, parameter in world.parameters.items():
        out.append(f"| `world.{name}` | {parameter.value} | {parameter.range[0]} to {parameter.range[1]} | {' '.join(parameter.description.split())} |")
    out += ["", "| exogenous event | from | to | what |", "|---|---|---|---|"]
    for name, event in world.events.items():
        out.append(f"| `{name}` | {event.date} | {event.end or ''} | {' '.join(event.description.split())} |")
    return "\n".join(out) + "\n"
