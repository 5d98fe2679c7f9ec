"""OWASP LLM10 (unbounded consumption) at the API: a request cannot ask for more variants than
the schema allows or raise the model's token limit or sampling (those belong to the template and
the model profile). Oversized and slow bodies: tests/api/middleware/test_body_limit.py and
test_timeout.py; request rates: test_rate_limit.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from offergen.api.app import create_app
from offergen.app_context import assemble
from offergen.config import Settings
from tests.support.pipelines import MakePipeline


def _body(**over: Any) -> dict[str, Any]:
    offer = {"kind": "cashback", "merchant": "FreshMart", "value": 10, "unit": "percent"}
    return {"merchant_id": "m_x", "offer": offer, "channel": "sms", "variants": 1, **over}


@pytest.fixture
def client(make_pipeline: MakePipeline, tmp_path: Path) -> TestClient:
    pipeline, backend = make_pipeline([])
    app = create_app(assemble(Settings(data_dir=tmp_path), pipeline))
    app.state.backend_calls = backend.calls
    return TestClient(app)


LIMITS: list[tuple[str, Any]] = [
    ("variants", 9),
    ("variants", 10_000),
    ("max_new_tokens", 100_000),
    ("max_tokens", 100_000),
    ("n", 64),
    ("sampling", {"temperature": 2.0}),
]


def test_a_request_cannot_raise_its_own_limits(client: TestClient) -> None:
    for field, value in LIMITS:
        r = client.post("/v1/offers:generate", json=_body(**{field: value}))
        assert r.status_code == 422, (field, r.text)
        assert f"body.{field}" in {e["field"] for e in r.json()["errors"]}
    assert client.app.state.backend_calls == []  # type: ignore[attr-defined]
