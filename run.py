"""Munich 1938: the one entry point. `python run.py SCENARIO.yaml` or `python run.py SUBCOMMAND --help`."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
