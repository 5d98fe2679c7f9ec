"""The review queue over HTTP: list, read, approve or reject once, scoped to the caller's tenant."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from offergen.api.app import create_app
from offergen.api.deps import get_principal
from offergen.api.principal import Principal, Role
from offergen.app_context import assemble
from offergen.config import Settings
from offergen.pipeline import Pipeline
from offergen.store.review_queue import ReviewQueue
from tests.store.audit_records import audit_record, held
from tests.support.pipelines import MakePipeline


@pytest.fixture
def pipeline(make_pipeline: MakePipeline) -> Pipeline:
    # The first draft only warns (urgency): the pack holds it for a reviewer.
    pipeline, _ = make_pipeline(["Hurry in: FreshMart pays you 10% cashback on your order."])
    return pipeline


@pytest.fixture
def app(pipeline: Pipeline, tmp_path: Path) -> FastAPI:
    return create_app(assemble(Settings(data_dir=tmp_path), pipeline))


def _as(app: FastAPI, tenant: str | None, role: Role = Role.reviewer) -> TestClient:
    app.dependency_overrides[get_principal] = lambda: Principal(
        key_id="key-7", tenant=tenant, role=role
    )
    return TestClient(app)


def _queue(pipeline: Pipeline, *records: Any) -> list[int]:
    """Queue `records` (all held for review); their review item ids, in order."""
    pipeline.audit.append(list(records))
    rids = {r.request_id for r in records}
    pending = ReviewQueue(pipeline.grounder.kb.db).pending(None, limit=500).items
    return [i.id for i in pending if i.record.request_id in rids]


def _tenant() -> str:
    # This module's tests share one database: a fresh tenant sees only its own test's items.
    return f"t{uuid.uuid4().hex[:10]}"


def test_held_copy_is_reviewed_end_to_end(app: FastAPI) -> None:
    client = TestClient(app)  # keyless dev mode: admin, every tenant
    merchant = client.get("/v1/merchants").json()["items"][0]
    body = {
        "merchant_id": merchant["id"],
        "offer": {"kind": "cashback", "merchant": merchant["name"], "value": 10, "unit": "percent"},
        "channel": "sms",
        "variants": 1,
    }
    generated = client.post("/v1/offers:generate", json=body)
    assert generated.status_code == 200, generated.text
    [variant] = generated.json()["variants"]
    assert variant["released"] is False
    assert [f["rule_id"] for f in variant["findings"]] == ["claims.urgency"]
    rid = generated.headers["X-Request-ID"]

    pending = client.get("/v1/reviews", params={"limit": 500}).json()
    [item] = [i for i in pending["items"] if i["record"]["request_id"] == rid]
    assert item["queued_for"] == "held" and item["decision"] is None
    assert item["record"]["text"] == variant["text"]
    assert client.get(f"/v1/reviews/{item['id']}").json() == item

    r = client.post(f"/v1/reviews/{item['id']}:approve", json={"reason": "the sale ends Sunday"})
    assert r.status_code == 200, r.text
    decision = r.json()["decision"]
    assert decision["decision"] == "approve" and decision["reason"] == "the sale ends Sunday"
    assert decision["reviewer"] is None  # keyless dev mode has no key id
    after = client.get("/v1/reviews", params={"limit": 500}).json()["items"]
    assert item["id"] not in [i["id"] for i in after]
    assert client.get(f"/v1/reviews/{item['id']}").json()["decision"] == decision


def test_pending_is_paged_and_tenant_scoped(pipeline: Pipeline, app: FastAPI) -> None:
    mine, theirs = _tenant(), _tenant()
    ids = _queue(
        pipeline,
        held("a", 0, tenant=mine),
        held("b", 0, tenant=theirs),
        held("c", 0, tenant=mine),
        held("d", 0, tenant=mine),
    )
    client = _as(app, mine)
    first = client.get("/v1/reviews", params={"limit": 2}).json()
    assert [i["id"] for i in first["items"]] == [ids[0], ids[2]]
    assert (first["total"], first["next_offset"]) == (3, 2)
    rest = client.get("/v1/reviews", params={"offset": 2}).json()
    assert [i["id"] for i in rest["items"]] == [ids[3]] and rest["next_offset"] is None


def test_a_reviewer_approves_and_rejects_once(pipeline: Pipeline, app: FastAPI) -> None:
    tenant = _tenant()
    first, second = _queue(pipeline, held("r", 0, tenant=tenant), held("r", 1, tenant=tenant))
    client = _as(app, tenant)
    ok = client.post(f"/v1/reviews/{first}:approve", json={"reason": "deadline is real"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["decision"]["reviewer"] == "key-7"
    no = client.post(f"/v1/reviews/{second}:reject", json={"reason": "no deadline in the terms"})
    assert no.status_code == 200 and no.json()["decision"]["decision"] == "reject"

    again = client.post(f"/v1/reviews/{first}:reject", json={"reason": "changed my mind"})
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert "already decided (approve)" in again.json()["detail"]
    assert client.get(f"/v1/reviews/{first}").json()["decision"]["decision"] == "approve"
    assert client.get("/v1/reviews").json()["items"] == []


def test_another_tenants_item_is_404(pipeline: Pipeline, app: FastAPI) -> None:
    mine, theirs = _tenant(), _tenant()
    [item_id] = _queue(pipeline, held("x", 0, tenant=theirs))
    client = _as(app, mine)
    for r in (
        client.get(f"/v1/reviews/{item_id}"),
        client.post(f"/v1/reviews/{item_id}:approve", json={"reason": "looks fine"}),
        client.post(f"/v1/reviews/{item_id + 10**9}:reject", json={"reason": "looks fine"}),
    ):
        assert r.status_code == 404, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["detail"].startswith("unknown review item")
    assert client.get("/v1/reviews").json()["total"] == 0
    assert _as(app, theirs).get(f"/v1/reviews/{item_id}").json()["decision"] is None


def test_marketing_keys_may_not_review(pipeline: Pipeline, app: FastAPI) -> None:
    tenant = _tenant()
    [item_id] = _queue(pipeline, held("m", 0, tenant=tenant))
    client = _as(app, tenant, Role.marketing)
    for r in (
        client.get("/v1/reviews"),
        client.get(f"/v1/reviews/{item_id}"),
        client.post(f"/v1/reviews/{item_id}:approve", json={"reason": "ship it"}),
    ):
        assert r.status_code == 403, r.text
        assert r.headers["content-type"] == "application/problem+json"
    assert _as(app, tenant).get(f"/v1/reviews/{item_id}").json()["decision"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.reason"),
        ({"reason": ""}, "body.reason"),
        ({"reason": "   "}, "body.reason"),
        ({"reason": "x" * 501}, "body.reason"),
        ({"reason": 5}, "body.reason"),
        ({"reason": "fine", "label": "approved"}, "body.label"),
    ],
)
def test_a_reason_is_required(
    pipeline: Pipeline, app: FastAPI, body: dict[str, Any], field: str
) -> None:
    [item_id] = _queue(pipeline, held(uuid.uuid4().hex, 0))
    r = TestClient(app).post(f"/v1/reviews/{item_id}:approve", json=body)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == [field]


def test_personal_data_in_a_reason_is_refused_and_not_echoed(
    pipeline: Pipeline, app: FastAPI
) -> None:
    [item_id] = _queue(pipeline, held(uuid.uuid4().hex, 0))
    client = TestClient(app)
    r = client.post(
        f"/v1/reviews/{item_id}:reject", json={"reason": "customer 4111 1111 1111 1111 said so"}
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["body.reason"]
    assert "4111" not in r.text
    assert client.get(f"/v1/reviews/{item_id}").json()["decision"] is None


def test_sampled_released_copy_is_listed_too(pipeline: Pipeline, app: FastAPI) -> None:
    from offergen.store.base import ReviewReason

    tenant = _tenant()
    _queue(pipeline, audit_record("s", 0, tenant=tenant, review=ReviewReason.sampled))
    [item] = _as(app, tenant).get("/v1/reviews").json()["items"]
    assert item["queued_for"] == "sampled" and item["record"]["released"] is True


def test_openapi_declares_the_review_responses(app: FastAPI) -> None:
    paths = TestClient(app).get("/openapi.json").json()["paths"]
    assert {"200", "401", "403", "422"} <= set(paths["/v1/reviews"]["get"]["responses"])
    assert {"200", "401", "403", "404", "422"} <= set(
        paths["/v1/reviews/{review_id}"]["get"]["responses"]
    )
    for action in ("approve", "reject"):
        responses = paths[f"/v1/reviews/{{review_id}}:{action}"]["post"]["responses"]
        assert {"200", "401", "403", "404", "409", "422"} <= set(responses)
        assert "application/problem+json" in responses["409"]["content"]
