"""Builds the FastAPI app: wiring happens here and in pipeline.build_pipeline, nowhere else."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from offergen import __version__
from offergen.api import errors, middleware
from offergen.api.auth import KeyChecker, check_keys_configured
from offergen.api.routes import (
    audit,
    campaigns,
    guard,
    health,
    knowledge,
    merchants,
    metrics,
    offers,
    policies,
    reviews,
    templates,
)
from offergen.api.service import Service
from offergen.campaigns.background import BackgroundWorker
from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.job_store import CampaignStore
from offergen.campaigns.worker import Worker
from offergen.config import Settings
from offergen.generation.vllm_server import ManagedServer
from offergen.pipeline import build_pipeline
from offergen.retrieval.index_updater import IndexUpdater
from offergen.retrieval.wiring import make_embedder

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    """`service` lets tests share one warmed-up pipeline; by default it is built from settings."""
    settings = settings or Settings()
    llm_server: ManagedServer | None = None
    worker: BackgroundWorker | None = None
    if service is None:
        pipeline = build_pipeline(settings)
        indexer = IndexUpdater(
            pipeline.kb, make_embedder(settings), settings.index_dir, settings.index
        )
        if pipeline.profile.backend == "vllm" and settings.llm_server == "spawn":
            llm_server = ManagedServer(
                pipeline.profile, settings.checkpoints_dir, settings.cache_dir / "vllm"
            )
        service = Service(pipeline, indexer, before_warm_up=llm_server.wait if llm_server else None)
        if settings.campaign_workers:
            worker = BackgroundWorker(
                Worker(
                    CampaignStore(pipeline.kb.db),
                    pipeline,
                    WorkerConfig(concurrency=settings.campaign_workers),
                ),
                ready=service.wait_ready,
            )
    check_keys_configured(settings, service.keys)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if llm_server is not None:
            llm_server.start()
        if not service.pipeline.ready:
            service.start_warm_up()
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop(30)  # items in flight finish; the rest stay queued
            if llm_server is not None:
                llm_server.stop()

    app = FastAPI(
        title="offergen",
        version=__version__,
        summary="Personalized, compliance-guarded offer copy for digital payments.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.keys = KeyChecker(settings)
    errors.install(app)
    middleware.install(app, settings, service.pipeline.kb.db)

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
    ):
        app.include_router(module.router)
    return app
