"""Outcomes of released copy, reported back by the sending system."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from offergen.api.deps import OutcomesDep, require
from offergen.api.errors import problem_responses
from offergen.api.principal import Principal, Role
from offergen.outcomes.schemas import OutcomeBatch, OutcomeReceipt

router = APIRouter(prefix="/v1", tags=["outcomes"])


@router.post(
    "/outcomes",
    status_code=202,
    response_model=OutcomeReceipt,
    responses=problem_responses(400, 409),
    summary="Report sends, clicks and redemptions of released variants: the batch is stored "
    "whole or not at all (422 names each bad event by path), each event_id counted once per "
    "tenant; a variant that reaches the minimum sends becomes a past offer",
)
def record_outcomes(
    body: OutcomeBatch,
    principal: Annotated[Principal, require(Role.marketing)],
    outcomes: OutcomesDep,
) -> OutcomeReceipt:
    return outcomes.record(principal.tenant, body.events)
