"""The overview's figures and charts, from the caller's tenant's audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from offergen.api.principal import Role
from tests.console.conftest import Api, SignedIn
from tests.store.audit_records import NUMBERS, audit_record


def test_release_rate_holds_by_check_and_latency(api: Api, signed_in: SignedIn) -> None:
    now = datetime.now(UTC)
    api.ctx.audit.append(
        [
            audit_record("o1", tenant="acme", created_at=now - timedelta(hours=2)),
            audit_record(
                "o2",
                tenant="acme",
                created_at=now - timedelta(hours=1),
                released=False,
                findings=[NUMBERS],
            ),
            audit_record("o3", tenant="globex", created_at=now, released=False),
        ]
    )
    html = signed_in(Role.reviewer).get("/console/overview").text
    assert "<dd>50%</dd>" in html  # acme's: 1 of 2 released; globex's record is not counted
    assert html.count('<svg class="chart"') == 3
    assert "Held variants by check" in html and ">numbers<" in html
    assert "Request latency" in html
    marketing = signed_in(Role.marketing).get("/console/overview")
    assert marketing.status_code == 200 and "<svg" not in marketing.text
