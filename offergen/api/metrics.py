"""Prometheus instruments of the API, in a registry of their own per app (tests build many apps,
and the process-wide default registry refuses a metric name twice)."""

from __future__ import annotations

from fastapi import Request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)

from offergen.schemas import GenerateResponse

__all__ = ["CONTENT_TYPE_LATEST", "ApiMetrics", "app_metrics", "observe_generation"]

# Seconds: from a guard check (milliseconds) to a CPU generation (up to the request timeout).
LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self.requests = Counter(
            "offergen_http_requests",
            "HTTP requests by route template, method and status code",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "offergen_http_request_duration_seconds",
            "HTTP request latency by route template and method",
            ["route", "method"],
            buckets=LATENCY_BUCKETS_S,
            registry=self.registry,
        )
        self.stages = Histogram(
            "offergen_stage_duration_seconds",
            "Time spent in each pipeline stage of a generation (retrieve, render, generate, ...)",
            ["stage"],
            buckets=LATENCY_BUCKETS_S,
            registry=self.registry,
        )
        self.variants = Counter(
            "offergen_variants",
            "Generated variants by outcome (released or blocked)",
            ["outcome"],
            registry=self.registry,
        )
        self.findings = Counter(
            "offergen_findings",
            "Guard findings on generated variants by check, rule and severity",
            ["check", "rule_id", "severity"],
            registry=self.registry,
        )
        self.replays = Counter(
            "offergen_idempotent_replays",
            "Responses replayed for a repeated Idempotency-Key",
            registry=self.registry,
        )

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format (served as CONTENT_TYPE_LATEST)."""
        return generate_latest(self.registry)


def observe_generation(metrics: ApiMetrics, response: GenerateResponse) -> None:
    """Count one generation's stage timings, variants and findings (the offers route calls it)."""
    for key, ms in response.timings_ms.items():
        metrics.stages.labels(key.removesuffix("_ms")).observe(ms / 1000)
    for variant in response.variants:
        metrics.variants.labels("released" if variant.released else "blocked").inc()
        for f in variant.findings:
            metrics.findings.labels(f.check, f.rule_id, f.severity.value).inc()


def app_metrics(request: Request) -> ApiMetrics:
    """The app's instruments (a route dependency: `Annotated[ApiMetrics, Depends(app_metrics)]`)."""
    metrics: ApiMetrics = request.app.state.metrics
    return metrics
