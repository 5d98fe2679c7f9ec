"""API keys and tenants (who may call, for which merchants, in which role)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from offergen.store.database import Base

__all__ = ["ApiKeyRow"]


class ApiKeyRow(Base):
    """One API key. The secret is never stored: only the SHA-256 of the whole key."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_revoked_at", "revoked_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    key_hash: Mapped[str] = mapped_column(String(64))  # hex SHA-256 of the plaintext key
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
