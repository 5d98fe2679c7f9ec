from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from offergen.api.metrics import ApiMetrics, observe_generation
from offergen.schemas import (
    Finding,
    GenerateResponse,
    ModelInfo,
    PromptInfo,
    Severity,
    Variant,
)


def _finding(check: str, rule_id: str) -> Finding:
    return Finding(
        check=check,
        rule_id=rule_id,
        severity=Severity.block,
        start=0,
        end=3,
        message="m",
        explanation="e",
    )


def _response() -> GenerateResponse:
    return GenerateResponse(
        request_id="r1",
        variants=[
            Variant(text="ok", released=True, findings=[], attempts=1),
            Variant(
                text="no",
                released=False,
                findings=[_finding("numbers", "numbers.rate"), _finding("pii", "pii.card")],
                attempts=2,
            ),
            Variant(text="no", released=False, findings=[_finding("pii", "pii.card")], attempts=3),
        ],
        sources=[],
        prompt=PromptInfo(template="offer_copy", version="v"),
        model=ModelInfo(id="m", backend="scripted"),
        timings_ms={"retrieve_ms": 12.0, "generate_ms": 1500.0, "total_ms": 1512.0},
    )


def _values(metrics: ApiMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = metrics.exposition().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_a_generation_counts_stages_variants_and_findings() -> None:
    metrics = ApiMetrics()
    observe_generation(metrics, _response())
    observe_generation(metrics, _response())
    v = _values(metrics)
    assert v["offergen_variants_total", (("outcome", "released"),)] == 2
    assert v["offergen_variants_total", (("outcome", "blocked"),)] == 4
    card = (("check", "pii"), ("rule_id", "pii.card"), ("severity", "block"))
    assert v["offergen_findings_total", card] == 4
    rate = (("check", "numbers"), ("rule_id", "numbers.rate"), ("severity", "block"))
    assert v["offergen_findings_total", rate] == 2
    assert v["offergen_stage_duration_seconds_count", (("stage", "generate"),)] == 2
    assert v["offergen_stage_duration_seconds_sum", (("stage", "generate"),)] == 3.0
    assert v["offergen_stage_duration_seconds_sum", (("stage", "retrieve"),)] == 0.024
    # 1.5 s falls in the 2.5 s bucket, not the 1 s one
    assert v["offergen_stage_duration_seconds_bucket", (("le", "1.0"), ("stage", "generate"))] == 0
    assert v["offergen_stage_duration_seconds_bucket", (("le", "2.5"), ("stage", "generate"))] == 2


def test_each_app_has_a_registry_of_its_own() -> None:
    a, b = ApiMetrics(), ApiMetrics()
    a.observe_request("/healthz", "GET", 200, 0.01)
    assert _values(a)["offergen_http_requests_total", _get_healthz()] == 1
    assert ("offergen_http_requests_total", _get_healthz()) not in _values(b)


def _get_healthz() -> tuple[tuple[str, str], ...]:
    return (("method", "GET"), ("route", "/healthz"), ("status", "200"))
