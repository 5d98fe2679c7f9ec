"""Per-request timeout for /v1 routes: past `timeout_s` the caller gets a 503 with Retry-After.

A sync route runs in a worker thread, and a thread cannot be stopped: the work goes on in the
background and may still finish, write its audit records and release copy to the audit trail;
only its response is dropped. The idempotency middleware (outside this one) sees the 503 and
releases the key, so a retry with the same key runs again."""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from offergen.api.errors import RETRY_AFTER_S
from offergen.api.middleware.problems import send_problem

log = logging.getLogger(__name__)


class _Gate:
    """Forwards the app's messages until the timeout answered for it, then drops them."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False
        self.closed = False

    async def send(self, message: Message) -> None:
        if self.closed:
            return
        self.started = True
        await self._send(message)


class TimeoutMiddleware:
    def __init__(self, app: ASGIApp, *, timeout_s: float, prefix: str = "/v1/") -> None:
        self.app = app
        self.timeout_s = timeout_s
        self.prefix = prefix
        self._background: set[asyncio.Task[None]] = set()  # strong refs to abandoned requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        gate = _Gate(send)
        # A task of its own, not a cancel scope: cancelling cannot interrupt a worker thread,
        # so waiting for the cancellation would wait for the whole request.
        task = asyncio.ensure_future(self.app(scope, receive, gate.send))
        try:
            done, _ = await asyncio.wait({task}, timeout=self.timeout_s)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if done or gate.started:
            await task  # finished, or already answering: its response stands
            return
        gate.closed = True
        self._background.add(task)
        task.add_done_callback(self._finished_late)
        await send_problem(
            scope,
            receive,
            send,
            503,
            "Request Timeout",
            f"the request took longer than {self.timeout_s:g} s; its work may still finish in "
            f"the background (and be audited), but this response is final; retry after "
            f"{RETRY_AFTER_S} s",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )

    def _finished_late(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.warning("a timed-out request failed later: %s", type(exc).__name__)
