"""Killing the real command line: no child process outlives it, and SIGTERM leaves nothing behind.

Each case starts ``python run.py ...`` in its own session, waits until its worker processes exist
(the fork server and the pool's workers, found through /proc), and then signals the command only,
never its children: SIGKILL must take the children with it (the command can run no cleanup of its
own), SIGTERM must end like Ctrl-C (exit 130, one line, no staging folder left).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile import ROOT, hostile

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the children")

SWEEP = """\
name: long
scenario: {scenario}
design: {{kind: grid}}
rollouts: 2000
seed: 1
outputs: [general_war]
parameters:
  FR.daladier_weight: {{values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]}}
  GB.resolve: {{values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]}}
"""


def _stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, state, start time) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], fields[19]


def descendants(root: int) -> dict[int, str]:
    """Every process below ``root``, each with its start time (to tell it from a later process given the same pid)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            parents[int(entry)] = stat
    found, frontier = {}, [root]
    while frontier:
        pid = frontier.pop()
        for child, (parent, _, started) in parents.items():
            if parent == pid and child not in found:
                found[child] = started
                frontier.append(child)
    return found


def alive(processes: dict[int, str]) -> list[int]:
    """The processes still running (a zombie has ended; a pid with another start time is another process)."""
    return [pid for pid, started in processes.items() if (stat := _stat(pid)) is not None and stat[1] != "Z" and stat[2] == started]


def start(argv: list[str], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(ROOT / "run.py"), *argv], cwd=cwd, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for_workers(command: subprocess.Popen, count: int, seconds: float = 60) -> dict[int, str]:
    """The command's descendants once at least ``count`` exist; fails if the command ends or takes too long."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = descendants(command.pid)
        if len(found) >= count:
            time.sleep(1.0)  # the workers have started their first chunk
            return descendants(command.pid)
        assert command.poll() is None, f"ended early ({command.returncode}): {command.stderr.read()[-1000:]}"
        time.sleep(0.1)
    command.kill()
    pytest.fail(f"no {count} worker processes after {seconds} s")


def kill_and_check(command: subprocess.Popen, processes: dict[int, str]) -> None:
    command.send_signal(signal.SIGKILL)  # the command only: its children must follow by themselves
    command.wait()
    deadline = time.monotonic() + 5
    while alive(processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = alive(processes)
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"alive 5 s after the command was killed: {left}"


def test_a_killed_run_takes_its_workers_with_it(tmp_path):
    command = start([str(ROOT / "scenarios/baseline.yaml"), "--jobs", "2", "--runs", "200000"], tmp_path)
    kill_and_check(command, wait_for_workers(command, 3))  # the fork server and two workers


def test_a_killed_sweep_takes_its_workers_with_it(tmp_path):
    sweep = tmp_path / "long.yaml"
    sweep.write_text(SWEEP.format(scenario=ROOT / "scenarios/baseline.yaml"), encoding="utf-8")
    command = start(["sweep", str(sweep), "--jobs", "2", "--out", str(tmp_path / "out")], tmp_path)
    kill_and_check(command, wait_for_workers(command, 3))


def staging(folder: Path) -> list[str]:
    return [path.name for path in folder.iterdir() if ".staging-" in path.name]


def wait_for_staging(command: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + 60
    while not staging(folder) and time.monotonic() < deadline:
        assert command.poll() is None, f"ended early ({command.returncode}): {command.stderr.read()[-1000:]}"
        time.sleep(0.1)
    assert staging(folder), "no staging folder after 60 s"


@pytest.mark.parametrize("compare", [False, True], ids=["run", "compare"])
def test_sigterm_ends_like_ctrl_c_and_leaves_nothing(tmp_path, compare):
    baseline = str(ROOT / "scenarios/baseline.yaml")
    argv = ["compare", baseline, baseline] if compare else [baseline]
    command = start([*argv, "--jobs", "2", "--runs", "200000", "--out", "out"], tmp_path)
    processes = wait_for_workers(command, 3)
    if not compare:
        wait_for_staging(command, tmp_path)  # compare makes its staging folder only once the rollouts are done
    command.send_signal(signal.SIGTERM)
    status = command.wait(timeout=30)
    err = command.stderr.read()
    assert status == 130, err
    assert err.strip().splitlines() == ["interrupted; nothing was written"]
    assert list(tmp_path.iterdir()) == []
    time.sleep(1)
    assert alive(processes) == []


def test_a_run_killed_while_writing_leaves_staging_the_next_run_removes(tmp_path):
    command = start([str(ROOT / "scenarios/baseline.yaml"), "--jobs", "2", "--runs", "200000", "--out", "out"], tmp_path)
    processes = wait_for_workers(command, 3)
    wait_for_staging(command, tmp_path)
    kill_and_check(command, processes)
    assert staging(tmp_path) != []  # nothing can run at SIGKILL: the staging folder stays, named after the dead process
    again = hostile([str(ROOT / "scenarios/baseline.yaml"), "--jobs", "1", "--runs", "10", "--out", "out"], tmp_path)
    assert again.status == 0, again.err
    assert staging(tmp_path) == [] and (tmp_path / "out" / "runs.csv").is_file()
