"""Playground: render and generate a request, two templates side by side, save as an eval case.
Render needs the marketing or reviewer role (as `GET /v1/templates`), Generate the marketing
role (as `POST /v1/offers:generate`), loading a recorded request the reviewer role (as
`GET /v1/audit/records`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from offergen.api.middleware.backpressure import KEYLESS
from offergen.api.principal import Role
from offergen.console.deps import AnyRole, ConsoleDep, FormDep, User
from offergen.console.errors import AtCapacity, ConsoleRoute, RoleDenied
from offergen.console.pages import render
from offergen.console.state import Console
from offergen.console.views import playground as pg
from offergen.generation.fair_queue import Overloaded

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)


def _page(
    request: Request,
    user: User,
    console: Console,
    values: dict[str, str],
    outcome: pg.Outcome | None = None,
) -> Response:
    merchants, _ = console.service.merchants(user.principal, 0, 500)
    templates = console.service.templates()
    return render(
        console.env, request, "playground.html", user=user, section="playground",
        title="Playground", values=values, outcome=outcome or pg.Outcome(),
        merchant_options=[(m.id, f"{m.name} ({m.id})") for m in merchants],
        templates_options=[(t.name, f"{t.name} · {t.version}") for t in templates],
        may_generate=user.may(Role.marketing), may_load=user.may(Role.reviewer),
    )  # fmt: skip


def _require(user: User, role: Role, what: str) -> None:
    if not user.may(role):
        raise RoleDenied(f"this key's role may not {what} ({role.value} needed)")


@router.get("/playground")
def playground_page(
    request: Request,
    user: AnyRole,
    console: ConsoleDep,
    from_request: Annotated[str, Query(max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")] = "",
) -> Response:
    values = dict(pg.DEFAULTS)
    if from_request:
        _require(user, Role.reviewer, "read the audit trail")
        values = pg.from_request_id(console.ctx, user.principal, from_request)
    return _page(request, user, console, values)


@router.post("/playground")
def playground_action(
    request: Request, user: AnyRole, form: FormDep, console: ConsoleDep
) -> Response:
    values = pg.values_of(form)
    merchants, _ = console.service.merchants(user.principal, 0, 500)
    body, errors = pg.request_from(values, {m.id: m.name for m in merchants})
    action = form.get("action")
    if body is None:
        return _page(request, user, console, values, pg.Outcome(errors=errors))
    runs = pg.templates_to_run(body, values)
    if action == "generate":
        _require(user, Role.marketing, "generate copy")
        if not request.app.state.readiness.ready:
            raise request.app.state.readiness.refusal()
        seed = values.get("seed", "")
        # The same queue as /v1/offers:generate: its bound, its per-tenant turn, its refusals.
        queue = request.app.state.generation
        try:
            with queue.interactive_slot(user.principal.tenant or KEYLESS):
                outcome = pg.generate_all(
                    console.service, user.principal, runs, int(seed) if seed.isdigit() else None
                )
        except Overloaded as exc:
            raise AtCapacity(exc.status, exc.detail, exc.retry_after_s) from None
    elif action == "save":
        outcome = pg.save_case(console.ctx, user.principal, body, values.get("case_id", ""))
    else:
        outcome = pg.render_all(console.ctx, console.tokens, user.principal, runs)
    return _page(request, user, console, values, outcome)
