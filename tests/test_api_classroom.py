"""``sim.api.classroom``: the classroom page as a notebook cell's element, opening on the chosen what-if.

The element is rendered in solara's own test renderer (no browser, no kernel), the widgets it makes
are read for the chosen scenario's question, and bad input raises the API's ``InputError``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim.api import InputError, classroom
from sim.presentation import classroom as classroom_module
from sim.presentation.classroom import scenario_title
from tests.helpers import ROOT, scenario

solara = pytest.importorskip("solara", reason="the classroom page needs the ui extra: pip install -e '.[ui]'")
ipywidgets = pytest.importorskip("ipywidgets", reason="the classroom page needs the ui extra: pip install -e '.[ui]'")

import solara.server.settings as server_settings  # noqa: E402  (after the skip)
import solara.server.telemetry as telemetry  # noqa: E402
from solara import checks  # noqa: E402

JUPYTER_CHECK = checks.should_perform_jupyter_check  # solara's own, before any test switches it off


@pytest.fixture(autouse=True)
def solaras_settings_kept(monkeypatch):
    """Solara's settings as they were after each test (``classroom`` switches its calls home off for the process)."""
    monkeypatch.setattr(checks, "should_perform_jupyter_check", JUPYTER_CHECK)
    monkeypatch.setattr(telemetry, "_jupyter_start_event_send", telemetry._jupyter_start_event_send)
    monkeypatch.setattr(server_settings.telemetry, "mixpanel_enable", server_settings.telemetry.mixpanel_enable)


def texts(widget: object) -> list[str]:
    """Every string a widget tree shows: values, labels, HTML and the children's, depth first."""
    if isinstance(widget, str):
        return [widget]
    found = []
    for name in ("value", "v_model", "label", "description", "unsafe_innerHTML", "children"):
        value = getattr(widget, name, None)
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str | ipywidgets.Widget):
                found.extend(texts(item))
    return found


@pytest.fixture
def quick_odds(monkeypatch):
    """The odds panel on 40 replays instead of the page's 2,000 (the test renderer runs its task in this thread; the panel
    reaches the Monte Carlo through ``odds_of``, so it is patched where that finds it)."""
    real = classroom_module.monte_carlo
    monkeypatch.setattr(classroom_module, "monte_carlo", lambda choice: real(choice, 40))


def rendered(element) -> list[str]:
    box, context = solara.render(element, handle_error=False)
    try:
        return texts(box)
    finally:
        context.close()


def test_the_page_opens_on_the_chosen_scenario(quick_odds):
    shown = rendered(classroom("benes_fights", lens="carley", rollout=2))
    assert any(scenario("benes_fights").question in text for text in shown)
    assert not any(scenario("baseline").question in text for text in shown)
    assert scenario_title("benes_fights") in shown  # the scenario chooser's value
    assert "Carley's archival reading" in shown  # the lens chooser's value
    assert "3" in shown  # replay no. 3: rollout 2


def test_the_page_takes_a_scenario_files_path_and_by_default_the_baseline(quick_odds):
    assert any(scenario("poland_neutral").question in text for text in rendered(classroom(ROOT / "scenarios" / "poland_neutral.yaml")))
    assert any(scenario("baseline").question in text for text in rendered(classroom()))


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        (lambda: classroom("benes_flees"), ("scenario", "benes_flees", "allowed: baseline", "benes_fights")),
        (lambda: classroom(ROOT / "tests" / "baseline.yaml"), ("scenario", "allowed: baseline")),
        (lambda: classroom("baseline", lens="taylor"), ("lens", "taylor", "carley", "soviet_official")),
        (lambda: classroom("baseline", rollout=-1), ("rollout", "[0,")),
    ],
)
def test_bad_input_raises_the_apis_error_naming_what_is_allowed(call, fragments):
    with pytest.raises(InputError) as caught:
        call()
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_without_the_ui_extra_it_says_how_to_install_it():
    code = "import sys; sys.modules['solara'] = None\nfrom sim.api import classroom\ntry:\n    classroom()\nexcept ImportError as error:\n    print(error)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert "pip install -e '.[ui]'" in done.stdout


def test_the_page_in_jupyter_fetches_nothing_from_the_internet(monkeypatch):
    monkeypatch.setattr(telemetry, "_jupyter_start_event_send", False)
    monkeypatch.setattr(server_settings.telemetry, "mixpanel_enable", True)
    monkeypatch.setattr(checks, "_should_perform_check", lambda path: True)  # as on a machine that never ran it
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    assert checks.should_perform_jupyter_check()
    classroom()
    assert not checks.should_perform_jupyter_check()  # no hidden iframe from solara.dev
    assert telemetry._jupyter_start_event_send and not server_settings.telemetry.mixpanel_enable  # no usage event, no IP lookup
