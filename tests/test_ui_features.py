"""The classroom page's later features in Debian Chromium: the timeline bar, carrying on from today, the dark theme,
the print button and two saved what-ifs side by side, each at 1024x768 and at 150% zoom with screenshots saved.

The server, the browser and the page are those of ``tests/test_ui.py`` (``python run.py ui`` on a free port,
every request outside 127.0.0.1 blocked); the logic behind each feature is tested in ``tests/test_classroom_features.py``.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.helpers import scenario
from tests.test_ui import RAW_TEXT, SHOTS, _choose_scenario, _monte_carlo, _open, browser, server  # noqa: F401  (the fixtures)

SCALES = ((1.0, "1024x768"), (1.5, "1024x768_zoom150"))
START = scenario("baseline").start


def _days_to(when: date) -> int:
    """The day counter (``data-day``) once a replay has simulated ``when``."""
    return (when - START).days + 1


def _shoot(page, tmp_path, name: str, css: str | None = None) -> None:
    """A screenshot of the window (after scrolling ``css`` into view) into the test's folder and the shared one."""
    SHOTS.mkdir(exist_ok=True)
    page.locator(css or ".run-card").first.scroll_into_view_if_needed()  # without one: the top of the page
    page.wait_for_timeout(800)  # let the page settle (solara dims it while it is busy)
    for folder in (tmp_path, SHOTS):
        page.screenshot(path=folder / f"{name}.png")


def _fits(page, css: str, scale: float) -> None:
    box = page.locator(css).first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1024 / scale + 1, (css, box)


def _go_to(page, when: date) -> None:
    page.locator(f".timeline-mark-{when.isoformat()}").click()
    page.wait_for_selector(".timeline-what")
    page.locator(".timeline-go").click()
    page.wait_for_selector(f".crisis-date[data-day='{_days_to(when)}']")


@pytest.mark.parametrize(("scale", "size"), SCALES)
def test_the_timeline_marks_1938_says_what_happened_and_goes_there(browser, server, tmp_path, scale, size):  # noqa: F811
    page = _open(browser, server, 1024, 768, scale)
    try:
        bar = page.locator(".timeline-bar")
        assert bar.get_attribute("data-today") == "1938-03-12" and "before the first day" in bar.inner_text()
        assert page.locator(".timeline-dot").count() == page.locator(".timeline-mark").count() == 14
        page.locator(".timeline-mark-1938-09-15").hover()  # hovering says what really happened, with its source
        page.wait_for_selector(".v-tooltip__content:has-text('Carley, fn 40')")
        assert "Chamberlain flies to Hitler" in page.locator(".v-tooltip__content").filter(has_text="Carley, fn 40").inner_text()
        _go_to(page, date(1938, 9, 15))  # forward: the replay runs on to that day
        assert "15 September 1938" in page.locator(".crisis-date").inner_text()
        assert "What really happened" in page.locator(".timeline-what").inner_text()
        assert page.locator(".timeline-bar").get_attribute("data-today") == "1938-09-15"
        assert page.locator(".timeline-dot.passed").count() == 5
        _fits(page, ".timeline-card", scale)
        _shoot(page, tmp_path, f"timeline_{size}", ".timeline-card")
        _go_to(page, date(1938, 5, 21))  # back: replayed from 12 March
        assert "21 May 1938" in page.locator(".crisis-date").inner_text()
        assert page.locator(".narration .entry").count() >= 1
        assert not RAW_TEXT.search(page.locator(".timeline-card").inner_text())
        assert page.outside == []
    finally:
        page.context.close()


@pytest.mark.parametrize(("scale", "size"), SCALES)
def test_a_change_during_a_replay_offers_to_carry_on_from_today(browser, server, tmp_path, scale, size):  # noqa: F811
    page = _open(browser, server, 1024, 768, scale)
    try:
        _go_to(page, date(1938, 9, 15))
        entries = page.locator(".narration .entry").count()
        page.locator(".toggle-benes_fights label").click()  # a change: the replay starts again, and carrying on is offered
        page.wait_for_selector(".crisis-date[data-day='0']")
        offer = page.wait_for_selector(".carry-on-card")
        assert "Start again from 12 March" in offer.inner_text() and "Carry on from 15 September" in offer.inner_text()
        _fits(page, ".carry-on-card", scale)
        _shoot(page, tmp_path, f"carry_on_offer_{size}", ".carry-on-card")
        page.locator(".carry-on-button").click()
        page.wait_for_selector(f".crisis-date[data-day='{_days_to(date(1938, 9, 15))}']")
        assert page.locator(".toggle-benes_fights input").is_checked()
        assert "carried on after 15 September with a change" in page.locator(".carried-on").inner_text()
        assert page.locator(".narration .entry").count() == entries  # the days so far, as they were
        assert page.locator(".carry-on-card").count() == 0
        page.locator(".step-button").click()
        page.wait_for_selector(f".crisis-date[data-day='{_days_to(date(1938, 9, 16))}']")
        _shoot(page, tmp_path, f"carried_on_{size}", ".timeline-card")
        page.locator(".toggle-poland_neutral label").click()  # another change: this time, start again
        page.wait_for_selector(".carry-on-card")
        page.locator(".start-again-button").click()
        page.wait_for_function("() => !document.querySelector('.carry-on-card')")
        assert page.locator(".crisis-date").get_attribute("data-day") == "0"
        assert page.outside == []
    finally:
        page.context.close()


_COLOURS = """(css) => [...document.querySelectorAll(css)].filter(node => node.getClientRects().length).slice(0, 6).map(node => {
  const style = getComputedStyle(node);
  const colour = node instanceof SVGElement ? style.fill : style.color;
  let ground = node, background = 'rgba(0, 0, 0, 0)';
  while (ground && ground.nodeType === 1) {
    background = getComputedStyle(ground).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(background) && background !== 'transparent') break;
    ground = ground.parentNode;
  }
  return [colour, background, (node.textContent || '').trim().slice(0, 40)];
})"""


def _rgba(text: str) -> tuple[float, float, float, float]:
    parts = [float(part) for part in re.findall(r"[\d.]+", text)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def contrast(colour: str, background: str) -> float:
    """The WCAG contrast ratio of a text colour (blended over its background when translucent) against the background."""
    back = _rgba(background)[:3]
    red, green, blue, alpha = _rgba(colour)
    front = tuple(alpha * mine + (1 - alpha) * theirs for mine, theirs in zip((red, green, blue), back, strict=True))

    def luminance(rgb) -> float:
        linear = [(c / 255) / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(front), luminance(back)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_measured_as_wcag_says():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    assert contrast("rgb(119, 119, 119)", "rgb(255, 255, 255)") == pytest.approx(4.48, abs=0.01)
    assert contrast("rgba(255, 255, 255, 0.5)", "rgb(30, 30, 30)") < 7  # translucent text is blended first


KEY_TEXT = (".crisis-date", ".question", ".scenario-about summary", ".lens-about", ".control-label", ".control-basis", ".how-to-use", ".v-card__title",
            ".crisis-map text", ".narration .entry", ".narration .cite", ".war-words", ".baseline-words", ".odds-help", ".events-table td",
            ".alert span", ".timeline-months", ".timeline-today-label", ".timeline-what", ".print-button", ".theme-switch label",
            ".debrief-table td")


def _key_text_contrast(page) -> dict[str, float]:
    found = {}
    for css in KEY_TEXT:
        for colour, background, text in page.evaluate(_COLOURS, css):
            found[f"{css} “{text}”"] = contrast(colour, background)
    return found


@pytest.mark.parametrize(("scale", "size"), SCALES)
def test_both_themes_keep_the_key_text_readable(browser, server, tmp_path, scale, size):  # noqa: F811
    page = _open(browser, server, 1024, 768, scale, query="?scenario=france_honours")
    try:
        _go_to(page, date(1938, 9, 30))
        page.wait_for_selector(".timeline-what")  # the milestone's words stay shown
        _monte_carlo(page)
        page.wait_for_timeout(800)
        for theme in ("light", "dark"):
            if theme == "dark":
                page.locator(".theme-switch label").click()
                page.wait_for_selector(".v-application.theme--dark")
                page.wait_for_timeout(800)
            found = _key_text_contrast(page)
            assert {css for css in KEY_TEXT if any(key.startswith(css + " ") for key in found)} == set(KEY_TEXT), theme
            poor = {key: round(ratio, 2) for key, ratio in found.items() if ratio < 4.5}
            assert poor == {}, (theme, poor)
            _shoot(page, tmp_path, f"theme_{theme}_{size}", ".crisis-card")
            _shoot(page, tmp_path, f"theme_{theme}_odds_{size}", ".monte-carlo")
        assert page.locator(".theme-switch").inner_text().strip() == "Dark theme (for a dark room)"
    finally:
        page.context.close()


@pytest.mark.parametrize(("scale", "size"), SCALES)
def test_the_print_button_opens_the_handout_of_the_current_settings(browser, server, tmp_path, scale, size):  # noqa: F811
    page = _open(browser, server, 1024, 768, scale, query="?scenario=benes_fights")
    try:
        link = page.locator(".print-button")
        assert link.inner_text().strip() == "Print a handout of this what-if" and link.get_attribute("target") == "_blank"
        assert link.get_attribute("href") == "/handout?scenario=benes_fights"
        page.locator(".control-GB-resolve .v-slider__thumb-container").focus()
        page.keyboard.press("End")
        page.wait_for_function("() => document.querySelector('.print-button').getAttribute('href').includes('GB.resolve=1.0')")
        _shoot(page, tmp_path, f"print_button_{size}", ".print-button")
        with page.context.expect_page() as opened:
            link.click()
        handout = opened.value
        handout.wait_for_selector("text=Print this handout", timeout=120_000)
        text = handout.locator("body").inner_text()
        assert scenario("benes_fights").question.split(",")[0] in text
        assert handout.url.endswith("/handout?scenario=benes_fights&GB.resolve=1.0")
        handout.wait_for_timeout(500)
        for folder in (tmp_path, SHOTS):
            handout.screenshot(path=folder / f"handout_{size}.png")
        assert page.outside == []
    finally:
        page.context.close()


@pytest.mark.parametrize(("scale", "size"), SCALES)
def test_two_saved_what_ifs_side_by_side(browser, server, tmp_path, scale, size):  # noqa: F811
    page = _open(browser, server, 1024, 768, scale)
    try:
        assert "Save a what-if" in page.locator(".saved-card").inner_text()
        page.locator(".save-whatif-button").click()
        page.wait_for_selector(".saved-list li")
        _choose_scenario(page, "benes_fights")
        page.locator(".save-whatif-button").click()
        side = page.wait_for_selector(".side-by-side", timeout=120_000)
        text = side.inner_text()
        assert "What-if 1: The baseline: 1938" in text and "What-if 2: Beneš fights" in text
        assert len(re.findall(r"war in \d+ of 100 replays; very likely between \d+ and \d+", text)) == 2
        assert "How they differ" in text and re.search(r"Scenario\s+The baseline: 1938\s+Beneš fights", text)
        assert re.search(r"Beneš: resolve to refuse Anglo-French pressure\s+[\d.]+\s+1\.00", text)
        assert not RAW_TEXT.search(page.locator(".saved-card").inner_text())
        assert page.locator(".saved-list a").first.get_attribute("href") == "?scenario=baseline"
        _fits(page, ".side-by-side", scale)
        _shoot(page, tmp_path, f"side_by_side_{size}", ".side-by-side")
        _shoot(page, tmp_path, f"side_by_side_differ_{size}", ".whatif-differ")
        assert page.outside == []
    finally:
        page.context.close()
