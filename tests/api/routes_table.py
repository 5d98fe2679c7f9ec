"""The /v1 routes this suite checks for auth and tenant isolation, with a valid request for each
and the roles that may call it (admin may call every one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from offergen.api.principal import Role
from tests.api.conftest import ACME_MERCHANT, generate_body


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    roles: frozenset[Role]
    body: dict[str, Any] | None = field(default=None, hash=False)
    not_found: bool = False  # names something that may not exist (merchant, policy, template)
    ok: int = 200  # the status of a successful call

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


_ANY = frozenset(Role)
_GUARD = {
    "text": "Get 10% cash back at FreshMart. Terms apply.",
    "channel": "email",
    "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 10, "unit": "percent"},
}
# dry_run: the route runs all the way (validation, tenant, screening) without writing
_IMPORT = {
    "items": [
        {
            "id": "po_api_1",
            "merchant_id": ACME_MERCHANT[0],
            "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"},
            "channel": "email",
            "segment": "general",
            "text": "Get 5% back at FreshMart. Terms apply.",
            "sent": 100,
            "clicks": 10,
            "redemptions": 2,
            "sent_at": "2026-01-05",
        }
    ],
    "dry_run": True,
}

ROUTES = [
    Route("GET", "/v1/merchants", _ANY),
    Route("GET", f"/v1/merchants/{ACME_MERCHANT[0]}/rules", _ANY, not_found=True),
    Route("GET", "/v1/templates", _ANY),
    Route("GET", "/v1/policies", frozenset({Role.reviewer, Role.admin})),
    Route("POST", "/v1/guard/check", frozenset({Role.reviewer, Role.admin}), _GUARD, True),
    Route(
        "POST",
        "/v1/offers:generate",
        frozenset({Role.marketing, Role.admin}),
        generate_body(),
        True,
    ),
    Route("POST", "/v1/knowledge/past-offers", frozenset({Role.admin}), _IMPORT),
    # another tenant's merchant in a campaign is a 422 naming the item, not a 404
    Route(
        "POST",
        "/v1/campaigns",
        frozenset({Role.marketing, Role.admin}),
        {"items": [generate_body()]},
        ok=202,
    ),
]
