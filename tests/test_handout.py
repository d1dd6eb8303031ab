"""The teacher's briefing (``--handout teacher``): self-contained HTML, written atomically, one or two A4 pages when Chromium prints it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.book.inputs import InputError
from sim.cli import main
from sim.experiments import runner, targets
from sim.presentation import handout, report
from sim.presentation.handout import changes, trailing_comment, write_handout
from tests.helpers import scenario
from tests.test_ui import browser  # noqa: F401 (the shared Chromium fixture)

PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")  # a page object, not the /Pages tree


@pytest.fixture(scope="module")
def benes_handout(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("handout") / "benes_fights.html"
    assert main(["scenarios/benes_fights.yaml", "--runs", "1000", "--jobs", "1", "--report", str(path), "--handout", "teacher"]) == 0
    return path


def test_handout_is_self_contained(benes_handout):
    html = benes_handout.read_text(encoding="utf-8")
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE)  # no web address of any kind
    sources = re.findall(r"""(?:src|href)\s*=\s*['"]?([^'" >]+)""", html, re.IGNORECASE)
    assert sources and all(source.startswith("data:") for source in sources)  # the plots are embedded
    assert "<link" not in html and "@import" not in html and "@font-face" not in html
    assert "@page { size: A4" in html


def test_handout_holds_the_question_the_changes_the_odds_and_the_sources(benes_handout):
    html = benes_handout.read_text(encoding="utf-8")
    assert "fought alone at the outset" in html  # the question
    assert "CZ.resolve: 0.3 → 1" in html and "Beneš holds out" in html  # a change, with the file's own comment
    assert "Switched off" in html and "CZ.accepts_munich" in html
    assert "95% interval" in html and "baseline" in html
    assert html.count("data:image/png;base64,") == 3  # outcomes, war by date, how long Czechoslovakia held
    assert "The rules that carried the outcome" in html and "Carley, fn" in html
    assert re.search(r"A sample rollout told day by day \(rollout \d+: (local war|general war|unresolved)\)", html)


def test_changes_read_the_scenario_object_and_its_files_comments():
    found = {change.key: change for change in changes(scenario("benes_fights"))}
    assert found["parameters.CZ.resolve"].note.startswith("Beneš holds out")
    assert {"rules.CZ.solicits_ultimatum", "rules.CZ.accepts_proposals", "rules.CZ.accepts_munich"} <= set(found)
    assert changes(scenario("baseline")) == []
    lens = changes(scenario("soviet_unilateral"))
    assert lens[0].key == "lens" and "soviet_official" in lens[0].text


@pytest.mark.parametrize(("line", "comment"), [
    ("  CZ.resolve: 1.0          # Beneš holds out (fn 41, 62)", "Beneš holds out (fn 41, 62)"),
    ('  x: {condition: "a # b"}  # the League verdict alone', "the League verdict alone"),
    ("  CZ.resolve: 1.0", ""),
    ("url: a#b", ""),
])
def test_trailing_comment(line, comment):
    assert trailing_comment(line) == comment


@pytest.fixture(scope="module")
def small_run():
    chosen = scenario("benes_fights")
    tally = runner.run(chosen, 100, jobs=1)
    return chosen, tally, report.summary(tally, chosen, chosen.seed)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, small_run):
    target = tmp_path / "handout.html"
    target.write_text("the old handout", encoding="utf-8")
    chosen, tally, result = small_run

    def broken_replace(source, destination):
        raise OSError("disk full")

    # What is written does not matter here, only how: skip the baseline, the sample rollout and the plots.
    monkeypatch.setattr(handout, "baseline_tally", lambda scenario, runs: None)
    monkeypatch.setattr(handout, "sample_rollout", lambda scenario, result: 0)
    monkeypatch.setattr(handout, "handout_html", lambda *args: "<!DOCTYPE html><p>new</p>")
    monkeypatch.setattr(targets.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_handout(target, chosen, tally, result, "teacher")
    assert target.read_text(encoding="utf-8") == "the old handout"
    assert [path.name for path in tmp_path.iterdir()] == ["handout.html"]


def test_a_missing_folder_is_reported_before_anything_is_written(tmp_path, small_run):
    chosen, tally, result = small_run
    with pytest.raises(InputError, match="does not exist"):
        write_handout(tmp_path / "no such folder" / "handout.html", chosen, tally, result)


def test_benes_fights_prints_on_one_or_two_a4_pages(benes_handout, browser, tmp_path):  # noqa: F811 (browser is the imported fixture)
    page = browser.new_page()
    try:
        page.goto(benes_handout.as_uri())
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
    finally:
        page.close()
    (tmp_path / "benes_fights.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    assert 1 <= len(PAGE.findall(pdf)) <= 2
