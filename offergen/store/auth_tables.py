"""API keys and tenants (who may call, for which merchants, in which role)."""

from __future__ import annotations
