"""The audit trail on SQLite and PostgreSQL: what goes in comes out, paged, scoped, unchangeable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from offergen.store.audit_tables import AuditRow, ReviewItemRow
from offergen.store.base import ReviewReason
from offergen.store.database import Database
from offergen.store.review_queue import Decision, ReviewQueue
from offergen.store.sql_audit import SqlAuditStore
from tests.store.audit_records import NUMBERS, URGENCY, audit_record, held

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(database: Database) -> SqlAuditStore:
    database.create_schema()
    return SqlAuditStore(database)


def test_appends_and_reads_back_every_field(store: SqlAuditStore) -> None:
    records = [
        audit_record("r1", 0),
        audit_record("r1", 1, released=False, findings=[NUMBERS, URGENCY], text="Get 9% back."),
    ]
    store.append(records)
    store.append([audit_record("r2", 0)])
    store.append([])
    back = store.by_request("r1")
    assert back == records  # offer, findings, sampling, timings and times survive the trip
    assert back[0].created_at.tzinfo is not None and back[0].created_at == T0
    assert [r.request_id for r in store.by_request("r2")] == ["r2"]
    assert store.by_request("nope") == []
    # Another store on the same database (another replica) reads the same trail.
    assert SqlAuditStore(store.db).by_request("r1") == records


def test_by_request_is_tenant_scoped(store: SqlAuditStore) -> None:
    store.append([audit_record("r1", 0, tenant="acme"), audit_record("r1", 1, tenant="acme")])
    assert len(store.by_request("r1", tenant="acme")) == 2
    assert store.by_request("r1", tenant="globex") == []
    assert len(store.by_request("r1")) == 2  # None: every tenant (keyless dev mode)


def test_query_pages_newest_first(store: SqlAuditStore) -> None:
    store.append([audit_record(f"r{i}", 0, created_at=T0 + timedelta(minutes=i)) for i in range(5)])
    first = store.query(None, limit=2)
    assert [r.request_id for r in first.items] == ["r4", "r3"]
    assert (first.total, first.offset, first.limit, first.next_offset) == (5, 0, 2, 2)
    second = store.query(None, offset=first.next_offset or 0, limit=2)
    last = store.query(None, offset=4, limit=2)
    assert [r.request_id for r in second.items] == ["r2", "r1"]
    assert [r.request_id for r in last.items] == ["r0"] and last.next_offset is None
    assert store.query(None, offset=10).items == []
    assert store.query(None, offset=10).next_offset is None


def test_query_filters_by_tenant_merchant_request_and_time(store: SqlAuditStore) -> None:
    store.append(
        [
            audit_record("a0", 0, tenant="acme", created_at=T0),
            audit_record("a1", 0, tenant="acme", created_at=T0 + timedelta(hours=1)),
            audit_record(
                "a2", 0, tenant="acme", merchant_id="m_other", created_at=T0 + timedelta(hours=2)
            ),
            audit_record("g0", 0, tenant="globex", created_at=T0 + timedelta(hours=1)),
        ]
    )

    def ids(tenant: str | None, **filters: object) -> list[str]:
        page = store.query(tenant, **filters)  # type: ignore[arg-type]
        assert page.total == len(page.items)
        return [r.request_id for r in page.items]

    assert ids("acme") == ["a2", "a1", "a0"]
    assert ids("globex") == ["g0"]
    assert ids(None) == ["a2", "g0", "a1", "a0"]  # same time: the later insert first
    assert ids("acme", merchant_id="m_freshmart") == ["a1", "a0"]
    assert ids("acme", request_id="g0") == []  # another tenant's request reads as none
    assert ids("globex", request_id="g0") == ["g0"]
    # since is inclusive, until exclusive; a time in another zone means the same instant
    assert ids("acme", since=T0 + timedelta(hours=1)) == ["a2", "a1"]
    assert ids("acme", until=T0 + timedelta(hours=1)) == ["a0"]
    cet = timezone(timedelta(hours=1))
    assert ids("acme", since=(T0 + timedelta(hours=1)).astimezone(cet)) == ["a2", "a1"]
    assert ids("acme", since=datetime(2026, 11, 30, 13, 0)) == ["a2", "a1"]  # naive = UTC


def test_records_marked_for_review_are_queued_with_them(store: SqlAuditStore) -> None:
    sampled = audit_record("r1", 1, review=ReviewReason.sampled)
    store.append([audit_record("r1", 0), sampled, held("r1", 2)])
    pending = ReviewQueue(store.db).pending(None).items
    assert [(i.record.variant, i.queued_for) for i in pending] == [
        (1, ReviewReason.sampled),
        (2, ReviewReason.held),
    ]
    assert pending[0].record == sampled


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_records SET released = NOT released",
        "UPDATE audit_records SET text = 'rewritten'",
        "DELETE FROM audit_records",
        "UPDATE review_items SET queued_for = 'sampled'",
        "DELETE FROM review_items",
        "UPDATE review_decisions SET decision = 'reject'",
        "DELETE FROM review_decisions",
    ],
)
def test_the_tables_are_append_only(store: SqlAuditStore, statement: str) -> None:
    store.append([held("r1", 0)])
    queue = ReviewQueue(store.db)
    queue.decide(queue.pending(None).items[0].id, None, Decision.approve, "real deadline", "k1")
    with pytest.raises(DBAPIError, match="append-only"), store.db.transaction() as s:
        s.execute(text(statement))
    with store.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditRow)) == 1
        assert s.scalar(select(func.count()).select_from(ReviewItemRow)) == 1
    item = queue.get(queue.decided()[0].id, None)
    assert item.record == held("r1", 0)
    assert item.decision is not None and item.decision.decision is Decision.approve


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)  # SQLite has no TRUNCATE
def test_truncate_is_refused_on_postgresql(store: SqlAuditStore) -> None:
    assert store.db.dialect == "postgresql"
    store.append([audit_record("r1", 0)])
    with pytest.raises(DBAPIError, match="append-only"), store.db.transaction() as s:
        s.execute(text("TRUNCATE audit_records CASCADE"))
    assert len(store.by_request("r1")) == 1
