"""429 with Retry-After per caller, on the real app and over both databases."""

from __future__ import annotations

import time
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient

from offergen.limits import ApiLimits
from offergen.store.rate_limits import WINDOW_S, RateLimiter
from tests.api.middleware.conftest import MakeRealApp, MakeTinyApp

THREE = ApiLimits(requests_per_minute=3)


def _caller() -> dict[str, str]:
    # a token of its own: the module's database is shared, and so would be "anonymous"'s count
    return {"Authorization": f"Bearer rate-{uuid.uuid4()}"}


def _mid_window(client: TestClient) -> None:
    """Hold the limiter's clock 30.5 s into a window, so no test straddles a window's end."""
    app = client.app
    assert isinstance(app, FastAPI)
    limiter = next(m.kwargs["limiter"] for m in app.user_middleware if "limiter" in m.kwargs)
    assert isinstance(limiter, RateLimiter)
    now = (time.time() // WINDOW_S) * WINDOW_S + 30.5
    limiter.clock = lambda: now


def test_over_the_limit_is_429_with_retry_after(real_app: MakeRealApp) -> None:
    app = real_app(THREE)
    _mid_window(app.client)
    caller = _caller()
    before = [app.client.get("/v1/merchants", headers=caller).status_code for _ in range(3)]
    assert 429 not in before  # (401: the made-up token is counted before it is refused)
    r = app.client.get("/v1/merchants", headers=caller)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "30"
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert (problem["status"], problem["title"]) == (429, "Too Many Requests")
    assert problem["request_id"] == r.headers["X-Request-ID"]
    assert f"retry after {r.headers['Retry-After']} s" in problem["detail"]


def test_each_caller_has_a_limit_of_its_own(real_app: MakeRealApp) -> None:
    app = real_app(ApiLimits(requests_per_minute=1))
    _mid_window(app.client)
    a, b = _caller(), _caller()
    assert app.client.get("/v1/templates", headers=a).status_code != 429
    assert app.client.get("/v1/templates", headers=a).status_code == 429
    assert app.client.get("/v1/templates", headers=b).status_code != 429


def test_probes_and_metrics_are_exempt(real_app: MakeRealApp) -> None:
    app = real_app(ApiLimits(requests_per_minute=1))
    caller = _caller()
    for path in ("/healthz", "/readyz", "/metrics") * 3:
        assert app.client.get(path, headers=caller).status_code == 200


def test_the_limit_holds_on_either_database(tiny_app: MakeTinyApp) -> None:
    app = tiny_app(ApiLimits(requests_per_minute=2))
    _mid_window(app.client)
    caller = _caller()
    codes = [app.client.post("/v1/work", json={}, headers=caller).status_code for _ in range(4)]
    assert codes == [200, 200, 429, 429]
    assert len(app.runs) == 2  # a refused request does no work
