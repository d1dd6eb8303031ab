"""Hostile input through the real command line: every case is refused with exit 2 and one named message,
quickly, within bounded memory, without a traceback and without leaving anything behind.

Each case runs ``python run.py`` in a child (``tests/hostile.py``: 3 GB of address space, 90 s). The
table holds the files a case writes into its own folder, the arguments, and the words its message must hold.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.hostile import ROOT, hostile, refused

BOMB = "\n".join(
    [f'a: &a [{", ".join(["lol"] * 9)}]']
    + [f"{this}: &{this} [{', '.join([f'*{last}'] * 9)}]" for last, this in zip("abcdefgh", "bcdefghi", strict=True)]
)
HEAD = "name: hostile\nquestion: What if the input is hostile?\n"
CHILD = HEAD + "extends: baseline.yaml\n"


def rule(field: str, text: str) -> str:
    return CHILD + f"rules:\n  CZ.accepts_munich: {{{field}: {json.dumps(text)}}}\n"


def scenario_with(line: str) -> str:
    return HEAD + line + "\n"


# name: (files the case writes, arguments, words the message must hold)
CASES = {
    "alias bomb": ({"s.yaml": BOMB}, ["s.yaml"], ["s.yaml", "more than 200,000", "aliases"]),
    "alias inside its own anchor": ({"s.yaml": "a: &a [*a]\n"}, ["s.yaml"], ["s.yaml:1", "levels deep"]),
    "lists nested 200 deep": ({"s.yaml": "a: " + "[" * 200 + "]" * 200 + "\n"}, ["s.yaml"], ["levels deep"]),
    "a file over the size limit": ({"s.yaml": HEAD + "description: " + "x" * 2_100_000 + "\n"}, ["s.yaml"], ["larger than 2,000,000 bytes"]),
    "bytes that are not UTF-8": ({"s.yaml": b"name: \xff\xfe\n"}, ["s.yaml"], ["not UTF-8"]),
    "impossible date in the file": ({"s.yaml": scenario_with("start: 1938-02-30")}, ["s.yaml"], ["s.yaml:3", "1938-02-30", "out of range"]),
    "text under a date tag in the file": ({"s.yaml": scenario_with("start: !!timestamp soon")}, ["s.yaml"], ["s.yaml:3", "as a date"]),
    "--set an impossible month": ({}, ["baseline.yaml", "--set", "start=1938-13-45"], ["--set", "start", "1938-13-45", "month"]),
    "--set an impossible day": ({}, ["baseline.yaml", "--set", "parameters.DE.ready_date=1938-02-30"],
                                ["--set", "parameters.DE.ready_date", "out of range"]),
    "--set text under a date tag": ({}, ["baseline.yaml", "--set", "start=!!timestamp soon"], ["--set", "start", "as a date"]),
    "--set bytes as a date": ({}, ["baseline.yaml", "--set", "start=!!binary aGVsbG8="], ["--set", "start", "date"]),
    "--set an alias bomb": ({}, ["baseline.yaml", "--set", "description=" + BOMB.replace("\n", ", ").join("{}")], ["--set", "200,000"]),
    "window in December 9999": ({}, ["baseline.yaml", "--set", "start=9999-12-01", "--set", "end=9999-12-31"],
                                ["start", "outside the period the rules describe", "1938-01-01 to 1939-03-31"]),
    "window in 1900": ({}, ["baseline.yaml", "--set", "start=1900-03-01", "--set", "end=1900-10-01"], ["outside the period the rules describe"]),
    "100 nested parentheses": ({"s.yaml": rule("condition", "(" * 100 + "true" + ")" * 100)}, ["s.yaml"],
                               ["s.yaml:5", "rules.CZ.accepts_munich", "more than 30 levels"]),
    "1,000 chained and": ({"s.yaml": rule("condition", " and ".join(["true"] * 1000))}, ["s.yaml"], ["s.yaml:5", "at most 2000"]),
    "401 tokens": ({"s.yaml": rule("condition", "+".join(["1"] * 201) + " > 0")}, ["s.yaml"], ["more than 400"]),
    "300 nots": ({"s.yaml": rule("condition", "not " * 300 + "true")}, ["s.yaml"], ["more than 30 levels"]),
    "probability 5": ({"s.yaml": rule("probability", "5")}, ["s.yaml"], ["probability", "always 5", "[0, 1]"]),
    "probability -3": ({"s.yaml": rule("probability", "-3")}, ["s.yaml"], ["always -3", "[0, 1]"]),
    "probability 0/0": ({"s.yaml": rule("probability", "0/0")}, ["s.yaml"], ["always nan", "[0, 1]"]),
    "extends an absolute path": ({"s.yaml": HEAD + "extends: /etc/passwd\n"}, ["s.yaml"], ["s.yaml:3", "extends", "outside the folder"]),
    "extends out of the folder": ({"s.yaml": HEAD + "extends: ../../../../etc/passwd\n"}, ["s.yaml"], ["outside the folder"]),
    "a directory as the scenario": ({}, ["."], ["is a directory"]),
    "a 300-character file name": ({}, ["x" * 300 + ".yaml"], ["File name too long"]),
    "a 300-character argument": ({}, ["x" * 300], ["neither a scenario file nor a subcommand"]),
    "--runs 10**12 in the file": ({"s.yaml": CHILD + "runs: 1000000000000\n"}, ["s.yaml"], ["runs", "less than or equal to 100000000"]),
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "scenarios" / "baseline.yaml", tmp_path / "baseline.yaml")
    return tmp_path


def write(folder: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("case", list(CASES))
def test_refused(folder, case):
    files, argv, words = CASES[case]
    write(folder, files)
    started = time.monotonic()
    outcome = hostile(argv, folder)
    refused(outcome, *words)
    assert time.monotonic() - started < 30, "a bounded input should be refused in seconds"


def special(folder: Path, kind: str) -> Path:
    """A scenario path that is not a regular file: a device, a link to one, a pipe, a loop of links."""
    path = folder / "x.yaml"
    if kind == "device":
        return Path("/dev/zero")
    if kind == "link to a device":
        path.symlink_to("/dev/zero")
    elif kind == "pipe":
        os.mkfifo(path)
    else:
        (folder / "y.yaml").symlink_to(path)
        path.symlink_to(folder / "y.yaml")
    return path


@pytest.mark.parametrize(("kind", "words"), [
    ("device", ["not a regular file"]), ("link to a device", ["not a regular file"]), ("pipe", ["not a regular file"]),
    ("loop", ["symbolic links"]),
])
def test_not_a_regular_file(folder, kind, words):
    path = special(folder, kind)
    started = time.monotonic()
    refused(hostile([str(path)], folder), *words)
    assert time.monotonic() - started < 30


def test_list_reads_neither_pipes_nor_devices_and_finds_bad_rules(folder):
    special(folder, "pipe")
    (folder / "z.yaml").symlink_to("/dev/zero")
    write(folder, {"bad.yaml": rule("condition", "CZ.resolve >= (0.5")})
    outcome = hostile(["list", "."], folder)
    assert outcome.status == 0 and not outcome.traceback, outcome.err
    lines = {line.split()[0]: line for line in outcome.out.splitlines()}
    assert "not a regular file" in lines["x.yaml"] and "not a regular file" in lines["z.yaml"]
    assert "(invalid:" in lines["bad.yaml"] and "expected ')'" in lines["bad.yaml"]
    assert "baseline:" in lines["baseline.yaml"]


@pytest.mark.parametrize("argv", [["baseline.yaml", "--runs", "1000000000000"], ["compare", "baseline.yaml", "--runs", "1000000000000"]])
def test_runs_capped_on_the_command_line(folder, argv):
    outcome = hostile(argv, folder)
    assert outcome.status == 2 and not outcome.traceback and outcome.left == []
    assert "argument --runs: must be at most 100,000,000" in outcome.err


def test_extends_through_a_link_out_of_the_folder_does_not_echo_the_file(folder):
    (folder / "passwd.yaml").symlink_to("/etc/passwd")
    write(folder, {"s.yaml": HEAD + "extends: passwd.yaml\n"})
    outcome = hostile(["s.yaml"], folder)
    refused(outcome, "leads outside the folder")
    assert "root:" not in outcome.err and "/bin/" not in outcome.err  # nothing of /etc/passwd


ESCAPE = "\x1b]0;owned\x07\x1b[2J\u202e"


@pytest.mark.parametrize("argv", [["s.yaml", "--runs", "5", "--jobs", "1"], ["list", "."], ["s.yaml", "--narrate", "1"]])
def test_control_characters_from_the_file_are_escaped_on_the_terminal(folder, argv):
    write(folder, {"s.yaml": CHILD.replace("hostile", json.dumps(f"hostile{ESCAPE}")) + "runs: 5\n"})
    outcome = hostile(argv, folder)
    assert outcome.status == 0, outcome.err
    assert "\\x1b]0;owned\\x07\\x1b[2J\\u202e" in outcome.out
    assert not any(character in outcome.out + outcome.err for character in "\x1b\x07\u202e")


def test_control_characters_in_an_error_are_escaped(folder):
    write(folder, {"s.yaml": CHILD + f"parameters:\n  {json.dumps('DE.x' + ESCAPE)}: 1\n"})
    outcome = hostile(["s.yaml"], folder)
    refused(outcome, "unknown parameter", "\\x1b")
    assert not any(character in outcome.err for character in "\x1b\x07\u202e")


def test_division_by_zero_in_a_condition_runs_without_warnings(folder):
    write(folder, {"s.yaml": rule("condition", "0/0 > 1 or CZ.resolve / 0 > 0")})
    outcome = hostile(["s.yaml", "--runs", "20", "--jobs", "1"], folder)
    assert outcome.status == 0, outcome.err
    assert "RuntimeWarning" not in outcome.err and outcome.err == ""


# ---------------------------------------------------------- the posterior file (read in this process: its path is fixed)
def _posterior(tmp_path: Path, change) -> Path:
    data = json.loads((ROOT / "calibration" / "posterior.json").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "posterior.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "words"), [
    (lambda data: data["samples"].pop(), "samples but"),
    (lambda data: data["samples"][3].pop(), "sample 3 has"),
    (lambda data: data.update(weights=[0.0] * len(data["weights"])), "not all zero"),
    (lambda data: data.update(samples="many"), "samples"),
])
def test_posterior_of_the_wrong_shape(tmp_path, change, words):
    from sim.book.inputs import InputError
    from sim.engine.posterior import read_posterior

    with pytest.raises(InputError, match=words):
        read_posterior(_posterior(tmp_path, change))
