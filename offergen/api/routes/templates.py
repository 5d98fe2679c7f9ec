"""Prompt templates and their versions."""

from __future__ import annotations

from fastapi import APIRouter

from offergen.api.catalog import TemplateInfo
from offergen.api.deps import ServiceDep, require_any
from offergen.api.errors import problem_responses
from offergen.api.principal import Role

router = APIRouter(
    prefix="/v1", tags=["templates"], dependencies=[require_any(Role.marketing, Role.reviewer)]
)


@router.get(
    "/templates",
    response_model=list[TemplateInfo],
    responses=problem_responses(),
    summary="The prompt templates a request may name, with their channel variants and versions",
)
def list_templates(service: ServiceDep) -> list[TemplateInfo]:
    return service.templates()
