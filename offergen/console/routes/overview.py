"""Overview: the landing page once signed in. Its figures read the audit trail, so they need the
reviewer role (as /v1/audit/records); other roles see where to go."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from offergen.api.principal import Role
from offergen.console.deps import ConsoleDep, UserDep
from offergen.console.errors import ConsoleRoute
from offergen.console.pages import render
from offergen.console.views.overview import DAYS, overview

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)


@router.get("/overview")
def overview_page(request: Request, user: UserDep, console: ConsoleDep) -> Response:
    view = overview(console.ctx, user.principal) if user.may(Role.reviewer) else None
    return render(
        console.env, request, "overview.html", user=user, section="overview", title="Overview",
        view=view, days=DAYS,
    )  # fmt: skip
