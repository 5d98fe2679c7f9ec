"""Per-request observability: request metrics by route template, one access-log line, and the
request id in every log line written while the request is served."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator

from starlette.routing import BaseRoute, Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from offergen.api.metrics import ApiMetrics
from offergen.log_format import request_id_var

access_log = logging.getLogger("offergen.access")

UNMATCHED = "unmatched"  # one label for every unknown path, so scanners cannot blow up cardinality


class ObserveMiddleware:
    """Must sit inside the request-id middleware (which sets `scope["state"]["request_id"]`)
    and outside every middleware that can answer on its own (429, 413), to count those too."""

    def __init__(self, app: ASGIApp, *, metrics: ApiMetrics, router: Router) -> None:
        self.app = app
        self.metrics = metrics
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        token = request_id_var.set(scope.get("state", {}).get("request_id"))
        status = 500  # what the caller gets if the app raises

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            seconds = time.perf_counter() - started
            route, method = self._template(scope), scope["method"]
            self.metrics.observe_request(route, method, status, seconds)
            # Template, not path: a path may carry an id a caller typed, a query may carry data.
            access_log.info(
                "%s %s %d",
                method,
                route,
                status,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            request_id_var.reset(token)

    def _template(self, scope: Scope) -> str:
        route = scope.get("route")  # set by the router when the request got that far
        if route is None:  # answered by a middleware (429, 413): find what it would have hit
            route = next(
                (r for r in _routes(self.router.routes) if r.matches(scope)[0] is not Match.NONE),
                None,
            )
        return str(getattr(route, "path", UNMATCHED))


def _routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, with included routers flattened (FastAPI keeps an included router as one
    entry holding `original_router`, whose routes carry their full path templates)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes)
        else:
            yield route
