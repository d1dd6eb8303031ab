"""The crisis model: seven states, a daily calendar, R independent rollouts advanced together as numpy lanes.

One ``CrisisModel`` advances the rollouts whose global indices are ``lanes``
(a single narrated rollout is a batch of one through the same code). Each
``step()`` is one day of 1938:

1. exogenous events due today start or end (``sim/book/rulebook/world.yaml``);
2. every state perceives the same snapshot (beliefs move toward what it sees);
3. every state decides: its rules are evaluated against that snapshot;
4. all writes are applied together, in rule-book order (never agent order);
5. the war sub-model advances and finished rollouts are closed.

A rollout's result depends only on (scenario, seed, rollout index): every
random draw is addressed by those and the day, rule and actor (``sim/engine/rng.py``),
and closed lanes are frozen, so no lane can see another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import mesa
import numpy as np

from sim.book.actions import Write, at
from sim.book.rules import Rule, RuleBook, load_rulebook
from sim.book.scenario import Scenario, default_scenario
from sim.book.vocabulary import NEVER, STATES, Kind, kind_of, seen
from sim.engine import campaign, outcomes, rng
from sim.engine.agents import Sighting, StateAgent
from sim.engine.branch import Past
from sim.engine.conditions import ONE, ZERO, any_lane, quietly
from sim.engine.rule import Decision, Proposal, yielded
from sim.engine.world import compile_world


@dataclass(frozen=True)
class Happening:
    """Something that happened on a day, in the lanes marked true: for narration and the classroom view.

    ``kind`` is "event" (an exogenous event starts), "rule" (a rule fired), "belief"
    (a belief moved by more than BELIEF_STEP) or "campaign" (resistance ended, aid arrived).
    """

    day: int
    kind: str
    name: str
    lanes: np.ndarray
    before: np.ndarray | None = None
    after: np.ndarray | None = None


BELIEF_STEP = 0.05
CAMPAIGN_DAYS = ("crisis.su_aid_day", "crisis.su_troops_day", "crisis.breach_day", "crisis.cz_resistance_end_day")


@dataclass(frozen=True)
class BatchResult:
    """What a batch of rollouts produced, one entry per lane (the aggregates are built from this)."""

    lanes: np.ndarray
    outcome: np.ndarray
    military: np.ndarray  # the military result at the horizon (index into MILITARY_RESULTS)
    flags: dict[str, np.ndarray]
    first_shot_day: np.ndarray
    resistance_end_day: np.ndarray
    halt_day: np.ndarray  # the day Germany halted its campaign (NEVER if it did not)
    breach_day: np.ndarray  # the day the main line first broke (NEVER if it held)
    war_days: dict[str, np.ndarray]
    fired: dict[str, np.ndarray]

    def take(self, positions: np.ndarray | slice) -> BatchResult:
        """The results of some lanes only (by position in this batch)."""
        return BatchResult(
            lanes=self.lanes[positions],
            outcome=self.outcome[positions],
            military=self.military[positions],
            flags={name: values[positions] for name, values in self.flags.items()},
            first_shot_day=self.first_shot_day[positions],
            resistance_end_day=self.resistance_end_day[positions],
            halt_day=self.halt_day[positions],
            breach_day=self.breach_day[positions],
            war_days={name: values[positions] for name, values in self.war_days.items()},
            fired={name: values[positions] for name, values in self.fired.items()},
        )


class CrisisModel(mesa.Model):
    """The Czechoslovak crisis of 1938 as seven interacting states, for R rollouts at once."""

    @quietly  # the condition language's arithmetic: 0/0 is NaN, without numpy's warnings
    def __init__(
        self,
        scenario: Scenario | None = None,
        lanes: np.ndarray | int = 1,
        book: RuleBook | None = None,
        record: bool = False,
        parameters: Mapping[str, np.ndarray] | None = None,
        past: Past | None = None,
    ):
        """``parameters``: values per lane (arrays as long as ``lanes``) that override every other source.

        ``past``: what rollouts of another scenario did up to a day (``sim/engine/branch.py``'s ``past_of``):
        this model carries them on from that day under ``scenario`` (the same lanes, the same calendar).

        Parameters the scenario does not pin and ``parameters`` does not give are drawn per rollout
        from the calibration posterior (``sim/engine/posterior.py``), as the scenario's ``parameter_draws`` says.
        Everything compiled from the scenario and the rule book comes from ``compile_world``; here the model is assembled.
        """
        scenario = scenario or default_scenario()
        # Named crisis_scenario: Mesa 3.5 reserves `Model.scenario` for its own Scenario class.
        super().__init__(rng=scenario.seed)  # Mesa's generators are seeded but unused: draws are addressed
        self.crisis_scenario = scenario
        self.seed = scenario.seed
        self.book = book or load_rulebook()
        self.lanes = np.arange(lanes, dtype=np.uint64) if np.isscalar(lanes) else np.asarray(lanes, dtype=np.uint64)
        self.lane_overrides = parameters  # kept for a branch, which needs the initial values they gave
        if past is not None:
            past.check(scenario, self.lanes)
        world = compile_world(scenario, self.book, self.lanes, parameters, past.values if past is not None else None)
        self.state = world.state
        self.rules, self.candidates = world.rules, world.candidates
        self.preferred = {index for kept in self.rules for index in kept.yields_to}  # rules that others yield to
        self.readers, self.chance_readers, self.watched = world.readers, world.chance_readers, world.watched
        self.clock, self.events, self.bounded = world.clock, world.events, world.bounded
        self._stream_prefixes = world.stream_prefixes
        self.changes: dict[str, np.ndarray] = {}  # lanes where each watched variable changed since the rules last looked
        self.open_lanes = np.ones(self.lanes.size, dtype=bool)
        self.closed_count = 0
        self._seen = {code: self._visible(code) for code in STATES}  # what each state shows the others
        self.sightings: dict[str, Sighting] = {}
        self.everywhere = np.arange(self.lanes.size)
        self.day = 0
        self.due_through = -1  # the last day whose events and timers have been applied
        self.log: list[Happening] | None = [] if record else None  # what happened, kept only when asked
        self.former_rules: dict[str, Rule] = {}  # a branch's: rules of the scenarios it ran under before, not in this one
        for code in STATES:
            StateAgent(self, code, [kept for kept in self.candidates if kept.rule.actor == code])
        self.states = {agent.code: agent for agent in self.agents}
        if past is not None:
            self._resume(past)

    def _resume(self, past: Past) -> None:
        """Carry on from ``past`` (a branch): its day, closed lanes, what states were seen doing, once-only decisions, narration."""
        scenario = self.crisis_scenario
        self.day, self.closed_count = past.day, past.closed_count
        self.due_through = scenario.previous_step(past.day)
        self.open_lanes = past.open_lanes.copy()
        self.changes = {name: lanes.copy() for name, lanes in past.changes.items() if name in self.watched}
        for code in STATES:  # what the others last saw, where a change has not been looked at yet (elsewhere it is what they see now)
            pending = [past.changes[name] for name in seen(code) if name in past.changes]
            if pending:
                lanes = np.concatenate(pending)
                self._seen[code][lanes] = past.seen[code][lanes]
        for kept in self.candidates:
            if kept.rule.id in past.unfired:
                kept.carry_unfired(past.unfired[kept.rule.id])
        self.former_rules = {rule_id: rule for rule_id, rule in past.rules.items() if rule_id not in {rule.id for rule in self.rules}}
        if self.log is not None and past.log is not None:
            self.log.extend(past.log)
        self.running = self.day < scenario.days and bool(self.open_lanes.any())

    @quietly
    def step(self) -> None:
        """One step, a day (a week from the scenario's ``weekly_from``): events, perceive, decide, apply, war, close."""
        today = self.day
        span = self.crisis_scenario.step_span(today)
        self.state["today"] = float(today)
        before = self._watched() if self.log is not None else {}
        # What fell due since the last step, up to today (a day's worth on a daily step): the step decides on ``today``,
        # so a timer or event due later in a weekly step waits for the next step, where the conditions read it.
        due = range(self.due_through + 1, today + 1)
        self.due_through = today
        self._events(due)
        for day in due:
            for name, lanes in self.clock.get(day, ()):
                self.changed(name, lanes)
        self.sightings = self._new_sightings()
        self.agents.do("perceive")
        proposals = [proposal for agent in self.agents.map("decide") for proposal in agent]
        decisions = self._conclude(sorted(proposals, key=lambda proposal: proposal.rule.index), span)
        self.changes = {}  # the rules have seen everything so far; collect what changes next
        self.apply(write for decision in decisions for write in decision.writes)
        for name, lanes in campaign.advance(self.state, today, span, self.seed, self.lanes, self.open_lanes).items():
            self.changed(name, lanes)
        if self.log is not None:
            self.log.extend(Happening(today, "rule", decision.rule.id, self._mask(decision.fires)) for decision in decisions)
            self._record_changes(today, before)
        self._close(today)
        self.day += span
        self.running = self.day < self.crisis_scenario.days and bool(self.open_lanes.any())

    def _events(self, within: range) -> None:
        """Exogenous events that start, or end, on the days ``within`` (those due since the last step)."""
        today = within[-1]
        for name, (start, end) in self.events.items():
            if start in within:
                self.state[f"event.{name}"][:] = start
                self.changed(f"event.{name}", self.everywhere)
                if self.log is not None:
                    self.log.append(Happening(today, "event", name, self.open_lanes.copy()))
            ends = end is not None and end + 1 in within
            if start in within or ends:
                self.state[f"event.{name}.active"][:] = float(start in within and not ends)
                self.changed(f"event.{name}.active", self.everywhere)

    def _conclude(self, proposals: list[Proposal], span: int = 1) -> list[Decision]:
        """Draw for every proposal at once (the same numbers as each rule's own draws) and let each rule decide.

        A rule's probability is a daily chance; over a step of ``span`` days it fires with the chance of firing on
        at least one of them, 1 - (1 - p) ** span (what holds today is taken to hold all week).
        """
        if not proposals:
            return []
        if span > 1:
            proposals = [proposal._replace(probability=over_days(proposal.probability, span)) for proposal in proposals]
        wheres = [proposal.where for proposal in proposals]
        counts = [where.size for where in wheres]
        streams = self._stream_prefixes[[proposal.rule.index for proposal in proposals]]
        draws = rng.uniform_many(streams, self.day, self.lanes[np.concatenate(wheres)], np.array(counts))
        decisions, candidates = [], self.candidates
        fired_today: dict[int, np.ndarray] = {}  # only for rules others yield to (declared precedence: sim/book/rules.py yields_to)
        offsets = np.concatenate([[0], np.cumsum(counts)])
        # A rule that yields decides after those it yields to (by depth; rule-book order otherwise); writes stay in rule-book order.
        for position in sorted(range(len(proposals)), key=lambda k: proposals[k].rule.depth) if self.preferred else range(len(proposals)):
            proposal = proposals[position]
            own = draws[offsets[position] : offsets[position + 1]]
            taken = [fired_today[index] for index in proposal.rule.yields_to if index in fired_today]
            if taken:
                proposal, own = yielded(proposal, own, np.concatenate(taken))
            decision = candidates[proposal.rule.index].conclude(self, proposal, own)
            if decision is not None:
                decisions.append(decision)
                if proposal.rule.index in self.preferred:
                    fired_today[proposal.rule.index] = decision.fires
        return sorted(decisions, key=lambda decision: decision.rule.index) if self.preferred else decisions

    def _visible(self, code: str) -> np.ndarray:
        """What others see of a state: 1 if it is at war, else its mobilisation read as a signal of intent."""
        state = self.state
        return np.maximum(state[f"{code}.at_war"], state["world.mobilisation_signal"] * state[f"{code}.mobilisation"])

    def changed(self, name: str, lanes: np.ndarray) -> None:
        """Note that ``name`` changed in ``lanes``, so that rules reading it look again there."""
        if name not in self.watched:
            return
        self.changes[name] = np.concatenate((self.changes[name], lanes)) if name in self.changes else lanes
        for kept in self.readers.get(name, ()):
            kept.dirty = True
        for kept in self.chance_readers.get(name, ()):
            kept.chance_stale = True

    def _new_sightings(self) -> dict[str, Sighting]:
        """For each state whose mobilisation or war changed: the open lanes where what others see of it changed, and what they see."""
        sightings = {}
        for code in STATES:
            moved = [self.changes[name] for name in (f"{code}.mobilisation", f"{code}.at_war") if name in self.changes]
            if not moved:
                continue
            # The open lanes among them, each once and in order (a mask is cheaper than np.unique on large batches).
            lanes = np.flatnonzero(self._mask(np.concatenate(moved)) & self.open_lanes)
            signal = at(self.state["world.mobilisation_signal"], lanes)
            seen = np.maximum(self.state[f"{code}.at_war"][lanes], signal * self.state[f"{code}.mobilisation"][lanes])
            different = seen != self._seen[code][lanes]
            if different.any():
                lanes, seen = lanes[different], seen[different]
                self._seen[code][lanes] = seen
                # What every observer needs of it, worked out once here rather than by each (agents.StateAgent.perceive).
                weight = at(self.state["world.observation_weight"], lanes)
                sightings[code] = Sighting(lanes, seen, seen >= 1.0, weight)
        return sightings

    def _mask(self, lanes: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.lanes.size, dtype=bool)
        mask[lanes] = True
        return mask

    def _watched(self) -> dict[str, np.ndarray]:
        names = [name for name in self.state if kind_of(name) is Kind.BELIEF] + list(CAMPAIGN_DAYS)
        return {name: self.state[name].copy() for name in names}

    def _record_changes(self, today: int, before: dict[str, np.ndarray]) -> None:
        for name, old in before.items():
            new = self.state[name]
            belief = kind_of(name) is Kind.BELIEF
            moved = (np.abs(new - old) > BELIEF_STEP) if belief else (new != old)
            if moved.any():
                self.log.append(Happening(today, "belief" if belief else "campaign", name, moved, old, new.copy()))

    def apply(self, writes) -> None:
        """Apply writes in order; values were computed from the day's snapshot."""
        state, bounded, watched = self.state, self.bounded, self.watched
        for write in writes:
            name = write.name
            target, lanes = state[name], write.lanes
            # Gather once, compute the new values, scatter once (lanes are distinct, so this is the same as updating in place).
            before = target[lanes]
            after = _OPS[write.op](before, write.value)
            if name in bounded:
                after = np.minimum(np.maximum(after, ZERO), ONE)  # np.clip, without its slow Python wrapper
            target[lanes] = after
            if name not in watched:
                continue
            moved = after != before  # a write that changes nothing (a repeated max, a later min) wakes no rule
            if any_lane(moved):
                self.changed(name, lanes[moved])

    def _close(self, today: int) -> None:
        """Freeze the lanes whose story is over, after an aftermath in which neighbours may still act (Teschen)."""
        state = self.state
        ended = np.minimum(np.minimum(state["crisis.settled_day"], state["crisis.climbdown_day"]), state["crisis.cz_resistance_end_day"])
        ended = np.minimum(ended, state["crisis.campaign_halted_day"])
        done = self.open_lanes & (today - ended >= state["world.aftermath_days"])
        if done.any():
            np.copyto(state["crisis.closed_day"], float(today), where=done)
            self.open_lanes &= ~done
            self.closed_count += int(done.sum())
            self.changed("crisis.closed_day", np.flatnonzero(done))

    def run(self) -> BatchResult:
        """Run every day of the scenario (or until all lanes are closed) and collect the results."""
        while self.running:
            self.step()
        return self.result()

    def lane_values(self, name: str) -> np.ndarray:
        """A variable's value in every lane (a copy), whether it is stored per lane or as one number."""
        return np.broadcast_to(self.state[name], self.lanes.shape).copy()

    def result(self) -> BatchResult:
        final = {name: self.lane_values(name) for name in outcomes.READS}
        return BatchResult(
            lanes=self.lanes.copy(),
            outcome=outcomes.classify(final),
            military=outcomes.military(final),
            flags=outcomes.flags(final),
            first_shot_day=final["crisis.first_shot_day"],
            resistance_end_day=final["crisis.cz_resistance_end_day"],
            halt_day=final["crisis.campaign_halted_day"],
            breach_day=final["crisis.breach_day"],
            war_days={code: self.lane_values(f"{code}.war_day") for code in STATES},
            fired={rule.id: self.state[f"fired.{rule.id}"] < NEVER for rule in self.rules},
        )


def over_days(daily: np.ndarray | float, span: int) -> np.ndarray | float:
    """The chance of at least one success in ``span`` days, from a daily chance (kept within [0, 1])."""
    return 1.0 - (1.0 - np.minimum(np.maximum(daily, 0.0), 1.0)) ** span


def _set(before: np.ndarray, value: np.ndarray | float) -> np.ndarray:
    after = np.empty_like(before)
    after[...] = value  # as a float, like the variable it is written to
    return after


# The other operations combine the lanes' values before the write with the written value.
_add, _max, _min = np.add, np.maximum, np.minimum


_OPS = {"set": _set, "add": _add, "max": _max, "min": _min}
__all__ = ["BatchResult", "CrisisModel", "Happening", "Write"]
