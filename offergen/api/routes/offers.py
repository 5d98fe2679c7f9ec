"""Offer copy generation."""

from __future__ import annotations

from fastapi import APIRouter

from offergen.api.deps import Authorized, PipelineDep, RequestIdDep
from offergen.api.errors import PROBLEM_RESPONSES
from offergen.schemas import GenerateRequest, GenerateResponse

router = APIRouter(prefix="/v1", tags=["offers"], dependencies=[Authorized])


@router.post(
    "/offers:generate",
    response_model=GenerateResponse,
    responses=PROBLEM_RESPONSES,
    summary="Write guarded copy variants for one offer and one customer context",
)
def generate(
    body: GenerateRequest, pipeline: PipelineDep, request_id: RequestIdDep
) -> GenerateResponse:
    return pipeline.generate(body, request_id)
