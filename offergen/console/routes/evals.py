"""Evals: start a suite run in the background, follow its progress, list runs, open a run's
report, compare two runs. Admin role: a suite spans every tenant's merchants (like
`offergen eval`, which is an operator's tool), so it is not for one tenant's keys."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from offergen.api.principal import Role
from offergen.console.deps import ConsoleDep, FormDep, User, require_any
from offergen.console.errors import ConsoleRoute
from offergen.console.eval_jobs import state_json
from offergen.console.pages import HEADERS, redirect, render
from offergen.console.views.evals import compare_runs
from offergen.errors import InvalidInputError

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

Admin = Annotated[User, require_any(Role.admin)]
RunId = Annotated[str, Path(max_length=40, pattern=r"^run-[0-9a-f-]+$")]
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_NONE = "'none'"


@router.get("/evals")
def evals_page(request: Request, user: Admin, console: ConsoleDep) -> Response:
    return render(
        console.env, request, "evals.html", user=user, section="evals", title="Evals",
        suites=list(console.evals.suites()), runs=console.evals.runs(),
        templates=[t.name for t in console.service.templates()],
    )  # fmt: skip


@router.post("/evals/runs")
def start_run(user: Admin, form: FormDep, console: ConsoleDep) -> Response:
    limit = form.get("limit").strip()
    if limit and not (limit.isdigit() and 1 <= int(limit) <= 100_000):
        raise InvalidInputError("limit: a whole number from 1", [("limit", "not a number")])
    try:
        state = console.evals.start(
            form.get("suite"),
            int(limit) if limit else None,
            form.get("template") or None,
            user.principal.key_id,
        )
    except ValueError as exc:  # a malformed template name
        raise InvalidInputError(str(exc), [("template", str(exc))]) from None
    return redirect(f"/console/evals/runs/{state.id}")


@router.get("/evals/runs/{run_id}")
def run_page(request: Request, run_id: RunId, user: Admin, console: ConsoleDep) -> Response:
    state = console.evals.get(run_id)
    return render(
        console.env, request, "eval_run.html", user=user, section="evals",
        title=f"Eval run {run_id}", run=state,
    )  # fmt: skip


@router.get("/evals/runs/{run_id}/state")
def run_state(run_id: RunId, _: Admin, console: ConsoleDep) -> Response:
    """The run's progress as JSON, polled by the page's script."""
    body = state_json(console.evals.get(run_id))
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.get("/evals/runs/{run_id}/report")
def run_report(run_id: RunId, _: Admin, console: ConsoleDep) -> Response:
    """The run's own HTML report. Its one inline script is allowed by hash, nothing else is;
    it reads no console data, so it runs in a sandbox of its own origin."""
    html = console.evals.report(run_id)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in _SCRIPT.findall(html)
    )
    csp = (
        f"default-src 'none'; script-src {hashes or _NONE}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'; sandbox allow-scripts"
    )
    headers = HEADERS | {"Content-Security-Policy": csp}
    return Response(html, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/evals/compare")
def compare_page(
    request: Request,
    user: Admin,
    console: ConsoleDep,
    a: Annotated[str, Query(max_length=40)],
    b: Annotated[str, Query(max_length=40)],
    failed: bool = False,
    changed: bool = False,
) -> Response:
    view = compare_runs(console.evals, a, b, failed, changed)
    return render(
        console.env, request, "eval_compare.html", user=user, section="evals",
        title="Compare eval runs", view=view, a=a, b=b, failed=failed, changed=changed,
    )  # fmt: skip
