"""Admission to generation: a bounded number of generations in flight, a short bounded queue
served round-robin by tenant, and campaign work that only takes a slot no interactive request
is waiting for.

Why: generation is the one expensive step (seconds of model time each); without a bound, callers
pile up behind the model and wait minutes (32 callers waited 158 s at p50 in the generation
bench). With it, a caller beyond the queue is told at once to come back (429/503 + Retry-After),
and one tenant's burst queues behind its own requests, not in front of everyone else's.

`FairQueue` lives on the server's event loop (asyncio, not thread-safe); campaign worker threads
come in through `background_slot`, which hops onto that loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import CancelledError as FutureCancelled
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["FairQueue", "GenerationLimits", "Overloaded", "SlotAbandoned"]


class GenerationLimits(BaseModel):
    """How much generation the service takes on at once (`OFFERGEN_GENERATION`, JSON)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_in_flight: int = Field(
        default=8, ge=1, le=1024, description="generation requests (API and campaign) at once"
    )
    max_queue: int = Field(
        default=16, ge=0, le=10_000, description="API requests waiting for a slot; 503 beyond"
    )
    max_queue_per_tenant: int | None = Field(
        default=None,
        ge=0,
        le=10_000,
        description="of those, one tenant's; 429 beyond (default: half of max_queue)",
    )
    max_wait_s: float = Field(
        default=60.0, gt=0, le=3600, description="longest wait in the queue, then 503"
    )
    interactive_reserve: int = Field(
        default=2,
        ge=0,
        le=1024,
        description="slots campaign work never takes, so an API request always finds one soon",
    )
    retry_after_s: int = Field(default=2, ge=1, le=3600, description="Retry-After of a refusal")

    @model_validator(mode="after")
    def _consistent(self) -> GenerationLimits:
        if self.interactive_reserve >= self.max_in_flight:
            raise ValueError("interactive_reserve must be less than max_in_flight")
        if self.max_queue_per_tenant is not None and self.max_queue_per_tenant > self.max_queue:
            raise ValueError("max_queue_per_tenant must be at most max_queue")
        return self

    @property
    def tenant_queue(self) -> int:
        """How many of one tenant's requests may wait."""
        if self.max_queue_per_tenant is not None:
            return self.max_queue_per_tenant
        return max(1, self.max_queue // 2) if self.max_queue else 0


class Overloaded(Exception):
    """No slot and no room to wait: `status` 429 (this tenant's share of the queue is full) or
    503 (the whole queue is full, or the wait ran out)."""

    def __init__(self, status: int, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after_s = retry_after_s


class SlotAbandoned(Exception):
    """A campaign thread stopped waiting for a slot (the worker is stopping)."""


@dataclass
class _Waiter:
    future: asyncio.Future[None]
    tenant: str


class FairQueue:
    def __init__(self, limits: GenerationLimits) -> None:
        self.limits = limits
        self.in_flight = 0
        self.background_in_flight = 0
        # tenant -> its waiters in arrival order; the dict's order is the round-robin turn
        self._waiting: OrderedDict[str, deque[_Waiter]] = OrderedDict()
        self._background: deque[asyncio.Future[None]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- state ----------------------------------------------------------------------------------

    @property
    def waiting(self) -> int:
        return sum(len(q) for q in self._waiting.values())

    def waiting_for(self, tenant: str) -> int:
        return len(self._waiting.get(tenant, ()))

    @property
    def background_waiting(self) -> int:
        return len(self._background)

    # --- interactive (API) ----------------------------------------------------------------------

    @asynccontextmanager
    async def slot(self, tenant: str) -> AsyncIterator[None]:
        """Hold a slot for the block; raises Overloaded when there is no room to wait."""
        await self.acquire(tenant)
        try:
            yield
        finally:
            self.release()

    async def acquire(self, tenant: str) -> None:
        lim = self.limits
        if self.in_flight < lim.max_in_flight and not self._waiting:
            self.in_flight += 1
            return
        if self.waiting >= lim.max_queue:
            raise Overloaded(
                503,
                f"generation is at capacity ({lim.max_in_flight} in flight, {self.waiting} "
                f"waiting); retry after {lim.retry_after_s} s",
                lim.retry_after_s,
            )
        if self.waiting_for(tenant) >= lim.tenant_queue:
            raise Overloaded(
                429,
                f"this tenant already has {self.waiting_for(tenant)} generation requests waiting; "
                f"retry after {lim.retry_after_s} s",
                lim.retry_after_s,
            )
        waiter = _Waiter(asyncio.get_running_loop().create_future(), tenant)
        self._waiting.setdefault(tenant, deque()).append(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter.future), lim.max_wait_s)
        except BaseException as exc:
            if waiter.future.done() and not waiter.future.cancelled():
                self.release()  # granted while we gave up: hand the slot on
            else:
                waiter.future.cancel()
                self._forget(waiter)
            if isinstance(exc, TimeoutError):
                raise Overloaded(
                    503,
                    f"no generation slot freed up within {lim.max_wait_s:g} s; retry after "
                    f"{lim.retry_after_s} s",
                    lim.retry_after_s,
                ) from None
            raise

    @contextmanager
    def interactive_slot(self, tenant: str) -> Iterator[None]:
        """From a request thread (the console's playground): hold an API slot for the block,
        queued under `tenant` like `/v1/offers:generate`; raises Overloaded the same way.
        Without a bound loop (no server running) there is nothing to share, so it is free."""
        loop = self._loop
        if loop is None or loop.is_closed():
            yield
            return
        # acquire() gives up after max_wait_s on its own; the margin covers the hop to the loop
        asyncio.run_coroutine_threadsafe(self.acquire(tenant), loop).result(
            timeout=self.limits.max_wait_s + 30
        )
        try:
            yield
        finally:
            if not loop.is_closed():
                loop.call_soon_threadsafe(self.release)

    def release(self, *, background: bool = False) -> None:
        self.in_flight -= 1
        if background:
            self.background_in_flight -= 1
        self._dispatch()

    # --- campaign work --------------------------------------------------------------------------

    async def acquire_background(self) -> None:
        """A slot for campaign work: only when no API request waits, and never the reserve."""
        if self._background_fits() and not self._background:
            self._grant_background()
            return
        future = asyncio.get_running_loop().create_future()
        self._background.append(future)
        try:
            await future
        except BaseException:
            if future.done() and not future.cancelled():
                self.release(background=True)
            else:
                future.cancel()
                if future in self._background:
                    self._background.remove(future)
            raise

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The server's loop, where threads' requests for a slot are served."""
        self._loop = loop

    def unbind(self) -> None:
        self._loop = None

    @contextmanager
    def background_slot(self, stop: threading.Event | None = None) -> Iterator[None]:
        """From a worker thread: hold a campaign slot for the block. Without a bound loop (no
        server running: `offergen worker`, tests) there is nothing to share, so it is free.
        Raises SlotAbandoned when `stop` is set while waiting."""
        loop = self._loop
        if loop is None or loop.is_closed():
            yield
            return
        future = asyncio.run_coroutine_threadsafe(self.acquire_background(), loop)
        while True:
            try:
                future.result(timeout=0.2)
                break
            except FutureTimeout:
                if (stop is not None and stop.is_set()) or loop.is_closed():
                    future.cancel()
                    try:
                        future.result(timeout=1)
                    except (FutureCancelled, FutureTimeout):
                        raise SlotAbandoned() from None
                    # granted just before the cancel arrived: give it back
                    loop.call_soon_threadsafe(lambda: self.release(background=True))
                    raise SlotAbandoned() from None
        try:
            yield
        finally:
            if not loop.is_closed():
                loop.call_soon_threadsafe(lambda: self.release(background=True))

    # --- inside ---------------------------------------------------------------------------------

    def _background_fits(self) -> bool:
        lim = self.limits
        return (
            not self._waiting
            and self.in_flight < lim.max_in_flight
            and self.background_in_flight < lim.max_in_flight - lim.interactive_reserve
        )

    def _grant_background(self) -> None:
        self.in_flight += 1
        self.background_in_flight += 1

    def _dispatch(self) -> None:
        """Hand free slots on: API waiters first, one per tenant in turn; then campaign work."""
        while self.in_flight < self.limits.max_in_flight and self._waiting:
            tenant, queue = next(iter(self._waiting.items()))
            waiter = queue.popleft()
            if queue:
                self._waiting.move_to_end(tenant)  # its next request waits for the others' turn
            else:
                del self._waiting[tenant]
            if not waiter.future.done():
                self.in_flight += 1
                waiter.future.set_result(None)
        while self._background and self._background_fits():
            future = self._background.popleft()
            if not future.done():
                self._grant_background()
                future.set_result(None)

    def _forget(self, waiter: _Waiter) -> None:
        queue = self._waiting.get(waiter.tenant)
        if queue is None:
            return
        try:
            queue.remove(waiter)
        except ValueError:
            return
        if not queue:
            del self._waiting[waiter.tenant]
