"""The knobs of campaign workers, with defaults; the CLI takes overrides as options."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

__all__ = ["MAX_ITEMS", "WorkerConfig"]

MAX_ITEMS = 100_000  # items one submission may carry


class WorkerConfig(BaseModel):
    model_config = {"extra": "forbid", "frozen": True}

    concurrency: int = Field(
        default=8,
        ge=1,
        le=256,
        description="items a worker generates at once (threads): a vLLM server batches them",
    )
    lease_s: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="how long a claimed item stays a worker's without a heartbeat; a killed "
        "worker's items are claimed again after this",
    )
    poll_s: float = Field(default=1.0, gt=0, le=60, description="wait between empty claims")
    max_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description="tries per item (a transient error or a lost worker costs one)",
    )

    @model_validator(mode="after")
    def _heartbeat_fits(self) -> WorkerConfig:
        if self.poll_s > self.lease_s / 2:
            raise ValueError("poll_s must be at most half of lease_s, or leases lapse unrenewed")
        return self

    @property
    def heartbeat_s(self) -> float:
        """Leases are renewed three times per lease, so one late renewal loses nothing."""
        return self.lease_s / 3
