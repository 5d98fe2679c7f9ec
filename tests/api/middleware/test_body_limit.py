"""413 on a declared Content-Length and on a chunked body, before the app reads it."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator, MutableMapping
from typing import Any

from offergen.api.middleware.body_limit import BodyLimitMiddleware
from offergen.limits import ApiLimits
from tests.api.middleware.conftest import MakeRealApp, MakeTinyApp

SMALL = ApiLimits(max_body_bytes=1024)
GUARD = "/v1/guard/check"


def _guard_body(text: str) -> dict[str, Any]:
    offer = {"kind": "cashback", "merchant": "FreshMart", "value": 10, "unit": "percent"}
    return {"text": text, "channel": "email", "offer": offer}


def _chunks(payload: bytes, size: int = 256) -> Iterator[bytes]:
    yield from (payload[i : i + size] for i in range(0, len(payload), size))


def _assert_413(r: Any) -> None:
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["title"] == "Content Too Large"
    assert "larger than 1024 bytes" in problem["detail"]
    assert problem["request_id"] == r.headers["X-Request-ID"]


def test_a_declared_length_over_the_limit_is_413(real_app: MakeRealApp) -> None:
    app = real_app(SMALL)
    r = app.client.post(GUARD, json=_guard_body("x" * 2000))
    _assert_413(r)
    assert app.client.post(GUARD, json=_guard_body("Get 10% cash back.")).status_code == 200


def test_a_chunked_body_over_the_limit_is_413(real_app: MakeRealApp) -> None:
    app = real_app(SMALL)
    payload = json.dumps(_guard_body("x" * 2000)).encode()
    request = app.client.build_request(
        "POST", GUARD, content=_chunks(payload), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in request.headers  # streamed: only the count can catch it
    _assert_413(app.client.send(request))
    # a chunked body under the limit goes through
    small = json.dumps(_guard_body("Get 10% cash back.")).encode()
    ok = app.client.post(
        GUARD, content=_chunks(small, 16), headers={"Content-Type": "application/json"}
    )
    assert ok.status_code == 200


def test_an_oversize_body_claims_no_idempotency_key(tiny_app: MakeTinyApp) -> None:
    app = tiny_app(SMALL)
    key = {"Idempotency-Key": f"big-{uuid.uuid4()}", "Content-Type": "application/json"}
    big = json.dumps({"x": "y" * 2000}).encode()
    _assert_413(app.client.post("/v1/work", content=_chunks(big), headers=key))
    assert app.client.post("/v1/work", content=b'{"x": 1}', headers=key).json() == {"run": 1}
    assert app.runs == [b"{'x': 1}"]


def test_the_app_never_reads_past_the_limit() -> None:
    seen: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            seen.append(len(message["body"]))
            if not message["more_body"]:
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    sent: list[MutableMapping[str, Any]] = []
    chunks = iter([b"a" * 600, b"b" * 600, b"c" * 600])

    async def receive() -> dict[str, Any]:
        chunk = next(chunks)
        return {"type": "http.request", "body": chunk, "more_body": chunk[0:1] != b"c"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/x", "headers": [], "state": {}}
    asyncio.run(BodyLimitMiddleware(app, max_bytes=1024)(scope, receive, send))
    assert seen == [600]  # the second chunk raised before the app got it
    assert sent[0]["status"] == 413
    assert b"read it all" not in b"".join(m.get("body", b"") for m in sent)


def test_a_route_may_take_larger_bodies_than_the_rest(real_app: MakeRealApp) -> None:
    limits = ApiLimits(max_body_bytes=1024, max_body_bytes_by_path={GUARD: 8192})
    app = real_app(limits)
    assert app.client.post(GUARD, json=_guard_body("x " * 1500)).status_code == 200
    r = app.client.post(GUARD, json=_guard_body("x" * 9000))
    assert r.status_code == 413 and "larger than 8192 bytes" in r.json()["detail"]
    assert app.client.post("/v1/merchants", content=b"x" * 2000).status_code == 413
