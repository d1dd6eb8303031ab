"""The command line: ``python run.py SCENARIO.yaml [options]`` or ``python run.py SUBCOMMAND [options]``.

One module a subcommand, each with ``parser()`` and ``command(argv) -> int``; the default job (a
scenario file) is ``sim.cli.run``. The modules do no work of their own: they read the options and
call the layers below. Bad input of any kind ends with one clear message on stderr and exit status 2,
never a traceback and never a half-written output folder.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
from pathlib import Path

from sim.book.inputs import InputError, printable
from sim.cli.args import SUBCOMMANDS

# The module of each subcommand, imported only when it is chosen: `python run.py rules` never waits for
# the sweep's or the app's imports, and the default job starts its workers before it loads the model.
COMMANDS = {
    "rules": "sim.cli.rules",
    "list": "sim.cli.list_scenarios",
    "schema": "sim.cli.schema",
    "compare": "sim.cli.compare",
    "calibrate": "sim.cli.calibrate",
    "sweep": "sim.cli.sweep",
    "discover": "sim.cli.discover",
    "check": "sim.cli.check",
    "ui": "sim.cli.ui",
}
RUN = "sim.cli.run"


def _command(module: str, argv: list[str]) -> int:
    return importlib.import_module(module).command(argv)


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM as Ctrl-C: staging folders are removed on the way out


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the flush at exit does not fail a second time."""
    try:
        sys.stdout.flush()
    except OSError:
        pass
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        sys.stdout = open(os.devnull, "w")


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand, or the default job for a scenario file; the exit status: 0, 2 for bad input, 130 when interrupted."""
    argv = sys.argv[1:] if argv is None else argv
    handling = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if handling else None
    try:
        return _guarded(argv)
    finally:
        if handling:
            signal.signal(signal.SIGTERM, previous)


def _guarded(argv: list[str]) -> int:
    """``_dispatch`` with every way out turned into an exit status and at most one line on stderr."""
    try:
        status = _dispatch(argv)
        sys.stdout.flush()  # a full disk or a closed reader shows here, inside the handlers below
        return status
    except InputError as error:
        print(f"error: {printable(error, newlines=True)}", file=sys.stderr)  # it may quote text from an input file
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (e.g. `| head`): not an error of ours
        _silence_stdout()
        return 0
    except OSError as error:
        if error.filename is not None:  # a path given to us that the system refuses (too long, a loop, no permission)
            print(f"error: {error.filename}: {error.strerror or error}", file=sys.stderr)
            return 2
        _silence_stdout()
        print(f"error: cannot write the output: {error.strerror or error}", file=sys.stderr)
        return 1


def _dispatch(argv: list[str]) -> int:
    if not argv:
        importlib.import_module(RUN).parser().print_usage(sys.stderr)
        print("error: give a scenario file (e.g. scenarios/benes_fights.yaml) or a subcommand: " + ", ".join(SUBCOMMANDS),
              file=sys.stderr)
        return 2
    if argv[0] in COMMANDS:
        return _command(COMMANDS[argv[0]], argv[1:])
    if not argv[0].startswith("-") and not argv[0].endswith((".yaml", ".yml")) and not _exists(argv[0]):
        print(f"error: {printable(repr(argv[0]))} is neither a scenario file nor a subcommand; subcommands: {', '.join(SUBCOMMANDS)}",
              file=sys.stderr)
        return 2
    return _command(RUN, argv)
