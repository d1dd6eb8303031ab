"""The history checker's findings as a table: each constraint and office term, how often broken, a rollout to narrate."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from sim.experiments.history_check import Finding


def failing(findings: Sequence[Finding], tolerance: float) -> list[Finding]:
    """Findings over the limits: any act outside office, or an order constraint broken in more than ``tolerance`` of rollouts."""
    return [item for item in findings if (item.kind == "office" and item.broken) or (item.kind == "order" and item.share > tolerance)]


def table(findings: Sequence[Finding], tolerance: float) -> str:
    """One block per scenario; broken rows first, each with the rollout to narrate."""
    lines = []
    over = set(map(id, failing(findings, tolerance)))
    for scenario in dict.fromkeys(item.scenario for item in findings):
        rows = sorted((item for item in findings if item.scenario == scenario), key=lambda item: (-item.share, item.kind, item.name))
        lines.append(f"{scenario}")
        lines.append(f"  {'':2}{'kind':7}{'constraint or office-holder':48}{'broken':>16}  example")
        for item in rows:
            mark = "!!" if id(item) in over else ("" if item.broken == 0 else " .")
            share = f"{item.broken}/{item.checked} {item.share:6.1%}" if item.checked else "n/a"
            example = f"--narrate {item.example}" if item.example is not None else ""
            lines.append(f"  {mark:2}{item.kind:7}{item.name:48}{share:>16}  {example}")
        lines.append("")
    bad = failing(findings, tolerance)
    lines.append(
        f"{len(bad)} over the limits (any act outside office; an order broken in more than {tolerance:.1%} of rollouts)"
        if bad else f"all within the limits: no act outside office, no order broken in more than {tolerance:.1%} of rollouts"
    )
    return "\n".join(lines) + "\n"


def as_json(findings: Sequence[Finding], tolerance: float) -> str:
    rows = [asdict(item) | {"share": item.share} for item in findings]
    return json.dumps({"tolerance": tolerance, "findings": rows, "over_limits": len(failing(findings, tolerance))}, indent=1) + "\n"
