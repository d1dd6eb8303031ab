"""Scenario files: what a what-if changes about 1938, validated against the rule book.

A scenario names its question, may ``extends`` another scenario file, and
changes only what its question needs: parameters, rules (switch off, change
probability or condition), rules it adds, and exogenous events it moves or
removes. ``load_scenario`` resolves ``extends`` and ``--set`` overrides and
checks every key against the rule book, so that a mistake is reported with
its file, line and key path before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from sim.book.inputs import Document, InputError, did_you_mean, load_yaml, parse_yaml, validate
from sim.book.rules import PROBABILITY, EventEdit, Rule, RuleBook, Strict, load_rulebook
from sim.book.vocabulary import EVENTS, MILITARY_RESULTS, OUTCOMES

DEFAULT_START = date(1938, 3, 12)
DEFAULT_END = date(1939, 3, 31)  # the campaign's horizon: a war or stand-off is followed into spring 1939
DEFAULT_WEEKLY_FROM = date(1938, 11, 1)  # after the crisis of 1938, the model steps a week at a time (sim/engine/model.py)
MAX_DAYS = 400
# The period the rule book describes (offices, events, the campaign's numbers): a window must lie inside it.
PERIOD = (date(1938, 1, 1), date(1939, 3, 31))
MAX_RUNS = 100_000_000  # rollouts in one run, from a file's `runs` or the command line's --runs
DEFAULT_LENS = "carley"
ParameterDraws = Literal["posterior", "mean", "book"]


class RuleEdit(Strict):
    """A scenario's change to one rule of the book."""

    enabled: bool | None = None
    probability: str | float | None = Field(None, description=PROBABILITY)
    condition: str | bool | None = None

    @model_validator(mode="after")
    def _probability(self) -> RuleEdit:
        if isinstance(self.probability, int | float):
            if not 0 <= self.probability <= 1:
                raise ValueError(f"probability must be within [0, 1], got {self.probability}")
        return self


class Claim(Strict):
    """A quantity a scenario's description states, and the range a run must give it (checked by tests/test_scenarios.py).

    ``share`` and ``of`` name outcomes, military results, event flags, ``fired:RULE_ID`` or ``first_shot_before:DATE``; the measured
    value is the share of rollouts where any of ``share`` holds, among those where any of ``of`` holds (all if none).
    """

    says: str = Field(description="The words of the description that state the quantity, e.g. 'in about one rollout in eight'.")
    share: list[str] = Field(min_length=1)
    of: list[str] = Field([], description="What the share is of: rollouts where any of these holds (default: all).")
    between: tuple[float, float] = Field(description="The range the measured share must fall in, e.g. [0.09, 0.17].")

    @model_validator(mode="after")
    def _range(self) -> Claim:
        low, high = self.between
        if not 0 <= low <= high <= 1:
            raise ValueError(f"between must be an ordered pair within [0, 1], got {list(self.between)}")
        for name in (*self.share, *self.of):
            kind, _, what = name.partition(":")
            if name in OUTCOMES or name in MILITARY_RESULTS or name in EVENTS or (kind == "fired" and what):
                continue  # a fired rule's id is checked against the rule book by ``check``
            if kind == "first_shot_before":
                try:
                    date.fromisoformat(what)
                    continue
                except ValueError:
                    pass
            allowed = ", ".join([*OUTCOMES, *MILITARY_RESULTS, *EVENTS, "fired:RULE_ID", "first_shot_before:YYYY-MM-DD"])
            raise ValueError(f"a claim counts {name!r}, which is none of: {allowed}")
        return self


class ScenarioFile(Strict):
    """The keys a scenario file may hold. Every file names itself and asks its question."""

    name: str = Field(description="Short identifier, e.g. benes_fights.")
    question: str = Field(description="The what-if, in one sentence.")
    description: str = Field("", description="What the scenario changes and the footnotes that motivate it.")
    channel: str = Field("", description="Through which mechanism this what-if acts on the outcomes.")
    extends: str | None = Field(None, description="Another scenario file, relative to this one, whose changes this one keeps.")
    start: date | None = Field(None, description=f"First day simulated (default {DEFAULT_START}).")
    end: date | None = Field(None, description=f"Last day simulated, the horizon at which wars are judged (default {DEFAULT_END}).")
    weekly_from: date | None = Field(
        None, description=f"First day of weekly steps (default {DEFAULT_WEEKLY_FROM}): from it each step of the model covers a week."
    )
    lens: str | None = Field(None, description="The reading of contested points (default carley); `python run.py rules` lists the lenses.")
    runs: int | None = Field(None, ge=1, le=MAX_RUNS, description="Rollouts (default 1000).")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Master seed (default 1938).")
    parameter_draws: ParameterDraws | None = Field(
        None,
        description="Where the calibrated parameters the scenario does not pin come from: `posterior` (default; each rollout draws its own "
        "from calibration/posterior.json), `mean` (the posterior mean, as `--point`), or `book` (the rule book's values).",
    )
    parameters: dict[str, float | date] = Field({}, description="Parameter values by dotted name, e.g. FR.daladier_weight: 0.6.")
    rules: dict[str, RuleEdit] = Field({}, description="Changes to rules of the book, by rule id.")
    add_rules: list[Rule] = Field([], description="Rules this scenario adds, in the rule book's format.")
    events: dict[str, EventEdit] = Field({}, description="Exogenous events moved or removed, by name.")
    claims: list[Claim] = Field([], description="Every quantity the description states, with the range a run must give it.")

    @model_validator(mode="after")
    def _claims_quote_the_description(self) -> ScenarioFile:
        for claim in self.claims:
            if " ".join(claim.says.split()) not in " ".join(self.description.split()):
                raise ValueError(f"claim {claim.says!r} is not in this file's description; a claim quotes the words it checks")
        return self


@dataclass(frozen=True)
class Scenario:
    """A fully resolved, validated scenario: what the model is built from."""

    name: str
    question: str
    description: str
    start: date
    end: date
    runs: int
    seed: int
    lens: str
    parameters: dict[str, float | date]
    rules: dict[str, RuleEdit]
    add_rules: tuple[Rule, ...]
    events: dict[str, EventEdit]
    parameter_draws: ParameterDraws = "posterior"
    claims: tuple[Claim, ...] = ()  # the description's quantities (the file's own, like its description)
    channel: str = ""  # through which mechanism the what-if acts (words for tables, like the description)
    weekly_from: date = DEFAULT_WEEKLY_FROM
    where: dict[str, tuple[str, int | None]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weekly_day(self) -> int:
        """The day index from which each step covers a week (``days`` if the window ends before)."""
        return min(max((self.weekly_from - self.start).days, 1), self.days)

    def previous_step(self, day: int) -> int:
        """The first day of the step before the one that begins on ``day`` (-1 before the first)."""
        return day - 1 if day <= self.weekly_day else day - 7

    def step_span(self, day: int) -> int:
        """How many days the step that begins on ``day`` covers: one before ``weekly_from``, then a week (less at the end)."""
        return 1 if day < self.weekly_day else min(7, self.days - day)

    def day_of(self, day: date) -> int:
        """A date's index in this scenario's calendar (the start is day 0)."""
        index = (day - self.start).days
        if not 0 <= index < self.days:
            raise ValueError(f"{day} is outside the simulated window {self.start} to {self.end}")
        return index

    def date_of(self, index: int) -> date:
        return date.fromordinal(self.start.toordinal() + int(index))

    def error(self, key: str, message: str) -> InputError:
        """An InputError located at the file and line where ``key`` was set."""
        file, line = self.where.get(key, (None, None))
        return InputError(message, file, line, key)


def _read(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, tuple[str, int | None]]]:
    """One file and its ancestors, merged; returns the data and where each key was set."""
    document = load_yaml(path)  # first: a path that cannot be read is reported as such
    if path.resolve() in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path.resolve()))
        raise InputError(f"`extends` makes a cycle: {cycle}", path)
    if not isinstance(document.data, dict):
        raise InputError("a scenario file must be a mapping of keys (name, question, ...)", path, 1)
    own = _given(validate(ScenarioFile, document.data, document))
    where = _locations(document, own)
    if "extends" in own:
        data, parent_where = _read(_extended(path, own["extends"], document), (*chain, path.resolve()))
        return _merge(data, own), {**parent_where, **where}
    return own, where


def _extended(path: Path, name: str, document: Document) -> Path:
    """The file ``extends`` names: a scenario file in the folder of the file that names it (or below), nowhere else."""
    def refused(problem: str) -> InputError:
        return InputError(f"`extends` names {name!r}, {problem}", path, document.line_of(("extends",)), "extends")

    try:
        folder = path.parent.resolve(strict=True)
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise refused(f"outside the folder of this file; allowed: a file in {folder} (e.g. baseline.yaml)")
        parent = (path.parent / name).resolve(strict=True)
    except (OSError, ValueError, RuntimeError):  # missing, a NUL byte, a name too long, a loop of symbolic links
        raise refused("which is not a file next to this one") from None
    if not parent.is_relative_to(folder):
        raise refused(f"which leads outside the folder of this file (a symbolic link to {parent.parent}); allowed: a file in {folder}")
    if not parent.is_file():
        raise refused("which is not a file next to this one")
    return parent


def _given(scenario: ScenarioFile) -> dict[str, Any]:
    """The keys a file actually sets; `null` means "the default", as if the key were absent."""
    return scenario.model_dump(exclude_unset=True, exclude_none=True)


def _locations(document: Document, data: dict[str, Any]) -> dict[str, tuple[str, int | None]]:
    where = {}
    for key, value in data.items():
        where[key] = (str(document.file), document.line_of((key,)))
        if isinstance(value, dict):
            for sub in value:
                where[f"{key}.{sub}"] = (str(document.file), document.line_of((key, sub)))
        if isinstance(value, list):
            for index, _ in enumerate(value):
                where[f"{key}.{index}"] = (str(document.file), document.line_of((key, index)))
    return where


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    merged = {**parent, **child}
    for key in ("parameters", "events", "rules"):
        if key in parent or key in child:
            table = dict(parent.get(key, {}))
            for name, value in child.get(key, {}).items():
                table[name] = {**table.get(name, {}), **value} if isinstance(value, dict) else value
            merged[key] = table
    merged["add_rules"] = [*parent.get("add_rules", []), *child.get("add_rules", [])]
    if "description" in child:  # claims quote a description: they go with it
        merged["claims"] = child.get("claims", [])
    return merged


def _apply_set(data: dict[str, Any], where: dict, assignment: str) -> None:
    """Apply one ``--set dotted.key=value`` to the merged scenario data."""
    key, equals, text = assignment.partition("=")
    key = key.strip()
    if not equals or not key:
        raise InputError(f"--set needs KEY=VALUE, got {assignment!r}", "--set")
    try:
        value = parse_yaml(text)[0] if text.strip() else ""
    except InputError as error:
        if not error.problem.startswith("YAML"):  # YAML, but wrong: an impossible date, a mistagged value, past a limit
            raise InputError(error.problem, "--set", None, key) from None
        value = text  # not YAML at all: the text as it is
    parts = key.split(".")
    head = parts[0]
    tables = {"parameters": None, "rules": 2, "events": 1}  # how many dotted parts name the entry (None: all)
    if head in tables:
        width = tables[head] or len(parts) - 1
        name = ".".join(parts[1 : 1 + width])
        rest = parts[1 + width :]
        if not name or (head != "parameters" and len(rest) != 1):
            shape = {"parameters": "parameters.ACTOR.NAME", "rules": "rules.ACTOR.RULE.FIELD", "events": "events.NAME.FIELD"}[head]
            raise InputError(f"--set key must look like {shape}=VALUE", "--set", None, key)
        table = data.setdefault(head, {})
        if rest:
            entry = dict(table.get(name, {}))
            entry[rest[0]] = value
            table[name] = entry
        else:
            table[name] = value
        where[f"{head}.{name}"] = ("--set", None)
    elif len(parts) == 1 and head in ScenarioFile.model_fields and head not in ("add_rules", "extends"):
        data[head] = value
        where[head] = ("--set", None)
    else:
        allowed = ", ".join(k for k in ScenarioFile.model_fields if k not in ("add_rules", "extends"))
        raise InputError(f"--set cannot change {key!r}; allowed: {allowed}, parameters.*, rules.*, events.*", "--set", None, key)


def load_scenario(path: str | Path, sets: list[str] = (), book: RuleBook | None = None) -> Scenario:
    """Read a scenario file (with its ``extends`` chain and ``--set`` overrides) and check it against the rule book."""
    book = book or load_rulebook()
    data, where = _read(Path(path), ())
    for assignment in sets:
        _apply_set(data, where, assignment)
    if sets:  # re-validate after --set, with the same rules as the file
        try:
            data = _given(validate(ScenarioFile, data))
        except InputError as error:
            raise InputError(error.problem, "--set", None, error.key) from None
    scenario = Scenario(
        name=data["name"],
        question=data["question"],
        description=data.get("description", ""),
        channel=data.get("channel", ""),
        start=data.get("start", DEFAULT_START),
        end=data.get("end", DEFAULT_END),
        weekly_from=data.get("weekly_from", DEFAULT_WEEKLY_FROM),
        runs=data.get("runs", 1000),
        seed=data.get("seed", 1938),
        lens=data.get("lens", DEFAULT_LENS),
        parameters=dict(data.get("parameters", {})),
        rules={name: RuleEdit.model_validate(edit) for name, edit in data.get("rules", {}).items()},
        add_rules=tuple(Rule.model_validate(rule) for rule in data.get("add_rules", [])),
        events={name: EventEdit.model_validate(edit) for name, edit in data.get("events", {}).items()},
        parameter_draws=data.get("parameter_draws", "posterior"),
        claims=tuple(Claim.model_validate(claim) for claim in data.get("claims", [])),
        where=where,
    )
    check(scenario, book)
    return scenario


def check(scenario: Scenario, book: RuleBook) -> None:
    """Every name a scenario uses exists in the rule book, and every value is inside its range."""
    if scenario.end <= scenario.start:
        raise scenario.error("end", f"end {scenario.end} must come after start {scenario.start}")
    if scenario.lens not in book.lenses:
        raise scenario.error("lens", f"unknown lens {scenario.lens!r}; allowed: {', '.join(book.lenses)}")
    if scenario.days > MAX_DAYS:
        raise scenario.error("end", f"the window is {scenario.days} days; at most {MAX_DAYS} are allowed")
    for key, day in (("start", scenario.start), ("end", scenario.end), ("weekly_from", scenario.weekly_from)):
        if not PERIOD[0] <= day <= PERIOD[1]:
            raise scenario.error(key, f"{day} is outside the period the rules describe; it must lie within {PERIOD[0]} to {PERIOD[1]}")
    parameters = book.parameters()
    for name, value in scenario.parameters.items():
        key = f"parameters.{name}"
        if name not in parameters:
            raise scenario.error(key, f"unknown parameter {name!r}{did_you_mean(name, parameters, examples=True)}; `python run.py rules` lists them")
        low, high = parameters[name].range
        if isinstance(value, date) != isinstance(low, date):
            raise scenario.error(key, f"must be a {'date' if isinstance(low, date) else 'number'} within [{low}, {high}]")
        if not low <= value <= high:
            raise scenario.error(key, f"{value} is outside the allowed range [{low}, {high}]")
    known_rules = {rule.id for rule in book.rules}
    added = {rule.id for rule in scenario.add_rules}
    for index, claim in enumerate(scenario.claims):
        for name in (*claim.share, *claim.of):
            kind, _, what = name.partition(":")
            if kind == "fired" and what not in known_rules | added:
                raise scenario.error(f"claims.{index}", f"claim counts {name!r}, but {what!r} is no rule{did_you_mean(what, known_rules | added)}")
    for rule_id in scenario.rules:
        if rule_id not in known_rules and rule_id not in {rule.id for rule in scenario.add_rules}:
            raise scenario.error(f"rules.{rule_id}", f"unknown rule {rule_id!r}{did_you_mean(rule_id, known_rules)}; `python run.py rules` lists the rule ids")
    for index, rule in enumerate(scenario.add_rules):
        if rule.id in known_rules:
            raise scenario.error(f"add_rules.{index}", f"rule {rule.id!r} already exists in the rule book; change it under `rules:` instead")
    for name, edit in scenario.events.items():
        key = f"events.{name}"
        if name not in book.world.events:
            raise scenario.error(key, f"unknown event {name!r}{did_you_mean(name, book.world.events)}; allowed: {', '.join(book.world.events)}")
        event = book.world.events[name]
        start, end = edit.date or event.date, edit.end or event.end
        for label, day in (("date", start), ("end", end)):
            if day is not None and not scenario.start <= day <= scenario.end:
                raise scenario.error(key, f"{label} {day} is outside the simulated window {scenario.start} to {scenario.end}")
        if end is not None and end < start:
            raise scenario.error(key, f"end {end} comes before date {start}")


def default_scenario() -> Scenario:
    """History as the rule book documents it, with no changes (what ``scenarios/baseline.yaml`` holds)."""
    return Scenario(
        name="baseline",
        question="What happened in 1938, as the rules document it?",
        description="",
        start=DEFAULT_START,
        end=DEFAULT_END,
        runs=1000,
        seed=1938,
        lens=DEFAULT_LENS,
        parameters={},
        rules={},
        add_rules=(),
        events={},
    )
