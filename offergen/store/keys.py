"""API keys: a random secret shown once at creation, stored only as its SHA-256, found by id.

A key reads `og_<id>_<secret>`. The id finds the row in one lookup (no scan over every hash) and
can name the key in logs and rate limits; the secret is 256 random bits, so one SHA-256 is as
strong as a slow password hash would be (nobody chose it, there is nothing to guess).
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import func, select, update

from offergen.errors import InvalidInputError, NotFoundError
from offergen.schemas import Tenant
from offergen.store.auth_tables import ApiKeyRow
from offergen.store.database import Database

__all__ = ["KeyInfo", "KeyStore", "Role", "key_id_of", "parse_role"]

_PREFIX = "og"
_KEY = re.compile(rf"^{_PREFIX}_([0-9a-f]{{16}})_[A-Za-z0-9_-]{{43}}$")
_LABEL_MAX = 200
# last_used_at is refreshed at most this often: one write per key per minute, not per request.
_TOUCH_EVERY = timedelta(minutes=1)
_TENANT: TypeAdapter[str] = TypeAdapter(Tenant)


class Role(StrEnum):
    marketing = "marketing"  # generate copy
    reviewer = "reviewer"  # guard checks, audit records, the review queue
    admin = "admin"  # knowledge base and keys; may do everything the others may


class KeyInfo(BaseModel):
    """What is known about a key; never its secret."""

    id: str
    tenant: str
    role: Role
    label: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def key_id_of(plaintext: str) -> str | None:
    """The id inside a well-formed key, None for anything else (nothing is looked up)."""
    m = _KEY.match(plaintext)
    return m.group(1) if m else None


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every one stored here is UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _info(row: ApiKeyRow) -> KeyInfo:
    created = _utc(row.created_at)
    assert created is not None  # NOT NULL column
    return KeyInfo(
        id=row.id,
        tenant=row.tenant,
        role=Role(row.role),
        label=row.label,
        created_at=created,
        revoked_at=_utc(row.revoked_at),
        last_used_at=_utc(row.last_used_at),
    )


def parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise InvalidInputError(
            f"unknown role {role!r}; valid roles: {valid}", [("role", "unknown role")]
        ) from None


def _tenant(tenant: str) -> str:
    try:
        return _TENANT.validate_python(tenant)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise InvalidInputError(f"invalid tenant: {reason}", [("tenant", reason)]) from None


class KeyStore:
    """API keys in the service's database (SQLite or PostgreSQL). Cheap to construct."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, tenant: str, role: Role | str, label: str = "") -> tuple[KeyInfo, str]:
        """A new key: its info and its plaintext, which is returned here once and never again."""
        tenant, role = _tenant(tenant), parse_role(role)
        if len(label) > _LABEL_MAX:
            reason = f"at most {_LABEL_MAX} characters"
            raise InvalidInputError(f"label: {reason}", [("label", reason)])
        key_id = secrets.token_hex(8)
        plaintext = f"{_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        row = ApiKeyRow(
            id=key_id,
            tenant=tenant,
            role=role.value,
            label=label,
            key_hash=_digest(plaintext),
            created_at=datetime.now(UTC),
        )
        with self.db.transaction() as s:
            s.add(row)
        return _info(row), plaintext

    def authenticate(self, plaintext: str) -> KeyInfo | None:
        """The key's info if `plaintext` is an active key, else None (unknown, wrong or revoked
        alike: the caller learns nothing about which)."""
        key_id = key_id_of(plaintext)
        if key_id is None:
            return None
        with self.db.read() as s:
            row = s.get(ApiKeyRow, key_id)
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.key_hash, _digest(plaintext)):
            return None
        info = _info(row)
        now = datetime.now(UTC)
        if info.last_used_at is None or now - info.last_used_at >= _TOUCH_EVERY:
            with self.db.transaction() as s:
                s.execute(update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(last_used_at=now))
            info.last_used_at = now
        return info

    def get(self, key_id: str) -> KeyInfo:
        with self.db.read() as s:
            row = s.get(ApiKeyRow, key_id)
        if row is None:
            raise NotFoundError(f"unknown API key {key_id!r}")
        return _info(row)

    def revoke(self, key_id: str) -> KeyInfo:
        """Revoke a key: it fails authentication from now on (revoking twice keeps the first
        time)."""
        with self.db.transaction() as s:
            row = s.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFoundError(f"unknown API key {key_id!r}")
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
            return _info(row)

    def active_count(self) -> int:
        stmt = select(func.count()).select_from(ApiKeyRow).where(ApiKeyRow.revoked_at.is_(None))
        with self.db.read() as s:
            return s.scalar(stmt) or 0

    def list(self, tenant: str | None = None) -> builtins.list[KeyInfo]:
        """Every key (revoked ones too), oldest first; one tenant's if `tenant` is given."""
        stmt = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)
        if tenant is not None:
            stmt = stmt.where(ApiKeyRow.tenant == tenant)
        with self.db.read() as s:
            return [_info(r) for r in s.scalars(stmt)]
