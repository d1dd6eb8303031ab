"""Which numbers of a what-if the record of 1938 fits, and which are modelling assumptions: the one declared home.

A reader of any result needs to know what its numbers rest on. The calibration fits some rule-book
parameters to the dated record (``calibration/priors.yaml``, fitted by ``python run.py calibrate``);
every rollout then draws them from ``calibration/posterior.json`` (``sim/engine/posterior.py``).
Every other number is the rule book's: a documented figure or a modelling assumption, each
parameter's ``description`` says which. A lens or a scenario that sets a parameter gives a reading
or an assumption, never a fit, and a parameter it sets is pinned, not drawn (``lane_parameters``).

The list of fitted parameters is read from the committed posterior, not from the priors file: the
posterior is what the runner draws from, so what this module says is what the runs do (a test of
the calibration fails when the two files disagree). It lives in the engine, beside the posterior,
so that every layer above (tables, the classroom, handouts) says it the same way.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import NamedTuple

from sim.book.rules import RuleBook, load_rulebook
from sim.book.scenario import Scenario
from sim.engine.posterior import Posterior, committed_posterior


class Basis(Enum):
    """What a number rests on, in words a reader can take as they are."""

    FITTED = "fitted to the record of 1938"
    ASSUMPTION = "a modelling assumption or a reading of the sources"
    OVERRIDE = "set by the what-if, overriding the fit"  # only for a scenario's or lens's setting of a fitted parameter


class Setting(NamedTuple):
    """One parameter a scenario changes from the book (through its lens or its own ``parameters:``), and what that rests on."""

    name: str
    value: float | dt.date
    basis: Basis


def fitted(posterior: Posterior | None = None) -> frozenset[str]:
    """The parameters the calibration fits: those the posterior samples (none before the first calibration)."""
    posterior = posterior or committed_posterior()
    return frozenset(posterior.parameters) if posterior is not None else frozenset()


def basis(name: str, book: RuleBook | None = None, posterior: Posterior | None = None) -> Basis:
    """What a rule-book parameter's value rests on: ``FITTED`` or ``ASSUMPTION``. An unknown name is an error, not a guess."""
    if name not in (book or load_rulebook()).parameters():
        raise KeyError(f"the rule book has no parameter {name!r}")
    return Basis.FITTED if name in fitted(posterior) else Basis.ASSUMPTION


def draws_fit(scenario: Scenario, posterior: Posterior | None = None) -> bool:
    """Whether the scenario's rollouts take the fitted parameters it does not pin from the fit (``parameter_draws``)."""
    return scenario.parameter_draws != "book" and bool(fitted(posterior))


def scenario_settings(scenario: Scenario, book: RuleBook | None = None, posterior: Posterior | None = None) -> list[Setting]:
    """Every parameter the scenario changes from the book, through its lens or its own ``parameters:``, in that order.

    The scenario's own value wins over its lens's, as in ``state_layout``. A setting of a fitted parameter
    replaces the posterior draw (``lane_parameters`` pins it), so it is ``OVERRIDE`` even where it equals the
    book's value; a setting of any other parameter to the book's own value changes nothing and is left out.
    With ``parameter_draws: book`` nothing is drawn from the fit, so every setting is an ``ASSUMPTION``.
    """
    book = book or load_rulebook()
    parameters = book.parameters()
    overriding = fitted(posterior) if draws_fit(scenario, posterior) else frozenset()
    values = dict(book.lenses[scenario.lens].parameters) | dict(scenario.parameters)
    found = []
    for name, value in values.items():
        if name not in parameters:
            raise KeyError(f"{scenario.name} sets {name!r}, which the rule book does not have")
        if name in overriding:
            found.append(Setting(name, value, Basis.OVERRIDE))
        elif value != parameters[name].value:
            found.append(Setting(name, value, Basis.ASSUMPTION))
    return found


def typical_value(scenario: Scenario, name: str, book: RuleBook | None = None, posterior: Posterior | None = None) -> float | dt.date:
    """The value a parameter has in the scenario's rollouts: its setting, else the fit's mean where each rollout draws it, else the book's.

    So that a number shown beside a fitted parameter is the one the runs use, not the book's starting value.
    """
    book = book or load_rulebook()
    settings = {setting.name: setting.value for setting in scenario_settings(scenario, book, posterior)}
    if name in settings:
        return settings[name]
    value = book.parameters()[name].value
    posterior = posterior or committed_posterior()
    if name not in fitted(posterior) or not draws_fit(scenario, posterior):
        return value
    mean = float(posterior.mean[posterior.parameters.index(name)])
    return dt.date.fromordinal(round(mean)) if isinstance(value, dt.date) else mean
