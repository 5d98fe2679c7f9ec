"""`Idempotency-Key` on POST /v1/* (Stripe semantics), with its state in the database.

The first request with a key runs and its response (status, content type, exact body bytes) is
stored; a repeat with the same body gets that response again, marked `Idempotent-Replayed: true`.
A repeat that arrives while the first still runs waits for it (up to `wait_s`, then 409), so the
work runs once. The same key with another body is a 422. 5xx responses (including the timeout's
503) are not stored: the key is released and a retry runs afresh."""

from __future__ import annotations

import hashlib
import re
import time

import anyio
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from offergen.api.errors import RETRY_AFTER_S
from offergen.api.metrics import ApiMetrics
from offergen.api.middleware.identity import caller_identity
from offergen.api.middleware.problems import send_problem
from offergen.api.middleware.threads import DbThreads
from offergen.store.idempotency import ClaimOutcome, IdempotencyStore, StoredResponse

HEADER = "idempotency-key"
REPLAYED = "Idempotent-Replayed"
_KEY = re.compile(r"[\x20-\x7e]{1,255}")  # printable ASCII
_KEY_RULE = "must be 1 to 255 printable ASCII characters"


class IdempotencyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        store: IdempotencyStore,
        wait_s: float,
        poll_s: float,
        metrics: ApiMetrics,
        threads: DbThreads,
        prefix: str = "/v1/",
    ) -> None:
        self.app = app
        self.threads = threads
        self.store = store
        self.wait_s = wait_s
        self.poll_s = poll_s
        self.metrics = metrics
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = Headers(scope=scope).get(HEADER) if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        if not (_KEY.fullmatch(key) and key.strip()):
            await send_problem(
                scope,
                receive,
                send,
                422,
                "Invalid Request",
                f"header.Idempotency-Key: {_KEY_RULE}",
                errors=[{"field": "header.Idempotency-Key", "message": _KEY_RULE}],
            )
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client went away before it finished sending
        identity = caller_identity(scope)
        fingerprint = request_fingerprint(
            scope["method"], scope["path"], scope["query_string"], body
        )
        deadline = time.monotonic() + self.wait_s
        while True:
            claim = await self.threads.run(self.store.claim, identity, key, fingerprint)
            if claim.outcome is ClaimOutcome.claimed:
                assert claim.token is not None
                await self._run(scope, _replaying(body, receive), send, identity, key, claim.token)
                return
            if claim.outcome is ClaimOutcome.replay:
                assert claim.response is not None
                self.metrics.replays.inc()
                await _replay(claim.response, scope, receive, send)
                return
            if claim.outcome is ClaimOutcome.mismatch:
                await send_problem(
                    scope,
                    receive,
                    send,
                    422,
                    "Idempotency-Key Reused",
                    "Idempotency-Key reused with a different request body (or method or path); "
                    "use a new key for a new request",
                )
                return
            if time.monotonic() >= deadline:
                await send_problem(
                    scope,
                    receive,
                    send,
                    409,
                    "Request In Progress",
                    "a request with this Idempotency-Key is still being processed; retry after "
                    f"{RETRY_AFTER_S} s to get its response",
                    headers={"Retry-After": str(RETRY_AFTER_S)},
                )
                return
            await anyio.sleep(self.poll_s)

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, identity: str, key: str, token: str
    ) -> None:
        status: int | None = None
        content_type = ""
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self.threads.run(self.store.release, identity, key, token)
            raise
        # A 401 is no outcome of the request: the caller was not identified (its replay would
        # also lose WWW-Authenticate), so the key stays free like after a failure.
        if status is not None and status < 500 and status != 401:
            stored = StoredResponse(status, content_type, b"".join(chunks))
            await self.threads.run(self.store.complete, identity, key, token, stored)
        else:
            # a failure or a timeout: the next attempt with this key runs again
            await self.threads.run(self.store.release, identity, key, token)


def request_fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """What makes two requests "the same request" for one key: method, path, query and body."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big") + part)  # length-prefixed: no ambiguity
    return digest.hexdigest()


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body (the body-limit middleware outside bounds it), None on a disconnect."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _replay(stored: StoredResponse, scope: Scope, receive: Receive, send: Send) -> None:
    headers = {REPLAYED: "true"}
    if stored.content_type:
        headers["content-type"] = stored.content_type
    response = Response(stored.body, status_code=stored.status_code, headers=headers)
    await response(scope, receive, send)
