"""Per-caller rate limit (429 with Retry-After), counted in the database shared by replicas."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from offergen.api.middleware.identity import caller_identity
from offergen.api.middleware.problems import send_problem
from offergen.api.middleware.threads import DbThreads
from offergen.store.rate_limits import RateLimiter


class RateLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, limiter: RateLimiter, exempt: Iterable[str], threads: DbThreads
    ) -> None:
        self.app = app
        self.threads = threads
        self.limiter = limiter
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        decision = await self.threads.run(self.limiter.hit, caller_identity(scope))
        if decision.allowed:
            await self.app(scope, receive, send)
            return
        wait = decision.retry_after_s
        await send_problem(
            scope,
            receive,
            send,
            429,
            "Too Many Requests",
            f"more than {self.limiter.per_minute} requests a minute with this API key; "
            f"retry after {wait} s",
            headers={"Retry-After": str(wait)},
        )
