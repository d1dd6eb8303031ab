"""Rules in words: what each variable means, conditions read aloud, and the rule book as text or Markdown.

Presentation only: it reads the rule book and parsed expressions, and never
evaluates anything.
"""

from __future__ import annotations

from sim.book.precedence import load_precedence
from sim.book.rules import FRAGMENT, MAIN_TEXT, Evidence, Rule, RuleBook
from sim.book.scenario import default_scenario
from sim.book.vocabulary import LEVELS, STATE_NAMES, STATES, Kind, happened_words_of, kind_of, words_of
from sim.engine.conditions import Binary, Call, Literal, Name, Node, Unary, parse
from sim.engine.dependencies import DEAD_END, NO_READER, Inert

OPERATORS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠", "+": "+", "-": "−", "*": "×", "/": "/"}


def in_words(node: Node, dates: dict[float, str] | None = None) -> str:
    """A condition or probability read aloud."""
    dates = dates or {}
    match node:
        case Literal(value) if isinstance(value, bool):
            return "always" if value else "never"
        case Literal(value):
            return dates.get(value, f"{value:g}")
        case Name(name):
            return words_of(name)
        case Call("happened", (Name(name),)):
            return happened_words_of(name)
        case Call(function, args):
            return f"{function}({', '.join(in_words(arg, dates) for arg in args)})"
        case Unary("not", Call("happened", (Name(name),))):
            return f"not yet: {happened_words_of(name)}"
        case Unary("not", operand):
            return f"not ({in_words(operand, dates)})"
        case Unary(_, operand):
            return f"−{in_words(operand, dates)}"
        case Binary(">" | "!=", Name(name), Literal(0.0)) if kind_of(name) is Kind.FLAG:
            return words_of(name)
        case Binary("==", Name(name), Literal(0.0)) if kind_of(name) is Kind.FLAG:
            return f"not: {words_of(name)}"
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


ARGUED = "An argument, not a record of the act: "  # before evidence of kind ``argument``


def evidence_line(item) -> str:
    said = f"{item.speaker}: " if item.speaker else ""
    dated = f", {item.date}" if item.date else ""
    text = f"“{item.quote}”" if item.quote else item.paraphrase
    argued = ARGUED if getattr(item, "kind", "record") == "argument" else ""
    return f"{item.cite()}{dated}. {argued}{said}{text}"


def short_cite(item: Evidence) -> str:
    """A source in words, short enough for a table cell: "Carley, fn 41"; "Litvinov, Geneva speech fragment, 21 September 1938"."""
    if item.source == MAIN_TEXT:
        return f"Carley, fn {item.footnote}"
    if item.source == FRAGMENT:
        return f"{item.speaker or 'Litvinov'}, Geneva speech fragment, {item.date:%-d %B %Y}"
    return f"ext.: {item.reference}"


def evidence_words(item: Evidence) -> str:
    """An evidence line for readers (the classroom app): the source by name, the date, the speaker and the words."""
    dated = f", {item.date:%-d %B %Y}" if item.date and item.source != FRAGMENT else ""
    said = f"{item.speaker}: " if item.speaker else ""
    text = f"“{item.quote}”" if item.quote else item.paraphrase
    argued = ARGUED if item.kind == "argument" else ""
    return f"{short_cite(item)}{dated}. {argued}{said}{text}"


def term_in_words(book: RuleBook, rule: Rule) -> str | None:
    """The office-holder a rule names (``by``) and their term, e.g. 'Bonnet, French foreign minister, from 10 April 1938'."""
    found = book.term(rule)
    if found is None:
        return None
    office, holder = found
    since = f", from {holder.start:%-d %B %Y}" if holder.start else ""
    until = f", until {holder.end:%-d %B %Y}" if holder.end else ""
    return f"{holder.name}, {office.title}{since}{until}"


def actor_in_words(book: RuleBook, rule: Rule) -> str:
    """Who acts: the state, with the office-holder a rule names, e.g. 'France (Bonnet, French foreign minister)'."""
    found = book.term(rule)
    return STATE_NAMES[rule.actor] if found is None else f"{STATE_NAMES[rule.actor]} ({found[1].name}, {found[0].title})"


def rule_text(rule: Rule, book: RuleBook) -> list[str]:
    lines = [f"{rule.id}: {rule.summary}"]
    if rule.description:
        lines.append(f"  why:         {' '.join(rule.description.split())}")
    if rule.by is not None:
        lines.append(f"  by:          {term_in_words(book, rule)}")
    lines.append(f"  when:        {expression_in_words(rule.condition)}")
    lines.append(f"  chance:      {expression_in_words(rule.probability)}, {timing_in_words(rule)}")
    lines.append(f"  action:      {rule.action.words()}")
    if rule.yields_to:
        lines.append(f"  yields to:   {', '.join(rule.yields_to)} (not on a day one of them fires)")
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
            out += ["  " + line for line in rule_text(rule, book)] + [""]
    return "\n".join(out) + "\n"


def precedence_markdown() -> list[str]:
    """The order history keeps (``precedence.yaml``), as a section of docs/rules.md."""
    out = ["", "## The order history keeps", "",
           "Declared in `sim/book/rulebook/precedence.yaml`, kept by the rules' conditions and `yields_to`, and read against every "
           "rollout by `python run.py check`.", "", "| constraint | in words | evidence |", "|---|---|---|"]
    for constraint in load_precedence().constraints:
        cites = "; ".join(item.cite() for item in constraint.evidence)
        out.append(f"| `{constraint.id}` | {' '.join(constraint.says.split())} | {cites} |")
    return out


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
            out += [f"### `{rule.id}`", "", rule.summary, ""]
            if rule.description:
                out += [" ".join(rule.description.split()), ""]
            if rule.by is not None:
                out.append(f"- **by**: {term_in_words(book, rule)} (the rule fires only in that term)")
            out += [f"- **when**: {expression_in_words(rule.condition)}",
                    f"- **chance**: {expression_in_words(rule.probability)}, {timing_in_words(rule)}",
                    f"- **action**: {rule.action.words()}"]
            if rule.yields_to:
                out.append(f"- **yields to**: {', '.join(f'`{name}`' for name in rule.yields_to)} (it does not fire on a day one of them fires)")
            out += [f"- **effect**: `{effect}`" for effect in rule.effects]
            out += [f"- **evidence**: {evidence_line(item)}" for item in rule.evidence]
            out.append("")
    out += ["## Offices", "", "Who held the offices that rules name (`by:`), from `sim/book/rulebook/offices.yaml`.", "",
            "| office | holder | from | until | evidence |", "|---|---|---|---|---|"]
    for office in book.offices.values():
        for holder in office.holders:
            cites = "; ".join(item.cite() for item in holder.evidence)
            out.append(f"| {office.title} | {holder.name} | {holder.start or ''} | {holder.end or ''} | {cites} |")
    out += precedence_markdown()
    out += ["", "## Lenses", "", "A scenario picks one reading of the contested points with `lens:`; the default is `carley`.", "",
            *lenses_text(book), ""]
    world = book.world
    out += ["## The world", "", "| parameter | value | range | why |", "|---|---|---|---|"]
    for name, parameter in world.parameters.items():
        out.append(f"| `world.{name}` | {parameter.value} | {parameter.range[0]} to {parameter.range[1]} | {' '.join(parameter.description.split())} |")
    out += ["", "| exogenous event | from | to | what |", "|---|---|---|---|"]
    for name, event in world.events.items():
        out.append(f"| `{name}` | {event.date} | {event.end or ''} | {' '.join(event.description.split())} |")
    return "\n".join(out) + "\n"


def inert_text(scenario_name: str, report: list[Inert]) -> str:
    """``rules --inert``: the parameters a scenario or class can move that no path leads from to a result, grouped by why."""
    if not report:
        return f"{scenario_name}: no parameter is inert; every one has a path to an outcome or event flag.\n"
    lines = [f"{scenario_name}: {len(report)} inert parameter{'s' if len(report) != 1 else ''} (no path to an outcome or event flag)"]
    for reason in (NO_READER, DEAD_END):
        group = [item for item in report if item.reason == reason]
        if group:
            lines.append(f"  {reason}:")
            lines += [f"    {item.name}" + (f"  (read by {', '.join(item.readers)})" if item.readers else "") for item in group]
    return "\n".join(lines) + "\n"
