"""The audit trail in the service's database (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select

from offergen.store.audit_tables import AuditRow, RefusalRow, ReviewItemRow, as_utc
from offergen.store.base import AuditPage, AuditRecord, Refusal
from offergen.store.database import Database


class SqlAuditStore:
    """Append-only by construction: no method changes or removes a row, and the tables' triggers
    refuse UPDATE and DELETE from anywhere else."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def append(self, records: list[AuditRecord]) -> None:
        """Write the records, and queue those marked for review, in one transaction."""
        if not records:
            return
        rows = [AuditRow.from_record(r) for r in records]
        with self.db.transaction() as s:
            s.add_all(rows)
            s.flush()  # assigns the ids the queue refers to
            now = datetime.now(UTC)
            s.add_all(
                ReviewItemRow(audit_id=row.id, queued_for=r.review.value, queued_at=now)
                for row, r in zip(rows, records, strict=True)
                if r.review is not None
            )

    def refuse(self, refusal: Refusal) -> None:
        """Record a request refused before generation."""
        with self.db.transaction() as s:
            s.add(RefusalRow.from_refusal(refusal))

    def refusals(self, request_id: str, tenant: str | None = None) -> list[Refusal]:
        """The refusals of a request (one, or none); another tenant's reads as none."""
        stmt = select(RefusalRow).where(RefusalRow.request_id == request_id)
        if tenant is not None:
            stmt = stmt.where(RefusalRow.tenant == tenant)
        with self.db.read() as s:
            return [row.to_refusal() for row in s.scalars(stmt.order_by(RefusalRow.id))]

    def by_request(self, request_id: str, tenant: str | None = None) -> list[AuditRecord]:
        """The request's variants in order; another tenant's request reads as none."""
        stmt = _scoped(select(AuditRow), tenant).where(AuditRow.request_id == request_id)
        with self.db.read() as s:
            return [row.to_record() for row in s.scalars(stmt.order_by(AuditRow.id))]

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
    ) -> AuditPage:
        """Newest first; `since` is inclusive, `until` exclusive; `tenant=None` is every tenant."""
        conditions: list[Any] = []
        if request_id is not None:
            conditions.append(AuditRow.request_id == request_id)
        if merchant_id is not None:
            conditions.append(AuditRow.merchant_id == merchant_id)
        if since is not None:
            conditions.append(AuditRow.created_at >= as_utc(since))
        if until is not None:
            conditions.append(AuditRow.created_at < as_utc(until))
        rows = _scoped(select(AuditRow), tenant).where(*conditions)
        count = _scoped(select(func.count()).select_from(AuditRow), tenant).where(*conditions)
        page = rows.order_by(AuditRow.created_at.desc(), AuditRow.id.desc())
        with self.db.read() as s:
            items = [r.to_record() for r in s.scalars(page.offset(offset).limit(limit))]
            total = s.scalar(count) or 0
        return AuditPage.of(items, total, offset, limit)


def _scoped(stmt: Select[Any], tenant: str | None) -> Select[Any]:
    return stmt if tenant is None else stmt.where(AuditRow.tenant == tenant)
