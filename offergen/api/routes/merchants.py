"""The merchants a caller can generate copy for, and their rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from offergen.api.deps import Authorized, ServiceDep
from offergen.api.errors import PROBLEM_RESPONSES
from offergen.schemas import Merchant, MerchantRule

router = APIRouter(prefix="/v1", tags=["merchants"], dependencies=[Authorized])


class MerchantPage(BaseModel):
    items: list[Merchant]
    total: int
    offset: int
    limit: int
    next_offset: int | None  # null on the last page


@router.get(
    "/merchants",
    response_model=MerchantPage,
    responses={k: PROBLEM_RESPONSES[k] for k in (401, 422, 500)},
)
def list_merchants(
    service: ServiceDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> MerchantPage:
    kb = service.pipeline.kb
    items = kb.merchants(offset=offset, limit=limit)
    total = kb.merchant_count()
    nxt = offset + len(items)
    return MerchantPage(
        items=items,
        total=total,
        offset=offset,
        limit=limit,
        next_offset=nxt if nxt < total else None,
    )


@router.get(
    "/merchants/{merchant_id}/rules",
    response_model=list[MerchantRule],
    responses={k: PROBLEM_RESPONSES[k] for k in (401, 404, 500)},
)
def merchant_rules(merchant_id: str, service: ServiceDep) -> list[MerchantRule]:
    return service.pipeline.kb.rules(merchant_id)
