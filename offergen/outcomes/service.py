"""Outcome ingestion: validate a whole batch against the caller's released variants, store it
append-only (each event id once per tenant), then promote the variants that reach the minimum.

A batch is all or nothing: every bad event is reported by its path (`events.<i>.<field>`) and
none is stored. Another tenant's request id is an unknown request id, the same answer as one
that never existed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from offergen.errors import InvalidInputError
from offergen.outcomes.promotion import Promoter
from offergen.outcomes.schemas import OutcomeEvent, OutcomeReceipt
from offergen.store.audit_tables import as_utc
from offergen.store.base import AuditRecord
from offergen.store.outcome_log import NO_TENANT, OutcomeLog, StoredEvent, VariantKey
from offergen.store.sql_audit import SqlAuditStore

__all__ = ["Outcomes", "ReleasedVariants", "released_variants"]

# Clocks of senders drift: an event may be this far ahead of ours.
_CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class ReleasedVariants:
    """What one generate response released, as the audit trail recorded it."""

    tenant: str  # the request's tenant, or NO_TENANT
    merchant_id: str
    records: dict[int, AuditRecord] = field(default_factory=dict)  # variant index -> record

    def released(self) -> list[int]:
        return sorted(i for i, r in self.records.items() if r.released)


def released_variants(
    audit: SqlAuditStore, request_id: str, tenant: str | None
) -> ReleasedVariants | None:
    """The request's variants seen from `tenant` (None: every tenant); None when it is unknown
    to the caller. A request id the caller reused keeps its first record per variant."""
    records = audit.by_request(request_id, tenant)
    if not records:
        return None
    owner = records[0].tenant
    out = ReleasedVariants(tenant=owner or NO_TENANT, merchant_id=records[0].merchant_id)
    for r in records:
        if r.tenant == owner:
            out.records.setdefault(r.variant, r)
    return out


class Outcomes:
    def __init__(
        self, log: OutcomeLog, audit: SqlAuditStore, promoter: Promoter | None = None
    ) -> None:
        self.log, self.audit, self.promoter = log, audit, promoter

    def record(
        self, tenant: str | None, events: Sequence[OutcomeEvent], now: datetime | None = None
    ) -> OutcomeReceipt:
        """Store the batch (InvalidInputError naming each bad event; nothing stored then)."""
        now = as_utc(now or datetime.now(UTC))
        for attempt in (1, 2):
            new, duplicates, records = self._check(tenant, events, now)
            try:
                if new:
                    self.log.append(new, now)
                break
            except IntegrityError:
                # A concurrent batch stored one of these ids first: check again against it.
                if attempt == 2:
                    raise
        promoted = self.promoter.promote(records) if self.promoter is not None and new else []
        return OutcomeReceipt(accepted=len(new), duplicates=duplicates, promoted=promoted)

    def _check(
        self, tenant: str | None, events: Sequence[OutcomeEvent], now: datetime
    ) -> tuple[list[StoredEvent], int, dict[VariantKey, AuditRecord]]:
        problems: list[tuple[str, str]] = []
        requests = {
            rid: released_variants(self.audit, rid, tenant)
            for rid in dict.fromkeys(e.request_id for e in events)
        }
        candidates: list[tuple[int, StoredEvent]] = []
        for i, e in enumerate(events):
            req = requests[e.request_id]
            if req is None:
                problems.append((f"events.{i}.request_id", "unknown request_id"))
                continue
            record = req.records.get(e.variant)
            if record is None or not record.released:
                problems.append(
                    (f"events.{i}.variant", f"variant {e.variant} was not released by this request")
                )
                continue
            if as_utc(e.at) > now + _CLOCK_SKEW:
                problems.append((f"events.{i}.at", "lies in the future"))
                continue
            candidates.append((i, _stored(req.tenant, e)))

        # Replays: within the batch, and of events stored before (per tenant).
        stored: dict[str, dict[str, StoredEvent]] = {}
        for owner in {c.tenant for _, c in candidates}:
            ids = [c.event_id for _, c in candidates if c.tenant == owner]
            stored[owner] = self.log.existing(owner, ids)
        seen: dict[tuple[str, str], StoredEvent] = {}
        new: list[tuple[int, StoredEvent]] = []
        duplicates = 0
        for i, c in candidates:
            before = seen.get((c.tenant, c.event_id)) or stored[c.tenant].get(c.event_id)
            if before is None:
                seen[(c.tenant, c.event_id)] = c
                new.append((i, c))
            elif before == c:
                duplicates += 1
            else:
                problems.append((f"events.{i}.event_id", "already recorded with other figures"))

        # A variant's running totals keep clicks and redemptions within its sends.
        records: dict[VariantKey, AuditRecord] = {}
        for _, c in new:
            req = requests[c.request_id]
            assert req is not None
            records[(c.tenant, c.request_id, c.variant)] = req.records[c.variant]
        totals = self.log.totals(records)
        for i, c in new:
            t = totals[(c.tenant, c.request_id, c.variant)]
            t.sends, t.clicks, t.redemptions = (
                t.sends + c.sends,
                t.clicks + c.clicks,
                t.redemptions + c.redemptions,
            )
            for name, value in (("clicks", t.clicks), ("redemptions", t.redemptions)):
                if value > t.sends:
                    problems.append(
                        (
                            f"events.{i}.{name}",
                            f"{name} would exceed the variant's sends ({value} > {t.sends}); "
                            "report the sends first",
                        )
                    )
        if problems:
            problems.sort(key=lambda p: int(p[0].split(".")[1]))
            raise InvalidInputError(
                f"{len({p[0].split('.')[1] for p in problems})} invalid event(s); "
                "nothing was stored",
                problems,
            )
        return [c for _, c in new], duplicates, records


def _stored(tenant: str, e: OutcomeEvent) -> StoredEvent:
    return StoredEvent(
        tenant=tenant,
        event_id=e.event_id,
        request_id=e.request_id,
        variant=e.variant,
        sends=e.sends,
        clicks=e.clicks,
        redemptions=e.redemptions,
        at=as_utc(e.at),
    )
