"""Soak: a RUNNING server under a steady mix of guard checks and generate requests for
`--minutes`, with a burst of generate callers above capacity in the middle.

Timeline (fractions of the run): guard checks at `--guard-rate` per second the whole time (open
loop: sent on the clock, whether or not earlier ones answered); generate requests at
`--generate-rate` per second from 1/5 on (meant to be below capacity: 0.2/s was above it on a
2-core box); from 3/5 on, `--burst-callers` callers send generate requests back to back for
`--burst-seconds`. Every route is called once before the clock starts. Printed per `--window`:
answers by status and p50/p99 per route (2xx only), and the resident memory of the server
process and of its children (the vLLM server it started). Then the verdicts:

- 5xx other than 503: must be 0 (503 with Retry-After is the overload answer; 429 too);
- memory growth of the server process from the end of the first window to the end: <= 10 %;
- the guard route's p99 under generate load against its p99 before any generate request: the
  ratio is printed; generation must not slow the guard down.

Exits 1 when the first two fail. Start the server with a high rate limit first, for example
`OFFERGEN_LIMITS='{"requests_per_minute": 1000000}' .venv/bin/offergen serve --port 8010`.

Run: `.venv/bin/python eval/bench/soak.py http://127.0.0.1:8010 [--pid PID] [--minutes 10]
      [--guard-rate 10] [--generate-rate 0.05] [--burst-callers 32] [--burst-seconds 60]`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import httpx
import psutil
from api_load import TEXT, admissible_offer, pct, wait_ready

GUARD, GENERATE = "POST /v1/guard/check", "POST /v1/offers:generate"


@dataclass(frozen=True)
class Answer:
    at: float  # seconds since the start, when the request was sent
    route: str
    status: str  # HTTP status, or the exception's name
    ms: float
    phase: str  # "guard only", "mixed", "burst"


class Memory:
    """Resident memory of the server process and its children, sampled on demand."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)

    def sample(self) -> tuple[float, float]:
        own = self.proc.memory_info().rss
        children = 0
        for child in self.proc.children(recursive=True):
            try:
                children += child.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return own / 2**20, children / 2**20


def server_pid(url: str) -> int:
    """The process listening on the URL's port (this machine only)."""
    port = httpx.URL(url).port or 80
    for conn in psutil.net_connections(kind="tcp"):
        listening = conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port
        if listening and conn.pid:
            return conn.pid
    raise SystemExit(f"no process of this user listens on port {port}; give --pid")


class Soak:
    def __init__(self, client: httpx.AsyncClient, args: argparse.Namespace) -> None:
        self.client = client
        self.args = args
        self.total = args.minutes * 60
        self.start = time.monotonic()
        self.answers: list[Answer] = []
        self.tasks: set[asyncio.Task[None]] = set()

    def now(self) -> float:
        return time.monotonic() - self.start

    def phase(self, at: float) -> str:
        burst_from = self.total * 3 / 5
        if burst_from <= at < burst_from + self.args.burst_seconds:
            return "burst"
        return "mixed" if at >= self.total / 5 else "guard only"

    async def call(self, route: str, body: dict[str, Any]) -> None:
        at = self.now()
        path = "/v1/guard/check" if route == GUARD else "/v1/offers:generate"
        t0 = time.perf_counter()
        try:
            status = str((await self.client.post(path, json=body)).status_code)
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        ms = (time.perf_counter() - t0) * 1000
        self.answers.append(Answer(at, route, status, ms, self.phase(at)))

    async def on_clock(self, route: str, body: dict[str, Any], rate: float, since: float) -> None:
        if rate <= 0:
            return
        await asyncio.sleep(max(0.0, since - self.now()))
        n = 0
        while (due := since + n / rate) < self.total:
            await asyncio.sleep(max(0.0, due - self.now()))
            task = asyncio.create_task(self.call(route, body))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            n += 1

    async def burst(self, body: dict[str, Any]) -> None:
        begin = self.total * 3 / 5
        end = min(self.total, begin + self.args.burst_seconds)
        await asyncio.sleep(max(0.0, begin - self.now()))

        async def caller() -> None:
            while self.now() < end:
                await self.call(GENERATE, body)

        await asyncio.gather(*(caller() for _ in range(self.args.burst_callers)))


def window_rows(answers: list[Answer], window: float) -> dict[int, dict[str, list[Answer]]]:
    rows: dict[int, dict[str, list[Answer]]] = defaultdict(lambda: defaultdict(list))
    for a in answers:
        rows[int(a.at // window)][a.route].append(a)
    return rows


def ok_ms(answers: list[Answer]) -> list[float]:
    return [a.ms for a in answers if a.status.startswith("2")]


def statuses(answers: list[Answer]) -> str:
    counts = Counter(a.status for a in answers)
    return " ".join(f"{s}:{n}" for s, n in sorted(counts.items())) or "-"


async def main(args: argparse.Namespace) -> int:
    memory = Memory(args.pid or server_pid(args.url))
    limits = httpx.Limits(max_connections=args.burst_callers + 64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=args.url, timeout=args.timeout, limits=limits) as client:
        await wait_ready(client, args.ready_timeout)
        merchant, offer = await admissible_offer(client)
        guard = {"text": TEXT.format(merchant=merchant["name"]), "channel": "email"}
        guard |= {"jurisdiction": "US", "offer": offer}
        generate = {"merchant_id": merchant["id"], "offer": offer, "channel": "sms", "variants": 1}
        # Every route's code paths and caches warm before the clock starts: memory growth is
        # measured from there, and a first generate request loads what guard checks never do.
        for path, body in [("/v1/offers:generate", generate)] + [("/v1/guard/check", guard)] * 20:
            (await client.post(path, json=body)).raise_for_status()
        soak = Soak(client, args)
        print(
            f"server {args.url} (pid {memory.proc.pid}); {args.minutes:g} min; merchant "
            f"{merchant['id']}; guard {args.guard_rate:g}/s, generate {args.generate_rate:g}/s "
            f"from {soak.total / 5:.0f} s, burst of {args.burst_callers} callers at "
            f"{soak.total * 3 / 5:.0f} s for {args.burst_seconds:g} s"
        )
        samples: list[tuple[float, float, float]] = []

        async def sample_memory() -> None:
            while soak.now() < soak.total:
                samples.append((soak.now(), *memory.sample()))
                await asyncio.sleep(args.window / 4)

        await asyncio.gather(
            soak.on_clock(GUARD, guard, args.guard_rate, 0.0),
            soak.on_clock(GENERATE, generate, args.generate_rate, soak.total / 5),
            soak.burst(generate),
            sample_memory(),
        )
        if soak.tasks:  # requests sent near the end
            await asyncio.wait(soak.tasks, timeout=args.timeout)
        samples.append((soak.now(), *memory.sample()))
    return report(soak.answers, samples, args)


def report(
    answers: list[Answer], samples: list[tuple[float, float, float]], args: argparse.Namespace
) -> int:
    print(
        f"\n{'window':>10}  {'guard n':>7} {'p50':>7} {'p99':>8}  {'gen n':>5} {'p50':>8} "
        f"{'p99':>8}  {'server MiB':>10} {'children':>9}  statuses (guard | generate)"
    )
    rows = window_rows(answers, args.window)
    for w in sorted(rows):
        g, n = rows[w][GUARD], rows[w][GENERATE]
        in_window = [s for s in samples if w * args.window <= s[0] < (w + 1) * args.window]
        own, kids = in_window[-1][1:] if in_window else (float("nan"), float("nan"))
        print(
            f"{w * args.window:>6.0f}-{(w + 1) * args.window:<4.0f}"
            f"{len(g):>7} {pct(ok_ms(g), 50):>7.1f} {pct(ok_ms(g), 99):>8.1f}  "
            f"{len(n):>5} {pct(ok_ms(n), 50):>8.0f} {pct(ok_ms(n), 99):>8.0f}  "
            f"{own:>10.0f} {kids:>9.0f}  {statuses(g)} | {statuses(n)}"
        )

    print("\nanswers by route and phase:")
    for route in (GUARD, GENERATE):
        for phase in ("guard only", "mixed", "burst"):
            some = [a for a in answers if a.route == route and a.phase == phase]
            if some:
                print(f"  {route:<26} {phase:<11} {len(some):>6}  {statuses(some)}")

    bad = [
        a for a in answers if not a.status.isdigit() or (a.status[0] == "5" and a.status != "503")
    ]
    quiet = ok_ms([a for a in answers if a.route == GUARD and a.phase == "guard only"])
    loaded = ok_ms([a for a in answers if a.route == GUARD and a.phase != "guard only"])
    ratio = pct(loaded, 99) / pct(quiet, 99)
    after_warm = [s for s in samples if s[0] >= args.window] or samples
    growth = (after_warm[-1][1] - after_warm[0][1]) / after_warm[0][1] * 100
    print(f"\nerrors (5xx other than 503, or no answer): {len(bad)} {statuses(bad)}")
    print(
        f"server memory: {after_warm[0][1]:.0f} MiB after the first window -> "
        f"{after_warm[-1][1]:.0f} MiB at the end: {growth:+.1f} % (target <= 10 %)"
    )
    print(
        f"guard p99: {pct(quiet, 99):.1f} ms before any generate request, "
        f"{pct(loaded, 99):.1f} ms under generate load and the burst: x{ratio:.2f}"
    )
    return 1 if bad or growth > 10 else 0


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("url", help="base URL of a running `offergen serve`")
    p.add_argument("--pid", type=int, help="the server's process id (default: the port's owner)")
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--guard-rate", type=float, default=10, help="guard checks per second")
    p.add_argument("--generate-rate", type=float, default=0.05, help="generate requests per second")
    p.add_argument("--burst-callers", type=int, default=32)
    p.add_argument("--burst-seconds", type=float, default=60)
    p.add_argument("--window", type=float, default=60, help="seconds per printed row")
    p.add_argument("--timeout", type=float, default=300, help="per request, seconds")
    p.add_argument("--ready-timeout", type=float, default=600)
    return p.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
