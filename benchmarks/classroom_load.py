"""A class on one server: N browser sessions open the classroom app at once, each moves a slider, and the odds are timed.

Starts ``python run.py ui`` on a free port of 127.0.0.1 (or uses ``--url``), opens ``--sessions`` sessions
at once in one headless Debian Chromium (one browser context each, so each is a separate visitor with
its own page, websocket and model), and in each one:

1. opens the page and waits for the map (``page open``) and then for the first odds (``first odds``);
2. once every session has its first odds, all move a slider at the same moment (the teacher says "now
   try..."): half the sessions make the same what-if (Daladier prevails), the others each a different
   one, as a class would; each press is one of the moves below, and the odds panel's ``data-what-if`` (a
   digest of the what-if whose odds it shows) tells when the new odds are shown;
3. waits for the odds of its new what-if (``slider -> odds``: from the key press to its odds on screen).

``--rounds R`` (at most 6) repeats step 2-3, each round a move the session has not made before. Prints the median, 90th percentile and maximum of
each time, the machine's load average before and after, and the CPU seconds the server (with its pool's
workers) and the browser used while the pages opened and while the sliders moved, and the server's
start-up; then stops the server and checks that it left no process behind (exit status 1 if it did).
Speed is not asserted. ``--root DIR`` starts another checkout's app, to compare versions on the same
machine at the same time. ``--page solara``, ``static`` or ``plain`` times instead the opening of a page of
``benchmarks/bare_page.py`` (the app's map alone, on solara's server settings or in plain HTML, or the app's first
screen as plain HTML), and ``--page interactive`` both timings on that page with working sliders and no solara, to
tell what the app's own parts cost from what any solara page costs. Run from the project root: ``.venv/bin/python benchmarks/classroom_load.py --sessions 10``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]
SAME = ("FR-daladier_weight", "End")  # the what-if half the class makes: Daladier's line always prevails
# The other what-ifs, one a session (each changes the outcome counts of the baseline, checked with classroom.monte_carlo).
OTHERS = [("CZ-resolve", "End"), ("DE-resolve", "Home"), ("FR-candour", "End"), ("CZ-informs_moscow", "End"),
          ("DE-resolve", "End"), ("CZ-resolve", "Home"), ("FR-daladier_weight", "Home")]
WAIT_MS = 180_000


MAX_ROUNDS = len(OTHERS) - 1  # beyond it a session would repeat one of its moves, which changes nothing to wait for


def moves(session: int, sessions: int, round_: int) -> tuple[str, str]:
    """The slider (its CSS class suffix) and key a session presses in a round: in the first, even sessions the same
    what-if and odd ones their own; then the next of ``OTHERS`` in turn, never a move the session has made before."""
    if session % 2 == 0:
        return SAME if round_ == 0 else OTHERS[(session // 2 + round_ - 1) % len(OTHERS)]
    return OTHERS[(session // 2 + round_) % len(OTHERS)]


def load() -> float:
    return os.getloadavg()[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    """Every living descendant of ``pid`` (read from /proc: no dependency)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, the children it has waited for, and its living descendants (the pool's workers)."""
    total = 0
    for each in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def server_command(page: str, port: int) -> list[str]:
    """The app (``python run.py ui``) or one of ``benchmarks/bare_page.py``'s bare pages, on ``port``."""
    if page == "app":
        return [sys.executable, "run.py", "ui", "--port", str(port)]
    return [sys.executable, "benchmarks/bare_page.py", page, "--port", str(port)]


def start_server(port: int, log: Path, root: Path = ROOT, page: str = "app") -> subprocess.Popen:
    """The app (or a bare page) of the checkout ``root`` on ``port``, waited for until it answers (at most two minutes)."""
    environment = {**os.environ, "PYTHONPATH": str(root)}
    with open(log, "w") as output:
        process = subprocess.Popen(server_command(page, port), cwd=root, env=environment, stdout=output,  # noqa: S603 (our own interpreter and scripts)
                                   stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise SystemExit(f"the app exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                if response.status == 200:
                    return process
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"the app did not answer within 120 s:\n{log.read_text()}")
        time.sleep(0.25)


def stop_server(process: subprocess.Popen) -> list[int]:
    """SIGTERM (as Ctrl-C or a service manager would), then the processes the server left behind, if any."""
    descendants = children(process.pid)
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    time.sleep(1.0)  # a worker killed by its parent's death needs a moment to go
    return [pid for pid in descendants if Path(f"/proc/{pid}").exists() and _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


async def odds_key(page, previous: str | None = None) -> str:
    """The what-if whose odds the panel shows once it has finished computing (and differs from ``previous``, if given).

    Not the outcome counts: a second move may leave them exactly as they were (``--rounds 2`` then waited for ever)."""
    await page.wait_for_function(
        "([previous]) => { const panel = document.querySelector('.monte-carlo');"
        " return panel && !document.querySelector('.monte-carlo-running') && panel.dataset.whatIf !== previous; }",
        arg=[previous or ""], timeout=WAIT_MS, polling=50)
    return await page.locator(".monte-carlo").get_attribute("data-what-if")


async def session(browser, url: str, index: int, args, ready, go, times: dict) -> None:
    """One visitor: open the page, wait for the odds, then (with everyone) move a slider and time the new odds."""
    context = await browser.new_context(viewport={"width": 1600, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        started = time.perf_counter()
        await page.goto(url)
        await page.wait_for_selector(".crisis-map")
        times["page open"].append(time.perf_counter() - started)
        if args.page not in ("app", "interactive"):  # a bare page has no odds and no what-if: it is there to time the opening
            return
        key = await odds_key(page)
        times["first odds"].append(time.perf_counter() - started)
        for round_ in range(args.rounds):
            control, press = moves(index, args.sessions, round_)
            await page.locator(f".control-{control} {'input' if args.page == 'interactive' else '.v-slider__thumb-container'}").focus()
            ready[round_].release()
            await go[round_].wait()
            pressed = time.perf_counter()
            await page.keyboard.press(press)
            key = await odds_key(page, key)
            times["slider -> odds"].append(time.perf_counter() - pressed)
    finally:
        await context.close()


BROWSER_SEEN: dict[int, float] = {}  # each browser process's own CPU seconds when last seen: an ended one keeps its count


def cpu_now(server: int | None) -> dict[str, float]:
    """CPU seconds so far of the server with its pool (if we started it), and of the browser (this script's other descendants).

    A browser's processes come and go (a renderer a page), and the one that reaps them does not always add their time to its
    own, so each is counted by its own time, kept after it ends; ``class_at_once`` looks every 0.2 s, so a renderer's time is
    counted up to its last 0.2 s. (Until 2026-12-06 it looked only at the start, between the phases and at the end, after the
    pages had closed: the time of renderers that had ended was missed, so the browser's figures before then are too low.)
    """
    theirs = ({server} | set(children(server))) if server is not None else set()
    for pid in children(os.getpid()):
        if pid not in theirs:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            BROWSER_SEEN[pid] = sum(int(value) for value in fields[11:13]) / os.sysconf("SC_CLK_TCK")
    return ({"server": cpu_seconds(server)} if server is not None else {}) | {"browser": sum(BROWSER_SEEN.values())}


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: round(after[name] - before[name], 1) for name in after}


async def class_at_once(url: str, args, server: int | None) -> tuple[dict[str, list[float]], dict[str, dict[str, float]]]:
    """Every session at once; each round's slider moves start together once every session is ready for them.

    Also returns the CPU seconds the server (with its pool) and the browser used while the pages opened and then
    while the sliders moved (``cpu_now``, from /proc; without a server of our own, only the browser's).
    """
    from playwright.async_api import async_playwright

    times: dict[str, list[float]] = {"page open": [], "first odds": [], "slider -> odds": []}
    ready = [asyncio.Semaphore(0) for _ in range(args.rounds)]
    go = [asyncio.Event() for _ in range(args.rounds)]

    meter = {"start": cpu_now(server)}

    async def starter() -> None:
        for round_ in range(args.rounds):
            for _ in range(args.sessions):
                await ready[round_].acquire()
            meter.setdefault("opened", cpu_now(server))
            go[round_].set()

    async def watch() -> None:  # a renderer lives only as long as its page: look often, so that its time is seen before it ends
        while "end" not in meter:  # in a thread: reading /proc must not hold up the sessions' own timing
            await asyncio.to_thread(cpu_now, server)
            await asyncio.sleep(0.2)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(args.chromium), args=CHROMIUM_ARGS)
        watching = asyncio.create_task(watch())
        try:
            await asyncio.gather(starter(), *(session(browser, url, index, args, ready, go, times) for index in range(args.sessions)))
            meter["end"] = cpu_now(server)
        finally:
            meter.setdefault("end", cpu_now(server))
            try:
                await watching
            finally:
                await browser.close()
    opened = meter.get("opened", meter["end"])
    return times, {"pages opening": cpu_used(meter["start"], opened), "sliders": cpu_used(opened, meter["end"])}


def summary(values: list[float]) -> dict[str, float]:
    """Median, 90th percentile (nearest rank) and maximum, in seconds."""
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}
    rank = max(0, -(-9 * len(ordered) // 10) - 1)
    return {"n": len(ordered), "median": round(statistics.median(ordered), 2), "p90": round(ordered[rank], 2), "max": round(ordered[-1], 2)}


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10, help="browser sessions at once (default 10)")
    parser.add_argument("--rounds", type=int, default=1, help="slider moves per session, all sessions together each time (default 1)")
    parser.add_argument("--url", help="an app already running (default: start python run.py ui on a free port, and stop it after)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose app to start, to compare versions (default: this one)")
    parser.add_argument("--page", choices=("app", "solara", "static", "plain", "interactive"), default="app",
                        help="what the class opens: the app (default), or a page of benchmarks/bare_page.py (page open only, but for interactive)")
    parser.add_argument("--chromium", type=Path, default=CHROMIUM, help=f"the browser (default {CHROMIUM})")
    parser.add_argument("--settle", type=float, default=0.0, help="seconds between the server answering and the class arriving (default 0)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not 1 <= args.rounds <= MAX_ROUNDS:
        print(f"error: --rounds must be from 1 to {MAX_ROUNDS} (each round a new move for every session)", file=sys.stderr)
        return 2
    if args.page not in ("app", "interactive"):
        args.rounds = 0  # nothing to move on a bare page
    if not args.chromium.exists():
        print(f"error: no browser at {args.chromium} (apt-get install chromium, or --chromium PATH)", file=sys.stderr)
        return 2
    before = load()
    process, log = None, Path(tempfile.gettempdir()) / f"classroom_load-{os.getpid()}.log"
    url = args.url
    if url is None:
        port = free_port()
        process, url = start_server(port, log, args.root.resolve(), args.page), f"http://127.0.0.1:{port}/"
        time.sleep(args.settle)
    try:
        started = cpu_seconds(process.pid) if process is not None else None
        times, cpu = asyncio.run(class_at_once(url, args, process.pid if process is not None else None))
    finally:
        left = stop_server(process) if process is not None else []
    figures = {"page": args.page, "sessions": args.sessions, "rounds": args.rounds, "settle_s": args.settle,
               "load1_before": round(before, 2), "load1_after": round(load(), 2), "left_behind": left,
               "cpu_s": {"server start": started and round(started, 1), **cpu}}
    figures |= {name: summary(values) for name, values in times.items()}
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name:>15}: {value}")
    if left:
        print(f"error: the server left processes behind: {left}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
