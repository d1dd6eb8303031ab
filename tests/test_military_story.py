"""A war told week by week: the fronts breaking, the Soviet arrivals, the weeks of war, the military result, in words."""

from __future__ import annotations

import re
from datetime import date

import pytest

from sim.api import narrate, run
from sim.api.loading import load_scenario
from sim.book.vocabulary import FRONT_NAMES, FRONTS, MILITARY_MEANINGS, NEVER
from sim.presentation.narrate import WEEKLY_NOTE, recorded


@pytest.fixture(scope="module")
def long_war():
    """The first rollout of france_honours whose war is still on after the weekly steps begin, and the scenario."""
    scenario = load_scenario("scenarios/france_honours.yaml")
    rows = run(scenario, runs=200, jobs=1).rollouts.to_pylist()
    weekly = scenario.weekly_from
    found = next(row for row in rows if row["breach"] is not None and (row["resistance_ended"] or date.max) > weekly)
    return scenario, found


def test_a_war_is_told_with_its_breaches_weeks_and_military_result(long_war):
    scenario, row = long_war
    story = narrate(scenario, row["rollout"])
    text = story.text
    broke = [words for words in FRONT_NAMES.values() if f"The main line broke on {words}" in " ".join(text.split())]
    assert broke, "no breach told"
    assert f"Main line first broken: {row['breach']}." in text
    assert story.military == row["military_result"]
    assert f"Military result at the horizon, 31 March 1939: {MILITARY_MEANINGS[row['military_result']]}." in text
    assert " ".join(WEEKLY_NOTE.format(date="1 November 1938").split()) in " ".join(text.split())
    weeks = [step for step in story if step.words.startswith("The week's war:")]
    assert weeks and all((step.date - scenario.weekly_from).days % 7 == 0 for step in weeks)  # one a weekly step, dated its first day
    assert all(step.date >= scenario.weekly_from for step in weeks)


def test_every_date_after_the_weekly_note_starts_a_week(long_war):
    scenario, row = long_war
    text = narrate(scenario, row["rollout"]).text
    after = text.split("moves a week at a time", 1)[1]
    stamps = [date.fromisoformat(stamp) for stamp in re.findall(r"^(\d{4}-\d\d-\d\d) ", after, flags=re.MULTILINE)]
    assert stamps and all((stamp - scenario.weekly_from).days % 7 == 0 for stamp in stamps)
    before = text.split("moves a week at a time", 1)[0]
    assert all(date.fromisoformat(stamp) < scenario.weekly_from for stamp in re.findall(r"^(\d{4}-\d\d-\d\d) ", before, flags=re.MULTILINE))


def test_war_news_is_in_words_not_names(long_war):
    scenario, row = long_war
    for step in narrate(scenario, row["rollout"]):
        if step.kind in ("campaign", "week"):
            assert not re.search(r"crisis\.|world\.|_day|front_", step.words), step.words


def test_the_fronts_told_broken_are_those_broken_at_the_end(long_war):
    scenario, row = long_war
    model, _ = recorded(scenario, row["rollout"])
    told = [happening.name.removeprefix("crisis.front_") for happening in model.log if happening.name.startswith("crisis.front_")]
    broken = [front for front in FRONTS if model.lane_values(f"crisis.front_{front}")[0] >= 1]
    assert sorted(told) == sorted(broken) and len(set(told)) == len(told)
    first = next(happening for happening in model.log if happening.name == "crisis.breach_day")
    assert model.lane_values("crisis.breach_day")[0] < NEVER and first.day == min(h.day for h in model.log if h.name.startswith("crisis.front_"))


def test_a_peaceful_rollout_has_no_war_news():
    rows = run("scenarios/baseline.yaml", runs=20, jobs=1).rollouts.to_pylist()
    peaceful = next(row for row in rows if row["first_shot"] is None)
    story = narrate("scenarios/baseline.yaml", peaceful["rollout"])
    assert not [step for step in story if step.kind == "campaign"]
    assert "The main line broke" not in story.text and MILITARY_MEANINGS[story.military] in story.text
