"""Bulk import into the knowledge base."""

from __future__ import annotations

from fastapi import APIRouter

from offergen.api.deps import Authorized, ServiceDep
from offergen.api.errors import PROBLEM_RESPONSES
from offergen.api.service import PastOfferImport
from offergen.retrieval.importer import ImportReport

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"], dependencies=[Authorized])


@router.post(
    "/past-offers",
    response_model=ImportReport,
    responses={k: PROBLEM_RESPONSES[k] for k in (401, 422, 500)},
    summary="Import past offers: each bad item reported by index, the good ones upserted by id "
    "in one transaction; text with PII or model instructions is held for review",
)
def import_past_offers(body: PastOfferImport, service: ServiceDep) -> ImportReport:
    return service.import_past_offers(body)
