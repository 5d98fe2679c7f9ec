"""Bulk import into the knowledge base."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from offergen.api.deps import ServiceDep, require
from offergen.api.errors import problem_responses
from offergen.api.principal import Principal, Role
from offergen.retrieval.importer import ImportReport

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"])


class PastOfferImport(BaseModel):
    """`POST /v1/knowledge/past-offers`. Items are validated one by one (not by the framework),
    so that every bad item is reported by index while the good ones are imported."""

    items: list[dict[str, Any]] = Field(min_length=1, max_length=10_000)
    strict: bool = Field(default=False, description="write nothing if any item is invalid")
    dry_run: bool = Field(default=False, description="validate and screen only")


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
    return service.import_past_offers(
        principal, body.items, strict=body.strict, dry_run=body.dry_run
    )
