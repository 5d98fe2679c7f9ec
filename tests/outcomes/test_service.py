"""Outcome ingestion on SQLite and PostgreSQL: validation by path, all or nothing, idempotency by
event id, tenant isolation, append-only storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from offergen.errors import InvalidInputError
from offergen.outcomes.schemas import OutcomeBatch, OutcomeEvent
from offergen.outcomes.service import Outcomes
from offergen.store.database import Database
from offergen.store.outcome_log import OutcomeLog
from offergen.store.sql_audit import SqlAuditStore
from tests.store.audit_records import audit_record

AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def outcomes(database: Database) -> Outcomes:
    database.create_schema()
    audit = SqlAuditStore(database)
    audit.append(
        [
            audit_record("r_acme", 0, tenant="acme"),
            audit_record("r_acme", 1, tenant="acme"),
            audit_record("r_acme", 2, tenant="acme", released=False),
            audit_record("r_globex", 0, tenant="globex"),
        ]
    )
    return Outcomes(OutcomeLog(database), audit)


def event(event_id: str = "e1", **over: Any) -> OutcomeEvent:
    values: dict[str, Any] = {
        "event_id": event_id,
        "request_id": "r_acme",
        "variant": 0,
        "sends": 100,
        "clicks": 10,
        "redemptions": 2,
        "at": AT,
    }
    return OutcomeEvent.model_validate(values | over)


def _totals(outcomes: Outcomes, tenant: str, request_id: str, variant: int) -> tuple[int, ...]:
    t = outcomes.log.totals([(tenant, request_id, variant)])[(tenant, request_id, variant)]
    return t.sends, t.clicks, t.redemptions, t.events


def _fields(exc: pytest.ExceptionInfo[InvalidInputError]) -> list[str]:
    return [field for field, _ in exc.value.fields]


def test_a_batch_is_stored_and_summed_per_variant(outcomes: Outcomes) -> None:
    receipt = outcomes.record("acme", [event("e1"), event("e2", sends=50, redemptions=0)])
    assert (receipt.accepted, receipt.duplicates, receipt.promoted) == (2, 0, [])
    outcomes.record("acme", [event("e3", variant=1, sends=10, clicks=0, redemptions=1)])
    assert _totals(outcomes, "acme", "r_acme", 0) == (150, 20, 2, 2)
    assert _totals(outcomes, "acme", "r_acme", 1) == (10, 0, 1, 1)


def test_a_replayed_event_counts_once(outcomes: Outcomes) -> None:
    outcomes.record("acme", [event("e1")])
    again = outcomes.record("acme", [event("e1"), event("e2")])
    assert (again.accepted, again.duplicates) == (1, 1)
    # repeated inside one batch, too
    inside = outcomes.record("acme", [event("e3"), event("e3")])
    assert (inside.accepted, inside.duplicates) == (1, 1)
    assert _totals(outcomes, "acme", "r_acme", 0) == (300, 30, 6, 3)


def test_the_same_event_id_with_other_figures_is_refused_by_path(outcomes: Outcomes) -> None:
    outcomes.record("acme", [event("e1")])
    with pytest.raises(InvalidInputError) as exc:
        outcomes.record("acme", [event("e2"), event("e1", redemptions=3)])
    assert _fields(exc) == ["events.1.event_id"]
    with pytest.raises(InvalidInputError) as exc:
        outcomes.record("acme", [event("e9"), event("e9", sends=101)])
    assert _fields(exc) == ["events.1.event_id"]
    assert _totals(outcomes, "acme", "r_acme", 0) == (100, 10, 2, 1)  # e2 was not stored either


def test_each_bad_event_is_named_and_nothing_of_the_batch_is_stored(outcomes: Outcomes) -> None:
    batch = [
        event("ok"),
        event("unknown", request_id="r_nope"),
        event("held", variant=2),  # generated but never released
        event("missing", variant=5),  # no such variant
        event("future", at=datetime.now(UTC) + timedelta(days=2)),
        event("too_many", variant=1, sends=5, clicks=6, redemptions=7),
    ]
    with pytest.raises(InvalidInputError) as exc:
        outcomes.record("acme", batch)
    assert _fields(exc) == [
        "events.1.request_id",
        "events.2.variant",
        "events.3.variant",
        "events.4.at",
        "events.5.clicks",
        "events.5.redemptions",
    ]
    assert "5 invalid event(s); nothing was stored" in str(exc.value)
    assert "r_nope" not in str(exc.value.fields)  # reasons never echo values
    assert outcomes.log.count() == 0


def test_late_redemptions_fit_within_the_variants_running_sends(outcomes: Outcomes) -> None:
    outcomes.record("acme", [event("sent", sends=100, clicks=0, redemptions=0)])
    # redemptions reported days later, with no sends of their own
    outcomes.record("acme", [event("late", sends=0, clicks=20, redemptions=5)])
    assert _totals(outcomes, "acme", "r_acme", 0) == (100, 20, 5, 2)
    with pytest.raises(InvalidInputError) as exc:
        outcomes.record("acme", [event("later", sends=0, clicks=0, redemptions=96)])
    assert _fields(exc) == ["events.0.redemptions"]


def test_another_tenants_request_is_unknown(outcomes: Outcomes) -> None:
    with pytest.raises(InvalidInputError) as acme:
        outcomes.record("acme", [event("e1", request_id="r_globex")])
    with pytest.raises(InvalidInputError) as missing:
        outcomes.record("acme", [event("e1", request_id="r_nopexx")])
    assert (
        acme.value.fields == missing.value.fields == [("events.0.request_id", "unknown request_id")]
    )
    outcomes.record("globex", [event("e1", request_id="r_globex")])
    # event ids are per tenant: acme's e1 is another event than globex's e1
    outcomes.record("acme", [event("e1")])
    assert _totals(outcomes, "globex", "r_globex", 0) == (100, 10, 2, 1)
    assert _totals(outcomes, "acme", "r_acme", 0) == (100, 10, 2, 1)
    # keyless dev mode sees every tenant, and files the event under the request's own tenant
    outcomes.record(None, [event("e2", request_id="r_globex")])
    assert _totals(outcomes, "globex", "r_globex", 0) == (200, 20, 4, 2)


def test_outcome_events_are_append_only(outcomes: Outcomes) -> None:
    outcomes.record("acme", [event("e1")])
    for statement in ("UPDATE outcome_events SET sends = 1", "DELETE FROM outcome_events"):
        with pytest.raises(DBAPIError, match="append-only"), outcomes.log.db.engine.begin() as c:
            c.execute(text(statement))
    assert outcomes.log.count() == 1


def test_the_batch_schema_checks_each_event() -> None:
    with pytest.raises(ValueError) as exc:
        OutcomeBatch.model_validate(
            {"events": [event().model_dump(), event().model_dump() | {"sends": -1, "x": 1}]}
        )
    locs = {tuple(e["loc"]) for e in exc.value.errors()}  # type: ignore[attr-defined]
    assert locs == {("events", 1, "sends"), ("events", 1, "x")}
    with pytest.raises(ValueError):
        OutcomeBatch.model_validate({"events": []})
