"""Worker threads for the middleware's blocking database calls, with a quota of their own.

Sync routes share anyio's default quota (40 threads); when slow generations hold all of it, a
rate-limit check queued behind them would make even a 429 wait for a generation to end."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TypeVar
from weakref import WeakKeyDictionary

import anyio
import anyio.to_thread

T = TypeVar("T")

DB_THREADS = 8  # a database round trip each; more would only queue in the connection pool


class DbThreads:
    def __init__(self, threads: int = DB_THREADS) -> None:
        self.threads = threads
        # A limiter belongs to one event loop (a server has one; test clients may start several).
        self._limiters: WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
            WeakKeyDictionary()
        )

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        limiter = self._limiters.get(loop)
        if limiter is None:
            limiter = self._limiters[loop] = anyio.CapacityLimiter(self.threads)
        return await anyio.to_thread.run_sync(partial(fn, *args), limiter=limiter)
