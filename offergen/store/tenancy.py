"""The tenant a unit of work runs for, as a context variable: the API, campaign workers and the
CLI enter `tenant_scope` once, and every knowledge-base lookup made inside it filters by it (the
way a row-level security policy works), so no lookup on the way can forget the filter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["current_tenant", "tenant_scope"]

_TENANT: ContextVar[str | None] = ContextVar("offergen_tenant", default=None)


@contextmanager
def tenant_scope(tenant: str | None) -> Iterator[None]:
    """Lookups inside this block see only `tenant`'s merchants and records (None: every tenant)."""
    token = _TENANT.set(tenant)
    try:
        yield
    finally:
        _TENANT.reset(token)


def current_tenant() -> str | None:
    return _TENANT.get()
