"""Idempotency-Key on the real app (one generation, one audit set) and on a tiny app over both
databases (the claim is a database row that every replica sees)."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from offergen.api.middleware.idempotency import request_fingerprint
from offergen.api.middleware.identity import ANONYMOUS
from offergen.limits import ApiLimits
from offergen.store.idempotency import ClaimOutcome, IdempotencyStore, StoredResponse
from tests.api.middleware.conftest import MakeRealApp, MakeTinyApp

GENERATE = "/v1/offers:generate"
FAST_POLL = ApiLimits(idempotency_poll_s=0.02)
JSON = {"Content-Type": "application/json"}
WORK = b'{"x": 1}'


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"test-{uuid.uuid4()}"}


def _store(client: TestClient) -> IdempotencyStore:
    app = client.app
    assert isinstance(app, FastAPI)
    store = next(m.kwargs["store"] for m in app.user_middleware if "store" in m.kwargs)
    assert isinstance(store, IdempotencyStore)
    return store


def test_parallel_requests_with_one_key_generate_once(real_app: MakeRealApp) -> None:
    app = real_app(FAST_POLL, delays=[0.6])
    body, key = app.generate_body(), _key()
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(
            pool.map(lambda _: app.client.post(GENERATE, json=body, headers=key), range(8))
        )
    assert [r.status_code for r in responses] == [200] * 8
    assert len({r.content for r in responses}) == 1  # byte-for-byte the same
    ran = [r for r in responses if "Idempotent-Replayed" not in r.headers]
    replayed = [r for r in responses if r not in ran]
    assert len(ran) == 1
    assert all(r.headers["Idempotent-Replayed"] == "true" for r in replayed)
    assert app.backend.calls == 1  # one generation: one backend round for one variant

    # one set of audit records, under the request that ran; the replays wrote none
    request_id = ran[0].headers["X-Request-ID"]
    assert responses[0].json()["request_id"] == request_id
    assert len(app.pipeline.audit.by_request(request_id)) == 1
    others = {r.headers["X-Request-ID"] for r in replayed}
    assert len(others) == 7 and request_id not in others
    assert all(app.pipeline.audit.by_request(rid) == [] for rid in others)


def test_a_repeat_replays_the_stored_response_byte_for_byte(real_app: MakeRealApp) -> None:
    app = real_app(FAST_POLL)
    body, key = app.generate_body(), _key()
    first = app.client.post(GENERATE, json=body, headers=key)
    again = app.client.post(GENERATE, json=body, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["Idempotent-Replayed"] == "true"
    # the new exchange has a request id of its own; the body is the stored one
    assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert app.backend.calls == 1
    # without the key, the same body runs again
    assert "Idempotent-Replayed" not in app.client.post(GENERATE, json=body).headers
    assert app.backend.calls == 2


def test_the_same_key_with_another_body_is_422(real_app: MakeRealApp) -> None:
    app = real_app(FAST_POLL)
    key = _key()
    assert app.client.post(GENERATE, json=app.generate_body(), headers=key).status_code == 200
    r = app.client.post(GENERATE, json=app.generate_body(variants=2), headers=key)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert "reused with a different request body" in problem["detail"]
    assert problem["request_id"] == r.headers["X-Request-ID"]
    assert {"type", "title", "status", "detail", "request_id"} <= set(problem)
    assert app.backend.calls == 1


def test_a_4xx_is_stored_and_replayed_too(real_app: MakeRealApp) -> None:
    app = real_app(FAST_POLL)
    body, key = app.generate_body(merchant_id="m_nobody"), _key()
    first = app.client.post(GENERATE, json=body, headers=key)
    again = app.client.post(GENERATE, json=body, headers=key)
    assert first.status_code == again.status_code == 404
    assert again.content == first.content and again.headers["Idempotent-Replayed"] == "true"


def test_a_5xx_is_not_stored_so_a_retry_runs_again(real_app: MakeRealApp) -> None:
    app = real_app(FAST_POLL, failures=frozenset({0}))
    body, key = app.generate_body(), _key()
    assert app.client.post(GENERATE, json=body, headers=key).status_code == 503
    retried = app.client.post(GENERATE, json=body, headers=key)
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried.headers
    assert app.backend.calls == 2
    replayed = app.client.post(GENERATE, json=body, headers=key)
    assert replayed.content == retried.content
    assert replayed.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 256, "caf\u00e9"])
def test_a_malformed_key_is_422(real_app: MakeRealApp, bad: str) -> None:
    app = real_app(FAST_POLL)
    headers = [(b"idempotency-key", bad.encode("latin-1"))]
    r = app.client.post(GENERATE, json=app.generate_body(), headers=headers)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["errors"] == [
        {
            "field": "header.Idempotency-Key",
            "message": "must be 1 to 255 printable ASCII characters",
        }
    ]
    assert problem["request_id"] == r.headers["X-Request-ID"]
    assert app.backend.calls == 0


def test_the_longest_key_is_accepted(real_app: MakeRealApp) -> None:
    app = real_app(FAST_POLL)
    r = app.client.post(GENERATE, json=app.generate_body(), headers={"Idempotency-Key": "k" * 255})
    assert r.status_code == 200


def test_keys_are_scoped_to_the_caller(tiny_app: MakeTinyApp) -> None:
    app = tiny_app(FAST_POLL)
    key = _key()
    a = {"Authorization": "Bearer token-a", **key}
    b = {"Authorization": "Bearer token-b", **key}
    assert app.client.post("/v1/work", json={"x": 1}, headers=a).json() == {"run": 1}
    # another caller's identical key is another key: it runs, even with another body
    assert app.client.post("/v1/work", json={"x": 2}, headers=b).json() == {"run": 2}
    assert app.client.post("/v1/work", json={"x": 2}, headers=a).status_code == 422
    assert app.client.post("/v1/work", json={"x": 1}, headers=a).json() == {"run": 1}


def test_concurrent_requests_run_once_on_either_database(tiny_app: MakeTinyApp) -> None:
    app = tiny_app(FAST_POLL, delay_s=0.5)
    key = _key()
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(
            pool.map(lambda _: app.client.post("/v1/work", json={"x": 1}, headers=key), range(6))
        )
    assert [r.status_code for r in responses] == [200] * 6
    assert {r.content for r in responses} == {b'{"run": 1}'}
    assert len(app.runs) == 1


def test_a_request_waits_for_another_replica_and_replays_its_answer(
    tiny_app: MakeTinyApp,
) -> None:
    app = tiny_app(FAST_POLL)
    key, store = _key(), _store(app.client)
    fingerprint = request_fingerprint("POST", "/v1/work", b"", WORK)
    held = store.claim(ANONYMOUS, key["Idempotency-Key"], fingerprint)  # "another replica"
    assert held.outcome is ClaimOutcome.claimed and held.token
    answer = StoredResponse(201, "application/json", b'{"from": "elsewhere"}')
    finisher = threading.Timer(
        0.3, store.complete, (ANONYMOUS, key["Idempotency-Key"], held.token, answer)
    )
    finisher.start()
    r = app.client.post("/v1/work", content=WORK, headers=JSON | key)
    finisher.join()
    assert (r.status_code, r.content) == (201, b'{"from": "elsewhere"}')
    assert r.headers["Idempotent-Replayed"] == "true"
    assert app.runs == []


def test_a_key_still_held_after_the_wait_is_409(tiny_app: MakeTinyApp) -> None:
    # the wait is bounded by the request timeout
    app = tiny_app(ApiLimits(idempotency_poll_s=0.02, request_timeout_s=0.3))
    key, store = _key(), _store(app.client)
    fingerprint = request_fingerprint("POST", "/v1/work", b"", WORK)
    held = store.claim(ANONYMOUS, key["Idempotency-Key"], fingerprint)
    assert held.token
    started = time.monotonic()
    r = app.client.post("/v1/work", content=WORK, headers=JSON | key)
    assert time.monotonic() - started >= 0.3
    assert r.status_code == 409 and r.headers["Retry-After"] == "5"
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["request_id"] == r.headers["X-Request-ID"]
    assert app.runs == []
    store.release(ANONYMOUS, key["Idempotency-Key"], held.token)  # that replica failed
    assert app.client.post("/v1/work", content=WORK, headers=JSON | key).json() == {"run": 1}


def test_an_expired_key_runs_again(tiny_app: MakeTinyApp) -> None:
    app = tiny_app(FAST_POLL)
    key, store = _key(), _store(app.client)
    assert app.client.post("/v1/work", json={"x": 1}, headers=key).json() == {"run": 1}
    assert app.client.post("/v1/work", json={"x": 1}, headers=key).json() == {"run": 1}
    store.clock = lambda: time.time() + store.ttl_s + 1  # a day later
    assert app.client.post("/v1/work", json={"x": 1}, headers=key).json() == {"run": 2}


def test_only_post_v1_requests_take_part(tiny_app: MakeTinyApp) -> None:
    app = tiny_app(FAST_POLL)
    key = _key()
    # a GET carries the header harmlessly, and never is stored or replayed
    assert app.client.get("/healthz", headers=key).status_code == 404
    assert app.client.get("/healthz", headers=key).status_code == 404
    assert "Idempotent-Replayed" not in app.client.get("/healthz", headers=key).headers


def test_a_401_is_not_stored_under_the_key(real_app: MakeRealApp) -> None:
    """An unidentified caller owns no key: its 401 is answered afresh each time, challenge
    included (a stored one came back without WWW-Authenticate)."""
    app = real_app(FAST_POLL)
    headers = {"Authorization": "Bearer not-a-key", **_key()}
    for _ in range(2):
        r = app.client.post(GENERATE, json=app.generate_body(), headers=headers)
        assert r.status_code == 401 and "WWW-Authenticate" in r.headers
        assert "Idempotent-Replayed" not in r.headers
    assert app.backend.calls == 0
