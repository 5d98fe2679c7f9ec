"""The audit trail as the console shows it: the same query as `/v1/audit/records`, and one
request's whole trace (its variants with their findings, or its refusal)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from offergen.api.principal import Principal
from offergen.app_context import AppContext
from offergen.console.highlight import Piece, pieces
from offergen.errors import InvalidInputError, NotFoundError
from offergen.store.base import AuditPage, AuditRecord, Refusal

PAGE = 50


@dataclass(frozen=True)
class Search:
    request_id: str = ""
    merchant_id: str = ""
    since: str = ""  # as typed (datetime-local or ISO 8601); no zone = UTC, as the API
    until: str = ""
    offset: int = 0

    def query(self, **over: object) -> str:
        values = {
            "request_id": self.request_id,
            "merchant_id": self.merchant_id,
            "since": self.since,
            "until": self.until,
            "offset": self.offset,
        } | over
        return urlencode({k: v for k, v in values.items() if v not in ("", 0)})


def _when(name: str, value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        why = "a date and time like 2026-01-31T09:00"
        raise InvalidInputError(f"{name}: {why}", [(name, why)]) from None


def search(ctx: AppContext, principal: Principal, s: Search) -> AuditPage:
    return ctx.audit.query(
        principal.tenant,
        request_id=s.request_id or None,
        merchant_id=s.merchant_id or None,
        since=_when("since", s.since),
        until=_when("until", s.until),
        offset=s.offset,
        limit=PAGE,
    )


@dataclass(frozen=True)
class TraceVariant:
    record: AuditRecord
    pieces: list[Piece]


@dataclass(frozen=True)
class Trace:
    request_id: str
    variants: list[TraceVariant]
    refusals: list[Refusal]


def trace(ctx: AppContext, principal: Principal, request_id: str) -> Trace:
    records = ctx.audit.by_request(request_id, principal.tenant)
    refusals = ctx.audit.refusals(request_id, principal.tenant)
    if not records and not refusals:
        raise NotFoundError(f"unknown request {request_id}")  # or another tenant's
    return Trace(
        request_id,
        [TraceVariant(r, pieces(r.text, r.findings)) for r in records],
        refusals,
    )
