"""Protocol of the audit store."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel

from offergen.schemas import Finding


class AuditRecord(BaseModel):
    """One produced variant and everything needed to explain it later."""

    request_id: str
    idempotency_key: str | None = None
    tenant: str | None = None  # None: keyless dev mode
    variant: int
    created_at: datetime
    merchant_id: str
    channel: str
    jurisdiction: str
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


class AuditStore(Protocol):
    def append(self, records: list[AuditRecord]) -> None: ...

    def by_request(self, request_id: str) -> list[AuditRecord]: ...
