"""Audit records: what was released or held, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from offergen.api.deps import AuditDep, Limit, Offset, PrincipalDep, require
from offergen.api.errors import problem_responses
from offergen.api.principal import Role
from offergen.store.base import AuditPage

router = APIRouter(prefix="/v1", tags=["audit"], dependencies=[require(Role.reviewer)])

_ID = r"^[A-Za-z0-9_.-]+$"


@router.get(
    "/audit/records",
    response_model=AuditPage,
    responses=problem_responses(),
    summary="Audit records of this key's tenant, newest first: one per variant produced, "
    "with its text, findings, sources, model and sampling",
)
def audit_records(
    audit: AuditDep,
    principal: PrincipalDep,
    request_id: Annotated[
        str | None, Query(max_length=64, pattern=_ID, description="one request's variants")
    ] = None,
    merchant_id: Annotated[str | None, Query(max_length=64, pattern=_ID)] = None,
    since: Annotated[
        datetime | None, Query(description="created at or after (ISO 8601; no zone = UTC)")
    ] = None,
    until: Annotated[datetime | None, Query(description="created before (ISO 8601)")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> AuditPage:
    return audit.query(
        principal.tenant,
        request_id=request_id,
        merchant_id=merchant_id,
        since=since,
        until=until,
        offset=offset,
        limit=limit,
    )
