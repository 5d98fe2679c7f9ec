"""Request metrics by route template, the access log line, and request ids in log lines."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from offergen.limits import ApiLimits
from offergen.log_format import JsonFormatter
from tests.api.middleware.conftest import MakeRealApp, MakeTinyApp

CARD = "4111 1111 1111 1111"
GENERATE = "/v1/offers:generate"


def _samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


def test_requests_are_counted_by_route_template(real_app: MakeRealApp) -> None:
    app = real_app()
    m = app.pipeline.grounder.kb.merchants()[0]
    app.client.get(f"/v1/merchants/{m.id}/rules")
    app.client.get("/v1/merchants/m_nobody/rules")
    app.client.get("/no/such/path")
    counts = _samples(app.client.get("/metrics").text, "offergen_http_requests_total")
    rules = (("method", "GET"), ("route", "/v1/merchants/{merchant_id}/rules"))
    assert counts[(*rules[:1], rules[1], ("status", "200"))] == 1
    assert counts[(*rules[:1], rules[1], ("status", "404"))] == 1
    assert counts[(("method", "GET"), ("route", "unmatched"), ("status", "404"))] == 1
    latency = _samples(
        app.client.get("/metrics").text, "offergen_http_request_duration_seconds_count"
    )
    assert latency[rules] == 2


def test_answers_from_middleware_are_counted_under_their_route(real_app: MakeRealApp) -> None:
    app = real_app(ApiLimits(requests_per_minute=1))
    caller = {"Authorization": f"Bearer obs-{uuid.uuid4()}"}
    app.client.get("/v1/templates", headers=caller)
    app.client.get("/v1/templates", headers=caller)  # 429, answered before routing
    counts = _samples(app.client.get("/metrics").text, "offergen_http_requests_total")
    assert counts[(("method", "GET"), ("route", "/v1/templates"), ("status", "429"))] == 1


def test_log_lines_carry_the_request_id_and_no_request_content(
    real_app: MakeRealApp, caplog: pytest.LogCaptureFixture
) -> None:
    app = real_app()
    body = app.generate_body()
    body["customer"] = {"segment": f"card {CARD}", "interests": [CARD]}
    caplog.set_level(logging.DEBUG)
    r = app.client.post(
        f"{GENERATE}?note={CARD.replace(' ', '')}",
        json=body,
        headers={"X-Request-ID": "trace-0001-abc", "X-Card": CARD, "Idempotency-Key": CARD},
    )
    assert r.status_code == 422  # screened: personal data in request text
    ok = app.client.post(
        GENERATE, json=app.generate_body(), headers={"X-Request-ID": "trace-ok-02"}
    )
    assert ok.status_code == 200

    # every server-side record (the test client's own httpx lines log the URL it sent)
    server = [r for r in caplog.records if not r.name.startswith("httpx")]
    lines = [JsonFormatter().format(record) for record in server]
    parsed = [json.loads(line) for line in lines]  # one JSON object per line
    assert all("\n" not in line for line in lines)
    for digits in (CARD, CARD.replace(" ", ""), "4111"):
        assert not [line for line in lines if digits in line]
    access = [p for p in parsed if p["logger"] == "offergen.access"]
    assert [(p["request_id"], p["route"], p["status"]) for p in access] == [
        ("trace-0001-abc", GENERATE, 422),
        ("trace-ok-02", GENERATE, 200),
    ]
    assert all(p["method"] == "POST" and p["duration_ms"] >= 0 for p in access)


def test_lines_logged_by_a_route_in_its_worker_thread_carry_the_request_id(
    tiny_app: MakeTinyApp, caplog: pytest.LogCaptureFixture
) -> None:
    app = tiny_app(ApiLimits())
    caplog.set_level(logging.INFO)
    r = app.client.post("/v1/work", json={"x": 1})
    assert r.status_code == 200
    (line,) = [json.loads(JsonFormatter().format(x)) for x in caplog.records if x.name == "tiny"]
    assert line["message"] == "work ran" and line["request_id"] == r.headers["X-Request-ID"]
