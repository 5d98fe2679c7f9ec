"""GET /v1/audit/records: the trail as reviewers read it, scoped to the caller's tenant."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from offergen.api.app import create_app
from offergen.api.deps import get_principal
from offergen.api.principal import Principal, Role
from offergen.app_context import assemble
from offergen.config import Settings
from offergen.pipeline import Pipeline
from tests.store.audit_records import audit_record
from tests.support.pipelines import MakePipeline

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def pipeline(make_pipeline: MakePipeline) -> Pipeline:
    pipeline, _ = make_pipeline(["Get 10% cashback at FreshMart."] * 3)
    return pipeline


@pytest.fixture
def app(pipeline: Pipeline, tmp_path: Path) -> FastAPI:
    return create_app(assemble(Settings(data_dir=tmp_path), pipeline))


def _as(app: FastAPI, tenant: str | None, role: Role = Role.reviewer) -> TestClient:
    app.dependency_overrides[get_principal] = lambda: Principal(
        key_id="k1", tenant=tenant, role=role
    )
    return TestClient(app)


def _tenant() -> str:
    # The knowledge base (and so the trail) is shared by this module's tests: a fresh tenant
    # sees only what its own test wrote.
    return f"t{uuid.uuid4().hex[:10]}"


def test_generated_variants_can_be_read_back_by_request_id(app: FastAPI) -> None:
    client = TestClient(app)  # keyless dev mode: admin, every tenant
    merchant = client.get("/v1/merchants").json()["items"][0]
    body = {
        "merchant_id": merchant["id"],
        "offer": {"kind": "cashback", "merchant": merchant["name"], "value": 10, "unit": "percent"},
        "channel": "sms",
        "variants": 2,
    }
    generated = client.post("/v1/offers:generate", json=body)
    assert generated.status_code == 200, generated.text
    rid = generated.headers["X-Request-ID"]
    r = client.get("/v1/audit/records", params={"request_id": rid})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 2 and page["next_offset"] is None
    variants = generated.json()["variants"]
    records = sorted(page["items"], key=lambda x: x["variant"])
    assert [x["text"] for x in records] == [v["text"] for v in variants]
    assert [x["released"] for x in records] == [v["released"] for v in variants]
    assert records[0]["offer"]["value"] == 10 and records[0]["merchant_id"] == merchant["id"]
    assert records[0]["template"] == generated.json()["prompt"]["template"]
    assert set(records[0]["timings_ms"]) == set(generated.json()["timings_ms"])


def test_pages_by_merchant_and_time_newest_first(pipeline: Pipeline, app: FastAPI) -> None:
    tenant = _tenant()
    pipeline.audit.append(
        [
            audit_record(f"r{i}", 0, tenant=tenant, created_at=T0 + timedelta(hours=i))
            for i in range(4)
        ]
        + [audit_record("other", 0, tenant=tenant, merchant_id="m_other", created_at=T0)]
    )
    client = _as(app, tenant)
    params = {"merchant_id": "m_freshmart", "limit": 2}
    first = client.get("/v1/audit/records", params=params).json()
    assert [x["request_id"] for x in first["items"]] == ["r3", "r2"]
    assert (first["total"], first["next_offset"]) == (4, 2)
    rest = client.get("/v1/audit/records", params={**params, "offset": 2}).json()
    assert [x["request_id"] for x in rest["items"]] == ["r1", "r0"]
    assert rest["next_offset"] is None
    window = {"since": "2026-11-30T13:00:00Z", "until": "2026-11-30T15:00:00+00:00"}
    timed = client.get("/v1/audit/records", params=window).json()
    assert [x["request_id"] for x in timed["items"]] == ["r2", "r1"]
    everything = client.get("/v1/audit/records").json()
    assert everything["total"] == 5


def test_another_tenants_records_are_invisible(pipeline: Pipeline, app: FastAPI) -> None:
    mine, theirs = _tenant(), _tenant()
    pipeline.audit.append([audit_record("req-mine", 0, tenant=mine)])
    pipeline.audit.append([audit_record("req-theirs", 0, tenant=theirs)])
    client = _as(app, mine)
    assert client.get("/v1/audit/records", params={"request_id": "req-theirs"}).json() == {
        "items": [],
        "total": 0,
        "offset": 0,
        "limit": 50,
        "next_offset": None,
    }
    assert [x["request_id"] for x in client.get("/v1/audit/records").json()["items"]] == [
        "req-mine"
    ]


def test_only_reviewers_read_the_trail(app: FastAPI) -> None:
    r = _as(app, _tenant(), Role.marketing).get("/v1/audit/records")
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert "reviewer" in r.json()["detail"]
    assert _as(app, _tenant(), Role.admin).get("/v1/audit/records").status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": 501}, "query.limit"),
        ({"offset": -1}, "query.offset"),
        ({"since": "yesterday"}, "query.since"),
        ({"request_id": "a b"}, "query.request_id"),
        ({"merchant_id": "x" * 65}, "query.merchant_id"),
    ],
)
def test_bad_query_is_422_naming_the_parameter(
    app: FastAPI, params: dict[str, object], field: str
) -> None:
    r = TestClient(app).get("/v1/audit/records", params=params)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == [field]


def test_openapi_declares_the_audit_responses(app: FastAPI) -> None:
    spec = TestClient(app).get("/openapi.json").json()
    op = spec["paths"]["/v1/audit/records"]["get"]
    assert {"200", "401", "403", "422"} <= set(op["responses"])
    assert "application/problem+json" in op["responses"]["403"]["content"]
    assert {p["name"] for p in op["parameters"]} == {
        "request_id",
        "merchant_id",
        "since",
        "until",
        "offset",
        "limit",
    }
