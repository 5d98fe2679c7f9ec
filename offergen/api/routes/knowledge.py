"""Bulk import into the knowledge base."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from offergen.api.deps import ServiceDep, require
from offergen.api.errors import problem_responses
from offergen.api.principal import Principal, Role
from offergen.api.service import PastOfferImport
from offergen.retrieval.importer import ImportReport

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"])


@router.post(
    "/past-offers",
    response_model=ImportReport,
    responses=problem_responses(400, 409),
    summary="Import past offers: each bad item reported by index, the good ones upserted by id "
    "in one transaction; text with PII or model instructions is held for review; an item "
    "for another tenant's merchant is an unknown merchant",
)
def import_past_offers(
    body: PastOfferImport,
    principal: Annotated[Principal, require(Role.admin)],
    service: ServiceDep,
) -> ImportReport:
    return service.import_past_offers(principal, body)
