"""API load against a RUNNING server: requests/s and p50/p95/p99 latency of

- the API with its generation backend (`POST /v1/offers:generate`), a fixed number of requests
  per concurrency level, because one generation takes seconds on a CPU;
- the API shell alone (`POST /v1/guard/check`: middleware, auth, validation,
  the guard and JSON; no model), for a fixed time per concurrency level;
- `GET /healthz`, the HTTP floor, at the same levels.

Then the shell's added latency, side by side in one run: the guard route's p50 against the same
guard called in this process (the work the route wraps), and against /healthz's p50. Errors other
than 429 must be 0 (the exit status is 1 otherwise); 429s are counted apart, and latencies are of
2xx answers only. For load figures rather than rate-limit figures, start the server with
`OFFERGEN_LIMITS='{"requests_per_minute": 1000000}'`.

Run: `.venv/bin/python eval/bench/api_load.py http://127.0.0.1:8000 [--token KEY]
      [--levels 1,8,32] [--seconds 10] [--generate-levels 1,4] [--generate-requests 8]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
TEXT = "Get 10% cash back at {merchant} on purchases of $50 or more. Terms apply."


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)  # of 2xx answers
    limited: int = 0  # 429
    errors: dict[str, int] = field(default_factory=dict)  # status or exception name -> count
    seconds: float = 0.0

    def add(self, status: int | str, ms: float) -> None:
        if isinstance(status, int) and 200 <= status < 300:
            self.latencies_ms.append(ms)
        elif status == 429:
            self.limited += 1
        else:
            self.errors[str(status)] = self.errors.get(str(status), 0) + 1

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.limited + sum(self.errors.values())


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


Call = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def one(client: httpx.AsyncClient, call: Call, tally: Tally) -> None:
    started = time.perf_counter()
    try:
        status: int | str = (await call(client)).status_code
    except httpx.HTTPError as exc:
        status = type(exc).__name__
    tally.add(status, (time.perf_counter() - started) * 1000)


async def for_time(client: httpx.AsyncClient, call: Call, level: int, seconds: float) -> Tally:
    tally = Tally()
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            await one(client, call, tally)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(level)))
    tally.seconds = time.perf_counter() - started
    return tally


async def for_count(client: httpx.AsyncClient, call: Call, level: int, count: int) -> Tally:
    tally = Tally()
    gate = asyncio.Semaphore(level)

    async def limited() -> None:
        async with gate:
            await one(client, call, tally)

    started = time.perf_counter()
    await asyncio.gather(*(limited() for _ in range(count)))
    tally.seconds = time.perf_counter() - started
    return tally


def row(name: str, level: int, t: Tally) -> str:
    rps = t.requests / t.seconds if t.seconds else 0.0
    lat = t.latencies_ms
    errors = sum(t.errors.values())
    detail = f"  {t.errors}" if t.errors else ""
    return (
        f"{name:<22}{level:>5}{t.requests:>8}{rps:>9.1f}{pct(lat, 50):>10.1f}{pct(lat, 95):>10.1f}"
        f"{pct(lat, 99):>10.1f}{t.limited:>7}{errors:>7}{detail}"
    )


HEADER = (
    f"{'scenario':<22}{'conc':>5}{'reqs':>8}{'req/s':>9}{'p50 ms':>10}{'p95 ms':>10}"
    f"{'p99 ms':>10}{'429':>7}{'errors':>7}"
)


def in_process_guard_ms(case: dict[str, Any], repeat: int) -> float:
    """p50 of the guard the route runs, called here directly (no HTTP, no middleware)."""
    sys.path.insert(0, str(REPO))
    from offergen.guardrails.base import CheckContext
    from offergen.guardrails.packs import Packs
    from offergen.guardrails.verdict import verdict
    from offergen.schemas import GuardCheckRequest

    packs = Packs(REPO / "guardrails")
    packs.warm_up()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        body = GuardCheckRequest.model_validate(case)  # the route validates its body too
        guard = packs.for_copy(body.jurisdiction, body.policy)
        ctx = CheckContext(offer=body.offer, channel=body.channel, jurisdiction=body.jurisdiction)
        verdict(guard.check(body.text, ctx), guard.name).model_dump_json()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def wait_ready(client: httpx.AsyncClient, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{client.base_url} is not ready after {timeout_s:g} s (/readyz)")
        await asyncio.sleep(0.5)


async def admissible_offer(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first listed merchant whose rules admit a 3 % cashback offer (`offers:validate`), so
    that the generate requests measure generation, not the pre-flight's refusal."""
    page = (await client.get("/v1/merchants", params={"limit": 50})).raise_for_status().json()
    for merchant in page["items"]:
        offer = {"kind": "cashback", "merchant": merchant["name"], "value": 3, "unit": "percent"}
        offer |= {"min_spend": 50, "valid_until": "2030-12-31"}
        body = {"merchant_id": merchant["id"], "offer": offer, "channel": "sms"}
        verdict = (await client.post("/v1/offers:validate", json=body)).raise_for_status().json()
        if verdict["valid"]:
            return merchant, offer
    raise SystemExit("no listed merchant admits a 3 % cashback offer")


async def main(args: argparse.Namespace) -> int:
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    levels = [int(x) for x in args.levels.split(",")]
    gen_levels = [int(x) for x in args.generate_levels.split(",")] if args.generate_levels else []
    limits = httpx.Limits(max_connections=max(levels + gen_levels), max_keepalive_connections=64)
    async with httpx.AsyncClient(
        base_url=args.url, headers=headers, timeout=args.timeout, limits=limits
    ) as client:
        await wait_ready(client, args.ready_timeout)
        merchant, offer = await admissible_offer(client)
        case = {
            "text": TEXT.format(merchant=merchant["name"]),
            "channel": "email",
            "jurisdiction": "US",
            "offer": offer,
        }
        generate = {
            "merchant_id": merchant["id"],
            "offer": offer,
            "channel": "sms",
            "variants": args.variants,
        }

        def healthz(c: httpx.AsyncClient) -> Awaitable[httpx.Response]:
            return c.get("/healthz")

        def guard(c: httpx.AsyncClient) -> Awaitable[httpx.Response]:
            return c.post("/v1/guard/check", json=case)

        def gen(c: httpx.AsyncClient) -> Awaitable[httpx.Response]:
            return c.post("/v1/offers:generate", json=generate)

        for call in (healthz, guard):  # warm connections and code paths
            await one(client, call, Tally())

        print(f"server {args.url}; merchant {merchant['id']}")
        print(HEADER)
        results: dict[tuple[str, int], Tally] = {}
        for level in levels:
            for name, call in (("GET /healthz", healthz), ("POST /v1/guard/check", guard)):
                results[name, level] = await for_time(client, call, level, args.seconds)
                print(row(name, level, results[name, level]), flush=True)
        for level in gen_levels:
            tally = await for_count(client, gen, level, args.generate_requests)
            results["generate", level] = tally
            print(row("POST /v1/offers:generate", level, tally), flush=True)

    errors = sum(sum(t.errors.values()) for t in results.values())
    limited = sum(t.limited for t in results.values())
    guard_p50 = pct(results["POST /v1/guard/check", levels[0]].latencies_ms, 50)
    floor_p50 = pct(results["GET /healthz", levels[0]].latencies_ms, 50)
    print(f"\nshell added latency at concurrency {levels[0]} (p50):")
    print(
        f"  guard route {guard_p50:.2f} ms vs /healthz {floor_p50:.2f} ms: "
        f"+{guard_p50 - floor_p50:.2f} ms"
    )
    if args.in_process:
        direct = in_process_guard_ms(case, args.in_process)
        print(
            f"  guard route {guard_p50:.2f} ms vs the same guard in process {direct:.2f} ms: "
            f"+{guard_p50 - direct:.2f} ms of HTTP, middleware and serialization "
            f"(x{guard_p50 / direct:.1f})"
        )
    print(f"\n{errors} errors other than 429 ({limited} answered 429)")
    return 1 if errors else 0


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("url", help="base URL of a running `offergen serve`, e.g. http://127.0.0.1:8000")
    p.add_argument("--token", help="API key (Bearer); none for a keyless dev server")
    p.add_argument("--levels", default="1,8,32", help="concurrency levels of the shell runs")
    p.add_argument("--seconds", type=float, default=10.0, help="per shell run")
    p.add_argument("--generate-levels", default="1,4", help="concurrency levels; empty: skip")
    p.add_argument("--generate-requests", type=int, default=8, help="per generation level")
    p.add_argument("--variants", type=int, default=3, help="variants per generate request")
    p.add_argument("--in-process", type=int, default=200, help="guard calls timed here; 0: skip")
    p.add_argument("--timeout", type=float, default=600.0, help="client timeout per request, s")
    p.add_argument("--ready-timeout", type=float, default=300.0, help="wait for /readyz, s")
    return p.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
