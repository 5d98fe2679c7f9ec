"""The audit trail (one row per variant) and the review queue (queued variants, decisions).

All three tables are append-only: database triggers reject UPDATE and DELETE (and TRUNCATE on
PostgreSQL), so not even a bug in the service, or a hand-typed statement, can rewrite the record.
A review is decided by inserting its one decision row, never by changing the queued row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from offergen.store.base import AuditRecord, Refusal
from offergen.store.database import Base

__all__ = [
    "REASON_MAX",
    "AuditRow",
    "RefusalRow",
    "ReviewDecisionRow",
    "ReviewItemRow",
    "as_utc",
]

REASON_MAX = 500  # characters of a reviewer's reason

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
_ID = BigInteger().with_variant(Integer(), "sqlite")


def as_utc(value: datetime) -> datetime:
    """Aware UTC. SQLite keeps no zone, so every time is stored and compared in UTC, and a naive
    time (read back from SQLite, or given by a caller) is taken to be UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AuditRow(Base):
    __tablename__ = "audit_records"
    __table_args__ = (
        Index("ix_audit_records_tenant_created", "tenant", "created_at"),
        Index("ix_audit_records_merchant_created", "merchant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(64), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    tenant: Mapped[str | None] = mapped_column(String(128))
    variant: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    merchant_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    jurisdiction: Mapped[str] = mapped_column(String(8))
    offer: Mapped[dict[str, Any]] = mapped_column(JSON)
    template: Mapped[str] = mapped_column(String(128))
    template_version: Mapped[str] = mapped_column(String(64))
    model_id: Mapped[str] = mapped_column(String(200))
    backend: Mapped[str] = mapped_column(String(32))
    sampling: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_ids: Mapped[list[str]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    model_text: Mapped[str] = mapped_column(Text)
    applied_fixes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    released: Mapped[bool] = mapped_column(Boolean)
    attempts: Mapped[int] = mapped_column(Integer)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    timings_ms: Mapped[dict[str, float]] = mapped_column(JSON)
    review: Mapped[str | None] = mapped_column(String(16))
    segment: Mapped[str | None] = mapped_column(String(80))

    @classmethod
    def from_record(cls, record: AuditRecord) -> AuditRow:
        values = record.model_dump(mode="json")  # findings, offer and enums as JSON values
        values["created_at"] = as_utc(record.created_at)
        return cls(**values)

    def to_record(self) -> AuditRecord:
        values = {name: getattr(self, name) for name in AuditRecord.model_fields}
        values["created_at"] = as_utc(self.created_at)
        return AuditRecord.model_validate(values)


class RefusalRow(Base):
    """A request refused before generation (offer pre-flight), with the rules its terms broke."""

    __tablename__ = "audit_refusals"
    __table_args__ = (Index("ix_audit_refusals_tenant_created", "tenant", "created_at"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(64), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    tenant: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    merchant_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    jurisdiction: Mapped[str] = mapped_column(String(8))
    offer: Mapped[dict[str, Any]] = mapped_column(JSON)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    @classmethod
    def from_refusal(cls, refusal: Refusal) -> RefusalRow:
        values = refusal.model_dump(mode="json")
        values["created_at"] = as_utc(refusal.created_at)
        return cls(**values)

    def to_refusal(self) -> Refusal:
        values = {name: getattr(self, name) for name in Refusal.model_fields}
        values["created_at"] = as_utc(self.created_at)
        return Refusal.model_validate(values)


class ReviewItemRow(Base):
    """A variant waiting for (or past) a reviewer; pending while it has no decision row."""

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    audit_id: Mapped[int] = mapped_column(_ID, ForeignKey("audit_records.id"), unique=True)
    queued_for: Mapped[str] = mapped_column(String(16))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReviewDecisionRow(Base):
    """The one decision on a review item: the unique review_id makes a second one fail, even
    when two reviewers decide at the same moment."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    review_id: Mapped[int] = mapped_column(_ID, ForeignKey("review_items.id"), unique=True)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    reviewer: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION offergen_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only';
END
$$
"""


def _append_only(table: Table) -> None:
    """Triggers that reject changing or removing rows, created right after the table."""
    statements = [
        (
            "sqlite",
            "CREATE TRIGGER %(table)s_no_update BEFORE UPDATE ON %(table)s "
            "BEGIN SELECT RAISE(ABORT, '%(table)s is append-only'); END",
        ),
        (
            "sqlite",
            "CREATE TRIGGER %(table)s_no_delete BEFORE DELETE ON %(table)s "
            "BEGIN SELECT RAISE(ABORT, '%(table)s is append-only'); END",
        ),
        ("postgresql", _PG_FUNCTION),
        (
            "postgresql",
            "CREATE TRIGGER %(table)s_append_only BEFORE UPDATE OR DELETE ON %(table)s "
            "FOR EACH ROW EXECUTE FUNCTION offergen_append_only()",
        ),
        (
            "postgresql",
            "CREATE TRIGGER %(table)s_no_truncate BEFORE TRUNCATE ON %(table)s "
            "FOR EACH STATEMENT EXECUTE FUNCTION offergen_append_only()",
        ),
    ]
    for dialect, statement in statements:
        ddl = DDL(statement)  # type: ignore[no-untyped-call]  # untyped in SQLAlchemy
        event.listen(table, "after_create", ddl.execute_if(dialect=dialect))


for _row in (AuditRow, ReviewItemRow, ReviewDecisionRow, RefusalRow):
    _append_only(_row.__table__)  # type: ignore[arg-type]  # a Table at run time
