"""Cross-cutting HTTP concerns (limits, idempotency, metrics, logs), installed in one place.

Order, outermost first (Starlette runs the middleware added last first; app.py adds the
request-id middleware after this, so it wraps all of these and every response carries
X-Request-ID):

  observe      metrics, access log, request id in log lines: sees every answer below
  rate limit   429 before any work, counted per caller in the database
  backpressure a generation slot (fair per tenant) or 429/503 at once; outside idempotency, so
               a refusal is never stored as a key's response
  body limit   413 before anything reads the body
  idempotency  reads the (bounded) body, claims the key, replays or runs once
  timeout      503 past the request timeout, which idempotency sees and does not store
"""

from __future__ import annotations

from fastapi import FastAPI

from offergen.api.metrics import ApiMetrics
from offergen.api.middleware.backpressure import BackpressureMiddleware, TenantResolver
from offergen.api.middleware.body_limit import BodyLimitMiddleware
from offergen.api.middleware.idempotency import IdempotencyMiddleware
from offergen.api.middleware.observe import ObserveMiddleware
from offergen.api.middleware.rate_limit import RateLimitMiddleware
from offergen.api.middleware.threads import DbThreads
from offergen.api.middleware.timeout import TimeoutMiddleware
from offergen.generation.fair_queue import FairQueue
from offergen.limits import ApiLimits
from offergen.log_format import stamp_request_ids
from offergen.store.idempotency import IdempotencyStore
from offergen.store.rate_limits import RateLimiter


def install(
    app: FastAPI,
    limits: ApiLimits,
    idempotency: IdempotencyStore,
    rate_limits: RateLimiter,
    generation: tuple[FairQueue, TenantResolver] | None = None,
) -> None:
    """Add every middleware to `app`; the stores hold the state shared across replicas."""
    stamp_request_ids()  # log lines written while serving carry the request's id
    metrics = ApiMetrics()
    app.state.metrics = metrics
    threads = DbThreads()  # one quota for both: they run one after the other per request
    app.add_middleware(TimeoutMiddleware, timeout_s=limits.request_timeout_s)
    app.add_middleware(
        IdempotencyMiddleware,
        store=idempotency,
        wait_s=limits.request_timeout_s,
        poll_s=limits.idempotency_poll_s,
        metrics=metrics,
        threads=threads,
    )
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=limits.max_body_bytes, by_path=limits.max_body_bytes_by_path
    )
    if generation is not None:
        queue, tenant_of = generation
        app.add_middleware(
            BackpressureMiddleware, queue=queue, tenant_of=tenant_of, threads=threads
        )
    app.add_middleware(
        RateLimitMiddleware,
        limiter=rate_limits,
        exempt=limits.rate_limit_exempt,
        threads=threads,
    )
    app.add_middleware(ObserveMiddleware, metrics=metrics, router=app.router)
