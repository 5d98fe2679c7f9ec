"""API limits: what one caller may send and how often (settings, validated)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ApiLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_body_bytes: int = Field(default=1_000_000, ge=1_024, description="larger bodies get 413")
    max_body_bytes_by_path: dict[str, int] = Field(
        # a campaign of 100,000 requests is about 30 MB of JSON
        default_factory=lambda: {"/v1/campaigns": 64_000_000},
        description="larger limits for the routes that take batches",
    )
    requests_per_minute: int = Field(default=600, ge=1, description="per API key; 429 above")
    rate_limit_exempt: list[str] = Field(
        default_factory=lambda: ["/healthz", "/readyz", "/metrics"],
        description="paths that are never rate limited (probes and scrapers)",
    )
    idempotency_ttl_s: int = Field(default=86_400, ge=60, description="how long keys replay")
    idempotency_poll_s: float = Field(
        default=0.1,
        gt=0,
        le=5,
        description="how often a request waits on another one holding its Idempotency-Key",
    )
    request_timeout_s: float = Field(default=120.0, gt=0, description="per request, then 503")
