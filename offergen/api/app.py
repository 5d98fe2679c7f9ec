"""Builds the FastAPI app over an application context (`offergen.app_context`)."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from offergen import __version__
from offergen.api import errors, middleware
from offergen.api.auth import KeyChecker, check_keys_configured
from offergen.api.middleware.backpressure import TenantResolver
from offergen.api.readiness import Readiness, supervise
from offergen.api.routes import (
    audit,
    campaigns,
    experiments,
    guard,
    health,
    knowledge,
    merchants,
    metrics,
    offers,
    outcomes,
    policies,
    reviews,
    templates,
)
from offergen.api.service import Service
from offergen.app_context import AppContext, open_context
from offergen.campaigns.background import BackgroundWorker
from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.worker import Worker
from offergen.config import Settings
from offergen.console import mount as console
from offergen.generation.fair_queue import FairQueue

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def create_app(ctx: AppContext | None = None) -> FastAPI:
    """The API over `ctx` (by default the one `Settings()` describes). A context opened from
    settings also starts what they ask for beside the API: the vLLM server and campaign workers."""
    ctx = ctx or open_context(Settings())
    settings = ctx.settings
    supervisor = supervise(ctx) if ctx.background else None  # starts and restarts vLLM
    readiness = Readiness(ctx.pipeline, supervisor=supervisor)
    queue = FairQueue(settings.generation)  # API requests and campaign items share its slots
    worker: BackgroundWorker | None = None
    if ctx.background and settings.campaign_workers:
        worker = BackgroundWorker(
            Worker(
                ctx.campaigns.store,
                ctx.pipeline,
                WorkerConfig(concurrency=settings.campaign_workers),
                slots=queue,
                available=lambda: readiness.ready,
            ),
            ready=readiness.wait,
        )
    check_keys_configured(settings, ctx.keys)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        queue.bind(asyncio.get_running_loop())
        if supervisor is not None:
            supervisor.start()
        readiness.start()
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:  # items in flight get the grace; the rest go back queued
                await asyncio.to_thread(worker.stop, settings.shutdown_grace_s)
            queue.unbind()
            if supervisor is not None:
                supervisor.stop()

    app = FastAPI(
        title="offergen",
        version=__version__,
        summary="Personalized, compliance-guarded offer copy for digital payments.",
        lifespan=lifespan,
    )
    app.state.context = ctx
    app.state.readiness = readiness
    app.state.service = Service(ctx)
    app.state.keys = KeyChecker(settings)
    app.state.generation = queue
    errors.install(app)
    tenants = TenantResolver.over(ctx.keys)
    middleware.install(app, settings.limits, ctx.idempotency, ctx.rate_limits, (queue, tenants))

    @app.middleware("http")
    async def request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get("x-request-id", "")
        rid = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.state.request_id = rid
        response = await call_next(request)
        response.headers["X-Request-ID"] = rid
        return response

    for module in (
        campaigns,
        health,
        metrics,
        merchants,
        knowledge,
        offers,
        guard,
        templates,
        policies,
        audit,
        reviews,
        outcomes,
        experiments,
    ):
        app.include_router(module.router)
    console.install(app)  # the web console at /console (its own pages, same services)
    return app
