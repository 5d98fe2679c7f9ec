"""Campaigns over HTTP: submit (validated up front), follow, read results, cancel; marketing
keys only, each tenant seeing its own campaigns."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from offergen.api.principal import Role
from offergen.api.routes import campaigns
from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.job_store import CampaignStore
from offergen.campaigns.worker import Worker
from offergen.store.campaign_tables import CampaignItemRow, CampaignRow
from offergen.store.sql_audit import SqlAuditStore
from tests.api.conftest import CARD, GLOBEX_MERCHANT, RELEASABLE, Api, MakeApi, auth, generate_body

Keys = dict[tuple[Role, str], str]


def _with_campaigns(app: FastAPI) -> None:
    # until app.py includes the router itself
    if not any(getattr(r, "path", "") == "/v1/campaigns" for r in app.routes):
        app.include_router(campaigns.router)


@pytest.fixture
def api(make_api: MakeApi, role_keys: Keys) -> Api:
    api = make_api([RELEASABLE] * 50)
    _with_campaigns(api.client.app)  # type: ignore[arg-type]
    return api


def _acme(role_keys: Keys, role: Role = Role.marketing) -> dict[str, str]:
    return auth(role_keys[role, "acme"])


def _run(api: Api, campaign_id: str) -> None:
    pipeline = api.ctx.pipeline
    config = WorkerConfig(concurrency=2, poll_s=0.05)
    Worker(CampaignStore(pipeline.grounder.kb.db), pipeline, config).run(campaign_id)


def _stored(api: Api) -> tuple[int, int]:
    with api.ctx.pipeline.grounder.kb.db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(CampaignRow)) or 0,
            s.scalar(select(func.count()).select_from(CampaignItemRow)) or 0,
        )


def test_a_campaign_runs_to_completion_with_progress(api: Api, role_keys: Keys) -> None:
    items = [generate_body(customer={"segment": f"s{i}"}) for i in range(3)]
    r = api.client.post("/v1/campaigns", json={"items": items}, headers=_acme(role_keys))
    assert r.status_code == 202, r.text
    cid = r.json()["id"]
    assert r.json()["total"] == 3

    status = api.client.get(f"/v1/campaigns/{cid}", headers=_acme(role_keys)).json()
    assert (status["status"], status["queued"], status["progress"]) == ("queued", 3, 0.0)
    _run(api, cid)
    status = api.client.get(f"/v1/campaigns/{cid}", headers=_acme(role_keys)).json()
    assert (status["status"], status["done"], status["progress"]) == ("completed", 3, 1.0)
    assert status["eta_s"] == 0.0 and status["items_per_s"] > 0

    r = api.client.get(f"/v1/campaigns/{cid}/results", headers=_acme(role_keys))
    assert r.status_code == 200 and r.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert [x["item"] for x in lines] == [0, 1, 2]
    audit = SqlAuditStore(api.ctx.pipeline.grounder.kb.db)
    for x in lines:
        assert x["status"] == "done" and x["response"]["request_id"] == x["request_id"]
        text = x["response"]["variants"][0]["text"]
        assert text.startswith(RELEASABLE)  # and the opt-out the guard adds to an SMS
        [record] = audit.by_request(x["request_id"], "acme")
        assert record.text == text

    r = api.client.get(
        f"/v1/campaigns/{cid}/results", params={"format": "csv"}, headers=_acme(role_keys)
    )
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(row["item"], row["text"]) for row in rows] == [
        (str(x["item"]), x["response"]["variants"][0]["text"]) for x in lines
    ]


def test_one_request_for_each_customer(api: Api, role_keys: Keys) -> None:
    body = {"request": generate_body(), "customers": [{"segment": "a"}, {"segment": "b"}]}
    r = api.client.post("/v1/campaigns", json=body, headers=_acme(role_keys))
    assert r.status_code == 202, r.text
    assert r.json()["total"] == 2


def _problem(r: Any) -> list[tuple[str, str]]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return [(e["field"], e["message"]) for e in r.json()["errors"]]


def test_bad_items_are_listed_by_index_and_nothing_is_stored(api: Api, role_keys: Keys) -> None:
    bad_value = generate_body(offer={"kind": "cashback", "merchant": "FreshMart", "value": -5})
    card = generate_body(customer={"segment": f"card {CARD}"})
    globex = generate_body(merchant=GLOBEX_MERCHANT)
    items = [generate_body(), bad_value, generate_body(), card, globex]
    r = api.client.post("/v1/campaigns", json={"items": items}, headers=_acme(role_keys))
    fields = [f for f, _ in _problem(r)]
    assert fields[0] == "body.items.1.offer.value"
    assert {f.rsplit(".", 1)[0] for f in fields[1:-1]} == {"body.items.3.customer"}
    assert fields[-1] == "body.items.4.merchant_id"  # another tenant's merchant is unknown
    assert CARD not in r.text and "4111" not in r.text
    assert _stored(api) == (0, 0)


def test_cancel_and_tenants(api: Api, role_keys: Keys) -> None:
    body = {"items": [generate_body() for _ in range(4)]}
    cid = api.client.post("/v1/campaigns", json=body, headers=_acme(role_keys)).json()["id"]
    globex = auth(role_keys[Role.marketing, "globex"])
    for method, path in (
        ("GET", f"/v1/campaigns/{cid}"),
        ("GET", f"/v1/campaigns/{cid}/results"),
        ("POST", f"/v1/campaigns/{cid}:cancel"),
    ):
        assert api.client.request(method, path, headers=globex).status_code == 404
    reviewer = _acme(role_keys, Role.reviewer)
    assert api.client.get(f"/v1/campaigns/{cid}", headers=reviewer).status_code == 403
    assert api.client.get("/v1/campaigns/not-an-id", headers=_acme(role_keys)).status_code == 422

    r = api.client.post(f"/v1/campaigns/{cid}:cancel", headers=_acme(role_keys))
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["cancelled"]) == ("cancelled", 4)
    _run(api, cid)  # nothing left to do
    assert api.backend.calls == []
    again = api.client.post(f"/v1/campaigns/{cid}:cancel", headers=_acme(role_keys))
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"
    admin = auth(role_keys[Role.admin, "acme"])
    assert api.client.get(f"/v1/campaigns/{cid}", headers=admin).json()["status"] == "cancelled"
