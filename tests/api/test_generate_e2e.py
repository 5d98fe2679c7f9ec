"""End to end through the API with the real embedded model, real FAISS index and real guard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from offergen.api.app import create_app
from offergen.app_context import assemble
from offergen.config import Settings
from offergen.pipeline import Pipeline

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def client(real_settings: Settings, real_pipeline: Pipeline) -> Iterator[TestClient]:
    with TestClient(create_app(assemble(real_settings, real_pipeline))) as c:
        yield c


def _generate(client: TestClient, merchant: dict[str, str], **over: object) -> dict[str, object]:
    body = {
        "merchant_id": merchant["id"],
        "offer": {
            "kind": "cashback",
            "merchant": merchant["name"],
            "value": 5,
            "unit": "percent",
            "min_spend": 50,
            "valid_until": "2030-12-31",
        },
        "customer": {"segment": "young professionals", "interests": ["coffee"]},
        "channel": "sms",
        "variants": 3,
        **over,
    }
    r = client.post("/v1/offers:generate", json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_generate_releases_copy_naming_the_merchant(client: TestClient) -> None:
    assert client.get("/readyz").status_code == 200
    merchants = client.get("/v1/merchants", params={"limit": 500}).json()["items"]
    merchant = next(m for m in merchants if m["id"] == "m_freshmart")  # its rules allow 5 % back
    body = _generate(client, merchant)
    released = [v for v in body["variants"] if v["released"]]  # type: ignore[union-attr]
    assert released, body["variants"]
    assert any(merchant["name"] in v["text"] for v in released)
    for v in released:
        assert v["findings"] == [] and 0 < len(v["text"]) <= 160
    sources = body["sources"]
    assert any(s["kind"] == "past_offer" for s in sources)  # type: ignore[union-attr]
    assert body["model"] == {"id": "google/gemma-3-270m", "backend": "vllm"}


def test_the_in_process_transformers_profile_releases_copy_too(real_settings: Settings) -> None:
    from offergen.app_context import open_context

    ctx = open_context(real_settings.model_copy(update={"model_profile": "embedded"}))
    ctx.background = False  # no campaign workers beside this test's app
    pipeline = ctx.pipeline
    with TestClient(create_app(ctx)) as c:
        readiness = c.app.state.readiness  # type: ignore[attr-defined]
        assert readiness.wait(120), readiness.error
        merchant = {"id": "m_freshmart", "name": pipeline.grounder.kb.merchant("m_freshmart").name}
        body = _generate(c, merchant, variants=2)
    assert body["model"] == {"id": "google/gemma-3-270m", "backend": "transformers"}
    assert any(v["released"] for v in body["variants"]), body["variants"]  # type: ignore[union-attr]


def test_generated_numbers_are_reconciled(client: TestClient) -> None:
    import re

    merchant = client.get("/v1/merchants").json()["items"][3]
    body = _generate(client, merchant, channel="push", variants=2)
    for v in body["variants"]:  # type: ignore[union-attr]
        if v["released"]:
            # Every percentage in released copy is the offered 5 %.
            assert set(re.findall(r"(\d+(?:\.\d+)?)\s*%", v["text"])) <= {"5"}
        else:
            assert v["findings"], "a held variant must say why"


def test_an_apex_petrol_offer_over_its_cap_is_refused_before_generation(
    client: TestClient, real_pipeline: Pipeline
) -> None:
    merchants = client.get("/v1/merchants", params={"limit": 500}).json()["items"]
    apex = next(m for m in merchants if m["id"] == "m_apex_petrol")
    body = {
        "merchant_id": apex["id"],
        "offer": {"kind": "cashback", "merchant": apex["name"], "value": 10, "unit": "percent"},
        "channel": "sms",
        "variants": 3,
    }
    r = client.post("/v1/offers:generate", json=body)
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["rule_id"], error["field"], error["limit"]) == (
        "r_apex_petrol_03",
        "body.offer.value",
        3,
    )
    rid = r.headers["X-Request-ID"]
    assert real_pipeline.audit.by_request(rid) == []  # no copy was generated or recorded
    [refusal] = real_pipeline.audit.refusals(rid)  # type: ignore[attr-defined]
    assert [f.rule_id for f in refusal.findings] == ["r_apex_petrol_03"]
