"""Campaigns and their items: the durable job queue that workers (local or on Ray) pull from.

An item row is also its result: a worker leases it (`claimed_by`, `lease_until`), generates, and
writes the response and `done` in one transaction fenced on its lease, so a worker whose lease
was taken over cannot record a second result. The primary key (campaign_id, item) makes every
item exist exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Double, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from offergen.store.database import Base

__all__ = ["CampaignItemRow", "CampaignRow"]


class CampaignRow(Base):
    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_tenant_created", "tenant", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str | None] = mapped_column(String(128))  # None: keyless dev mode
    status: Mapped[str] = mapped_column(String(16), index=True)  # CampaignState
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CampaignItemRow(Base):
    __tablename__ = "campaign_items"
    # what claim() scans: the open items of active campaigns
    __table_args__ = (Index("ix_campaign_items_campaign_status", "campaign_id", "status"),)

    campaign_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0-based, as submitted
    request: Mapped[dict[str, Any]] = mapped_column(JSON)  # the GenerateRequest
    status: Mapped[str] = mapped_column(String(16))  # ItemState
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[float | None] = mapped_column(Double)  # epoch seconds
    # the request id of the attempt whose result (and audit records) count
    request_id: Mapped[str | None] = mapped_column(String(64))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the GenerateResponse
    error: Mapped[str | None] = mapped_column(Text)  # a safe message: no request text
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
