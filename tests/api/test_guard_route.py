from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from offergen.api.app import create_app
from offergen.app_context import assemble
from offergen.config import Settings
from tests.support.pipelines import MakePipeline

OFFER = {"kind": "cashback", "merchant": "FreshMart", "value": 10, "unit": "percent"}


@pytest.fixture
def client(make_pipeline: MakePipeline, tmp_path: Path) -> TestClient:
    pipeline, _ = make_pipeline([])
    return TestClient(create_app(assemble(Settings(data_dir=tmp_path), pipeline)))


def _check(client: TestClient, text: str, **over: Any) -> Any:
    body = {"text": text, "channel": "email", "jurisdiction": "US", "offer": OFFER, **over}
    return client.post("/v1/guard/check", json=body)


def test_backed_copy_is_released(client: TestClient) -> None:
    text = "Get 10% cash back at FreshMart. Terms apply."
    r = _check(client, text)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["released"] is True and body["policy"] == "us-default"
    assert body["text"] is not None and text in body["text"]


def test_held_copy_has_no_text_and_explains_why(client: TestClient) -> None:
    r = _check(client, "Get 25% cash back at FreshMart. Terms apply.")
    body = r.json()
    assert body["released"] is False and body["text"] is None
    finding = next(f for f in body["findings"] if f["check"] == "numbers")
    assert "25%" in finding["explanation"]


def test_named_policy_and_unknown_policy(client: TestClient) -> None:
    assert _check(client, "x", policy="eu-default").json()["policy"] == "eu-default"
    r = _check(client, "x", policy="nope")
    assert r.status_code == 404 and "available" in r.json()["detail"]


def test_bad_case_is_422_naming_the_field(client: TestClient) -> None:
    r = _check(client, "x", channel="fax")
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["body.channel"]
