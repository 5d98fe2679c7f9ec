"""Experiments between released variants, and the sticky assignment of customers to arms.

A customer key is stored only as a hash (keyed by the experiment): the key may be a customer
identifier, and the service only ever needs to recognise it again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Double, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from offergen.store.database import Base

__all__ = ["AssignmentRow", "ExperimentRow"]


class ExperimentRow(Base):
    __tablename__ = "experiments"
    __table_args__ = (Index("ix_experiments_tenant_created", "tenant", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str | None] = mapped_column(String(128))  # None: keyless dev mode
    request_id: Mapped[str] = mapped_column(String(64))
    merchant_id: Mapped[str] = mapped_column(String(64))
    arms: Mapped[list[int]] = mapped_column(JSON)  # variant indexes of the request
    policy: Mapped[str] = mapped_column(String(16))
    min_sends_per_arm: Mapped[int] = mapped_column(Integer)
    holdout_share: Mapped[float] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AssignmentRow(Base):
    """The primary key makes a customer's first assignment the only one, even under races."""

    __tablename__ = "experiment_assignments"

    experiment_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("experiments.id"), primary_key=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    arm: Mapped[int] = mapped_column(Integer)  # a variant index
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
