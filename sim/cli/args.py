"""What the subcommands share: the one-line job of each, and the argument types their options use (``sim.book.arguments``)."""

from __future__ import annotations

from sim.book.arguments import fraction, positive_int, rollouts, seed

__all__ = ["HANDOUTS", "SUBCOMMANDS", "fraction", "positive_int", "rollouts", "seed"]

# The top-level help lists these; each subcommand's --help opens with its own (calibrate, sweep, discover and ui say more).
SUBCOMMANDS = {
    "rules": "print the rule book: every rule with its condition, action and evidence",
    "list": "list the scenarios in a folder with their questions",
    "schema": "print or write the JSON Schema of the scenario file format",
    "compare": "run several scenarios on the same rollouts and show each outcome's difference from the first",
    "calibrate": "fit the baseline's free parameters to the historical record (calibration/) and test the fit out of sample",
    "sweep": "run a parameter sweep or sensitivity analysis described in a sweep file (sweeps/)",
    "discover": "scenario discovery: the parameter boxes of a sweep's results where an outcome is likely",
    "check": "read every rollout of the scenarios against the declared order of history and the office-holders' terms",
    "ui": "start the classroom app in a browser (needs the ui extra)",
}

# What --report writes (sim.presentation.handout.FORMATS, in this order; the first is the default).
HANDOUTS = {
    "student": "a worksheet for students, at most three A4 pages (the default)",
    "teacher": "the teacher's briefing, with rule ids, parameters and the command that repeats the run",
}
