"""The causal channels' tables: every what-if, outcome and flag named; the numbers those of the compare machinery."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from sim.book.rules import load_rulebook
from sim.book.scenario import load_scenario
from sim.book.vocabulary import EVENTS, OUTCOMES
from sim.experiments import runner
from sim.presentation import channel_table
from tests.helpers import scenario

RUNS = 200
NUMBER = r"([+-]?\d\.\d{3})"
CELL = re.compile(rf"{NUMBER} \[{NUMBER}, {NUMBER}\]")


def split(line: str) -> list[str]:
    """A table row's cells; a pipe escaped inside a cell stays in it."""
    return [part.strip().replace("\\|", "|") for part in re.split(r"(?<!\\)\|", line)[1:-1]]


def tables(markdown: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each Markdown table (a block of lines between blank lines, beginning with a pipe) as (header cells, rows of cells)."""
    found = []
    for block in markdown.split("\n\n"):
        lines = block.strip().splitlines()
        if lines and lines[0].startswith("|"):
            assert set(lines[1]) <= {"|", "-"} and len(split(lines[1].replace("---", " "))) == len(split(lines[0]))
            found.append((split(lines[0]), [split(line) for line in lines[2:]]))
    return found


def cells_by_row(markdown: str) -> dict[str, dict[str, str]]:
    """Every row's cells across the tables, by its first cell, under each column's heading."""
    rows: dict[str, dict[str, str]] = {}
    for head, body in tables(markdown):
        for row in body:
            rows.setdefault(row[0], {}).update(zip(head[1:], row[1:], strict=True))
    return rows


def heading(name: str) -> str:
    return name.replace("_", " ")


@pytest.fixture(scope="module")
def every_what_if() -> dict:
    return channel_table.channels(channel_table.what_ifs(), RUNS, jobs=1)


def test_the_table_names_every_what_if_outcome_and_flag(every_what_if):
    rows = cells_by_row(channel_table.channel_markdown(every_what_if))
    assert sorted(rows) == sorted(f"`{name}`" for name in channel_table.WHAT_IFS)
    for cells in rows.values():
        assert sorted(cells) == sorted(["channel", *map(heading, OUTCOMES), *map(heading, EVENTS)])
        assert all(value == "0" or CELL.fullmatch(value) for name, value in cells.items() if name != "channel")


def test_each_row_is_the_compare_machinerys_paired_difference(every_what_if):
    """Run apart, in another order and company, the paired differences are those the table shows."""
    names = ("france_honours", "soviet_unilateral")
    chosen = [dataclasses.replace(scenario(name), seed=channel_table.SEED) for name in ("baseline", *names)]
    _, paired = runner.compare(chosen, RUNS, jobs=1)
    rows = cells_by_row(channel_table.channel_markdown(every_what_if))
    for name, pairs in zip(names, paired[1:], strict=True):
        moved = 0
        for measure in (*OUTCOMES, *EVENTS):
            expected = pairs.difference(measure)
            shown = rows[f"`{name}`"][heading(measure)]
            if shown == "0":
                assert expected == {"d": 0.0, "lo": 0.0, "hi": 0.0}, (name, measure)
                continue
            moved += 1
            numbers = [float(number) for number in CELL.fullmatch(shown).groups()]
            assert numbers == pytest.approx([expected["d"], expected["lo"], expected["hi"]], abs=0.0005 + 1e-9), (name, measure)
        assert moved >= 3, f"{name} should move several measures; the check above would then prove little"
    json_entry = next(entry for entry in every_what_if["scenarios"] if entry["scenario"] == "soviet_unilateral")
    expected = paired[2].difference("su_fights")
    assert (json_entry["events"]["su_fights"]["d"], json_entry["events"]["su_fights"]["d_lo"],
            json_entry["events"]["su_fights"]["d_hi"]) == (expected["d"], expected["lo"], expected["hi"])


def test_a_scenario_compared_with_itself_is_zero_everywhere_and_its_channel_is_escaped():
    baseline = channel_table.what_ifs(names=())[0]
    again = dataclasses.replace(baseline, name="again", channel="Soviet aid | <b>through</b> Romania\x1b")
    result = channel_table.channels([baseline, again], RUNS, jobs=1)
    rows = cells_by_row(channel_table.channel_markdown(result))
    assert list(rows) == ["`again`"]
    cells = rows["`again`"]
    assert cells.pop("channel") == "Soviet aid | &lt;b&gt;through&lt;/b&gt; Romania\\\\x1b"
    assert set(cells.values()) == {"0"} and len(cells) == len(OUTCOMES) + len(EVENTS)


def test_a_scenario_files_channel_is_read(tmp_path):
    path = tmp_path / "channelled.yaml"
    path.write_text("name: channelled\nquestion: What if?\nchannel: Romanian passage for Soviet aid\n", encoding="utf-8")
    assert load_scenario(path).channel == "Romanian passage for Soviet aid"
    assert scenario("baseline").channel == ""


def test_difference_cells():
    assert channel_table.difference({"d": 0.0, "d_lo": 0.0, "d_hi": 0.0}) == "0"
    assert channel_table.difference({"d": 0.0, "d_lo": -0.02, "d_hi": 0.02}) == "0.000 [-0.020, +0.020]"
    assert channel_table.difference({"d": 0.012, "d_lo": 0.004, "d_hi": 0.0204}) == "+0.012 [+0.004, +0.020]"
    assert channel_table.difference({"d": 0.0004, "d_lo": -0.0003, "d_hi": 0.0011}) == "0.000 [0.000, +0.001]"


def test_first_sentence():
    assert channel_table.first_sentence("The view (fn 55), held   in 1938. Romania refuses.") == "The view (fn 55), held in 1938."
    assert channel_table.first_sentence('It says so. "Quoted" next.') == "It says so."
    assert channel_table.first_sentence("No end of sentence") == "No end of sentence"


def test_lenses_on_the_same_rollouts(monkeypatch):
    monkeypatch.setattr(channel_table, "LENS_MEASURES", ("su_fights", "general_war"))
    result = channel_table.lenses(RUNS, jobs=1)
    book = load_rulebook()
    assert [row["lens"] for row in result["lenses"]] == list(book.lenses)
    assert all(list(row["shares"]) == ["su_fights", "general_war"] for row in result["lenses"])
    baseline = dataclasses.replace(scenario("baseline"), seed=channel_table.SEED)
    alone = runner.run(dataclasses.replace(baseline, lens="soviet_official"), RUNS, jobs=1)
    official = next(row for row in result["lenses"] if row["lens"] == "soviet_official")
    assert official["shares"]["su_fights"] == alone.share(alone.events["su_fights"])
    carley = next(row for row in result["lenses"] if row["lens"] == "carley")
    assert official["shares"]["su_fights"]["n"] > carley["shares"]["su_fights"]["n"]  # the lens is applied
    rows = cells_by_row(channel_table.lens_markdown(result))
    assert sorted(rows) == sorted(f"`{name}`" for name in book.lenses)
    reading = channel_table.first_sentence(book.lenses["soviet_official"].description)
    assert rows["`soviet_official`"]["reading"] == channel_table.cell(reading).replace("\\|", "|")
    assert reading.endswith("refused passage.")  # the fragment's claim, without Carley's answer to it
    assert all(sorted(cells) == ["general war", "reading", "su fights"] for cells in rows.values())


def test_command_line(monkeypatch, capsys):
    assert channel_table.main(["--lenses", "--runs", "20", "--json", "--jobs", "1"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["runs"] == 20 and len(printed["lenses"]) == len(load_rulebook().lenses)
    with pytest.raises(SystemExit) as stopped:
        channel_table.main(["--runs", "0"])
    assert stopped.value.code == 2
    assert "--runs" in capsys.readouterr().err
    monkeypatch.setattr(channel_table, "WHAT_IFS", ("no_such_what_if",))
    assert channel_table.main(["--runs", "20"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "no_such_what_if.yaml" in captured.err and len(captured.err.strip().splitlines()) == 1


def test_the_readme_tables_are_fresh():
    """The README holds what the model gives now: regenerate with `python -m sim.presentation.channel_table --readme`."""
    from sim.book.paths import ROOT
    from sim.presentation.channel_table import readme_tables
    from sim.presentation.scenario_table import current_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, table in readme_tables().items():
        assert current_table(readme, name) == table, f"the README's {name} is stale: run `python -m sim.presentation.channel_table --readme`"


def test_every_lens_measure_is_an_outcome_or_an_event_flag():
    assert all(name in OUTCOMES or name in EVENTS for name in channel_table.LENS_MEASURES)
