"""Apps for the middleware tests: the real app over a cheap pipeline (SQLite), and a tiny app
with one counting route over either database (the state the middleware shares lives there)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient

from offergen.api import errors, middleware
from offergen.api.app import create_app
from offergen.app_context import assemble, request_stores
from offergen.config import Settings
from offergen.errors import BackendError
from offergen.generation.base import GenerationParams, GenerationResult
from offergen.limits import ApiLimits
from offergen.pipeline import Pipeline
from offergen.store.database import Database
from tests.support.doubles import ScriptedBackend
from tests.support.pipelines import MakePipeline

COPY = "Get 10% cashback at FreshMart. Terms apply."


class PacedBackend:
    """A scripted backend whose n-th call first sleeps `delays[n]` seconds or raises
    BackendError where `failures` says so: slow and failing generations on demand."""

    def __init__(
        self, inner: ScriptedBackend, delays: list[float], failures: frozenset[int] = frozenset()
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.model_id = inner.model_id
        self.delays = delays
        self.failures = failures
        self._lock = threading.Lock()

    @property
    def calls(self) -> int:
        return len(self.inner.calls)

    def warm_up(self) -> None:
        self.inner.warm_up()

    def generate(self, prompt: str, params: GenerationParams) -> GenerationResult:
        with self._lock:
            n = self.calls
            result = self.inner.generate(prompt, params)
        time.sleep(self.delays[n] if n < len(self.delays) else 0.0)
        if n in self.failures:
            raise BackendError("the scripted backend is down")
        return result


@dataclass
class RealApp:
    client: TestClient
    backend: PacedBackend
    pipeline: Pipeline

    def generate_body(self, **over: Any) -> dict[str, Any]:
        m = self.pipeline.grounder.kb.merchants()[0]
        body: dict[str, Any] = {
            "merchant_id": m.id,
            "offer": {"kind": "cashback", "merchant": m.name, "value": 10, "unit": "percent"},
            "channel": "sms",
            "variants": 1,
        }
        return body | over


MakeRealApp = Callable[..., RealApp]


@pytest.fixture
def real_app(make_pipeline: MakePipeline, tmp_path: Path) -> Iterator[MakeRealApp]:
    """`make(limits, delays=[...], failures={...})`: the real app, entered (one event loop
    shared by every thread that calls it), over a scripted backend."""
    clients: list[TestClient] = []

    def make(
        limits: ApiLimits | None = None,
        delays: list[float] | None = None,
        failures: frozenset[int] = frozenset(),
    ) -> RealApp:
        pipeline, scripted = make_pipeline([COPY] * 50)
        backend = PacedBackend(scripted, delays or [], failures)
        pipeline.backend = backend
        settings = Settings(data_dir=tmp_path, limits=limits or ApiLimits())
        client = TestClient(create_app(assemble(settings, pipeline)))
        client.__enter__()
        clients.append(client)
        return RealApp(client, backend, pipeline)

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@dataclass
class TinyApp:
    client: TestClient
    runs: list[bytes] = field(default_factory=list)  # bodies the route saw, one per run


MakeTinyApp = Callable[..., TinyApp]


@pytest.fixture
def tiny_app(database: Database) -> Iterator[MakeTinyApp]:
    """`make(limits, delay_s=0, status=200)`: the middleware around one route, POST /v1/work,
    that records each run and echoes the body; on SQLite and on PostgreSQL."""
    database.create_schema()
    clients: list[TestClient] = []

    def make(limits: ApiLimits, delay_s: float = 0.0, status: int = 200) -> TinyApp:
        app = FastAPI()
        errors.install(app)
        middleware.install(app, limits, *request_stores(database, limits))
        tiny = TinyApp(TestClient(app))
        lock = threading.Lock()

        @app.middleware("http")
        async def request_id(request: Request, call_next: Any) -> Response:
            # what app.py does: an id per request, in the state and on the response
            request.state.request_id = f"rid-{time.perf_counter_ns()}"
            response: Response = await call_next(request)
            response.headers["X-Request-ID"] = request.state.request_id
            return response

        @app.post("/v1/work")
        def work(payload: dict[str, Any]) -> Response:
            logging.getLogger("tiny").info("work ran")
            with lock:
                tiny.runs.append(repr(payload).encode())
                n = len(tiny.runs)
            time.sleep(delay_s)
            return Response(f'{{"run": {n}}}', status_code=status, media_type="application/json")

        tiny.client.__enter__()
        clients.append(tiny.client)
        return tiny

    yield make
    for client in clients:
        client.__exit__(None, None, None)
