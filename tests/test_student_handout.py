"""The student handout: at most three A4 pages from Chromium, text large enough to read (on the page and in the PDF), charts in black and white,
no technical names on the page, odds in words, and a worksheet built from the run (questions and its quotations)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.api import InputError, handout, run
from sim.book.paths import SCENARIOS
from sim.book.rules import load_rulebook
from sim.book.scenario import load_scenario
from sim.cli import main
from sim.presentation.student_worksheet import changes_in_words, readable
from tests.helpers import run_cli, scenario
from tests.pdf_text import printed_sizes, uses_xobjects
from tests.test_ui import browser  # noqa: F401 (the shared Chromium fixture)

PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")
A4_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+(59[45]\.\d*)\s+(84[12]\.\d*)\s*\]")
# What a student must not meet: snake_case names, rule or parameter ids, files, options, commands, seeds, decimals.
RAW = re.compile(r"\b[A-Za-z]+(?:_[A-Za-z0-9]+)+\b|\b(?:GB|FR|DE|CZ|PL|RO|SU|world|crisis)\.[A-Za-z_]+|\.ya?ml\b|--|`"
                 r"|\bseed\b|\bpython\b|\brun\.py\b|\brollouts?\b|\b\d+\.\d+\b")
PRINTED_WIDTH = 703  # CSS px: the A4 page less its 12 mm side margins (186 mm), so the page lays out as it prints
SHOTS = Path("/tmp/handout-shots")
PRINTED = ("benes_fights", "baseline", "may_war")

# Every element's own text and its size in pt as printed: SVG text scaled by the SVG's own transform to the page.
MEASURE = """() => {
  const pt = px => px * 72 / 96;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg')) continue;
    const own = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => n.textContent.trim()).join(' ');
    if (own) found.push({text: own.slice(0, 60), size: pt(parseFloat(getComputedStyle(el).fontSize)), story: !!el.closest('.story')});
  }
  for (const el of document.querySelectorAll('svg text')) {
    const m = el.getScreenCTM(), scale = Math.hypot(m.a, m.b);  // rotated text too
    found.push({text: el.textContent, size: pt(parseFloat(getComputedStyle(el).fontSize) * scale), chart: true});
  }
  return found;
}"""


@pytest.fixture(scope="module")
def handouts(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """Each printed scenario's student handout (through the API, with the run it shows) and that run's results."""
    folder = tmp_path_factory.mktemp("student")
    made = {}
    for name in PRINTED:
        result = run(SCENARIOS / f"{name}.yaml", 1000, jobs=1, rollouts=False)
        handout(result.scenario, folder / f"{name}.html", result=result)
        made[name] = (folder / f"{name}.html", result.summary)
    return made


@pytest.fixture(scope="module")
def teacher(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("teacher") / "benes_fights.html"
    assert main(["scenarios/benes_fights.yaml", "--runs", "300", "--jobs", "1", "--report", str(path), "--handout", "teacher"]) == 0
    return path


def _printed(browser, path: Path):  # noqa: F811
    page = browser.new_page(viewport={"width": PRINTED_WIDTH, "height": 1000})
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    return page


@pytest.mark.parametrize("name", PRINTED)
def test_prints_on_at_most_three_a4_pages(name, handouts, browser):  # noqa: F811
    page = _printed(browser, handouts[name][0])
    try:
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    finally:
        page.close()
    (SHOTS / f"{name}.pdf").write_bytes(pdf)
    assert 1 <= len(PAGE.findall(pdf)) <= 3
    assert len(A4_BOX.findall(pdf)) == len(PAGE.findall(pdf))  # every page is A4


def _pdf(browser, path: Path, scale: float = 1.0) -> bytes:  # noqa: F811
    """The page printed to A4 by Chromium, as the print button's reader would (``scale`` below 1 shrinks it)."""
    page = _printed(browser, path)
    try:
        return page.pdf(format="A4", prefer_css_page_size=True, scale=scale)
    finally:
        page.close()


def pdf_size_problems(pdf: bytes, measured: list[dict]) -> list[str]:
    """What is wrong with the sizes the PDF itself prints, against the sizes measured on the page before printing.

    The page's measure tells body text (10 pt or more) from the story and the charts (9 pt or more); the PDF does not
    say which glyph is which. So the PDF must print every glyph at a size the page measured (nothing shrunk to fit
    the paper), none under 9 pt, and most of them at 10 pt or more.
    """
    printed = printed_sizes(pdf)
    sizes = {round(item["size"], 2) for item in measured}
    problems = [f"{size} pt printed, not a size on the page" for size in printed if not any(abs(size - known) <= 0.05 for known in sizes)]
    if uses_xobjects(pdf):
        problems.append("a page draws an XObject, whose text is not read")
    if not printed or min(printed) < 9 - 0.02:
        problems.append(f"smallest printed text {min(printed, default=0)} pt")
    if sum(count for size, count in printed.items() if size >= 10 - 0.02) * 2 <= sum(printed.values()):
        problems.append("not most of the glyphs at 10 pt or more")
    return problems


@pytest.mark.parametrize("name", PRINTED)
def test_the_pdf_prints_the_text_at_the_sizes_measured(name, handouts, browser):  # noqa: F811
    path = handouts[name][0]
    assert pdf_size_problems(_pdf(browser, path), _sizes(browser, path)) == []


def test_the_pdf_check_sees_shrunk_print_and_small_print(handouts, teacher, browser):  # noqa: F811
    path = handouts["benes_fights"][0]
    shrunk = pdf_size_problems(_pdf(browser, path, scale=0.8), _sizes(browser, path))
    assert any("not a size on the page" in problem for problem in shrunk) and any("smallest" in problem for problem in shrunk)
    assert any("smallest" in problem for problem in pdf_size_problems(_pdf(browser, teacher), _sizes(browser, teacher)))


def _sizes(browser, path: Path) -> list[dict]:  # noqa: F811
    page = _printed(browser, path)
    try:
        return page.evaluate(MEASURE)
    finally:
        page.close()


@pytest.mark.parametrize("name", PRINTED)
def test_body_text_is_10_pt_the_story_and_charts_9_pt(name, handouts, browser):  # noqa: F811
    found = _sizes(browser, handouts[name][0])
    body = [item for item in found if not item.get("story") and not item.get("chart")]
    story = [item for item in found if item.get("story")]
    chart = [item for item in found if item.get("chart")]
    assert body and story and chart
    assert min(item["size"] for item in body) >= 10 - 1e-3, min(body, key=lambda item: item["size"])
    assert min(item["size"] for item in story) >= 9 - 1e-3, min(story, key=lambda item: item["size"])
    assert min(item["size"] for item in chart) >= 9 - 1e-3, min(chart, key=lambda item: item["size"])


def test_the_measurement_sees_the_teachers_small_print(teacher, browser):  # noqa: F811
    found = _sizes(browser, teacher)
    assert min(item["size"] for item in found) < 9  # the briefing's 7 pt story: the same measure would fail it


def _visible_text(browser, path: Path) -> str:  # noqa: F811
    page = _printed(browser, path)
    try:
        return page.inner_text("body") + "\n" + "\n".join(page.eval_on_selector_all("svg text", "nodes => nodes.map(n => n.textContent)"))
    finally:
        page.close()


@pytest.mark.parametrize("name", PRINTED)
def test_no_technical_name_reaches_the_page(name, handouts, browser):  # noqa: F811
    text = _visible_text(browser, handouts[name][0])
    assert not [found.group() for found in RAW.finditer(text)], text
    assert re.search(r"war in \d+ of 100 replays; very likely between \d+ and \d+", text)
    assert "95% interval" in text and "A replay runs the whole crisis again" in text


def test_the_pattern_finds_the_teachers_technical_names(teacher, browser):  # noqa: F811
    found = {match.group() for match in RAW.finditer(_visible_text(browser, teacher))}
    assert {"CZ.resolve", "CZ.accepts_munich", "--", "seed"} <= found


@pytest.mark.parametrize("name", sorted(path.stem for path in SCENARIOS.glob("*.yaml")))
def test_every_scenarios_own_words_read_without_technical_names(name):
    chosen, book = scenario(name), load_rulebook()
    for text in [readable(chosen.question), readable(chosen.description), *changes_in_words(chosen, book)]:
        assert not RAW.search(text), text


def test_the_chart_is_black_white_and_grey(handouts):
    html = handouts["benes_fights"][0].read_text(encoding="utf-8")
    svg = html[html.index("<svg"): html.index("</svg>")]
    colours = set(re.findall(r"#([0-9a-fA-F]{6})\b", svg))
    assert colours and all(colour[0:2] == colour[2:4] == colour[4:6] for colour in colours), colours
    assert len(set(re.findall(r"stroke-dasharray: ([\d.,\s]+)", svg))) >= 2  # lines told apart by their dashes
    for state in ("Germany", "France", "Britain"):  # named where they end, not in a colour legend
        assert f">{state}</text>" in svg


def test_self_contained(handouts):
    html = handouts["benes_fights"][0].read_text(encoding="utf-8")
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE)
    assert "<link" not in html and "@import" not in html and "@font-face" not in html and "<img" not in html
    assert "@page { size: A4" in html


@pytest.mark.parametrize("name", PRINTED)
def test_the_worksheet_asks_before_and_after_and_quotes_the_run(name, handouts):
    html, result = handouts[name][0].read_text(encoding="utf-8"), handouts[name][1]
    before = html[html.index("Before you look: predict"): html.index("What the replays say")]
    after = html[html.index("Check your predictions"): html.index("Working with the sources")]
    assert before.count("<li>") >= 3 and after.count("<li>") >= 4
    war = sum(result["outcomes"][outcome]["n"] for outcome in ("local_war", "general_war")) / result["runs"]
    assert f"war in {round(100 * war)} of 100 replays" in after  # checked against this run's numbers
    quotes = re.findall(r"<blockquote>“(.+?)”</blockquote>\s*<p class='who'>([^<]+)</p>", html)
    assert quotes
    fired = {rule_id for rule_id, share in result["rules"].items() if share["n"] > 0}
    book = load_rulebook()
    used = {readable(item.quote) for rule in book.rules if rule.id in fired for item in rule.evidence if item.quote}
    for quote, who in quotes:
        assert quote.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&") in used
        assert re.search(r"\((Carley, fn \d+|Litvinov, Geneva speech fragment, .+)\)$", who), who


def test_the_command_line_writes_the_student_handout_unless_asked_for_the_teachers(tmp_path, teacher):
    path = tmp_path / "student.html"
    assert main(["scenarios/baseline.yaml", "--runs", "100", "--jobs", "1", "--report", str(path)]) == 0
    assert "Check your predictions" in path.read_text(encoding="utf-8")
    briefing = teacher.read_text(encoding="utf-8")
    assert "Check your predictions" not in briefing and "CZ.resolve" in briefing


def test_handout_without_report_is_one_message_and_status_2(capsys):
    status, _, err = run_cli(["scenarios/baseline.yaml", "--handout", "teacher"], capsys)
    assert status == 2 and "--handout" in err and "--report" in err and "Traceback" not in err
    status, _, err = run_cli(["scenarios/baseline.yaml", "--report", "x.html", "--handout", "pupil"], capsys)
    assert status == 2 and "invalid choice" in err


def test_the_api_refuses_an_unknown_audience_before_running(tmp_path):
    with pytest.raises(InputError, match="unknown handout 'pupil'"):
        handout(SCENARIOS / "baseline.yaml", tmp_path / "x.html", audience="pupil")
    assert not list(tmp_path.iterdir())


def test_a_window_of_its_own_is_told_with_its_years():
    # A window ending in 1939 was once told as "to 1 February 1938"; each end is written with its own year.
    chosen = load_scenario(SCENARIOS / "benes_fights.yaml", ["start=1938-04-01", "end=1939-02-01"])
    assert ("The crisis is replayed from 1 April 1938 to 1 February 1939 (otherwise 12 March 1938 to 31 March 1939)."
            in changes_in_words(chosen, load_rulebook()))
