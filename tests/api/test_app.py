"""The HTTP surface over a real pipeline whose model is scripted (fast)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from offergen.api.app import create_app
from offergen.app_context import assemble
from offergen.config import Settings
from tests.support.pipelines import MakePipeline


def _body(merchant_id: str, merchant: str, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "merchant_id": merchant_id,
        "offer": {"kind": "cashback", "merchant": merchant, "value": 10, "unit": "percent"},
        "channel": "sms",
        "variants": 1,
    }
    body.update(over)
    return body


@pytest.fixture
def client(make_pipeline: MakePipeline, tmp_path: Path) -> TestClient:
    pipeline, _ = make_pipeline(["Get 10% cashback at FreshMart. Terms apply."] * 5)
    app = create_app(assemble(Settings(data_dir=tmp_path), pipeline))
    return TestClient(app)


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "detail": None}
    assert client.get("/readyz").status_code == 200


def test_merchants_are_paginated(client: TestClient) -> None:
    page = client.get("/v1/merchants").json()
    assert (page["total"], page["offset"], page["limit"], page["next_offset"]) == (3, 0, 50, None)
    assert {"id", "name", "category"} <= set(page["items"][0])
    first = client.get("/v1/merchants", params={"limit": 2}).json()
    rest = client.get("/v1/merchants", params={"offset": first["next_offset"]}).json()
    assert first["next_offset"] == 2 and rest["next_offset"] is None
    assert [m["id"] for m in first["items"] + rest["items"]] == [m["id"] for m in page["items"]]
    bad = client.get("/v1/merchants", params={"limit": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.limit"


def test_merchant_rules(client: TestClient) -> None:
    m = client.get("/v1/merchants").json()["items"][0]
    rules = client.get(f"/v1/merchants/{m['id']}/rules").json()
    assert rules and all(r["merchant_id"] == m["id"] for r in rules)
    missing = client.get("/v1/merchants/m_nope/rules")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_generate_returns_the_design_contract(client: TestClient) -> None:
    m = client.get("/v1/merchants").json()["items"][0]
    r = client.post("/v1/offers:generate", json=_body(m["id"], m["name"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"request_id", "variants", "sources", "prompt", "model", "timings_ms"}
    assert set(body["variants"][0]) == {"text", "released", "findings", "attempts"}
    assert body["request_id"] == r.headers["X-Request-ID"]


def test_incoming_request_id_is_kept(client: TestClient) -> None:
    r = client.get("/healthz", headers={"X-Request-ID": "abc12345-trace"})
    assert r.headers["X-Request-ID"] == "abc12345-trace"


def test_malformed_request_names_the_field(client: TestClient) -> None:
    body = _body("m_x", "X")
    body["offer"]["unit"] = "bananas"
    body["variants"] = 99
    r = client.post("/v1/offers:generate", json=body)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    fields = {e["field"] for e in problem["errors"]}
    assert {"body.offer.unit", "body.variants"} <= fields
    assert "bananas" not in r.text  # submitted values are not echoed back
    assert problem["request_id"] == r.headers["X-Request-ID"]


def test_unknown_field_is_rejected(client: TestClient) -> None:
    r = client.post("/v1/offers:generate", json=_body("m_x", "X", customer_name="Jane Doe"))
    assert r.status_code == 422
    assert "body.customer_name" in {e["field"] for e in r.json()["errors"]}
    assert "Jane" not in r.text


def test_pii_in_free_text_is_rejected_without_echo(client: TestClient) -> None:
    m = client.get("/v1/merchants").json()["items"][0]
    body = _body(m["id"], m["name"])
    body["customer"] = {"segment": "reach me at jane.doe@example.com", "interests": ["coffee"]}
    r = client.post("/v1/offers:generate", json=body)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["body.customer.segment"]
    assert "jane" not in r.text


def test_card_number_as_merchant_id_is_not_echoed(client: TestClient) -> None:
    r = client.post("/v1/offers:generate", json=_body("4111111111111111", "X"))
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["body.merchant_id"]
    assert "4111" not in r.text


def test_unknown_merchant_is_404(client: TestClient) -> None:
    r = client.post("/v1/offers:generate", json=_body("m_nobody", "Nobody"))
    assert r.status_code == 404
    assert r.json()["detail"] == "unknown merchant 'm_nobody'"


def test_not_ready_is_503(make_pipeline: MakePipeline, tmp_path: Path) -> None:
    pipeline, _ = make_pipeline([])
    pipeline._ready = False
    # not entered: the lifespan that would warm the pipeline up never runs
    client = TestClient(create_app(assemble(Settings(data_dir=tmp_path), pipeline)))
    assert client.get("/readyz").status_code == 503
    r = client.post("/v1/offers:generate", json=_body("m_x", "X"))
    assert r.status_code == 503
    assert "still loading" in r.json()["detail"]
    assert r.headers["Retry-After"] == "5"


def test_backend_down_is_503_and_nothing_is_released(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    from offergen.generation.vllm_backend import VllmBackend

    pipeline, _ = make_pipeline([])
    # a real client of a server that is not there (port 9 discards; nothing listens)
    pipeline.backend = VllmBackend("http://127.0.0.1:9", "google/gemma-3-270m", retries=1)
    client = TestClient(create_app(assemble(Settings(data_dir=tmp_path), pipeline)))
    m = client.get("/v1/merchants").json()["items"][0]
    r = client.post("/v1/offers:generate", json=_body(m["id"], m["name"]))
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"
    assert r.headers["content-type"] == "application/problem+json"
    assert "cannot reach the vLLM server" in r.json()["detail"]
    assert "variants" not in r.json()
    assert pipeline.audit.by_request(r.headers["X-Request-ID"]) == []  # nothing audited


def test_openapi_declares_problem_responses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    responses = spec["paths"]["/v1/offers:generate"]["post"]["responses"]
    assert {"200", "404", "422", "503"} <= set(responses)


def test_an_offer_over_the_merchants_limit_is_a_422_naming_the_rule(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    pipeline, backend = make_pipeline(["Get 90% cashback at FreshMart. Terms apply."])
    client = TestClient(create_app(assemble(Settings(data_dir=tmp_path), pipeline)))
    body = _body("m_freshmart", "FreshMart")
    body["offer"]["value"] = 90
    r = client.post("/v1/offers:generate", json=body)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    [error] = r.json()["errors"]
    assert error["field"] == "body.offer.value" and error["rule_id"] == "r_freshmart_03"
    assert error["limit"] == 12 and "12%" in error["message"]
    assert backend.calls == []  # refused before generation
    v = client.post("/v1/offers:validate", json=body)
    assert v.status_code == 200
    assert v.json()["valid"] is False
    assert [f["rule_id"] for f in v.json()["findings"]] == ["r_freshmart_03"]
    ok = client.post("/v1/offers:validate", json=_body("m_freshmart", "FreshMart"))
    assert ok.json() == {"valid": True, "findings": []}
    assert client.post("/v1/offers:validate", json=_body("m_nobody", "X")).status_code == 404
