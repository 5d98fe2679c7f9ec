"""503 past the request timeout; the work may still finish (and be audited), the key is freed."""

from __future__ import annotations

import time
import uuid

from offergen.limits import ApiLimits
from tests.api.middleware.conftest import MakeRealApp, MakeTinyApp

GENERATE = "/v1/offers:generate"
SHORT = ApiLimits(request_timeout_s=0.5, idempotency_poll_s=0.02)


def test_a_slow_request_is_503_and_its_work_still_finishes(real_app: MakeRealApp) -> None:
    app = real_app(SHORT, delays=[1.5])
    started = time.monotonic()
    r = app.client.post(GENERATE, json=app.generate_body())
    assert time.monotonic() - started < 1.4  # answered at the timeout, not when the work ended
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["request_id"] == r.headers["X-Request-ID"]
    assert "longer than 0.5 s" in problem["detail"]
    # the worker thread cannot be stopped: it finishes and audits under that request id
    deadline = time.monotonic() + 10
    while not app.pipeline.audit.by_request(problem["request_id"]):
        assert time.monotonic() < deadline, "the timed-out generation never finished"
        time.sleep(0.1)


def test_a_timeout_frees_the_idempotency_key(real_app: MakeRealApp) -> None:
    app = real_app(SHORT, delays=[1.5])
    body, key = app.generate_body(), {"Idempotency-Key": f"slow-{uuid.uuid4()}"}
    assert app.client.post(GENERATE, json=body, headers=key).status_code == 503
    retried = app.client.post(GENERATE, json=body, headers=key)
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried.headers
    assert app.backend.calls == 2


def test_fast_requests_and_routes_outside_v1_are_untouched(tiny_app: MakeTinyApp) -> None:
    app = tiny_app(ApiLimits(request_timeout_s=0.5), delay_s=0.05)
    assert app.client.post("/v1/work", json={}).status_code == 200
    assert app.client.get("/openapi.json").status_code == 200
