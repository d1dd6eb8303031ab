"""Moving the class's replay in time: carrying on from today under a changed what-if, and jumping to a day.

A change made while a replay is under way can start it again from 12 March (the page's default) or
carry it on from today: the same replay up to today and the change from today on (``carry_on``, a
branch of the engine's, ``sim/engine/branch.py``). A replay remembers each what-if it has run under
and the day it began (``ClassroomModel.lineage``), so that going back to an earlier day replays the
same past from 12 March, which is deterministic (every draw is addressed by rollout and day):
``jump`` runs forward to a later day, and to an earlier one replays the lineage up to that day.
"""

from __future__ import annotations

from sim.presentation.classroom import Choice, ClassroomModel, scenario_of


def can_carry_on(model: ClassroomModel, choice: Choice) -> bool:
    """Whether ``model``'s replay can carry on under ``choice`` from today: it is under way (past its first day, not
    over), and the choice keeps the replay (the same rollout) and the calendar (the same first day)."""
    return (model.day > 0 and model.running and choice.rollout == model.choice.rollout
            and scenario_of(choice).start == model.crisis_scenario.start)


def carry_on(model: ClassroomModel, choice: Choice) -> ClassroomModel:
    """``model``'s replay carried on from today under ``choice``: its days so far as they were, the change from today on."""
    if not can_carry_on(model, choice):
        raise ValueError("only a replay under way can carry on, with the same replay number and the same first day")
    return ClassroomModel(choice, carry_on_from=model)


def run_to(model: ClassroomModel, day: int) -> ClassroomModel:
    """``model`` stepped until it has simulated ``day`` days (or its replay is over); returns it."""
    while model.running and model.day < day:
        model.step()
    return model


def jump(model: ClassroomModel, day: int) -> ClassroomModel:
    """The replay at ``day`` days: ``model`` run forward, or, to go back, a new model replaying the same lineage from 12 March.

    Going back to before a day where the replay carried on under another what-if replays the what-ifs it ran under up to
    that day and then carries on from there under the choice now on the page (so the page and the replay agree).
    """
    if day >= model.day:
        return run_to(model, day)
    first, *later = model.lineage
    replay = ClassroomModel(first[0])
    for choice, since in later:
        if since > day:
            break
        replay = ClassroomModel(choice, carry_on_from=run_to(replay, since))
    run_to(replay, day)
    if replay.choice != model.choice:
        replay = carry_on(replay, model.choice) if can_carry_on(replay, model.choice) else run_to(ClassroomModel(model.choice), day)
    return replay


def carried_words(model: ClassroomModel) -> str:
    """A line for the page when the replay carries on after a change: 'carried on from 14 September with a change' (else '')."""
    if len(model.lineage) < 2:
        return ""
    days = [since for _, since in model.lineage[1:]]
    dates = ", ".join(f"{model.crisis_scenario.date_of(since - 1):%-d %B}" for since in days)
    return f"carried on after {dates} with {'a change' if len(days) == 1 else 'changes'}"
