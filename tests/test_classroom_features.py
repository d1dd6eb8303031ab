"""The classroom page's later features, without a browser: the timeline, carrying on from today, jumping to a day,
saved what-ifs side by side and the printable handout (the page itself: ``tests/test_ui_features.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.book.rules import load_rulebook
from sim.experiments.calibrate import RECORD_PATH, load_record
from sim.presentation.classroom import Choice, ClassroomModel, monte_carlo
from sim.presentation.map import svg, view_of
from sim.presentation.narrate import entries
from sim.presentation.panels import narration_html
from sim.presentation.printout import handout_link, handout_page
from sim.presentation.replays import can_carry_on, carried_words, carry_on, jump, run_to
from sim.presentation.saved import differences, save, side_by_side_html
from sim.presentation.timeline import bar_html, day_of, marks
from tests.helpers import scenario
from tests.test_ui import RAW_TEXT


def state_of(model: ClassroomModel) -> dict[str, bytes]:
    return {name: model.lane_values(name).tobytes() for name in model.state if name != "today"}


def test_the_timeline_marks_every_dated_observation_of_the_record_with_its_source():
    found = marks(scenario("baseline"))
    record = load_record(RECORD_PATH)
    assert [mark.when for mark in found] == sorted({item.date for item in record.observations if not item.never})
    berchtesgaden = next(mark for mark in found if mark.label == "15 Sep")
    words = berchtesgaden.words()
    assert "Chamberlain flies to Hitler at Berchtesgaden (Carley, fn 40)" in words and words.startswith("15 September 1938: ")
    assert "Beneš" in next(mark for mark in found if mark.label == "21 Sep").words()  # the record's "Benes", spelled
    html = bar_html(scenario("baseline"), None, found)
    assert html.count("class='timeline-dot") == len(found) and "before the first day" in html
    assert "party&#x27;s demand" in html and "party's demand" not in html  # the record's text is escaped
    assert not RAW_TEXT.search(html)
    model = run_to(ClassroomModel(Choice()), day_of(scenario("baseline"), berchtesgaden))
    assert model.date == berchtesgaden.when
    today = bar_html(model.crisis_scenario, model.date, found)
    assert "today: 15 September" in today and today.count("timeline-dot passed") == 5


def test_jumping_forward_runs_on_and_jumping_back_replays_from_12_march():
    model = run_to(ClassroomModel(Choice("benes_fights", rollout=3)), 120)
    back = jump(model, 50)
    assert back is not model and back.day == 50
    assert state_of(back) == state_of(run_to(ClassroomModel(Choice("benes_fights", rollout=3)), 50))
    ahead = jump(back, 150)
    assert ahead is back and ahead.day == 150
    assert state_of(ahead) == state_of(run_to(ClassroomModel(Choice("benes_fights", rollout=3)), 150))


def test_carrying_on_keeps_the_days_so_far_and_the_change_acts_from_today():
    model = run_to(ClassroomModel(Choice()), 187)  # to 14 September
    fights = Choice("benes_fights")
    assert can_carry_on(model, fights) and not can_carry_on(model, Choice(rollout=1))
    assert not can_carry_on(ClassroomModel(Choice()), fights)  # nothing to carry on from on day 0
    with pytest.raises(ValueError):
        carry_on(ClassroomModel(Choice()), fights)
    before = [entry.text for entry in entries(model)]
    carried = carry_on(model, fights)
    assert carried.day == 187 and carried.choice == fights
    assert [entry.text for entry in entries(carried)] == before  # the replay so far, as it was
    assert carried.alerts == model.alerts
    assert carried_words(carried) == "carried on after 14 September with a change"
    restarted = run_to(ClassroomModel(fights), 187)
    assert state_of(carried) != state_of(restarted)  # not the same as starting again
    run_to(carried, 400)
    run_to(model, 400)
    assert carried.outcome != model.outcome or state_of(carried) != state_of(model)
    assert narration_html(carried) and svg(view_of(carried)).startswith("<svg")  # the past's rules are still named


def test_jumping_back_across_a_carry_on_replays_the_same_branches():
    branched = run_to(carry_on(run_to(ClassroomModel(Choice()), 186), Choice("benes_fights")), 215)
    again = jump(branched, 200)  # after the branch day: the same past, the same branch
    assert again.lineage == ((Choice(), 0), (Choice("benes_fights"), 186))
    assert state_of(again) == state_of(run_to(carry_on(run_to(ClassroomModel(Choice()), 186), Choice("benes_fights")), 200))
    earlier = jump(branched, 100)  # before it: the baseline's days, carried on under the what-if now chosen
    assert earlier.day == 100 and earlier.choice == Choice("benes_fights")
    baseline_100 = run_to(ClassroomModel(Choice()), 100)
    assert [entry.text for entry in entries(earlier)] == [entry.text for entry in entries(baseline_100)]


def test_two_saved_what_ifs_side_by_side_with_their_odds_and_differences():
    book = load_rulebook()
    first, second = Choice(), Choice("benes_fights", lens="soviet_official").moved("GB.resolve", 0.85)
    one, two = save(first, 1), save(second, 2)
    assert one.title == "What-if 1: The baseline: 1938"
    assert two.title == "What-if 2: Beneš fights, The Soviet offer at Geneva, 1 control moved"
    assert one.choice(book) == first and two.choice(book) == second  # a saved what-if is its address
    found = differences(first, second, book)
    assert ("Scenario", "The baseline: 1938", "Beneš fights") in found
    assert ("Reading of the sources", "Carley's archival reading", "The Soviet offer at Geneva") in found
    assert ("Beneš fights", "no", "yes") in found
    assert any(what == "Britain: readiness to fight for Czechoslovakia" and right == "0.85" for what, _, right in found)
    assert any(what.startswith("Beneš: resolve") for what, _, _ in found)  # the scenario's own change shows too
    assert differences(first, first, book) == []
    odds = (monte_carlo(first, 200), monte_carlo(second, 200))
    html = side_by_side_html(one, two, odds, book)
    war = [sum(result.scenario["outcomes"][name]["n"] for name in ("local_war", "general_war")) for result in odds]
    assert f"war in {round(100 * war[0] / 200)} of 100 replays" in html and f"war in {round(100 * war[1] / 200)} of 100 replays" in html
    assert "How they differ" in html and "second minus first" in html
    assert not RAW_TEXT.search(html) and "benes_fights" not in html
    assert "Nothing: they are the same what-if." in side_by_side_html(one, one, (odds[0], odds[0]), book)


def test_the_print_button_opens_the_handout_of_the_current_what_if():
    choice = Choice("benes_fights").moved("GB.resolve", 0.85)
    link = handout_link(choice)
    assert link == "/handout?scenario=benes_fights&GB.resolve=0.85"
    page = handout_page(link.split("?", 1)[1] + "&lens=%3Cb%3E")
    assert scenario("benes_fights").question.split(",")[0] in page
    assert "Print this handout" in page and "window.print()" in page
    assert "lens=&lt;b&gt;" in page and "<b>”" not in page  # the bad part is named, escaped
    assert np.all([part in page for part in ("<h1>", "</html>")])
