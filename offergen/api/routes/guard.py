"""Guard a text against a policy pack (for compliance reviewers and tools)."""

from __future__ import annotations

from fastapi import APIRouter

from offergen.api.deps import ServiceDep, require
from offergen.api.errors import problem_responses
from offergen.api.principal import Role
from offergen.schemas import GuardCheckRequest, GuardVerdict

router = APIRouter(prefix="/v1", tags=["guard"], dependencies=[require(Role.reviewer)])


@router.post(
    "/guard/check",
    response_model=GuardVerdict,
    responses=problem_responses(400, 404, 409),
    summary="Run a policy pack over one text: released text (fixes applied) or the findings",
)
def check(body: GuardCheckRequest, service: ServiceDep) -> GuardVerdict:
    return service.guard(body)
