"""Evals in the console: a suite run started in the background, its state on disk, its report
with a CSP of its own, two runs compared with filters in the URL; admin only."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from offergen.api.principal import Role
from offergen.console.eval_jobs import EvalJobs
from tests.console.conftest import Api, SignedIn, csrf_of


def _start(client: TestClient, limit: str) -> str:
    page = client.get("/console/evals")
    r = client.post(
        "/console/evals/runs",
        data={"csrf_token": csrf_of(page.text), "suite": "guard.yaml", "limit": limit},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"]).rsplit("/", 1)[1]


def _wait(client: TestClient, run_id: str) -> dict[str, object]:
    for _ in range(600):
        state: dict[str, object] = client.get(f"/console/evals/runs/{run_id}/state").json()
        if state["status"] != "running":
            return state
        time.sleep(0.1)
    raise AssertionError("the run did not finish")


def test_a_run_started_from_the_page_finishes_and_compares(api: Api, signed_in: SignedIn) -> None:
    client = signed_in(Role.admin)
    a = _start(client, "3")
    b = _start(client, "3")
    assert _wait(client, a) == {"status": "done", "done": 3, "total": 3, "pct": 100}
    _wait(client, b)
    # the state lives on disk: a fresh EvalJobs (another process, a restart) reads it
    assert EvalJobs(api.ctx.settings).get(a).status == "done"
    page = client.get(f"/console/evals/runs/{a}")
    assert "Open the report" in page.text
    report = client.get(f"/console/evals/runs/{a}/report")
    assert report.status_code == 200 and "data-report-ready" in report.text
    csp = report.headers["content-security-policy"]
    assert "script-src 'sha256-" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    listing = client.get("/console/evals").text
    assert a in listing and b in listing
    compare = client.get("/console/evals/compare", params={"a": a, "b": b})
    assert compare.status_code == 200 and "3 of 3 cases shown" in compare.text
    changed = client.get("/console/evals/compare", params={"a": a, "b": b, "changed": "true"})
    assert "0 of 3 cases shown" in changed.text  # the guard is deterministic
    assert 'id="cmp-changed" name="changed" value="true" checked' in changed.text


def test_evals_are_for_admins_only(signed_in: SignedIn) -> None:
    for role in (Role.reviewer, Role.marketing):
        assert signed_in(role).get("/console/evals").status_code == 403


def test_an_unknown_run_or_suite_is_not_found(signed_in: SignedIn) -> None:
    client = signed_in(Role.admin)
    assert client.get("/console/evals/runs/run-20260101-000000-abcdef").status_code == 404
    page = client.get("/console/evals")
    r = client.post(
        "/console/evals/runs", data={"csrf_token": csrf_of(page.text), "suite": "../x.yaml"}
    )
    assert r.status_code == 404
