"""The review queue: which variants wait, deciding each once, and the decisions as eval cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from offergen.errors import ConflictError, InvalidInputError, NotFoundError
from offergen.schemas import Severity
from offergen.store.base import AuditRecord, ReviewReason
from offergen.store.database import Database
from offergen.store.review_queue import Decision, ReviewQueue
from offergen.store.sql_audit import SqlAuditStore
from tests.store.audit_records import URGENCY, audit_record, finding, held

# --- the queue ----------------------------------------------------------------------------------


@pytest.fixture
def db(database: Database) -> Database:
    database.create_schema()
    return database


def _queued(db: Database, *records: AuditRecord) -> list[int]:
    SqlAuditStore(db).append(list(records))
    return [i.id for i in ReviewQueue(db).pending(None, limit=500).items]


def test_pending_lists_queued_items_oldest_first_per_tenant(db: Database) -> None:
    ids = _queued(
        db,
        held("r1", 0, tenant="acme"),
        audit_record("r1", 1, tenant="acme"),  # released, not sampled: not queued
        held("r2", 0, tenant="globex"),
        held("r3", 0, tenant="acme"),
    )
    queue = ReviewQueue(db)
    assert len(ids) == 3 and ids == sorted(ids)
    acme = queue.pending("acme")
    assert [i.record.request_id for i in acme.items] == ["r1", "r3"]
    assert (acme.total, acme.next_offset) == (2, None)
    assert [i.record.request_id for i in queue.pending("globex").items] == ["r2"]
    assert queue.pending("initech").items == []
    page = queue.pending(None, offset=1, limit=1)
    assert [i.record.request_id for i in page.items] == ["r2"]
    assert (page.total, page.next_offset) == (3, 2)
    item = queue.get(ids[0], "acme")
    assert item.queued_for is ReviewReason.held and item.decision is None
    assert item.record == held("r1", 0, tenant="acme")
    assert item.queued_at.tzinfo is not None


def test_another_tenants_item_is_not_found(db: Database) -> None:
    [item_id] = _queued(db, held("r1", tenant="acme"))
    queue = ReviewQueue(db)
    with pytest.raises(NotFoundError, match=f"unknown review item {item_id}"):
        queue.get(item_id, "globex")
    with pytest.raises(NotFoundError):
        queue.decide(item_id, "globex", Decision.approve, "fine", "k2")
    with pytest.raises(NotFoundError, match="unknown review item 999999"):
        queue.get(999999, None)
    assert queue.get(item_id, "acme").decision is None  # the failed attempts changed nothing


def test_a_decision_is_recorded_once_and_is_final(db: Database) -> None:
    first, second = _queued(db, held("r1", 0, tenant="acme"), held("r1", 1, tenant="acme"))
    queue = ReviewQueue(db)
    before = datetime.now(UTC)
    done = queue.decide(first, "acme", Decision.approve, "  deadline is real  ", "key-1")
    assert done.decision is not None
    assert (done.decision.decision, done.decision.reason, done.decision.reviewer) == (
        Decision.approve,
        "deadline is real",
        "key-1",
    )
    assert before - timedelta(seconds=1) <= done.decision.decided_at <= datetime.now(UTC)
    assert [i.id for i in queue.pending("acme").items] == [second]

    with pytest.raises(ConflictError, match=f"review item {first} was already decided"):
        queue.decide(first, "acme", Decision.reject, "changed my mind", "key-2")
    assert queue.get(first, "acme").decision == done.decision  # the first decision stands

    rejected = queue.decide(second, None, Decision.reject, "no deadline in the terms", None)
    assert rejected.decision is not None and rejected.decision.decision is Decision.reject
    assert queue.pending(None).items == []
    assert [i.id for i in queue.decided()] == [first, second]


def test_a_concurrent_second_decision_is_a_conflict(db: Database) -> None:
    """Both reviewers read the item as pending; the database lets only one decision in."""
    [item_id] = _queued(db, held("r1"))
    other = ReviewQueue(db)

    def other_reviewer_decides_meanwhile(field: str, text: str, record: AuditRecord) -> None:
        other.decide(item_id, None, Decision.reject, "too pushy", "key-2")

    queue = ReviewQueue(db, screen=other_reviewer_decides_meanwhile)
    with pytest.raises(ConflictError, match="already decided \\(reject\\)"):
        queue.decide(item_id, None, Decision.approve, "fine", "key-1")
    decision = queue.get(item_id, None).decision
    assert decision is not None and decision.reviewer == "key-2"


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_reason_is_required_and_bounded(db: Database, reason: str) -> None:
    [item_id] = _queued(db, held("r1"))
    queue = ReviewQueue(db)
    with pytest.raises(InvalidInputError, match="reason of 1 to 500 characters") as err:
        queue.decide(item_id, None, Decision.approve, reason, "k")
    assert err.value.fields[0][0] == "reason"
    assert queue.get(item_id, None).decision is None


def test_the_reason_is_screened_before_it_is_stored(db: Database) -> None:
    [item_id] = _queued(db, held("r1"))
    seen: list[tuple[str, str, str]] = []

    def screen(field: str, text: str, record: AuditRecord) -> None:
        seen.append((field, text, record.request_id))
        if "@" in text:
            raise InvalidInputError("personal data is not accepted in the reason", [])

    queue = ReviewQueue(db, screen=screen)
    with pytest.raises(InvalidInputError):
        queue.decide(item_id, None, Decision.reject, "ask jane@example.com", "k")
    assert queue.get(item_id, None).decision is None
    queue.decide(item_id, None, Decision.reject, "no deadline", "k")
    assert seen == [("reason", "ask jane@example.com", "r1"), ("reason", "no deadline", "r1")]


def test_decided_items_export_as_eval_cases(db: Database) -> None:
    approved_id, rejected_id, _pending = _queued(
        db,
        held("r1", 0),
        held("r1", 1, findings=[URGENCY, finding("claims.x", Severity.warn), URGENCY]),
        held("r2", 0),
    )
    queue = ReviewQueue(db)
    queue.decide(rejected_id, None, Decision.reject, "no deadline", "k")
    queue.decide(approved_id, None, Decision.approve, "deadline is real", "k")
    decided = queue.decided()
    assert [i.id for i in decided] == [rejected_id, approved_id]  # in decision order
    assert queue.decided(since=datetime.now(UTC) + timedelta(minutes=1)) == []

    case = decided[0].eval_case()
    record = decided[0].record
    assert case == {
        "id": f"review-{rejected_id}",
        "vars": {
            "text": record.text,
            "channel": "sms",
            "jurisdiction": "US",
            "offer": record.offer.model_dump(mode="json"),
        },
        "assert": [{"type": "released", "value": False}],
        "metadata": {
            "source": "review",
            "review_id": rejected_id,
            "label": "rejected",
            "reason": "no deadline",
            "merchant_id": "m_freshmart",
            "template": "offer_copy",
            "template_version": "abc123def456",
            "model_id": "google/gemma-3-270m",
            "rule_ids": ["claims.urgency", "claims.x"],
        },
    }
    approved = decided[1].eval_case()
    assert approved["assert"] == [{"type": "released", "value": True}]
    assert approved["metadata"]["label"] == "approved"
    with pytest.raises(ValueError, match="not decided"):
        queue.get(_pending, None).eval_case()
