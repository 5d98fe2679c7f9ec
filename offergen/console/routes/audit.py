"""Audit: search the trail by request id, merchant and time range; one request's whole trace
(reviewer role, as /v1/audit/records)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from offergen.console.deps import ConsoleDep, Reviewer
from offergen.console.errors import ConsoleRoute
from offergen.console.pages import render
from offergen.console.views import audit

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

_ID = r"^[A-Za-z0-9_.-]*$"
Text = Annotated[str, Query(max_length=64, pattern=_ID)]
When = Annotated[str, Query(max_length=32)]


@router.get("/audit")
def search_page(
    request: Request,
    user: Reviewer,
    console: ConsoleDep,
    request_id: Text = "",
    merchant_id: Text = "",
    since: When = "",
    until: When = "",
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Response:
    search = audit.Search(request_id, merchant_id, since, until, offset)
    view = audit.search(console.ctx, user.principal, search)
    return render(
        console.env, request, "audit.html", user=user, section="audit", title="Audit",
        search=search, view=view,
    )  # fmt: skip


@router.get("/audit/{request_id}")
def trace_page(
    request: Request,
    request_id: Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")],
    user: Reviewer,
    console: ConsoleDep,
) -> Response:
    view = audit.trace(console.ctx, user.principal, request_id)
    return render(
        console.env, request, "trace.html", user=user, section="audit",
        title=f"Request {request_id}", view=view,
    )  # fmt: skip
