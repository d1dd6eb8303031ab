"""Running the real command line as a hostile user would: a child process with bounded memory and time.

``hostile(argv, cwd)`` runs ``python run.py ARGV`` in a fresh interpreter with its address space capped
(``MEMORY``) and a wall-clock limit (``SECONDS``), and returns what a test needs to judge the outcome:
the exit status, stderr, whether it timed out, and the files and folders that appeared or changed in
the folders it was watching. The test modules ``test_hostile_*.py`` hold the cases.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEMORY = 3 * 2**30  # bytes of address space a case may use
SECONDS = 90  # wall-clock seconds a case may take


@dataclass(frozen=True)
class Outcome:
    status: int | None  # None: killed at the time limit
    out: str
    err: str
    left: list[str]  # paths that appeared in the watched folders

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.err


def _limit_memory() -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _listing(folders: list[Path]) -> set[str]:
    return {str(path) for folder in folders if folder.exists() for path in folder.rglob("*")}


def hostile(argv: list[str], cwd: Path, watch: list[Path] | None = None, stdin: str | None = None, env: dict | None = None) -> Outcome:
    """Run ``python run.py ARGV`` from ``cwd`` under the limits; ``watch``: folders whose new entries count as left behind."""
    folders = [cwd, *(watch or [])]
    before = _listing(folders)
    child_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    try:
        done = subprocess.run(
            [sys.executable, str(ROOT / "run.py"), *argv], cwd=cwd, capture_output=True, text=True, errors="replace",
            timeout=SECONDS, preexec_fn=_limit_memory, input=stdin, env=child_env,
        )
        status, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as expired:
        status, out, err = None, str(expired.stdout or ""), str(expired.stderr or "")
    return Outcome(status, out, err, sorted(_listing(folders) - before))


def refused(outcome: Outcome, *words: str) -> None:
    """The case ended as bad input should: exit 2, one message naming what is wrong, no traceback, nothing left behind."""
    assert outcome.status is not None, f"hung for {SECONDS} s: {outcome.err[-500:]}"
    assert not outcome.traceback, outcome.err[-2000:]
    assert outcome.status == 2, f"exit {outcome.status}: {outcome.err[-1000:]}"
    assert outcome.err.startswith("error: "), outcome.err[-1000:]
    for word in words:
        assert word in outcome.err, f"{word!r} not in: {outcome.err[-1000:]}"
    assert outcome.left == [], f"left behind: {outcome.left}"
