"""The outcome events in the service's database: append, look up by event id, sum per variant.

Every figure the service shows (an experiment's arms, a promoted past offer) is a sum over these
events, so an event counts once however often it is replayed. Requests are named by (tenant,
request_id): a caller-chosen X-Request-ID may repeat across tenants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, tuple_

from offergen.store.audit_tables import as_utc
from offergen.store.database import Database
from offergen.store.outcome_tables import NO_TENANT, OutcomeEventRow

__all__ = ["NO_TENANT", "OutcomeLog", "StoredEvent", "Totals", "VariantKey"]

_CHUNK = 500  # keys per IN (...) clause

# (tenant, request_id, variant); tenant is NO_TENANT for keyless dev mode
VariantKey = tuple[str, str, int]


@dataclass(frozen=True)
class StoredEvent:
    tenant: str
    event_id: str
    request_id: str
    variant: int
    sends: int
    clicks: int
    redemptions: int
    at: datetime


@dataclass
class Totals:
    sends: int = 0
    clicks: int = 0
    redemptions: int = 0
    events: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    # sends of events younger than a feedback window: (at, sends), for maturity weighting
    recent: list[tuple[datetime, int]] = field(default_factory=list)


def _chunks(items: Sequence[object]) -> Iterable[Sequence[object]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class OutcomeLog:
    """Append-only by construction, like the audit trail: nothing here changes a stored row."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def existing(self, tenant: str, event_ids: Sequence[str]) -> dict[str, StoredEvent]:
        """The stored events of `tenant` among `event_ids`."""
        out: dict[str, StoredEvent] = {}
        with self.db.read() as s:
            for chunk in _chunks(list(dict.fromkeys(event_ids))):
                stmt = select(OutcomeEventRow).where(
                    OutcomeEventRow.tenant == tenant, OutcomeEventRow.event_id.in_(chunk)
                )
                out.update((r.event_id, _event(r)) for r in s.scalars(stmt))
        return out

    def append(self, events: Sequence[StoredEvent], received_at: datetime) -> None:
        """All in one transaction; a (tenant, event_id) already stored raises IntegrityError
        and writes nothing."""
        with self.db.transaction() as s:
            s.add_all(
                OutcomeEventRow(
                    tenant=e.tenant,
                    event_id=e.event_id,
                    request_id=e.request_id,
                    variant=e.variant,
                    sends=e.sends,
                    clicks=e.clicks,
                    redemptions=e.redemptions,
                    at=as_utc(e.at),
                    received_at=as_utc(received_at),
                )
                for e in events
            )

    def totals(
        self, keys: Iterable[VariantKey], *, recent_since: datetime | None = None
    ) -> dict[VariantKey, Totals]:
        """Sums per variant (absent keys: zeros). With `recent_since`, each total also lists
        the (at, sends) of its events at or after that time."""
        wanted = list(dict.fromkeys(keys))
        out: dict[VariantKey, Totals] = {k: Totals() for k in wanted}
        t = OutcomeEventRow
        cols = tuple_(t.tenant, t.request_id, t.variant)
        with self.db.read() as s:
            for chunk in _chunks(wanted):
                stmt = (
                    select(
                        t.tenant,
                        t.request_id,
                        t.variant,
                        func.sum(t.sends),
                        func.sum(t.clicks),
                        func.sum(t.redemptions),
                        func.count(),
                        func.min(t.at),
                        func.max(t.at),
                    )
                    .where(cols.in_(chunk))
                    .group_by(t.tenant, t.request_id, t.variant)
                )
                for tenant, rid, variant, sends, clicks, reds, n, first, last in s.execute(stmt):
                    out[(tenant, rid, variant)] = Totals(
                        sends=int(sends or 0),
                        clicks=int(clicks or 0),
                        redemptions=int(reds or 0),
                        events=int(n),
                        first_at=as_utc(first),
                        last_at=as_utc(last),
                    )
                if recent_since is not None:
                    recent = select(t.tenant, t.request_id, t.variant, t.at, t.sends).where(
                        cols.in_(chunk), t.at >= as_utc(recent_since)
                    )
                    for tenant, rid, variant, at, sends in s.execute(recent):
                        out[(tenant, rid, variant)].recent.append((as_utc(at), int(sends)))
        return out

    def count(self) -> int:
        with self.db.read() as s:
            return s.scalar(select(func.count()).select_from(OutcomeEventRow)) or 0


def _event(r: OutcomeEventRow) -> StoredEvent:
    return StoredEvent(
        tenant=r.tenant,
        event_id=r.event_id,
        request_id=r.request_id,
        variant=r.variant,
        sends=r.sends,
        clicks=r.clicks,
        redemptions=r.redemptions,
        at=as_utc(r.at),
    )
