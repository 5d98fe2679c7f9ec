"""State shared across API replicas: idempotency keys and rate-limit buckets.

Both tables are written with single-statement upserts (`INSERT ... ON CONFLICT`), which SQLite
and PostgreSQL both run atomically, so concurrent requests on several replicas agree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Double, Index, Integer, LargeBinary, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from offergen.store.database import Base

__all__ = ["IdempotencyRow", "RateLimitRow", "upsert_for"]

_SHA256_HEX = String(64)


class IdempotencyRow(Base):
    """One claimed `Idempotency-Key` of one caller, and the response it produced once done.

    Neither the key nor the caller's token is stored in clear: both are SHA-256 hex digests, so
    a client that puts personal data in a key does not put it in the database."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (Index("ix_api_idempotency_keys_expires_at", "expires_at"),)

    identity: Mapped[str] = mapped_column(_SHA256_HEX, primary_key=True)
    key_hash: Mapped[str] = mapped_column(_SHA256_HEX, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(_SHA256_HEX)  # method, path and body
    status: Mapped[str] = mapped_column(String(16))  # in_progress | completed
    claim: Mapped[str] = mapped_column(String(32))  # which attempt holds the key
    locked_until: Mapped[float] = mapped_column(Double)  # an in_progress claim older is abandoned
    expires_at: Mapped[float] = mapped_column(Double)  # epoch seconds
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(200), nullable=True)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class RateLimitRow(Base):
    """Requests of one caller in the current fixed one-minute window."""

    __tablename__ = "api_rate_limits"

    identity: Mapped[str] = mapped_column(_SHA256_HEX, primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, index=True)  # epoch minute
    hits: Mapped[int] = mapped_column(Integer)


def upsert_for(dialect: str) -> Callable[[Any], Any]:
    """The dialect's `insert()`, which has `on_conflict_do_*` (both dialects spell it alike)."""
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise ValueError(f"no upsert for database dialect '{dialect}'; use sqlite or postgresql")
