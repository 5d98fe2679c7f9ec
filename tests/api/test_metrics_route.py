from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from offergen.api.app import create_app
from offergen.app_context import assemble
from offergen.config import Settings
from tests.support.pipelines import MakePipeline


def _client(make_pipeline: MakePipeline, tmp_path: Path) -> TestClient:
    pipeline, _ = make_pipeline(["Get 10% cashback at FreshMart. Terms apply."] * 5)
    return TestClient(create_app(assemble(Settings(data_dir=tmp_path), pipeline)))


def test_metrics_are_served_in_the_prometheus_text_format(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    client = _client(make_pipeline, tmp_path)
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert "X-Request-ID" in r.headers
    families = {f.name: f for f in text_string_to_metric_families(r.text)}
    requests = {
        tuple(sorted(s.labels.items())): s.value
        for s in families["offergen_http_requests"].samples
        if s.name == "offergen_http_requests_total"
    }
    assert requests[(("method", "GET"), ("route", "/healthz"), ("status", "200"))] == 2
    assert "offergen_http_request_duration_seconds" in families
    for name in ("offergen_stage_duration_seconds", "offergen_variants", "offergen_findings"):
        assert families[name].documentation  # declared (and empty) before any generation


def test_metrics_of_two_apps_do_not_mix(make_pipeline: MakePipeline, tmp_path: Path) -> None:
    one, two = _client(make_pipeline, tmp_path), _client(make_pipeline, tmp_path)
    one.get("/healthz")
    assert 'route="/healthz"' in one.get("/metrics").text
    assert 'route="/healthz"' not in two.get("/metrics").text
