"""Who is calling: the key's tenant and role, as the routes see it."""

from __future__ import annotations

from dataclasses import dataclass

from offergen.store.keys import KeyInfo, Role

__all__ = ["Principal", "Role"]


@dataclass(frozen=True)
class Principal:
    """`tenant is None` means every tenant (keyless dev mode only)."""

    key_id: str | None
    tenant: str | None
    role: Role

    @classmethod
    def of(cls, key: KeyInfo) -> Principal:
        return cls(key_id=key.id, tenant=key.tenant, role=key.role)

    def has(self, role: Role) -> bool:
        return self.role is Role.admin or self.role is role

    def sees_tenant(self, tenant: str | None) -> bool:
        return self.tenant is None or tenant == self.tenant
