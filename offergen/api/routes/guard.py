"""Guard a text against a policy pack (for compliance reviewers and tools)."""

from __future__ import annotations

from fastapi import APIRouter

from offergen.api.deps import Authorized, ServiceDep
from offergen.api.errors import PROBLEM_RESPONSES
from offergen.schemas import GuardCheckRequest, GuardVerdict

router = APIRouter(prefix="/v1", tags=["guard"], dependencies=[Authorized])


@router.post(
    "/guard/check",
    response_model=GuardVerdict,
    responses={k: PROBLEM_RESPONSES[k] for k in (401, 404, 422)},
    summary="Run a policy pack over one text: released text (fixes applied) or the findings",
)
def check(body: GuardCheckRequest, service: ServiceDep) -> GuardVerdict:
    return service.pipeline.guard(body, body.policy)
