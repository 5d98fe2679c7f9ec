"""Audit in the console: search by request id, merchant and time range; one request's trace;
another tenant's request is unknown."""

from __future__ import annotations

from datetime import UTC, datetime

from offergen.api.principal import Role
from tests.console.conftest import Api, SignedIn
from tests.store.audit_records import NUMBERS, audit_record


def test_search_and_trace(api: Api, signed_in: SignedIn) -> None:
    api.ctx.audit.append(
        [
            audit_record("req-old-1", tenant="acme", created_at=datetime(2026, 1, 5, tzinfo=UTC)),
            audit_record("req-new-1", tenant="acme", merchant_id="m_skyhop_airways"),
            audit_record("req-new-1", 1, tenant="acme", released=False, findings=[NUMBERS]),
            audit_record("req-theirs", tenant="globex"),
        ]
    )
    client = signed_in(Role.reviewer)

    def found(**params: str) -> set[str]:
        html = client.get("/console/audit", params=params).text
        return {r for r in ("req-old-1", "req-new-1", "req-theirs") if f">{r}</a>" in html}

    assert found() == {"req-old-1", "req-new-1"}
    assert found(request_id="req-old-1") == {"req-old-1"}
    assert found(merchant_id="m_skyhop_airways") == {"req-new-1"}
    assert found(since="2026-06-01T00:00") == {"req-new-1"}
    assert found(until="2026-02-01T00:00") == {"req-old-1"}
    assert client.get("/console/audit", params={"since": "yesterday"}).status_code == 422

    trace = client.get("/console/audit/req-new-1")
    assert trace.status_code == 200
    assert "Variant 0: released" in trace.text and "Variant 1: held" in trace.text
    assert "numbers.percent" in trace.text and "the numbers check matched" in trace.text
    assert client.get("/console/audit/req-theirs").status_code == 404
    assert signed_in(Role.marketing).get("/console/audit").status_code == 403
