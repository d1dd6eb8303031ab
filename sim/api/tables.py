"""The API's tables: pyarrow tables built from the results the layers below compute, and runs.csv rows from them.

pyarrow is a core dependency; pandas is not. Every table here has ``to_pandas()`` once pandas is installed
(``pip install -e '.[notebook]'``). The per-rollout table is the one source of ``runs.csv``: the command
line and ``RunResult.save`` both write the file from it (``csv_rows``), so they cannot disagree.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from sim.book.vocabulary import EVENTS

DATE_COLUMNS = ("first_shot", "breach", "resistance_ended", "campaign_halted")  # "" in runs.csv when it never happened; null here
# In the order of runs.csv (``report.CSV_FIELDS``): days_held is null (in runs.csv "") where Germany never attacked.
ROLLOUT_SCHEMA = pa.schema(
    [pa.field("rollout", pa.int64()), pa.field("outcome", pa.string()), pa.field("military_result", pa.string())]
    + [pa.field(event, pa.bool_()) for event in EVENTS]
    + [pa.field(name, pa.date32()) for name in DATE_COLUMNS]
    + [pa.field("days_held", pa.int64())]
)


def shares_table(shares: dict[str, dict], label: str) -> pa.Table:
    """One row a name (column ``label``): its probability ``p``, 95% Wilson interval ``lo``, ``hi`` and count ``n``."""
    return pa.table(
        {
            label: pa.array(list(shares), pa.string()),
            "p": pa.array([share["p"] for share in shares.values()], pa.float64()),
            "lo": pa.array([share["lo"] for share in shares.values()], pa.float64()),
            "hi": pa.array([share["hi"] for share in shares.values()], pa.float64()),
            "n": pa.array([share["n"] for share in shares.values()], pa.int64()),
        }
    )


def rollout_table(rows: list[dict]) -> pa.Table:
    """Rows of ``runner.rollout_rows`` (one a rollout) as a table: flags as booleans, dates as dates (null: never)."""
    columns: dict[str, list] = {name: [row[name] for row in rows] for name in ROLLOUT_SCHEMA.names}
    for event in EVENTS:
        columns[event] = [bool(value) for value in columns[event]]
    for name in DATE_COLUMNS:
        columns[name] = [date.fromisoformat(value) if value else None for value in columns[name]]
    columns["days_held"] = [None if value == "" else value for value in columns["days_held"]]
    return pa.table(columns, schema=ROLLOUT_SCHEMA)


def csv_rows(table: pa.Table) -> list[dict]:
    """The rows of ``runs.csv`` from a per-rollout table: flags as 0 or 1, dates as ISO dates ("" for never)."""
    columns = table.to_pydict()
    for event in EVENTS:
        columns[event] = [int(value) for value in columns[event]]
    for name in DATE_COLUMNS:
        columns[name] = [value.isoformat() if value is not None else "" for value in columns[name]]
    columns["days_held"] = ["" if value is None else value for value in columns["days_held"]]
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def comparison_table(comparison: dict) -> pa.Table:
    """A comparison in long form: one row a scenario and an outcome, military result or event, with its share and its paired difference."""
    names = ("scenario", "kind", "name", "p", "lo", "hi", "n", "d", "d_lo", "d_hi")
    columns: dict[str, list] = {name: [] for name in names}
    for entry in comparison["scenarios"]:
        for group, kind in (("outcomes", "outcome"), ("military", "military"), ("events", "event")):
            for name, share in entry[group].items():
                row = {"scenario": entry["scenario"], "kind": kind, "name": name, **share}
                for key in names:
                    columns[key].append(row[key])
    return pa.table(columns)


def indices_table(indices: dict | None) -> pa.Table:
    """Sensitivity indices in long form: one row an output, a parameter and an index (S1, ST, S2[OTHER], mu, mu_star, sigma), with its 95% half-width."""
    rows: dict[str, list] = {"output": [], "parameter": [], "index": [], "value": [], "conf": []}

    def add(*items: object) -> None:
        for key, item in zip(rows, items, strict=True):
            rows[key].append(item)

    for output, table in (indices or {}).items():
        for parameter, values in (table or {}).items():
            for index, value in values.items():
                if isinstance(value, dict):  # Sobol S2: one value a pair, as the index S2[OTHER]
                    for other, paired in value.items():
                        add(output, parameter, f"{index}[{other}]", paired, None)
                elif not index.endswith("_conf"):
                    add(output, parameter, index, value, values.get(f"{index}_conf"))
    return pa.table(
        {
            "output": pa.array(rows["output"], pa.string()),
            "parameter": pa.array(rows["parameter"], pa.string()),
            "index": pa.array(rows["index"], pa.string()),
            "value": pa.array(rows["value"], pa.float64()),
            "conf": pa.array(rows["conf"], pa.float64()),
        }
    )
