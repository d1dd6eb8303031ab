"""Munich 1938: an agent-based counterfactual simulation of the 1938 Czechoslovak crisis, on Mesa.

The package is six layers, each a sub-package; a module imports only from its own layer and
the layers before it in ``LAYERS`` (``tests/test_layers.py`` fails on an upward import or a
circle):

- ``sim.book``: what the sources say, as data and schemas: the rule book (``book/rulebook/*.yaml``)
  and its file format, the scenario format, safe YAML input and its errors.
- ``sim.engine``: the model: the condition language, compiled rules, actions, addressed random
  draws, the Mesa agents and model over numpy lanes, the war sub-model, outcomes, parameter draws.
- ``sim.experiments``: what is done with the model: Monte Carlo runs on a process pool,
  calibration (ABC-SMC), sweeps and their designs, scenario discovery.
- ``sim.presentation``: what people see: tables, JSON and CSV, plots, the rule book and rollouts
  in words, the handout, the map and the classroom app.
- ``sim.api``: the Python API for notebooks (``from sim.api import run, compare, sweep, ...``): the
  same jobs as the command line, returning results with pyarrow tables and figures drawn on given axes.
- ``sim.cli``: the command line, ``python run.py``: one entry point and a subcommand per job; where
  it computes results (run, compare, sweep) it calls ``sim.api``, so the two cannot disagree.
"""

LAYERS = ("book", "engine", "experiments", "presentation", "api", "cli")
