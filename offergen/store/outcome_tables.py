"""Outcomes of released copy, and the past offers promoted from them.

`outcome_events` is append-only like the audit trail (database triggers reject UPDATE and DELETE):
an event, once stored, is the record of what a sending system reported. Figures are sums over
events, never a row that is rewritten. `tenant` is "" for requests made in keyless dev mode, so
that (tenant, event_id) is unique on both databases (NULLs would never collide).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from offergen.store.audit_tables import _append_only
from offergen.store.database import Base

__all__ = ["NO_TENANT", "OutcomeEventRow", "PromotionRow"]

NO_TENANT = ""  # the tenant column's value for keyless dev mode

_ID = BigInteger().with_variant(Integer(), "sqlite")


class OutcomeEventRow(Base):
    __tablename__ = "outcome_events"
    __table_args__ = (
        UniqueConstraint("tenant", "event_id", name="uq_outcome_events_tenant_event"),
        Index("ix_outcome_events_request_variant", "request_id", "variant"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(128))  # the request's tenant, or NO_TENANT
    event_id: Mapped[str] = mapped_column(String(128))
    request_id: Mapped[str] = mapped_column(String(64))
    variant: Mapped[int] = mapped_column(Integer)
    sends: Mapped[int] = mapped_column(BigInteger)
    clicks: Mapped[int] = mapped_column(BigInteger)
    redemptions: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PromotionRow(Base):
    """A past offer made from a released variant: the link back to its audit record."""

    __tablename__ = "outcome_promotions"
    __table_args__ = (
        UniqueConstraint(
            "tenant", "request_id", "variant", name="uq_outcome_promotions_request_variant"
        ),
    )

    past_offer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    audit_id: Mapped[int] = mapped_column(_ID, ForeignKey("audit_records.id"), index=True)
    tenant: Mapped[str] = mapped_column(String(128))
    request_id: Mapped[str] = mapped_column(String(64))
    variant: Mapped[int] = mapped_column(Integer)
    promoted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


_append_only(OutcomeEventRow.__table__)  # type: ignore[arg-type]  # a Table at run time
