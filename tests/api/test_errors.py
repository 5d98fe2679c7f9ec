"""The one error model: every error is application/problem+json with type, title, status,
detail and request_id (and, for validation, the failing fields), never the submitted values."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from offergen.api import errors
from offergen.api.principal import Role
from offergen.errors import BackendError, ConflictError, NotFoundError, NotReadyError
from tests.api.conftest import CARD, MakeApi, auth, generate_body

PROBLEM_KEYS = {"type", "title", "status", "detail", "request_id"}


@pytest.fixture
def client(make_api: MakeApi) -> TestClient:
    return make_api().client


def _problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    assert body["request_id"] == r.headers["X-Request-ID"]
    return body


def _fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body["errors"]]


def test_malformed_json_names_the_body(client: TestClient) -> None:
    r = client.post(
        "/v1/offers:generate",
        content=b'{"merchant_id": "m_freshmart", "channel": ',
        headers={"Content-Type": "application/json"},
    )
    body = _problem(r, 422)
    assert _fields(body) == ["body"] and body["errors"][0]["message"].startswith("not valid JSON")
    assert "m_freshmart" not in r.text


def test_wrong_types_name_each_field(client: TestClient) -> None:
    bad = generate_body(variants="three")
    bad["offer"]["value"] = "ten percent"
    bad["customer"] = {"interests": "coffee"}
    body = _problem(client.post("/v1/offers:generate", json=bad), 422)
    assert set(_fields(body)) == {"body.variants", "body.offer.value", "body.customer.interests"}
    assert "ten percent" not in str(body) and "three" not in str(body)
    query = _problem(client.get("/v1/merchants", params={"offset": "first"}), 422)
    assert _fields(query) == ["query.offset"] and "first" not in str(query)


def test_a_body_that_is_not_an_object(client: TestClient) -> None:
    body = _problem(client.post("/v1/guard/check", json=["text"]), 422)
    assert _fields(body) == ["body"]


def test_unknown_fields_are_named_not_their_values(client: TestClient) -> None:
    bad = generate_body(coupon="SAVE-SECRET-10")
    bad["offer"]["bonus"] = "double"
    body = _problem(client.post("/v1/offers:generate", json=bad), 422)
    assert set(_fields(body)) == {"body.coupon", "body.offer.bonus"}
    assert "SAVE-SECRET" not in str(body) and "double" not in str(body)


def test_an_unknown_field_named_like_a_card_is_not_echoed(client: TestClient) -> None:
    bad = generate_body() | {CARD.replace(" ", ""): "x", CARD: "y"}
    r = client.post("/v1/offers:generate", json=bad)
    body = _problem(r, 422)
    assert _fields(body) == ["body.<key>", "body.<key>"]
    assert "4111" not in r.text


def test_unknown_merchant_route_and_method(client: TestClient) -> None:
    assert "unknown merchant" in _problem(client.get("/v1/merchants/m_nope/rules"), 404)["detail"]
    route = _problem(client.get("/v1/nothing-here"), 404)
    assert route["title"] == "Not Found"
    method = _problem(client.delete("/v1/merchants"), 405)
    assert method["title"] == "Method Not Allowed"


def test_core_errors_map_to_one_status_each() -> None:
    app = FastAPI()
    errors.install(app)

    @app.get("/conflict")
    def conflict() -> None:
        raise ConflictError("already decided")

    @app.get("/missing")
    def missing() -> None:
        raise NotFoundError("unknown thing 'x'")

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError(f"secret detail {CARD}")

    client = TestClient(app, raise_server_exceptions=False)
    assert client.get("/conflict").json()["status"] == 409
    assert client.get("/missing").json()["title"] == "Not Found"
    boom_r = client.get("/boom")
    assert boom_r.status_code == 500 and boom_r.json()["detail"] == "an unexpected error occurred"
    assert "4111" not in boom_r.text


def test_a_transient_error_says_when_to_come_back() -> None:
    app = FastAPI()
    errors.install(app)

    @app.get("/restarting")
    def restarting() -> None:
        raise BackendError("the vLLM server exited with code -9; restarting in 2 s", 71)

    @app.get("/loading")
    def loading() -> None:
        raise NotReadyError("the service is still loading")

    client = TestClient(app)
    assert client.get("/restarting").headers["Retry-After"] == "71"  # the supervisor's estimate
    assert client.get("/loading").headers["Retry-After"] == str(errors.RETRY_AFTER_S)
    assert "Retry-After" not in client.get("/nowhere").headers


def test_an_unhandled_error_still_carries_the_request_id(make_api: MakeApi) -> None:
    client = make_api().client
    app = client.app

    def boom() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/v1/boom", boom)  # type: ignore[attr-defined]
    r = TestClient(app, raise_server_exceptions=False).get("/v1/boom")
    assert r.status_code == 500
    assert r.json()["request_id"] and r.headers["X-Request-ID"] == r.json()["request_id"]


# --- a card number in a request reaches no response and no log line ----------------------------


def _seeded_requests() -> list[Any]:
    g = generate_body
    offer = {"kind": "cashback", "merchant": "FreshMart", "value": 10, "unit": "percent"}
    item = {
        "id": "po_card",
        "merchant_id": "m_freshmart",
        "offer": offer,
        "channel": "email",
        "segment": "general",
        "text": f"Pay with {CARD} and get 10% back at FreshMart. Terms apply.",
        "sent": 10,
        "clicks": 1,
        "redemptions": 1,
        "sent_at": "2026-01-05",
    }
    gen, guard, kb = "/v1/offers:generate", "/v1/guard/check", "/v1/knowledge/past-offers"
    cases: list[tuple[str, str, Any]] = [
        ("merchant-id", gen, g(merchant_id=CARD.replace(" ", ""))),
        ("segment", gen, g(customer={"segment": f"owner of {CARD}"})),
        ("interest", gen, g(customer={"interests": [CARD]})),
        ("offer-merchant", gen, g(offer=offer | {"merchant": CARD})),
        ("wrong-type", gen, g(variants=CARD)),
        ("unknown-field", gen, g(note=CARD)),
        ("template", gen, g(template=CARD)),
        (
            "guard-text",
            guard,
            {"text": f"Use {CARD} for 10% back.", "channel": "email", "offer": offer},
        ),
        ("guard-channel", guard, {"text": "x", "channel": CARD, "offer": offer}),
        ("import-text", kb, {"items": [item]}),
        ("import-wrong-type", kb, {"items": [item | {"sent": CARD}]}),
        ("import-not-an-object", kb, [CARD]),
    ]
    return [pytest.param("POST", path, body, id=name) for name, path, body in cases]


@pytest.mark.parametrize(("method", "path", "body"), _seeded_requests())
def test_a_card_number_in_a_request_is_echoed_nowhere(
    make_api: MakeApi,
    role_keys: dict[tuple[Role, str], str],
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    body: dict[str, Any] | list[Any],
) -> None:
    client = make_api().client
    with caplog.at_level(logging.DEBUG):
        r = client.request(method, path, json=body, headers=auth(role_keys[Role.admin, "acme"]))
    assert r.status_code in (200, 422), r.text
    digits = CARD.replace(" ", "")
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    for text in (r.text, logged):
        assert "4111" not in text and digits[-8:] not in text
