"""Offer copy generation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from offergen.api.deps import MetricsDep, ReadyServiceDep, RequestIdDep, ServiceDep, require
from offergen.api.errors import problem_responses
from offergen.api.metrics import observe_generation
from offergen.api.principal import Principal, Role
from offergen.schemas import GenerateRequest, GenerateResponse, OfferValidation

router = APIRouter(prefix="/v1", tags=["offers"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[\x20-\x7e]{1,255}$",  # printable ASCII
        description="a retry with the same key and body gets the first response again, "
        "byte for byte, without generating twice (24 h); the same key with another body is "
        "a 422, and while the first request runs, a 409",
    ),
]


@router.post(
    "/offers:generate",
    response_model=GenerateResponse,
    responses=problem_responses(400, 404, 409),
    summary="Write guarded copy variants for one offer and one customer context",
)
def generate(
    body: GenerateRequest,
    principal: Annotated[Principal, require(Role.marketing)],
    service: ReadyServiceDep,
    request_id: RequestIdDep,
    metrics: MetricsDep,
    idempotency_key: IdempotencyKey = None,
) -> GenerateResponse:
    response = service.generate(principal, body, request_id, idempotency_key)
    observe_generation(metrics, response)  # replays never get here: counted once
    return response


@router.post(
    "/offers:validate",
    response_model=OfferValidation,
    responses=problem_responses(400, 404),
    summary="Check an offer's terms against the merchant's rules and the packs before asking for "
    "copy: the verdict `offers:generate` would refuse with, as data (nothing is generated)",
)
def validate(
    body: GenerateRequest,
    principal: Annotated[Principal, require(Role.marketing)],
    service: ServiceDep,
) -> OfferValidation:
    return service.validate(principal, body)
