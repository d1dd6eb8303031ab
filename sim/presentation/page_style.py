"""The style of the page's later parts (timeline, carry-on offer, saved what-ifs, print button) and of its dark theme.

The page's first style is ``PAGE_CSS`` in ``sim/presentation/panels.py``; ``sim/presentation/app.py``
puts both on the page. The dark theme is Vuetify's own (``solara.lab.theme.dark``: cards, menus and
sliders follow it), and this style gives every colour the panels write for a light page a readable
counterpart under ``.theme--dark``; the map keeps its light sea and legend as a picture does.
``tests/test_ui_features.py`` measures the contrast of the key text in both themes.
"""

from __future__ import annotations

# The panels' light-page colours (alerts, debrief marks) and their counterparts on a dark card: each at least 4.5:1 on #1e1e1e.
DARK_COLOURS = {"#1f5fbf": "#8fb8ff", "#177a33": "#6fd38a", "#b3121b": "#ff8a8a", "#9a5200": "#ffb454", "#667": "#c0c4d0"}

_RECOLOURED = "\n".join(f'.theme--dark .classroom [style*="color:{light}"] {{ color: {dark} !important; }}'
                        for light, dark in DARK_COLOURS.items())

EXTRA_CSS = """
.classroom .crisis-map { background: #ffffff; border-radius: 4px; }
.classroom .timeline-bar { position: relative; margin: 4px 8px 0 8px; height: 62px; }
.classroom .timeline-track { position: relative; height: 10px; background: #c9d2dc; border-radius: 5px; top: 10px; }
.classroom .timeline-done { position: absolute; left: 0; top: 0; bottom: 0; background: #7d9cc4; border-radius: 5px; }
.classroom .timeline-dot { position: absolute; top: -5px; width: 12px; height: 20px; margin-left: -6px; border-radius: 3px;
  background: #ffffff; border: 2px solid #1f3f6f; box-sizing: border-box; }
.classroom .timeline-dot.passed { background: #1f3f6f; }
.classroom .timeline-dot.chosen { outline: 3px solid #c26a00; }
.classroom .timeline-today { position: absolute; top: -9px; width: 4px; height: 28px; margin-left: -2px; background: #b3121b; }
.classroom .timeline-months { position: relative; height: 18px; margin-top: 16px; font-size: 14px; color: #333; }
.classroom .timeline-month { position: absolute; transform: translateX(-2px); }
.classroom .timeline-today-label { position: absolute; top: -14px; font-size: 14px; font-weight: bold; color: #8c0e15; white-space: nowrap; }
.classroom .timeline-marks { flex-wrap: wrap; margin: 4px 0; }
.classroom .timeline-marks .v-btn { min-width: 0 !important; padding: 0 6px !important; text-transform: none; letter-spacing: 0; font-size: 14px; }
.classroom .timeline-what, .classroom .carried-on { margin: 6px 0; }
.classroom .timeline-go { text-transform: none; letter-spacing: 0; font-size: 15px; }
.classroom .carry-on-card { border-left: 4px solid #c26a00 !important; }
.classroom .carry-on-note { margin: 4px 0 6px 0; }
.classroom .carry-on-buttons { flex-wrap: wrap; row-gap: 8px; }
.classroom .carry-on-buttons .v-btn { text-transform: none; letter-spacing: 0; font-size: 15px; max-width: 100%; }
.classroom .print-button { display: inline-block; margin: 4px 0 8px 0; padding: 6px 12px; border: 1px solid #1f5fbf; border-radius: 4px;
  color: #1f5fbf; text-decoration: none; font-size: 15px; }
.classroom .saved-card .v-btn { text-transform: none; letter-spacing: 0; }
.classroom .saved-list { margin: 4px 0; }
.classroom .saved-pickers > * { flex: 1 1 0; min-width: 0; }
.classroom .side-by-side table { width: 100%; border-collapse: collapse; margin-top: 8px; }
.classroom .side-by-side th, .classroom .side-by-side td { text-align: left; padding: 3px 8px 3px 0; vertical-align: top; }
.classroom .side-by-side .whatif-war td, .classroom .side-by-side .whatif-war th { width: 50%; }
.classroom .side-by-side .p { white-space: nowrap; }
.theme--dark .classroom .question, .theme--dark .classroom .scenario-about, .theme--dark .classroom .lens-about,
.theme--dark .classroom .control-basis { color: #e6e6e6; }
.theme--dark .classroom .cite, .theme--dark .classroom .meaning, .theme--dark .classroom .odds-help,
.theme--dark .classroom .interval { color: #cfcfcf; }
.theme--dark .classroom .events-table td, .theme--dark .classroom .military-table td, .theme--dark .classroom .held-words { color: #ececec; }
.theme--dark .classroom .moved-nothing { background: #4a3a10; color: #ffffff; }
.theme--dark .classroom .timeline-track { background: #56606c; }
.theme--dark .classroom .timeline-dot { background: #1e1e1e; border-color: #c9dcff; }
.theme--dark .classroom .timeline-dot.passed { background: #c9dcff; }
.theme--dark .classroom .timeline-today { background: #ff8a8a; }
.theme--dark .classroom .timeline-months { color: #e0e0e0; }
.theme--dark .classroom .timeline-today-label { color: #ffb0b0; }
.theme--dark .classroom .print-button { color: #8fb8ff; border-color: #8fb8ff; }
.theme--dark .classroom a { color: #8fb8ff; }
""" + _RECOLOURED
