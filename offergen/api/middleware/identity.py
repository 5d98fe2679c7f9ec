"""Who is calling, as far as shared limits are concerned: a hash of the bearer token.

Limits run before authentication (a flood of bad keys is limited too), so they key on the token
itself; hashing it keeps the token out of the database, and two tenants' tokens never collide."""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers
from starlette.types import Scope

ANONYMOUS = "anonymous"


def caller_identity(scope: Scope) -> str:
    """SHA-256 hex of the bearer token (of the whole header if not a bearer), or "anonymous"."""
    header = Headers(scope=scope).get("authorization")
    if header is None:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    secret = token.strip() if scheme.lower() == "bearer" else header
    return hashlib.sha256(secret.encode()).hexdigest()
