"""The merchants a caller can generate copy for."""

from __future__ import annotations

from fastapi import APIRouter

from offergen.api.deps import Authorized, ServiceDep
from offergen.api.errors import PROBLEM_RESPONSES
from offergen.schemas import Merchant

router = APIRouter(prefix="/v1", tags=["merchants"], dependencies=[Authorized])


@router.get(
    "/merchants",
    response_model=list[Merchant],
    responses={401: PROBLEM_RESPONSES[401], 503: PROBLEM_RESPONSES[503]},
)
def list_merchants(service: ServiceDep) -> list[Merchant]:
    return service.pipeline.kb.merchants()
