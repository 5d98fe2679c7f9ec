"""Who is calling: the key's tenant and role, as the routes see it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    marketing = "marketing"  # generate copy
    reviewer = "reviewer"  # guard checks, audit records, the review queue
    admin = "admin"  # knowledge base and keys; may do everything the others may


@dataclass(frozen=True)
class Principal:
    """`tenant is None` means every tenant (keyless dev mode only)."""

    key_id: str | None
    tenant: str | None
    role: Role

    def has(self, role: Role) -> bool:
        return self.role is Role.admin or self.role is role

    def sees_tenant(self, tenant: str | None) -> bool:
        return self.tenant is None or tenant == self.tenant
