"""The OpenAPI schema says what the API really does: every status a route can answer, errors as
application/problem+json, X-Request-ID on every response, the Bearer scheme and its 401."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import MakeApi
from tests.api.routes_table import ROUTES, Route

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@pytest.fixture
def spec(make_api: MakeApi) -> dict[str, Any]:
    schema: dict[str, Any] = make_api().client.get("/openapi.json").json()
    return schema


def _operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    path = path.replace("m_freshmart", "{merchant_id}")
    op: dict[str, Any] = spec["paths"][path][method.lower()]
    return op


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_route_declares_its_problems(spec: dict[str, Any], route: Route) -> None:
    responses = _operation(spec, route.method, route.path)["responses"]
    expected = {str(route.ok), "401", "403", "413", "422", "429", "500", "503"}
    if route.body is not None:
        expected |= {"400", "409"}
    if route.not_found:
        expected |= {"404"}
    assert set(responses) == expected
    for status, response in responses.items():
        if status != str(route.ok):
            assert response["content"] == PROBLEM, status
        assert response["headers"]["X-Request-ID"]["required"] is True
    assert "WWW-Authenticate" in responses["401"]["headers"]
    for status in ("429", "503"):
        assert responses[status]["headers"]["Retry-After"]["required"] is True


def test_routes_need_a_bearer_key_and_probes_do_not(spec: dict[str, Any]) -> None:
    bearer = spec["components"]["securitySchemes"]["HTTPBearer"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert "offergen keys create" in bearer["description"]
    for route in ROUTES:
        assert _operation(spec, route.method, route.path)["security"] == [{"HTTPBearer": []}]
    for path in ("/healthz", "/readyz"):
        assert "security" not in spec["paths"][path]["get"]


def test_generate_documents_the_idempotency_key(spec: dict[str, Any]) -> None:
    params = _operation(spec, "POST", "/v1/offers:generate")["parameters"]
    key = next(p for p in params if p["name"] == "Idempotency-Key")
    assert key["in"] == "header" and key["required"] is False


def test_no_error_is_documented_as_plain_json(spec: dict[str, Any]) -> None:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")) and path.startswith("/v1"):
                    assert "application/json" not in response.get("content", {}), (
                        method,
                        path,
                        status,
                    )
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_problem_schema_matches_the_bodies(spec: dict[str, Any]) -> None:
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"title", "status", "detail", "request_id"}
    assert set(problem["properties"]) == {
        "type",
        "title",
        "status",
        "detail",
        "request_id",
        "errors",
    }
