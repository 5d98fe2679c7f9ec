"""Tenant isolation per route: a key sees only its tenant's merchants, and another tenant's
merchant is a 404 byte for byte like a merchant that does not exist (only the request id
differs), raised at the same point, so no request can tell them apart."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from offergen.api.principal import Role
from offergen.store.sql_audit import SqlAuditStore
from tests.api.conftest import (
    ACME_MERCHANT,
    CARD,
    GLOBEX_MERCHANT,
    Api,
    MakeApi,
    auth,
    generate_body,
)
from tests.api.routes_table import ROUTES

Keys = dict[tuple[Role, str], str]
# as long as the globex merchant's id, so even Content-Length cannot tell them apart
MISSING = ("m_" + "x" * (len(GLOBEX_MERCHANT[0]) - 2), "Nobody")


@pytest.fixture
def api(make_api: MakeApi, role_keys: Keys) -> Api:
    return make_api()


def _without_request_id(r: Any, merchant_id: str) -> tuple[int, str, str]:
    body = r.text.replace(r.headers["X-Request-ID"], "<rid>").replace(merchant_id, "<id>")
    return r.status_code, r.headers["content-type"], body


def _same_as_missing(
    client: TestClient, method: str, path: str, body: Any, headers: dict[str, str]
) -> tuple[int, str, str]:
    """The response for GLOBEX_MERCHANT, checked equal to the one for MISSING."""
    hidden_id, missing_id = GLOBEX_MERCHANT[0], MISSING[0]
    hidden = client.request(method, path.format(hidden_id), json=body, headers=headers)
    missing_body = copy.deepcopy(body)
    if missing_body is not None:
        missing_body = _replace(missing_body, hidden_id, missing_id)
    missing = client.request(method, path.format(missing_id), json=missing_body, headers=headers)
    assert len(hidden.content) == len(missing.content)
    shape = _without_request_id(hidden, hidden_id)
    assert shape == _without_request_id(missing, missing_id)
    return shape


def _replace(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {k: _replace(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, old, new) for v in value]
    return new if value == old else value


def test_merchant_list_is_the_tenants_own(api: Api, role_keys: Keys) -> None:
    acme = api.client.get("/v1/merchants", headers=auth(role_keys[Role.marketing, "acme"])).json()
    assert [m["id"] for m in acme["items"]] == ["m_freshmart", "m_skyhop_airways"]
    assert acme["total"] == 2 and {m["tenant"] for m in acme["items"]} == {"acme"}
    globex = api.client.get("/v1/merchants", headers=auth(role_keys[Role.reviewer, "globex"]))
    assert [m["id"] for m in globex.json()["items"]] == [GLOBEX_MERCHANT[0]]
    page = api.client.get(
        "/v1/merchants", params={"limit": 1}, headers=auth(role_keys[Role.admin, "acme"])
    ).json()
    assert (page["total"], page["next_offset"]) == (2, 1)


def test_rules_of_another_tenants_merchant_are_a_404_like_a_missing_one(
    api: Api, role_keys: Keys
) -> None:
    for role in Role:
        headers = auth(role_keys[role, "acme"])
        status, _, body = _same_as_missing(
            api.client, "GET", "/v1/merchants/{}/rules", None, headers
        )
        assert status == 404 and "unknown merchant '<id>'" in body
    globex = auth(role_keys[Role.reviewer, "globex"])
    mine = api.client.get(f"/v1/merchants/{GLOBEX_MERCHANT[0]}/rules", headers=globex)
    assert mine.status_code == 200 and mine.json()


@pytest.mark.parametrize(
    "over",
    [
        {},
        # the same answer whatever else is wrong with the request: errors come in one order
        {"customer": {"segment": f"card {CARD}"}},
        {"model": "other-model"},
        {"template": "no_such_template"},
    ],
    ids=["plain", "pii", "model", "template"],
)
def test_generate_for_another_tenants_merchant_is_a_404_like_a_missing_one(
    api: Api, role_keys: Keys, over: dict[str, Any]
) -> None:
    body = generate_body(GLOBEX_MERCHANT, **over)
    headers = auth(role_keys[Role.marketing, "acme"])
    status, _, text = _same_as_missing(api.client, "POST", "/v1/offers:generate", body, headers)
    assert status == (422 if "customer" in over else 404), text
    assert api.backend.calls == []  # nothing was generated for it
    audit = api.ctx.pipeline.audit
    assert isinstance(audit, SqlAuditStore)
    assert audit.query(None).total == 0


def test_generate_for_its_own_merchant_records_tenant_and_idempotency_key(
    api: Api, role_keys: Keys
) -> None:
    r = api.client.post(
        "/v1/offers:generate",
        json=generate_body(),
        headers=auth(role_keys[Role.marketing, "acme"]) | {"Idempotency-Key": "order-42"},
    )
    assert r.status_code == 200, r.text
    audit = api.ctx.pipeline.audit
    assert isinstance(audit, SqlAuditStore)
    records = audit.by_request(r.json()["request_id"])
    assert records and {(x.tenant, x.idempotency_key) for x in records} == {("acme", "order-42")}
    assert audit.by_request(r.json()["request_id"], tenant="globex") == []


def test_import_for_another_tenants_merchant_is_an_unknown_merchant(
    api: Api, role_keys: Keys
) -> None:
    route = next(r for r in ROUTES if r.path == "/v1/knowledge/past-offers")
    assert route.body is not None
    body = _replace(route.body, ACME_MERCHANT[0], GLOBEX_MERCHANT[0]) | {"dry_run": False}
    before = api.ctx.pipeline.grounder.kb.counts()
    status, _, text = _same_as_missing(
        api.client, "POST", "/v1/knowledge/past-offers", body, auth(role_keys[Role.admin, "acme"])
    )
    assert status == 422 and "items.0.merchant_id" in text and "unknown merchant" in text
    assert api.ctx.pipeline.grounder.kb.counts() == before
    ok = api.client.post(
        "/v1/knowledge/past-offers", json=body, headers=auth(role_keys[Role.admin, "globex"])
    )
    assert ok.status_code == 200 and ok.json()["counts"]["inserted"] == 1


def test_keyless_dev_mode_sees_every_tenant(make_api: MakeApi) -> None:
    client = make_api().client
    for merchant_id, _ in (ACME_MERCHANT, GLOBEX_MERCHANT):
        assert client.get(f"/v1/merchants/{merchant_id}/rules").status_code == 200
