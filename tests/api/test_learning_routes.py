"""Learning from results over HTTP: generate, start an experiment on the released variants,
assign customers, report outcomes, read the posteriors, and find the proven variant among the
past offers; validation by path, idempotent outcomes, roles and tenant isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from offergen.api.principal import Role
from offergen.outcomes.promotion import past_offer_id
from tests.api.conftest import GLOBEX_MERCHANT, Api, MakeApi, auth, generate_body

Keys = dict[tuple[Role, str], str]
TEXTS = [
    "Get 10% cashback at FreshMart. Terms apply.",
    "Your groceries pay you back: 10% cashback at FreshMart this week. Terms apply.",
    "FreshMart rewards every basket with 10% cash back when you pay by card. Terms apply.",
]
AT = (datetime.now(UTC) - timedelta(days=10)).isoformat()


@pytest.fixture
def api(make_api: MakeApi, role_keys: Keys) -> Api:
    return make_api(TEXTS * 10, learning={"promotion": {"min_sends": 500}})


def _generate(api: Api, key: str, merchant: tuple[str, str] | None = None) -> dict[str, Any]:
    body = generate_body(merchant, variants=3) if merchant else generate_body(variants=3)
    r = api.client.post("/v1/offers:generate", json=body, headers=auth(key))
    assert r.status_code == 200, r.text
    response: dict[str, Any] = r.json()
    return response


def _event(request_id: str, event_id: str, variant: int, sends: int, reds: int) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "request_id": request_id,
        "variant": variant,
        "sends": sends,
        "clicks": 2 * reds,
        "redemptions": reds,
        "at": AT,
    }


def test_the_whole_loop(api: Api, role_keys: Keys) -> None:
    marketing = auth(role_keys[Role.marketing, "acme"])
    generated = _generate(api, role_keys[Role.marketing, "acme"])
    rid = generated["request_id"]
    released = [i for i, v in enumerate(generated["variants"]) if v["released"]]
    assert len(released) == 3, generated

    r = api.client.post(
        "/v1/experiments",
        json={"request_id": rid, "policy": "thompson", "min_sends_per_arm": 400},
        headers=marketing,
    )
    assert r.status_code == 201, r.text
    exp_id = r.json()["id"]

    arms = {}
    for i in range(12):
        a = api.client.post(
            f"/v1/experiments/{exp_id}:assign", json={"customer_key": f"c{i}"}, headers=marketing
        )
        assert a.status_code == 200, a.text
        assert a.json()["holdout"] is False
        arms[f"c{i}"] = a.json()["arm"]
    assert set(arms.values()) <= set(released)
    for key, arm in arms.items():  # sticky
        again = api.client.post(
            f"/v1/experiments/{exp_id}:assign", json={"customer_key": key}, headers=marketing
        )
        assert again.json() == {"arm": arm, "holdout": False}

    batch = [_event(rid, "e0", 0, 300, 3), _event(rid, "e1", 1, 300, 30)]
    r = api.client.post("/v1/outcomes", json={"events": batch}, headers=marketing)
    assert r.status_code == 202, r.text
    assert r.json() == {"accepted": 2, "duplicates": 0, "promoted": []}
    replay = api.client.post("/v1/outcomes", json={"events": batch}, headers=marketing)
    assert replay.status_code == 202 and replay.json()["duplicates"] == 2

    view = api.client.get(f"/v1/experiments/{exp_id}", headers=marketing).json()
    figures = {a["variant"]: (a["sends"], a["redemptions"]) for a in view["arms"]}
    assert figures == {0: (300, 3), 1: (300, 30), 2: (0, 0)}
    assert sum(a["p_best"] for a in view["arms"]) == pytest.approx(1.0)
    assert view["verdict"]["stop"] is False

    # variant 1 reaches the minimum sends: it becomes a past offer of FreshMart
    more = [_event(rid, "e2", 1, 300, 30), _event(rid, "e3", 0, 300, 3)]
    more.append(_event(rid, "e4", 2, 600, 6))
    r = api.client.post("/v1/outcomes", json={"events": more}, headers=marketing)
    tenant = "acme"
    assert r.status_code == 202, r.text
    assert set(r.json()["promoted"]) == {past_offer_id((tenant, rid, v)) for v in (0, 1, 2)}
    offer = api.ctx.kb.past_offer(past_offer_id((tenant, rid, 1)))
    assert offer.text == generated["variants"][1]["text"]
    assert (offer.merchant_id, offer.sent, offer.redemptions) == ("m_freshmart", 600, 60)

    view = api.client.get(
        f"/v1/experiments/{exp_id}", headers=auth(role_keys[Role.reviewer, "acme"])
    ).json()
    assert view["verdict"] == {
        "stop": True,
        "winner": 1,
        "rule": "p_best",
        "reason": view["verdict"]["reason"],
    }
    chart = api.client.get(f"/v1/experiments/{exp_id}/chart", headers=marketing)
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
    assert chart.text.startswith("<svg") and "variant 1" in chart.text


def test_bad_events_are_named_by_path_and_nothing_is_stored(api: Api, role_keys: Keys) -> None:
    marketing = auth(role_keys[Role.marketing, "acme"])
    rid = _generate(api, role_keys[Role.marketing, "acme"])["request_id"]
    bad = [
        _event(rid, "ok", 0, 10, 1),
        _event(rid, "neg", 0, -1, 0),
        _event(rid, "nine", 9, 10, 1),
    ]
    r = api.client.post("/v1/outcomes", json={"events": bad}, headers=marketing)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == [
        "body.events.1.sends",
        "body.events.2.variant",
    ]
    unknown = [_event(rid, "ok", 0, 10, 1), _event("nope0000", "x", 0, 10, 1)]
    unknown.append(_event(rid, "over", 1, 10, 11))
    r = api.client.post("/v1/outcomes", json={"events": unknown}, headers=marketing)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [
        "body.events.1.request_id",
        "body.events.2.clicks",
        "body.events.2.redemptions",
    ]
    assert "nothing was stored" in r.json()["detail"]
    ok = api.client.post("/v1/outcomes", json={"events": [unknown[0]]}, headers=marketing)
    assert ok.json()["accepted"] == 1  # "ok" was not stored by the refused batches
    changed = [_event(rid, "ok", 0, 10, 2)]
    r = api.client.post("/v1/outcomes", json={"events": changed}, headers=marketing)
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "body.events.0.event_id", "message": "already recorded with other figures"}
    ]


def test_an_experiment_needs_two_released_variants(make_api: MakeApi, role_keys: Keys) -> None:
    api = make_api(TEXTS[:1] * 10)
    key = role_keys[Role.marketing, "acme"]
    r = api.client.post("/v1/offers:generate", json=generate_body(), headers=auth(key))
    body = {"request_id": r.json()["request_id"], "policy": "uniform"}
    r = api.client.post("/v1/experiments", json=body, headers=auth(key))
    assert r.status_code == 422
    assert "at least 2 released variants" in r.json()["detail"]
    assert r.json()["errors"][0]["field"] == "body.request_id"
    r = api.client.post("/v1/experiments", json=body | {"policy": "greedy"}, headers=auth(key))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.policy"


def test_roles_and_tenants(api: Api, role_keys: Keys) -> None:
    acme = auth(role_keys[Role.marketing, "acme"])
    globex = auth(role_keys[Role.marketing, "globex"])
    rid = _generate(api, role_keys[Role.marketing, "acme"])["request_id"]
    exp = api.client.post("/v1/experiments", json={"request_id": rid}, headers=acme).json()["id"]
    events = {"events": [_event(rid, "e1", 0, 10, 1)]}

    # writes need the role that generates; a reviewer may read
    reviewer = auth(role_keys[Role.reviewer, "acme"])
    assert api.client.post("/v1/outcomes", json=events, headers=reviewer).status_code == 403
    assign = f"/v1/experiments/{exp}:assign"
    assert api.client.post(assign, json={"customer_key": "k"}, headers=reviewer).status_code == 403
    assert api.client.get(f"/v1/experiments/{exp}", headers=reviewer).status_code == 200

    # another tenant: the request id is unknown, the experiment does not exist
    r = api.client.post("/v1/outcomes", json=events, headers=globex)
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "body.events.0.request_id", "message": "unknown request_id"}
    ]
    r = api.client.post("/v1/experiments", json={"request_id": rid}, headers=globex)
    assert r.status_code == 422 and "unknown request_id" in r.json()["detail"]
    for method, path, body in (
        ("GET", f"/v1/experiments/{exp}", None),
        ("GET", f"/v1/experiments/{exp}/chart", None),
        ("POST", assign, {"customer_key": "k"}),
    ):
        hidden = api.client.request(method, path, json=body, headers=globex)
        missing = api.client.request(
            method, path.replace(exp, "exp_" + "0" * 20), json=body, headers=globex
        )
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json()["detail"].replace(exp, "<id>") == missing.json()["detail"].replace(
            "exp_" + "0" * 20, "<id>"
        )
    # globex's own request and experiment work for globex, and acme cannot see them
    grid = _generate(api, role_keys[Role.marketing, "globex"], GLOBEX_MERCHANT)["request_id"]
    gexp = api.client.post("/v1/experiments", json={"request_id": grid}, headers=globex)
    assert gexp.status_code == 201, gexp.text
    assert api.client.get(f"/v1/experiments/{gexp.json()['id']}", headers=acme).status_code == 404


def test_the_routes_are_documented(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    assert set(paths["/v1/outcomes"]["post"]["responses"]) >= {"202", "401", "403", "422"}
    assert "201" in paths["/v1/experiments"]["post"]["responses"]
    assert "404" in paths["/v1/experiments/{experiment_id}:assign"]["post"]["responses"]
    assert "404" in paths["/v1/experiments/{experiment_id}"]["get"]["responses"]
