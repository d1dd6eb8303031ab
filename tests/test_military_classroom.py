"""The military results in the classroom: both handouts, the odds panel and the map's fronts and Soviet arrivals."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest

from sim.api import run
from sim.api.handouts import handout
from sim.book.vocabulary import FRONTS, MILITARY_RESULTS
from sim.presentation import map as crisis_map
from sim.presentation.classroom import Odds
from sim.presentation.narrate import Chronicled
from sim.presentation.panels import MILITARY_TITLES, held_words, military_html

RAW = re.compile("|".join(MILITARY_RESULTS) + "|military_result|median_days_held")


@pytest.fixture(scope="module")
def fights():
    return run("scenarios/benes_fights.yaml", runs=300, jobs=1, rollouts=False)


def test_the_student_handout_tells_the_war_in_words(fights, tmp_path):
    html = handout(fights.scenario, tmp_path / "student.html", result=fights)
    assert (tmp_path / "student.html").read_text(encoding="utf-8") == html
    page = re.sub(r"<[^>]+>", " ", html)
    assert "If war comes: how it stands on 31 March 1939" in page
    overrun = fights.summary["military"]["cz_overrun"]
    assert re.search(rf"{MILITARY_TITLES['cz_overrun']}\s*\([^)]*\):\s*in {round(100 * overrun['p'])} of 100 replays; very likely between", page)
    attacked = round(100 * fights.summary["attacked"] / fights.summary["runs"])
    assert f"Germany attacks in {attacked} of 100 replays; once attacked, Czechoslovakia fights on for about " in page
    assert not RAW.search(page), RAW.search(page)


def test_the_teachers_handout_has_the_military_table_and_the_held_plot(fights, tmp_path):
    html = handout(fights.scenario, tmp_path / "teacher.html", audience="teacher", result=fights)
    assert "<th>military result</th>" in html and ">cz overrun</td>" in html
    assert "How long Czechoslovakia held once attacked" in html  # the plot's alt text
    assert f"held a median {fights.summary['median_days_held']} days once attacked" in html


def test_the_odds_panel_lists_every_military_result_beside_the_baseline(fights):
    baseline = run("scenarios/baseline.yaml", runs=300, jobs=1, rollouts=False).summary
    html = military_html(Odds(fights.summary, baseline, 0.1))
    rows = re.findall(r"<tr data-military='(\w+)'>(.*?)</tr>", html)
    assert [name for name, _ in rows] == list(MILITARY_RESULTS)
    for name, row in rows:
        share = fights.summary["military"][name]
        assert f"<b>{MILITARY_TITLES[name]}</b> in {round(100 * share['p'])} of 100 replays" in row
        assert row.endswith(f"<td class='p baseline'>{round(100 * baseline['military'][name]['p'])}</td>")
    assert "Germany attacks in" in html and not RAW.search(re.sub(r"data-military='\w+'", "", html))


def test_a_what_if_ending_sooner_reads_its_war_on_its_own_last_day():
    # The date the class reads comes from the scenario's end, in the panel and the student handout alike.
    short = run("scenarios/benes_fights.yaml", runs=200, jobs=1, rollouts=False, overrides=["end=1938-11-30"])
    assert short.scenario.end == date(1938, 11, 30)
    panel = military_html(Odds(short.summary, short.summary, 0.1, short.scenario.end, short.scenario.end))
    assert "How the war stands on 30 November 1938, in this what-if" in panel and "1939" not in panel
    # Beside a baseline read on another day, the panel and the handout say which.
    assert "<th>baseline, on 31 March 1939</th>" in military_html(Odds(short.summary, short.summary, 0.1, short.scenario.end))
    printed = handout(short.scenario, result=short)
    assert "If war comes: how it stands on 30 November 1938" in printed
    assert "How the war stands on 30 November 1938 (in brackets, 1938 as the sources tell it, on 31 March 1939)" in printed
    beyond = dict(short.summary, attacked=10, median_beyond_horizon=True)
    assert held_words(beyond, date(1938, 11, 30)).endswith("still fights at the end, on 30 November 1938 (or until Germany halts).")


def _war_rollout(scenario: str) -> int:
    """The first rollout of ``scenario`` whose main line breaks and to which Soviet ground forces come."""
    result = run(f"scenarios/{scenario}.yaml", runs=200, jobs=1).rollouts.to_pylist()
    return next(row["rollout"] for row in result if row["breach"] and row["su_troops_reach_cz"])


def test_the_map_shows_each_front_and_the_soviet_arrivals_day_by_day():
    from sim.api.loading import load_scenario

    scenario = load_scenario("scenarios/france_honours.yaml")
    model = Chronicled(scenario, lanes=np.array([_war_rollout("france_honours")], dtype=np.uint64), record=True)
    seen_broken, seen_troops = False, False
    while model.running:
        model.step()
        view = crisis_map.view_of(model)
        attacked = model.lane_values("CZ.attacked_day")[0] < model.day
        over = model.lane_values("crisis.cz_resistance_end_day")[0] < model.day
        if not attacked or over:
            assert view.fronts == ()  # before the attack, and once Czechoslovakia is occupied
            continue
        states = dict(view.fronts)
        assert list(states) == list(FRONTS)
        for front in FRONTS:
            broken = model.lane_values(f"crisis.front_{front}")[0] >= 1
            assert states[front] == ("broken" if broken else "held")
            assert f'data-front="{front}" data-front-state="{states[front]}"' in crisis_map.svg(view)
        seen_broken |= "broken" in states.values()
        labels = [arrow.label for arrow in view.arrows if arrow.source == "SU" and arrow.kind == "passage"]
        if model.lane_values("crisis.su_troops_day")[0] < model.day:
            assert labels and "troops arrive" in labels[0]
            seen_troops = True
    assert seen_broken and seen_troops
