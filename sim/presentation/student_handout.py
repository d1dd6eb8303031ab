"""The student handout: a worksheet on one what-if, at most three A4 pages, readable from a black-and-white printer.

``python run.py SCENARIO.yaml --report handout.html`` writes it (``--handout teacher`` writes the teacher's
briefing, ``handout.py``, instead); ``sim.api.handout`` gives it from Python, for the classroom app's print
button. It holds: the question and what the what-if changes, in words; questions to answer before looking;
the odds in words ("in about 81 of 100 replays; very likely between 79 and 83") beside the baseline's, with
one sentence on what a replay and the 95% interval are; two black-and-white charts (``print_charts``); one
replay told day by day with its sources; questions that check the predictions against the run; and source
work on the passages behind the rules that acted. Body text is 10 pt or more, the story 9 pt or more, chart
text 9.5 pt on paper. No rule id, parameter or file name, seed or command line reaches the page: those are
the teacher's (``tests/test_student_handout.py`` reads the printed page for them). Everything from an input
file is escaped. Like the briefing, it is self-contained: styles inline, charts inline SVG, no fonts fetched.
"""

from __future__ import annotations

from datetime import date
from html import escape

from sim.book.rules import RuleBook, load_rulebook
from sim.book.scenario import DEFAULT_END, Scenario
from sim.book.vocabulary import EVENTS, OUTCOME_MEANINGS, OUTCOMES
from sim.experiments.runner import Tally
from sim.presentation import print_charts, report
from sim.presentation.classroom import scenario_title
from sim.presentation.handout_parts import SOURCE_NAMES, baseline_end, carrying_rules, latest, sample_story
from sim.presentation.narrate import Entry
from sim.presentation.panels import (
    EVENT_WORDS,
    MILITARY_GLOSSES,
    MILITARY_TITLES,
    OUTCOME_TITLES,
    REPLAYS_EXPLAINED,
    event_words,
    held_words,
    in_100,
    share_words,
    war_words,
)
from sim.presentation.student_worksheet import (
    SOURCE_QUESTIONS,
    after_questions,
    attribution,
    before_questions,
    changes_in_words,
    grouped_cites,
    passages,
    readable,
    source_prompt,
)

# Three A4 pages hold about this many characters of description, changes and story besides the fixed parts
# (measured with Chromium's print on benes_fights, baseline and may_war): the story keeps its latest steps.
STORY_BUDGET = 2600
STORY_FLOOR = 500  # below this many characters of story, a passage of the sources gives way (down to FEWEST_QUOTES)
FEWEST_QUOTES = 1
MILITARY_ROOM = 900  # characters of the story given up to the military results (a few short items and two sentences)

STYLE = """
@page { size: A4; margin: 10mm 12mm 10mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 10.5pt; line-height: 1.3;
       color: #000; margin: 0 auto; max-width: 186mm; }
h1 { font-size: 17pt; margin: 0 0 1mm 0; }
h2 { font-size: 12.5pt; margin: 3.5mm 0 1.2mm 0; border-bottom: 0.6pt solid #000; break-after: avoid; }
p { margin: 1mm 0; }
.name-line { display: flex; gap: 6mm; margin: 1mm 0 2mm 0; }
.name-line span { flex: 1; border-bottom: 0.6pt solid #000; padding-top: 4mm; font-size: 10pt; }
.question { font-size: 12pt; font-style: italic; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.6mm 1.5mm; border-bottom: 0.5pt solid #999; font-size: 10pt; }
th { border-bottom: 0.8pt solid #000; }
tr { break-inside: avoid; }
ul, ol { margin: 0.8mm 0 0.8mm 6mm; padding: 0; }
li { margin: 0.8mm 0; }
.task li { break-inside: avoid; }
.line { height: 7mm; border-bottom: 0.5pt solid #777; }
.chart { break-inside: avoid; margin: 1mm 0; }
.chart svg { display: block; max-width: 100%; height: auto; }
.events { columns: 2; column-gap: 6mm; }
.events li { break-inside: avoid; }
.story { font-size: 9.5pt; line-height: 1.25; columns: 2; column-gap: 6mm; }
.story p { margin: 0 0 0.8mm 0; break-inside: avoid; }
.date { font-weight: bold; }
.cite { font-style: italic; }
blockquote { margin: 1.5mm 0 0.5mm 0; padding-left: 3mm; border-left: 1.5pt solid #000; font-style: italic; }
.source { break-inside: avoid; margin-bottom: 2mm; }
.who { margin: 0 0 0.5mm 3mm; }
.small { font-size: 10pt; margin-top: 3mm; border-top: 0.6pt solid #000; padding-top: 1mm; }
"""


def student_html(scenario: Scenario, tally: Tally, result: dict, baseline: Tally | None, rollout: int, book: RuleBook | None = None) -> str:
    """The whole student handout as one HTML document: the run, the baseline beside it, and sample rollout ``rollout``."""
    book = book or load_rulebook()
    rules = {rule.id: rule for rule in (*book.rules, *scenario.add_rules)}
    before = report.summary(baseline, scenario, scenario.seed) if baseline is not None else None
    story, outcome = sample_story(scenario, rollout)
    found = changes_in_words(scenario, book)
    first = [rule_id for rule_id, _, _ in carrying_rules(result, baseline)] + [entry.rule for entry in story if entry.rule]
    chart = print_charts.war_by_date(tally, scenario.start)
    quoted = passages(result, first, rules)
    room = _story_room(scenario, found, quoted)
    while room < STORY_FLOOR and len(quoted) > FEWEST_QUOTES:  # a long what-if gives up a source passage before the whole story
        quoted = quoted[:-1]
        room = _story_room(scenario, found, quoted)
    parts = [
        f"<h1>Munich 1938, what if? {escape(scenario_title(scenario.name))}</h1>",
        "<div class='name-line'><span>Name:</span><span>Class:</span><span>Date:</span></div>",
        f"<p class='question'>{escape(readable(scenario.question))}</p>",
        f"<p>{escape(readable(scenario.description))}</p>" if scenario.description else "",
        "<h2>What this what-if changes</h2>", _changes_html(found),
        "<h2>Before you look: predict</h2>", _questions_html(before_questions(before is not None)),
        f"<h2>What the replays say</h2>{_odds_html(result, before, tally.runs)}",
        f"<h2>If war comes: how it stands on {report.day_words(scenario.end)}</h2>", _military_html(result, before, scenario.end, baseline_end()),
        "<h2>Who is at war, and when</h2>", _chart_html(chart, scenario.start),
        "<h2>What else happens</h2>", _events_html(result, before),
        f"<h2>One replay, day by day (replay no. {rollout + 1}: {escape(OUTCOME_TITLES[outcome].lower())})</h2>",
        _story_html(story, scenario, room),
        "<h2>Check your predictions</h2>", _questions_html(after_questions(result, before)),
        "<h2>Working with the sources</h2>", _sources_html(quoted),
        _footer_html(tally.runs, before),
    ]
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>Munich 1938: {escape(scenario_title(scenario.name))}</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(part for part in parts if part) + "\n</body></html>\n")


def _story_room(scenario: Scenario, found: list[str], quoted: list) -> int:
    """Characters left for the story on three pages, after the parts that vary with the what-if."""
    return STORY_BUDGET - MILITARY_ROOM - len(scenario.description) - sum(map(len, found)) - sum(len(passage.evidence.quote) for passage in quoted)


def _changes_html(found: list[str]) -> str:
    if not found:
        return ("<p>Nothing: this is 1938 as the sources tell it (the baseline). Each other what-if changes one thing "
                "and is compared with this one.</p>")
    return "<ul>" + "".join(f"<li>{escape(text)}</li>" for text in found) + "</ul>"


def _questions_html(questions: list[tuple[str, int]]) -> str:
    items = "".join(f"<li>{escape(text)}{'<div class=line></div>' * lines}</li>" for text, lines in questions)
    return f"<ol class='task'>{items}</ol>"


def _odds_html(result: dict, before: dict | None, runs: int) -> str:
    """War in words, what a replay and the interval are, and each outcome in 100 replays beside the baseline's."""
    words = f"<p><b>In this what-if: {escape(war_words(result)[0])}.</b>"
    if before is not None:
        words += f" In 1938 as the sources tell it: {escape(war_words(before)[0])}."
    head = "<tr><th>What happens</th><th>In this what-if</th>" + ("<th>1938 as the sources tell it</th>" if before else "") + "</tr>"
    rows = "".join(f"<tr><td><b>{OUTCOME_TITLES[name]}</b>: {escape(OUTCOME_MEANINGS[name])}</td>"
                   f"<td>{share_words(result['outcomes'][name])}</td>"
                   + (f"<td>in {in_100(before['outcomes'][name]['p'])} of 100</td>" if before else "") + "</tr>" for name in OUTCOMES)
    return f"{words}</p><p>{escape(REPLAYS_EXPLAINED.format(runs=runs))}</p><table>{head}{rows}</table>"


# The military results of a war; the others (no attack: settled or backed off, or a stand-off) are the outcomes above.
WAR_RESULTS = ("cz_overrun", "germany_checked", "cz_holds", "cz_falls_back")


def _military_html(result: dict, before: dict | None, horizon: date, baseline_horizon: date = DEFAULT_END) -> str:
    """How often Germany attacks and how long Czechoslovakia held, then how each war stands on ``horizon`` (the 1938
    shares on ``baseline_horizon``, said where it differs): each result that
    happens here or in 1938 in 100 replays with its interval in words (the 1938 share in brackets), in two columns and a few
    words each (three A4 pages leave no room for more), and the others named in one line. Without an attack the results
    repeat the outcomes above (settled, climbed down, or a stand-off), so they are left out."""
    happen = [name for name in WAR_RESULTS if result["military"][name]["n"] or (before and before["military"][name]["n"])]
    items = []
    for name in happen:
        baseline = f" (1938: {in_100(before['military'][name]['p'])})" if before else ""
        items.append(f"<li><b>{MILITARY_TITLES[name]}</b> ({MILITARY_GLOSSES[name]}): {share_words(result['military'][name])}{baseline}.</li>")
    never = [MILITARY_TITLES[name].lower() for name in WAR_RESULTS if name not in happen]
    rest = f" In none: {escape(', '.join(never))}." if never else ""
    on = f", on {report.day_words(baseline_horizon)}" if baseline_horizon != horizon else ""
    told_as = f" (in brackets, 1938 as the sources tell it{on})" if before else ""
    listed = f"<p>How the war stands on {report.day_words(horizon)}{told_as}:{rest}</p><ul class='events'>{''.join(items)}</ul>" if happen else ""
    return f"<p>{escape(held_words(result, horizon))}</p>{listed}"


def _chart_html(chart: print_charts.WarChart, start) -> str:
    """The war-by-date chart with what it leaves out: the quiet months before the first war, and the states never at war."""
    if not chart.svg:
        return "<p>No state is at war on any day, in any of these replays.</p>"
    notes = [f"No state is at war in any replay before {chart.first:%-d %B}; the chart starts two weeks earlier."] if chart.since > start else []
    if chart.quiet:
        notes.append(f"Never at war in these replays, so not drawn: {', '.join(chart.quiet)}.")
    return f"<div class='chart'>{chart.svg}</div><p>{escape(' '.join(notes))}</p>"


def _events_html(result: dict, before: dict | None) -> str:
    """Each event in 100 replays (the four a class asks about first), with the baseline's in brackets, in two columns."""
    items = []
    for name in [*(name for name in EVENT_WORDS if name in EVENTS), *(name for name in EVENTS if name not in EVENT_WORDS)]:
        words = event_words(name)
        baseline = f" (1938: {in_100(before['events'][name]['p'])})" if before else ""
        items.append(f"<li>{escape(words[0].upper() + words[1:])}: <b>{in_100(result['events'][name]['p'])}</b>{baseline}</li>")
    told_as = " (in brackets, 1938 as the sources tell it)" if before else ""
    return f"<p>In how many of 100 replays{told_as}:</p><ul class='events'>{''.join(items)}</ul>"


def _story_html(story: list[Entry], scenario: Scenario, room: int) -> str:
    """The replay's steps (its latest ones, where they do not all fit), each with its sources by author and footnote."""
    paragraphs, day = [], None
    left_out, story = latest(story, room)
    if left_out:
        paragraphs.append(f"<p><i>{len(left_out)} earlier steps, from {scenario.date_of(left_out[0].day):%-d %B} to "
                          f"{scenario.date_of(left_out[-1].day):%-d %B}, are not printed here.</i></p>")
    for entry in story:
        stamp = f"<span class='date'>{scenario.date_of(entry.day):%-d %b}</span> " if entry.day != day else ""
        day = entry.day
        sources = grouped_cites(entry.sources)
        cite = f" <span class='cite'>({escape(readable(sources))})</span>" if sources else ""
        text = readable(entry.text)
        paragraphs.append(f"<p>{stamp}{escape(text[:1].upper() + text[1:])}{cite}</p>")
    return f"<div class='story'>{''.join(paragraphs)}</div>"


def _sources_html(chosen: list) -> str:
    """Each passage with its speaker, date and footnote and its own question; the questions for every passage first."""
    if not chosen:
        return "<p>No quoted source lies behind the steps of this run.</p>"
    asked = "".join(f"<li>{escape(text)}</li>" for text in SOURCE_QUESTIONS)
    blocks = [f"<div class='source'><blockquote>“{escape(readable(passage.evidence.quote))}”</blockquote>"
              f"<p class='who'>{escape(attribution(passage.evidence))}</p>"
              f"<p class='who'>{escape(source_prompt(passage))}</p><div class=line></div><div class=line></div></div>" for passage in chosen]
    return (f"<p>These are the words behind some of the steps in this run. For each passage, answer in your exercise book:</p>"
            f"<ol class='task'>{asked}</ol>" + "".join(blocks))


def _footer_html(runs: int, before: dict | None) -> str:
    sources = "; ".join(escape(name) for name in SOURCE_NAMES.values())
    baseline = f" and {before['runs']:,} of the baseline" if before else ""
    return (f"<p class='small'><b>Sources.</b> {sources}. “fn” numbers are Carley's footnotes. Every number comes from "
            f"{runs:,} replays of this what-if{baseline} in the Munich 1938 model, which follows the "
            "commitments, refusals and threats the sources record.</p>")

