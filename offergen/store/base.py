"""Protocol of the audit store, the record it keeps per variant, and a page of records."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Generic, Protocol, Self, TypeVar

from pydantic import BaseModel

from offergen.schemas import Finding, OfferTerms, TermsFinding

T = TypeVar("T")


class ReviewReason(StrEnum):
    """Why a variant waits in the review queue."""

    held = "held"  # held with only `warn` findings: a reviewer approves or rejects it
    sampled = "sampled"  # released, and picked by the policy's sample rate for a second look


class AuditRecord(BaseModel):
    """One produced variant and everything needed to explain it later.

    Nothing here is raw PII: requests carrying it are refused before generation, and the texts
    are what the guard released or held.
    """

    request_id: str
    idempotency_key: str | None = None
    tenant: str | None = None  # None: keyless dev mode
    variant: int
    created_at: datetime
    merchant_id: str
    channel: str
    jurisdiction: str
    offer: OfferTerms  # the terms the copy was checked against (to re-guard or export it)
    template: str
    template_version: str
    model_id: str
    backend: str
    sampling: dict[str, object]
    source_ids: list[str]
    text: str  # as released (or held), with any wording the guard inserted
    model_text: str  # as the model wrote it
    applied_fixes: list[Finding]
    released: bool
    attempts: int
    findings: list[Finding]
    timings_ms: dict[str, float]  # of the whole request, per stage
    review: ReviewReason | None = None  # set when the variant was queued for a reviewer
    # the customer segment the copy was written for (None: recorded before it was kept)
    segment: str | None = None


class Refusal(BaseModel):
    """A request refused before generation because its offer terms break a rule (offer
    pre-flight): recorded as a refusal, never as generated copy."""

    request_id: str
    idempotency_key: str | None = None
    tenant: str | None = None
    created_at: datetime
    merchant_id: str
    channel: str
    jurisdiction: str
    offer: OfferTerms
    findings: list[TermsFinding]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int
    next_offset: int | None  # null on the last page

    @classmethod
    def of(cls, items: list[T], total: int, offset: int, limit: int) -> Self:
        nxt = offset + len(items)
        return cls(
            items=items,
            total=total,
            offset=offset,
            limit=limit,
            next_offset=nxt if items and nxt < total else None,
        )


class AuditPage(Page[AuditRecord]):
    """Audit records, newest first."""


class AuditStore(Protocol):
    """Append-only: records are never updated or deleted. `tenant=None` reads every tenant."""

    def append(self, records: list[AuditRecord]) -> None: ...

    def by_request(self, request_id: str, tenant: str | None = None) -> list[AuditRecord]: ...

    def refuse(self, refusal: Refusal) -> None: ...

    def query(
        self,
        tenant: str | None,
        *,
        request_id: str | None = None,
        merchant_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> AuditPage: ...
