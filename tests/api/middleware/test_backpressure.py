"""Backpressure through the real app: concurrent callers beyond the generation bound are refused
at once (429 for a tenant over its share of the queue, 503 when the queue is full) with
Retry-After, while another tenant still gets in; the model never sees more than the bound."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from offergen.api.app import create_app
from offergen.api.principal import Role
from offergen.app_context import assemble
from offergen.config import Settings
from offergen.generation.fair_queue import GenerationLimits
from offergen.store.knowledge_base import KnowledgeBase
from tests.api.conftest import GLOBEX_MERCHANT, auth, generate_body
from tests.campaigns.cheap_pipeline import SteadyBackend
from tests.support.pipelines import build_pipeline

# Seconds each generation takes: long against the burst's arrival (7 x 0.05 s plus each
# request's own work), or a slot frees before the last caller arrives (1.0 s: 1 CI run).
DELAY = 2.0


@pytest.fixture
def slow_app(
    small_kb: tuple[KnowledgeBase, Path], api_kb: KnowledgeBase, tmp_path: Path
) -> tuple[TestClient, SteadyBackend]:
    backend = SteadyBackend(DELAY)
    pipeline = build_pipeline(api_kb, small_kb[1], backend)
    url = api_kb.db.engine.url.render_as_string(hide_password=False)
    limits = GenerationLimits(
        max_in_flight=2, max_queue=4, max_queue_per_tenant=2, interactive_reserve=0
    )
    ctx = assemble(Settings(data_dir=tmp_path, database_url=url, generation=limits), pipeline)
    return TestClient(create_app(ctx)), backend


def burst(client: TestClient, calls: list[dict[str, Any]]) -> list[tuple[httpx.Response, float]]:
    """Each call from its own thread, all at once; (response, seconds it took) in call order."""
    out: list[Any] = [None] * len(calls)

    def one(i: int) -> None:
        started = time.monotonic()
        r = client.post("/v1/offers:generate", **calls[i])
        out[i] = (r, time.monotonic() - started)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
        time.sleep(0.05)  # arrival order is the queue's order
    for t in threads:
        t.join(60)
    return out


def test_a_burst_beyond_the_bound_is_refused_at_once_and_other_tenants_still_get_in(
    slow_app: tuple[TestClient, SteadyBackend], role_keys: dict[tuple[Role, str], str]
) -> None:
    client, backend = slow_app
    acme = auth(role_keys[(Role.marketing, "acme")])
    globex = auth(role_keys[(Role.marketing, "globex")])
    with client:
        calls = [{"json": generate_body(), "headers": acme} for _ in range(6)]
        calls.append({"json": generate_body(GLOBEX_MERCHANT), "headers": globex})
        results = burst(client, calls)
    statuses = [r.status_code for r, _ in results]
    # 2 generate, 2 wait their turn, 2 are over acme's share of the queue; globex waits its turn
    assert sorted(statuses[:6]) == [200, 200, 200, 200, 429, 429], statuses
    assert statuses[6] == 200
    for r, took in results:
        if r.status_code == 429:
            assert took < DELAY  # at once, not after waiting for a slot
            assert r.headers["content-type"] == "application/problem+json"
            assert r.headers["Retry-After"] == "2"
            assert r.json()["status"] == 429 and "waiting" in r.json()["detail"]
    assert backend.most_in_flight == 2
    # globex came last but waited for one acme turn only: it finished before acme's last one
    acme_done = sorted(took for (r, took) in results[:6] if r.status_code == 200)
    assert results[6][1] < acme_done[-1] + 6 * 0.05


def test_a_full_queue_is_a_503_and_a_refusal_is_not_kept_under_an_idempotency_key(
    slow_app: tuple[TestClient, SteadyBackend], role_keys: dict[tuple[Role, str], str]
) -> None:
    client, _ = slow_app
    keys = [auth(role_keys[(Role.marketing, t)]) for t in ("acme", "globex")]
    with client:
        bodies = [generate_body(), generate_body(GLOBEX_MERCHANT)]
        calls = [{"json": bodies[i % 2], "headers": keys[i % 2]} for i in range(6)]
        calls.append(
            {"json": generate_body(), "headers": keys[0] | {"Idempotency-Key": "k-overload-1"}}
        )
        results = burst(client, calls)
        statuses = [r.status_code for r, _ in results]
        assert statuses.count(200) == 6 and statuses[6] == 503, statuses
        refused = results[6][0]
        assert refused.json()["title"] == "Generation At Capacity"
        assert refused.headers["Retry-After"] == "2"
        again = client.post(
            "/v1/offers:generate",
            json=generate_body(),
            headers=keys[0] | {"Idempotency-Key": "k-overload-1"},
        )
        assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers
