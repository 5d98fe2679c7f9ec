"""What a campaign is made of, as clients submit and read it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, model_validator

from offergen.campaigns.config import MAX_ITEMS
from offergen.schemas import GenerateResponse, Strict

__all__ = [
    "CampaignCreated",
    "CampaignState",
    "CampaignStatus",
    "CampaignSubmit",
    "ItemResult",
    "ItemState",
]


class CampaignState(StrEnum):
    queued = "queued"  # no item claimed yet
    running = "running"
    completed = "completed"  # every item finished, at least one done
    cancelled = "cancelled"
    failed = "failed"  # every item failed

    @property
    def final(self) -> bool:
        return self in (CampaignState.completed, CampaignState.cancelled, CampaignState.failed)


class ItemState(StrEnum):
    queued = "queued"
    running = "running"  # leased by a worker
    done = "done"
    failed = "failed"
    cancelled = "cancelled"


class CampaignSubmit(Strict):
    """`POST /v1/campaigns`: either `items` (GenerateRequests), or one `request` (a
    GenerateRequest without `customer`) sent to each of `customers` (CustomerContexts).

    Items are validated one by one, not by the framework, so that every bad one is reported by
    index; a submission with any bad item stores nothing."""

    items: list[dict[str, Any]] | None = Field(default=None, min_length=1, max_length=MAX_ITEMS)
    request: dict[str, Any] | None = Field(
        default=None, description="with `customers`: the request every customer gets"
    )
    customers: list[dict[str, Any]] | None = Field(default=None, min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _one_shape(self) -> CampaignSubmit:
        if (self.items is None) == (self.request is None and self.customers is None):
            raise ValueError("give either `items`, or `request` with `customers`")
        if self.items is None and (self.request is None or self.customers is None):
            raise ValueError("`request` and `customers` go together")
        return self


class CampaignCreated(BaseModel):
    id: str
    total: int


class CampaignStatus(BaseModel):
    id: str
    status: CampaignState
    total: int
    queued: int
    running: int
    done: int
    failed: int
    cancelled: int
    progress: float = Field(description="finished items (done, failed or cancelled) / total")
    items_per_s: float | None = Field(description="finished items per second since the start")
    eta_s: float | None = Field(description="seconds until the last item at the current rate")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ItemResult(BaseModel):
    """One line of the results: a done item carries its response, a failed one its error."""

    item: int = Field(description="0-based index of the item as submitted")
    status: ItemState
    request_id: str | None = Field(
        description="the attempt whose response and audit records count (`<campaign>-<item>`, "
        "with `.<attempt>` after a retry)"
    )
    response: GenerateResponse | None = None
    error: str | None = None
