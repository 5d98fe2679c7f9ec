"""The merchants a caller can generate copy for (its tenant's), and their rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from offergen.api.deps import Limit, Offset, ServiceDep, require_any
from offergen.api.errors import problem_responses
from offergen.api.principal import Principal, Role
from offergen.schemas import Merchant, MerchantRule
from offergen.store.base import Page

router = APIRouter(prefix="/v1", tags=["merchants"])


class MerchantPage(Page[Merchant]):
    """The caller's tenant's merchants."""


# Every role may see the merchants it works with (admin carries every role).
Caller = Annotated[Principal, require_any(Role.marketing, Role.reviewer)]


@router.get(
    "/merchants",
    response_model=MerchantPage,
    responses=problem_responses(),
    summary="This key's tenant's merchants, by id, paged",
)
def list_merchants(
    service: ServiceDep,
    principal: Caller,
    offset: Offset = 0,
    limit: Limit = 50,
) -> MerchantPage:
    items, total = service.merchants(principal, offset, limit)
    return MerchantPage.of(items, total, offset, limit)


@router.get(
    "/merchants/{merchant_id}/rules",
    response_model=list[MerchantRule],
    responses=problem_responses(404),
    summary="A merchant's active rules (another tenant's merchant is unknown: 404)",
)
def merchant_rules(
    merchant_id: Annotated[str, Path(min_length=1, max_length=64)],
    service: ServiceDep,
    principal: Caller,
) -> list[MerchantRule]:
    return service.merchant_rules(principal, merchant_id)
