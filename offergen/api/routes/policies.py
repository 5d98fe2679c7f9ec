"""Guardrail policy packs."""

from __future__ import annotations

from fastapi import APIRouter

from offergen.api.catalog import PolicyInfo
from offergen.api.deps import ServiceDep, require
from offergen.api.errors import problem_responses
from offergen.api.principal import Role

router = APIRouter(prefix="/v1", tags=["policies"], dependencies=[require(Role.reviewer)])


@router.get(
    "/policies",
    response_model=list[PolicyInfo],
    responses=problem_responses(),
    summary="The guardrail policy packs and their checks, in the order they run",
)
def list_policies(service: ServiceDep) -> list[PolicyInfo]:
    return service.policies()
