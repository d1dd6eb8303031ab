"""Worker processes that die with the command that started them.

The pool's workers are forked from a fork server, which the command starts. Killed with SIGKILL,
the command can run no cleanup, and its children would be left blocked on a pipe, holding hundreds
of megabytes each. Two guards, one a generation:

* The fork server imports this module first (``pool.PRELOAD``): it asks the kernel for SIGKILL when
  its parent dies (Linux ``PR_SET_PDEATHSIG``), then checks that the parent it was started by
  (``PARENT``, set by ``pool.start_server`` only while it starts the server) is still its parent, in case it died before the request.
* Each worker runs ``guard_worker`` as the pool's initializer: the same request and check against
  the fork server, so the fork server's death takes its workers with it.

Where there is no ``prctl`` (not Linux), the guards do nothing and the standard library's own
behaviour applies (the fork server exits when its parent's end of a pipe closes).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

PARENT = "MUNICH1938_POOL_PARENT"  # the pid a fork server must have as its parent
SERVER = "MUNICH1938_POOL_SERVER"  # the pid of the fork server, as its workers inherit it
PR_SET_PDEATHSIG = 1


def die_with_parent(expected: int | None) -> None:
    """Ask for SIGKILL when the parent process dies; exit now if it is already gone (no longer ``expected``)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: only the check below
    if expected is not None and os.getppid() != expected:
        os._exit(1)  # the parent died before the request took effect


def _pid(name: str) -> int | None:
    text = os.environ.get(name, "")
    return int(text) if text.isdigit() else None


def guard_worker() -> None:
    """The pool's initializer: a worker dies with the fork server it was forked from."""
    die_with_parent(_pid(SERVER))


def _guard_server() -> None:
    """Run on import in the fork server (the first module it preloads), once per server."""
    parent = _pid(PARENT)
    if parent is not None and parent != os.getpid():
        os.environ.pop(PARENT)
        os.environ[SERVER] = str(os.getpid())
        die_with_parent(parent)


_guard_server()
