"""Backpressure on the routes that generate: each request takes a slot of the `FairQueue` before
anything else runs (body, idempotency, the route), waits its tenant's turn when all are taken,
and is refused at once with 429 (its tenant's share of the queue is full) or 503 (the queue is
full, or the wait ran out), both with Retry-After, when there is no room to wait.

It sits outside the idempotency middleware, so a refusal is never stored as a key's response,
and inside the rate limit, so what the rate limit refuses never queues."""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from offergen.api.middleware.problems import send_problem
from offergen.api.middleware.threads import DbThreads
from offergen.generation.fair_queue import FairQueue, Overloaded
from offergen.store.keys import KeyStore

__all__ = ["GENERATING_ROUTES", "BackpressureMiddleware", "TenantResolver"]

GENERATING_ROUTES = ("/v1/offers:generate",)
KEYLESS = "*"  # keyless dev mode: one caller


class TenantResolver:
    """Bearer token -> tenant, for fairness only (the route still authenticates). `lookup` is
    the key store's check (None: not an active key); answers are kept for `ttl_s`, so a burst
    costs one lookup per key, not one per request."""

    def __init__(
        self, lookup: Callable[[str], str | None], ttl_s: float = 60.0, size: int = 4096
    ) -> None:
        self.lookup = lookup
        self.ttl_s = ttl_s
        self.size = size
        self._cache: OrderedDict[str, tuple[str, float]] = OrderedDict()

    @classmethod
    def over(cls, keys: KeyStore) -> TenantResolver:
        def lookup(token: str) -> str | None:
            info = keys.authenticate(token)
            return None if info is None else info.tenant

        return cls(lookup)

    def __call__(self, token: str | None) -> str | None:
        """The tenant to queue under; None for a token that is no active key (it is not queued:
        the route answers 401 at once)."""
        if not token:
            return KEYLESS
        digest = hashlib.sha256(token.encode()).hexdigest()
        hit = self._cache.get(digest)
        now = time.monotonic()
        if hit is not None and hit[1] > now:
            return hit[0]
        tenant = self.lookup(token)
        if tenant is None:
            return None
        self._cache[digest] = (tenant, now + self.ttl_s)
        self._cache.move_to_end(digest)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return tenant


class BackpressureMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        queue: FairQueue,
        tenant_of: TenantResolver,
        threads: DbThreads,
        paths: Iterable[str] = GENERATING_ROUTES,
    ) -> None:
        self.app = app
        self.queue = queue
        self.tenant_of = tenant_of
        self.threads = threads
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        tenant = await self.threads.run(self.tenant_of, _bearer(scope))
        if tenant is None:
            await self.app(scope, receive, send)
            return
        try:
            await self.queue.acquire(tenant)
        except Overloaded as exc:
            title = "Too Many Requests" if exc.status == 429 else "Generation At Capacity"
            await send_problem(
                scope,
                receive,
                send,
                exc.status,
                title,
                exc.detail,
                headers={"Retry-After": str(exc.retry_after_s)},
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.queue.release()


def _bearer(scope: Scope) -> str | None:
    header = Headers(scope=scope).get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer":
        return token.strip() or None
    return header or None
