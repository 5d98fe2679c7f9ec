from __future__ import annotations

import asyncio
import threading
import time

import anyio.to_thread

from offergen.api.middleware.threads import DbThreads


def test_calls_run_in_threads_within_their_own_quota() -> None:
    threads = DbThreads(threads=2)
    running, peak = 0, 0
    lock = threading.Lock()

    def call(n: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return n * 2

    async def main() -> list[int]:
        # the default quota is all taken (as by slow generations): ours still runs
        anyio.to_thread.current_default_thread_limiter().total_tokens = 1
        blocker = asyncio.ensure_future(anyio.to_thread.run_sync(time.sleep, 0.5))
        await asyncio.sleep(0.01)
        started = time.monotonic()
        results = await asyncio.gather(*(threads.run(call, n) for n in range(6)))
        assert time.monotonic() - started < 0.45
        await blocker
        return list(results)

    assert asyncio.run(main()) == [0, 2, 4, 6, 8, 10]
    assert peak == 2
    # a second event loop gets a limiter of its own
    assert asyncio.run(threads.run(call, 5)) == 10
