"""Where the project's own files are: the one place that knows the layout of the checkout.

The rule book ships inside the package; the scenarios and the calibration sit at the top of the
checkout (the design card's ``scenarios/`` and ``calibration/``).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parent
RULEBOOK = PACKAGE / "book" / "rulebook"
SCENARIOS = ROOT / "scenarios"
CALIBRATION = ROOT / "calibration"
