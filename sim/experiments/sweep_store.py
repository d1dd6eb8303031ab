"""The output folder of a sweep: a manifest, one Parquet part a finished chunk, and results.parquet.

Each finished chunk becomes one Parquet part in ``DIR/parts/`` (written to a temporary name,
flushed to disk, then renamed), so a kill at any moment leaves whole parts or none. The manifest
holds the sweep's fingerprint: a changed sweep is refused rather than mixed with old parts.
``results.parquet`` is assembled from the parts, in point order, atomically, so it is a pure function
of the sweep file whether the chunks ran here, on a process pool or on a Dask cluster, in one go or
in several. Its schema's metadata describes the sweep for readers such as ``python run.py discover``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.book.inputs import InputError
from sim.experiments.runner import wilson
from sim.experiments.sweep_file import Sweep, human_value
from sim.experiments.targets import atomic_write, check_folder

METADATA_KEY = b"munich1938.sweep"


class Store:
    """The output folder of one sweep: a manifest, one Parquet part a finished chunk, and results.parquet."""

    def __init__(self, folder: Path, sweep: Sweep):
        self.folder, self.sweep = folder, sweep
        self.parts = folder / "parts"
        self.manifest = self.parts / "manifest.json"
        self.schema = schema(sweep)

    def check(self, inputs: list[str | Path] | None = None) -> None:
        """Refuse a folder that cannot be written, holds another sweep or other files; writes nothing."""
        check_folder(self.folder, "--out", inputs or [])
        if self.manifest.is_file():
            try:
                held = json.loads(self.manifest.read_text(encoding="utf-8")).get("fingerprint")
            except (OSError, ValueError, AttributeError):
                held = None
            if held != self.sweep.fingerprint:
                raise InputError(
                    "holds the parts of a different sweep (the sweep file, its scenario or the rule book changed since); "
                    "delete the folder to start again, or give another --out",
                    self.folder, key="--out",
                )
        elif self.folder.is_dir() and any(self.folder.iterdir()):
            raise InputError("is not empty and holds no sweep; give a new or empty folder for --out", self.folder, key="--out")

    @contextlib.contextmanager
    def opened(self) -> Iterator[Store]:
        """Create the folder and manifest, and hold a lock so that two sweeps never write into one folder at once."""
        self.parts.mkdir(parents=True, exist_ok=True)
        with open(self.parts / ".lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError("another sweep is writing into this folder", self.folder, key="--out") from None
            if not self.manifest.is_file():
                manifest = {"name": self.sweep.name, "fingerprint": self.sweep.fingerprint, "points": len(self.sweep.points), "chunks": self.sweep.chunks()}
                atomic_write(self.manifest, lambda stream: stream.write(json.dumps(manifest, indent=2).encode()))
            for stale in self.parts.glob(".*.tmp"):  # a write that a kill interrupted
                stale.unlink()
            yield self

    def part(self, index: int) -> Path:
        return self.parts / f"part-{index:06d}.parquet"

    def finished(self) -> set[int]:
        """Chunks whose part is on disk, readable, of this sweep and of the right length; anything else is run again."""
        done = set()
        for index, (_, count) in enumerate(self.sweep.chunks()):
            path = self.part(index)
            if not path.is_file():
                continue
            try:
                metadata = pq.read_metadata(path)
                ours = json.loads(metadata.metadata[METADATA_KEY])["fingerprint"] == self.sweep.fingerprint
                whole = metadata.num_rows == count
            except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
                ours = whole = False
            if ours and whole:
                done.add(index)
            else:
                path.unlink()
        return done

    def write_part(self, index: int, counts: np.ndarray) -> None:
        first, _ = self.sweep.chunks()[index]
        table = rows(self.sweep, self.schema, first, counts)
        atomic_write(self.part(index), lambda stream: pq.write_table(table, stream))

    def assemble(self) -> pa.Table:
        """results.parquet from every part in point order (atomically); the table it holds."""
        table = pa.concat_tables([pq.read_table(self.part(index), schema=self.schema) for index in range(len(self.sweep.chunks()))])
        atomic_write(self.folder / "results.parquet", lambda stream: pq.write_table(table, stream))
        return table


def schema(sweep: Sweep) -> pa.Schema:
    """point, each parameter (a number, or a date), and p, lo, hi of each output; the sweep described in the metadata."""
    fields = [pa.field("point", pa.int64())]
    fields += [pa.field(axis.name, pa.date32() if axis.is_date else pa.float64()) for axis in sweep.axes]
    fields += [pa.field(f"{output}_{stat}", pa.float64()) for output in sweep.outputs for stat in ("p", "lo", "hi")]
    return pa.schema(fields, metadata={METADATA_KEY: json.dumps(describe(sweep)).encode()})


def describe(sweep: Sweep) -> dict:
    """What a reader of results.parquet (``python run.py discover``) needs to know about the sweep."""
    return {
        "name": sweep.name,
        "fingerprint": sweep.fingerprint,
        "scenario": sweep.scenario.name,
        "parameters": [
            {
                "name": axis.name,
                "type": "date" if axis.is_date else "number",
                "low": human_value(sweep, axis, axis.low),
                "high": human_value(sweep, axis, axis.high),
            }
            for axis in sweep.axes
        ],
        "design": dataclasses.asdict(sweep.design),
        "rollouts": sweep.rollouts,
        "seed": sweep.seed,
        "outputs": list(sweep.outputs),
    }


def rows(sweep: Sweep, table_schema: pa.Schema, first: int, counts: np.ndarray) -> pa.Table:
    """One row a point of a chunk: its index, its parameter values and each output's probability with its Wilson interval."""
    count = len(counts)
    columns: list[pa.Array] = [pa.array(np.arange(first, first + count), pa.int64())]
    for column, axis in enumerate(sweep.axes):
        values = sweep.points[first : first + count, column]
        columns.append(pa.array([sweep.scenario.date_of(int(v)) for v in values], pa.date32()) if axis.is_date else pa.array(values, pa.float64()))
    for position, _ in enumerate(sweep.outputs):
        successes = counts[:, position]
        intervals = [wilson(int(k), sweep.rollouts) for k in successes]
        columns += [
            pa.array(successes / sweep.rollouts, pa.float64()),
            pa.array([low for low, _ in intervals], pa.float64()),
            pa.array([high for _, high in intervals], pa.float64()),
        ]
    return pa.Table.from_arrays(columns, schema=table_schema)
