"""Results shared by everyone a server answers: a bounded, thread-safe cache keyed by what determines a result.

A class on one server asks for the same Monte Carlo many times: every visitor opens on the
baseline, half a class tries the same slider, a student goes back to a what-if seen before.
``SharedResults`` keeps the last ``size`` results (least recently used first out, so memory is
bounded) and computes a key that is asked for while it is being computed only once: the later
callers wait for the first one's result (or its error, which is not kept, so a later call tries again).

``what_if_key`` is the key: a digest of everything that determines a run's result, the scenario's
whole content after ``extends`` and ``--set`` (window, seed, lens, parameter draws, parameters,
rule and event edits, added rules; its name, question and description too, which a summary
carries) and the number of rollouts; never an object's identity, so two visitors who build the
same what-if separately share one result. The rule book and posterior are not in it: a server
reads them once, and a cache lives no longer than its process.

This is experiments-layer code, not presentation: it knows what determines a run's result and
nothing of pages, so the classroom app (``sim/presentation/class_server.py``) and any other
long-running caller can use it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from datetime import date

from pydantic import BaseModel

from sim.book.scenario import Scenario


def _plain(value: object) -> object:
    """A scenario field as JSON-ready data (pydantic models dumped, dates as ISO text, tuples as lists)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def what_if_key(scenario: Scenario, runs: int) -> str:
    """The digest of a scenario's content and the number of rollouts: equal exactly when the run's result must be."""
    fields = {field.name: _plain(getattr(scenario, field.name)) for field in dataclasses.fields(scenario) if field.compare}
    text = json.dumps({"scenario": fields, "runs": runs}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class SharedResults[Value]:
    """A least-recently-used cache of at most ``size`` results, safe across threads, each key computed once at a time."""

    def __init__(self, size: int):
        if size < 1:
            raise ValueError(f"a cache must hold at least one result, not {size}")
        self.size = size
        self._lock = threading.Lock()
        self._done: OrderedDict[Hashable, Value] = OrderedDict()
        self._running: dict[Hashable, Future] = {}
        self.computed = 0  # how many times a result was computed (not found, nor waited for)

    def __len__(self) -> int:
        with self._lock:
            return len(self._done)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._done

    def get(self, key: Hashable, compute: Callable[[], Value]) -> Value:
        """The result for ``key``: kept, being computed by another caller (waited for), or computed now by this one."""
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            running = self._running.get(key)
            if running is None:
                running = self._running[key] = Future()
                self.computed += 1
                owner = True
            else:
                owner = False
        if not owner:
            return running.result()
        try:
            value = compute()
        except BaseException as error:
            with self._lock:
                del self._running[key]
            running.set_exception(error)
            raise
        with self._lock:
            self._done[key] = value
            while len(self._done) > self.size:
                self._done.popitem(last=False)
            del self._running[key]
        running.set_result(value)
        return value

    def clear(self) -> None:
        """Forget every kept result (one being computed is still shared with its waiters)."""
        with self._lock:
            self._done.clear()
