"""Parameter sweeps and sensitivity analysis: ``python run.py sweep SWEEP.yaml``.

A sweep file names a base scenario, the parameters to vary, a design (grid,
random, latin hypercube, Sobol/Saltelli, Morris), the rollouts per point, a
seed and the outputs of interest. Every point runs rollouts ``0 .. n-1`` (common
random numbers), so differences between points come from the parameters.

Points are cut into chunks by ``runner.point_chunks`` (fixed by the sweep file,
never by ``--jobs`` or the cluster); each finished chunk becomes one Parquet
part in ``DIR/parts/`` (written to a temporary name, flushed to disk, then
renamed), so a sweep killed at any moment and started again with the same
command runs only the chunks that have no part. A manifest holds the sweep's
hash: a changed sweep is refused rather than mixed with old parts.
``results.parquet`` is assembled from the parts, in point order, atomically, so
it is a pure function of the sweep file whether the chunks ran here, on a
process pool or on a Dask cluster, in one go or in several.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field, model_validator

from sim.book.inputs import Document, InputError, did_you_mean, dotted, load_yaml, validate
from sim.book.rules import Parameter, RuleBook, Strict, load_rulebook
from sim.book.scenario import Scenario, load_scenario
from sim.engine.outcomes import EVENTS, OUTCOMES
from sim.engine.posterior import Posterior, committed_posterior
from sim.experiments import designs
from sim.experiments.designs import Axis, DesignKind, DesignSpec
from sim.experiments.pool import CHUNK, map_work
from sim.experiments.runner import point_chunks, run_points, wilson

MAX_POINTS = 10_000_000
METADATA_KEY = b"munich1938.sweep"
DIST_HINT = "the Dask options need the optional extra: pip install -e '.[dist]'"
# What each design takes beyond `kind`, and what it cannot do without.
DESIGN_KEYS = {
    "grid": ("levels",),
    "random": ("n",),
    "latin": ("n",),
    "sobol": ("n", "second_order"),
    "morris": ("trajectories", "levels"),
}
DESIGN_NEEDS = {"random": ("n",), "latin": ("n",), "sobol": ("n",), "morris": ("trajectories",)}
DESIGN_MEANING = {
    "n": "the number of points (random, latin) or Saltelli's base sample N (sobol: N * (2D + 2) points)",
    "trajectories": "the number of Morris trajectories (trajectories * (D + 1) points)",
}


# ----------------------------------------------------------------------------- the sweep file
class Vary(Strict):
    """How one parameter varies: explicit grid values, or a range (default: the rule book's range)."""

    values: list[float | date] | None = Field(None, min_length=1, description="Grid values, e.g. [0, 0.25, 0.5] (grid designs only).")
    range: tuple[float, float] | tuple[date, date] | None = Field(None, description="[low, high] within the rule book's range.")

    @model_validator(mode="after")
    def _one_of(self) -> Vary:
        assert self.values is None or self.range is None, "give `values` or `range`, not both"
        return self


class Design(Strict):
    """The design: its kind and sizes. Which sizes each kind takes is checked with the file's lines in ``_design_spec``."""

    kind: DesignKind = Field(description="grid, random, latin (hypercube), sobol (Saltelli's scheme) or morris.")
    n: int | None = Field(None, ge=1, le=MAX_POINTS, description="random, latin: points; sobol: base sample N, a power of two.")
    levels: int | None = Field(None, ge=2, le=1000, description="grid: values per ranged parameter (default 5); morris: grid levels (default 4).")
    trajectories: int | None = Field(None, ge=2, le=MAX_POINTS, description="morris: number of trajectories.")
    second_order: bool | None = Field(None, description="sobol: also estimate second-order indices (default true: N * (2D + 2) points).")


class SweepFile(Strict):
    """The keys a sweep file may hold."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Short identifier; the default output folder is sweep-results/NAME.")
    description: str = Field("", description="What the sweep asks and why these parameters.")
    scenario: str = Field(description="The base scenario file, relative to this file.")
    parameters: dict[str, Vary | None] = Field(min_length=1, description="Parameters to vary by dotted name; empty or null: the rule book's range.")
    design: Design
    rollouts: int = Field(200, ge=1, le=100_000_000, description="Rollouts per point (default 200).")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Seed of the design and of every rollout (default: the scenario's).")
    outputs: list[str] | None = Field(None, min_length=1, description="Outcome and event names to report (default: all).")
    chunk: int = Field(CHUNK, ge=1, le=10_000_000, description=f"Lanes per batch (default {CHUNK}); each batch is one part on disk.")


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the scenario it starts from and the points it runs."""

    name: str
    description: str
    scenario: Scenario
    axes: tuple[Axis, ...]
    design: DesignSpec
    rollouts: int
    seed: int
    outputs: tuple[str, ...]
    chunk: int
    points: np.ndarray = field(compare=False, repr=False)
    fingerprint: str = ""

    @property
    def names(self) -> list[str]:
        return [axis.name for axis in self.axes]

    def chunks(self) -> list[tuple[int, int]]:
        return point_chunks(len(self.points), self.rollouts, self.chunk)


def _error(document: Document, path: tuple, message: str) -> InputError:
    return InputError(message, document.file, document.line_of(path), dotted(path))


def load_sweep(path: str | Path) -> Sweep:
    """Read a sweep file, check it against its scenario and the rule book, and build its design."""
    path = Path(path)
    document = load_yaml(path)
    if not isinstance(document.data, dict):
        raise InputError("a sweep file must be a mapping of keys (name, scenario, parameters, design, ...)", path, 1)
    data = validate(SweepFile, document.data, document)
    scenario = _base_scenario(path, data, document)
    spec = _design_spec(data.design, document)
    book_parameters = load_rulebook().parameters()
    axes = tuple(_axis(name, vary, scenario, book_parameters, spec, document) for name, vary in data.parameters.items())
    outputs = _outputs(data.outputs, document)
    count = designs.size(axes, spec)
    if count > MAX_POINTS:
        raise _error(document, ("design",), f"the design has {count:,} points; at most {MAX_POINTS:,} are allowed")
    seed = scenario.seed if data.seed is None else data.seed
    scenario = dataclasses.replace(scenario, seed=seed)
    sweep = Sweep(data.name, data.description, scenario, axes, spec, data.rollouts, seed, outputs, data.chunk, designs.build(axes, spec, seed))
    return dataclasses.replace(sweep, fingerprint=fingerprint(sweep))


def _base_scenario(path: Path, data: SweepFile, document: Document) -> Scenario:
    try:
        scenario_path = path.parent / data.scenario
        usable = scenario_path.is_file()
    except (OSError, ValueError):
        usable = False
    if not usable:
        raise _error(document, ("scenario",), f"names {data.scenario!r}, which is not a scenario file (the path is relative to the sweep file)")
    return load_scenario(scenario_path)


def _design_spec(design: Design, document: Document) -> DesignSpec:
    kind = design.kind
    allowed = DESIGN_KEYS[kind]
    for key in sorted(design.model_fields_set - {"kind"}):
        if key not in allowed and getattr(design, key) is not None:
            raise _error(document, ("design", key), f"`{key}` does not apply to a {kind} design; a {kind} design takes: {', '.join(allowed)}")
    for key in DESIGN_NEEDS.get(kind, ()):
        if getattr(design, key) is None:
            raise _error(document, ("design",), f"a {kind} design needs `{key}`: {DESIGN_MEANING[key]}")
    if kind == "sobol" and (design.n < 4 or design.n & (design.n - 1)):
        raise _error(document, ("design", "n"), f"Saltelli's scheme needs N a power of two (at least 4), got {design.n}; e.g. 64, 128, 256")
    default_levels = 4 if kind == "morris" else 5
    return DesignSpec(
        kind=kind,
        n=design.n or 0,
        levels=design.levels or default_levels,
        trajectories=design.trajectories or 0,
        second_order=True if design.second_order is None else design.second_order,
    )


def _axis(name: str, vary: Vary | None, scenario: Scenario, parameters: dict[str, Parameter], spec: DesignSpec, document: Document) -> Axis:
    key = ("parameters", name)
    if name not in parameters:
        raise _error(document, key, f"unknown parameter {name!r}{did_you_mean(name, parameters, examples=True)}; `python run.py rules` lists them")
    book_low, book_high = parameters[name].range
    is_date = isinstance(book_low, date)
    vary = vary or Vary()

    def model_value(value: float | date, where: tuple) -> float:
        if isinstance(value, date) != is_date:
            raise _error(document, where, f"must be a {'date' if is_date else 'number'} within the rule book's range [{book_low}, {book_high}]")
        if not book_low <= value <= book_high:
            raise _error(document, where, f"{value} is outside the rule book's range [{book_low}, {book_high}]")
        if not is_date:
            return float(value)
        try:
            return float(scenario.day_of(value))
        except ValueError as error:
            raise _error(document, where, str(error)) from None

    if vary.values is not None:
        if spec.kind != "grid":
            raise _error(document, (*key, "values"), f"a {spec.kind} design samples ranges: give `range: [low, high]`, or nothing for the rule book's range")
        values = tuple(model_value(value, (*key, "values", index)) for index, value in enumerate(vary.values))
        if len(set(values)) != len(values):
            raise _error(document, (*key, "values"), "a value appears twice; each grid value may appear once")
        return Axis(name, min(values), max(values), values, is_date)
    where = (*key, "range") if vary.range is not None else key
    low, high = vary.range or (book_low, book_high)
    low, high = model_value(low, where), model_value(high, where)
    if not low < high:
        empty = f"the range [{vary.range[0]}, {vary.range[1]}] is empty; give [low, high] with low < high" if vary.range else "the book's range is one value"
        raise _error(document, where, empty)
    return Axis(name, low, high, None, is_date)


def _outputs(names: list[str] | None, document: Document) -> tuple[str, ...]:
    if names is None:
        return (*OUTCOMES, *EVENTS)
    for index, name in enumerate(names):
        if name not in OUTCOMES and name not in EVENTS:
            raise _error(document, ("outputs", index), f"unknown output {name!r}; outcomes: {', '.join(OUTCOMES)}; event flags: {', '.join(EVENTS)}")
        if names.index(name) != index:
            raise _error(document, ("outputs", index), f"{name!r} is listed twice")
    return tuple(names)


def fingerprint(sweep: Sweep) -> str:
    """SHA-256 of everything a sweep's rows depend on: scenario, rule book, posterior, points, rollouts, outputs, chunks."""
    digest = hashlib.sha256()
    posterior = sweep_posterior(sweep.scenario)
    described = {
        "scenario": repr(sweep.scenario),
        "rulebook": load_rulebook().model_dump_json(),
        "posterior": None if posterior is None else [posterior.parameters, posterior.samples.tolist(), posterior.weights.tolist()],
        "axes": [dataclasses.asdict(axis) for axis in sweep.axes],
        "design": dataclasses.asdict(sweep.design),
        "rollouts": sweep.rollouts,
        "seed": sweep.seed,
        "outputs": sweep.outputs,
        "chunks": sweep.chunks(),
    }
    digest.update(json.dumps(described, sort_keys=True, default=str).encode())
    digest.update(np.ascontiguousarray(sweep.points, dtype="<f8").tobytes())
    return digest.hexdigest()


# ----------------------------------------------------------------------------- running chunks
@dataclass(frozen=True)
class Chunk:
    """One batch of consecutive points and everything a worker needs to run it.

    The chunk carries the rule book and the calibration posterior as the sweep read them, so a worker
    (a local process or a Dask worker on another machine) computes exactly what the sweep's fingerprint
    promises, whatever files its own installation holds or another engineer rewrites meanwhile.
    """

    index: int
    first: int
    scenario: Scenario
    book: RuleBook
    posterior: Posterior | None
    names: tuple[str, ...]
    points: np.ndarray
    rollouts: int
    outputs: tuple[str, ...]


def run_chunk(chunk: Chunk) -> tuple[int, np.ndarray]:
    """The chunk's index and its counts: one row a point, one column an output (rollouts where it happened)."""
    count = len(chunk.points)
    result = run_points(chunk.scenario, list(chunk.names), chunk.points, chunk.rollouts, chunk.book, chunk.posterior)
    outcome = result.outcome.reshape(count, chunk.rollouts)
    columns = [
        (outcome == OUTCOMES.index(output)).sum(axis=1) if output in OUTCOMES else result.flags[output].reshape(count, chunk.rollouts).sum(axis=1)
        for output in chunk.outputs
    ]
    return chunk.index, np.stack(columns, axis=1).astype(np.int64)


def work(sweep: Sweep, indices: list[int]) -> list[Chunk]:
    """The chunks with these indices, ready to ship to a worker."""
    book, posterior, chunks = load_rulebook(), sweep_posterior(sweep.scenario), sweep.chunks()
    made = []
    for index in indices:
        first, count = chunks[index]
        points = sweep.points[first : first + count]
        made.append(Chunk(index, first, sweep.scenario, book, posterior, tuple(sweep.names), points, sweep.rollouts, sweep.outputs))
    return made


def sweep_posterior(scenario: Scenario) -> Posterior | None:
    """The posterior the sweep's rollouts draw from: the committed one, unless the scenario asks for the book's values."""
    return None if scenario.parameter_draws == "book" else committed_posterior()


Results = Callable[[list[Chunk]], Iterator[tuple[int, np.ndarray]]]


@contextlib.contextmanager
def local_pool(jobs: int) -> Iterator[Results]:
    """Chunks on this machine's process pool (``pool.map_work``), results in chunk order."""
    yield lambda chunks: map_work(run_chunk, chunks, jobs)


def require_distributed() -> ModuleType:
    """The `distributed` module, or the one-line hint to install the dist extra: checked before a sweep starts, not halfway."""
    try:
        import distributed
    except ImportError:
        raise InputError(DIST_HINT, key="--scheduler/--dask-local") from None
    return distributed


@contextlib.contextmanager
def dask_cluster(scheduler: str | None, workers: int | None) -> Iterator[Results]:
    """Chunks on a Dask cluster: an existing one at ``scheduler``, or ``workers`` local processes on loopback."""
    import logging

    distributed = require_distributed()
    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout="20s"))
            except (OSError, TimeoutError) as error:
                raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {error}", key="--scheduler") from None
        else:
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0", silence_logs=logging.ERROR,
            ))
            client = stack.enter_context(distributed.Client(cluster))
        yield lambda chunks: _dask_results(client, chunks, distributed)


def _dask_results(client, chunks: list[Chunk], distributed) -> Iterator[tuple[int, np.ndarray]]:
    if not chunks:
        return
    # One task a chunk; its key names the chunk, so a worker's log says what it ran.
    token = uuid.uuid4().hex[:12]  # never reuse a key an earlier submission left on a shared scheduler
    futures = client.map(run_chunk, chunks, key=[f"munich1938-chunk-{chunk.index}-{token}" for chunk in chunks])
    for future, result in distributed.as_completed(futures, with_results=True):
        future.release()
        yield result


# ----------------------------------------------------------------------------- the output folder
class Store:
    """The output folder of one sweep: a manifest, one Parquet part a finished chunk, and results.parquet."""

    def __init__(self, folder: Path, sweep: Sweep):
        self.folder, self.sweep = folder, sweep
        self.parts = folder / "parts"
        self.manifest = self.parts / "manifest.json"
        self.schema = schema(sweep)

    def check(self) -> None:
        """Refuse a folder that holds another sweep or other files; writes nothing."""
        if self.folder.exists() and not self.folder.is_dir():
            raise InputError("exists and is not a folder; give a folder for --out", self.folder, key="--out")
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


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write to a temporary name beside ``path``, flush it to disk, then rename: readers see the old file or the whole new one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)


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
            {"name": axis.name, "type": "date" if axis.is_date else "number", "low": _human(sweep, axis, axis.low), "high": _human(sweep, axis, axis.high)}
            for axis in sweep.axes
        ],
        "design": dataclasses.asdict(sweep.design),
        "rollouts": sweep.rollouts,
        "seed": sweep.seed,
        "outputs": list(sweep.outputs),
    }


def _human(sweep: Sweep, axis: Axis, value: float) -> float | str:
    return sweep.scenario.date_of(int(value)).isoformat() if axis.is_date else value


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


# ----------------------------------------------------------------------------- progress
class Progress:
    """A one-line bar with rate and ETA on a terminal; silent otherwise (logs and pipes get the summary only)."""

    def __init__(self, total: int, done: int, rollouts: int, stream: IO[str], enabled: bool):
        self.total, self.done, self.rollouts, self.stream, self.enabled = total, done, rollouts, stream, enabled
        self.start_done, self.started = done, time.monotonic()
        self.show()

    def advance(self, points: int) -> None:
        self.done += points
        self.show()

    def show(self) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        ran = self.done - self.start_done
        rate = ran / elapsed if elapsed > 0 and ran else 0.0
        eta = f"ETA {_clock((self.total - self.done) / rate)}" if rate else "ETA --:--"
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} points  "
                          f"{rate * self.rollouts:,.0f} rollouts/s  {eta}  ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds + 0.5), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}" if minutes >= 60 else f"{minutes}:{seconds:02d}"


# ----------------------------------------------------------------------------- the command
@dataclass(frozen=True)
class RunStats:
    points_run: int
    points_resumed: int
    seconds: float
    where: str


def run_sweep(sweep: Sweep, store: Store, results: Results, progress: bool = False) -> tuple[pa.Table, RunStats]:
    """Run the chunks that have no part yet, write each as it arrives, and assemble results.parquet."""
    chunks = sweep.chunks()
    started = time.monotonic()
    with store.opened():
        done = store.finished()
        todo = [index for index in range(len(chunks)) if index not in done]
        resumed = sum(chunks[index][1] for index in done)
        bar = Progress(len(sweep.points), resumed, sweep.rollouts, sys.stderr, progress)
        try:
            for index, counts in results(work(sweep, todo)):
                store.write_part(index, counts)
                bar.advance(len(counts))
        finally:
            bar.close()
        table = store.assemble()
    return table, RunStats(len(sweep.points) - resumed, resumed, time.monotonic() - started, "")


# ----------------------------------------------------------------------------- analysis and reports
def analyse(sweep: Sweep, table: pa.Table) -> dict[str, dict | None] | None:
    """Sobol or Morris indices of each output (None for an output that never varies); None for other designs."""
    kind = sweep.design.kind
    if kind not in ("sobol", "morris"):
        return None
    indices = {}
    for output in sweep.outputs:
        y = table.column(f"{output}_p").to_numpy()
        if kind == "sobol":
            indices[output] = designs.sobol_indices(sweep.axes, y, sweep.design, sweep.seed)
        else:
            indices[output] = designs.morris_indices(sweep.axes, sweep.points, y, sweep.design, sweep.seed)
    return indices


def plan(sweep: Sweep, folder: Path) -> str:
    chunks = sweep.chunks()
    points = len(sweep.points)
    return (
        f"{sweep.name}: {sweep.design.kind} design over {len(sweep.axes)} parameter(s): {', '.join(sweep.names)}\n"
        f"{points:,} points x {sweep.rollouts:,} rollouts = {points * sweep.rollouts:,} rollouts in {len(chunks)} chunk(s) "
        f"of up to {chunks[0][1]:,} points; base scenario {sweep.scenario.name}, seed {sweep.seed}\n"
        f"outputs: {', '.join(sweep.outputs)}\nresults would go to {folder}\n"
    )


def summary(sweep: Sweep, table: pa.Table, indices: dict | None) -> str:
    """The summary printed at the end and kept as summary.txt: ranges of each output, and the indices."""
    points = len(sweep.points)
    lines = [
        f"{sweep.name}: {sweep.design.kind} design, {points:,} points x {sweep.rollouts:,} rollouts, seed {sweep.seed}, "
        f"base scenario {sweep.scenario.name}",
        f"parameters: {', '.join(f'{axis.name} [{_human(sweep, axis, axis.low)}, {_human(sweep, axis, axis.high)}]' for axis in sweep.axes)}",
        "",
        f"{'output':<22} {'min':>6} {'median':>7} {'max':>6}   (probability across the points)",
    ]
    for output in sweep.outputs:
        p = table.column(f"{output}_p").to_numpy()
        lines.append(f"{output:<22} {p.min():>6.3f} {np.median(p):>7.3f} {p.max():>6.3f}")
    if indices is not None:
        lines += ["", *_indices_text(sweep, indices)]
    return "\n".join(lines) + "\n"


SHOWN_INDICES = 12  # per output in the summary; indices.json has them all


def _indices_text(sweep: Sweep, indices: dict) -> list[str]:
    kind = sweep.design.kind
    width = max(len(name) for name in sweep.names) + 2
    if kind == "sobol":
        lines = ["Sobol indices (S1 alone, ST with interactions; +- 95% bootstrap half-width), largest ST first:"]
        rank, header = "ST", f"  {'parameter':<{width}} {'S1':>15} {'ST':>15}"
    else:
        lines = ["Morris screening (mu*: mean absolute effect on the probability over the range, +- 95%; sigma: spread), largest mu* first:"]
        rank, header = "mu_star", f"  {'parameter':<{width}} {'mu*':>15} {'sigma':>7}"
    for output, table in indices.items():
        if table is None:
            lines.append(f"{output}: constant over the design, no indices")
            continue
        lines += [f"{output}:", header]
        ranked = sorted(table, key=lambda name: -(table[name][rank] or 0.0))
        lines += [f"  {name:<{width}} {_index_cells(table[name], kind)}" for name in ranked[:SHOWN_INDICES]]
        if len(ranked) > SHOWN_INDICES:
            rest = max(table[name][rank] or 0.0 for name in ranked[SHOWN_INDICES:])
            lines.append(f"  ... {len(ranked) - SHOWN_INDICES} more, each {rank.replace('_star', '*')} <= {rest:.3f} (indices.json has them all)")
    return lines


def _index_cells(values: dict, kind: str) -> str:
    def cell(value: float | None, half: float | None) -> str:
        return f"{'n/a':>15}" if value is None else f"{value:>7.3f} +- {half or 0.0:<4.2f}"

    if kind == "sobol":
        return f"{cell(values['S1'], values['S1_conf'])} {cell(values['ST'], values['ST_conf'])}"
    return f"{cell(values['mu_star'], values['mu_star_conf'])} {values['sigma'] or 0.0:>7.3f}"


def run_line(sweep: Sweep, stats: RunStats, folder: Path) -> str:
    rollouts = stats.points_run * sweep.rollouts
    rate = rollouts / stats.seconds if stats.seconds > 0 else 0.0
    resumed = f"; {stats.points_resumed:,} points were already done" if stats.points_resumed else ""
    ran = f"ran {stats.points_run:,} points ({rollouts:,} rollouts) in {stats.seconds:.1f} s on {stats.where}: {rate:,.0f} rollouts/s{resumed}"
    if not stats.points_run:
        ran = f"nothing left to run: all {stats.points_resumed:,} points were already done"
    return (
        f"\n{ran}\n"
        f"results in {folder}: results.parquet (one row a point), summary.txt"
        + (", indices.json" if sweep.design.kind in ("sobol", "morris") else "") + ", figures (*.png)\n"
    )


def reference(sweep: Sweep) -> list[float]:
    """The base scenario's value of each swept parameter, in model units.

    What the scenario pins, else its lens, else the posterior mean of a calibrated parameter, else the rule book's value.
    """
    book = load_rulebook()
    values = {name: parameter.value for name, parameter in book.parameters().items()}
    posterior = sweep_posterior(sweep.scenario)
    if posterior is not None:
        values |= dict(zip(posterior.parameters, posterior.mean.tolist(), strict=True))
    values |= book.lenses[sweep.scenario.lens].parameters | sweep.scenario.parameters
    return [float(sweep.scenario.day_of(value)) if isinstance(value := values[axis.name], date) else float(value) for axis in sweep.axes]


def write_reports(sweep: Sweep, folder: Path, table: pa.Table, indices: dict | None, text: str) -> None:
    """summary.txt, indices.json and the figures, each written atomically."""
    atomic_write(folder / "summary.txt", lambda stream: stream.write(text.encode()))
    if indices is not None:
        document = json.dumps({"method": sweep.design.kind, "outputs": indices}, indent=2)
        atomic_write(folder / "indices.json", lambda stream: stream.write(document.encode()))
    for name, draw in figures(sweep, table, indices):
        atomic_write(folder / name, draw)


def figures(sweep: Sweep, table: pa.Table, indices: dict | None) -> Iterator[tuple[str, Callable[[IO[bytes]], None]]]:
    """(file name, drawing function of a stream) for each figure the design calls for, one an output."""
    from sim.presentation import sweep_plots

    kind, base = sweep.design.kind, f"{sweep.rollouts:,} rollouts a point"
    for output in sweep.outputs:
        p = table.column(f"{output}_p").to_numpy()
        title = f"{sweep.name}: P({output})\n{base}"
        if kind == "grid" and len(sweep.axes) == 2:
            labels = tuple([f"{value:g}" if isinstance(value, float) else str(value) for value in table.column(axis.name).to_pylist()] for axis in sweep.axes)
            yield f"heatmap_{output}.png", functools.partial(
                sweep_plots.heatmap, output, sweep.axes, sweep.points, p, labels, tuple(reference(sweep)), title)
        elif kind == "grid" and len(sweep.axes) == 1:
            low, high = (table.column(f"{output}_{stat}").to_numpy() for stat in ("lo", "hi"))
            yield f"line_{output}.png", functools.partial(sweep_plots.line, output, sweep.axes[0], sweep.points, p, low, high, title)
        elif indices is not None and indices.get(output) is not None:
            size = f"N={sweep.design.n}" if kind == "sobol" else f"{sweep.design.trajectories} trajectories"
            draw = sweep_plots.sobol_bars if kind == "sobol" else sweep_plots.morris_scatter
            title = f"{sweep.name}: {kind.capitalize()} indices of P({output})\n{size}, {len(sweep.points):,} points, {base}, 95% intervals"
            yield f"{kind}_{output}.png", functools.partial(draw, output, indices[output], title)
