from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from offergen.store.base import AuditRecord
from offergen.store.jsonl_audit import JsonlAuditStore


def _record(request_id: str, variant: int) -> AuditRecord:
    return AuditRecord(
        request_id=request_id,
        variant=variant,
        created_at=datetime(2026, 11, 30, tzinfo=UTC),
        merchant_id="m_a",
        channel="sms",
        jurisdiction="US",
        template="offer_copy",
        template_version="abc",
        model_id="m",
        backend="transformers",
        sampling={"temperature": 0.7},
        source_ids=["po_1"],
        text="Get 5% back. Terms apply.",
        model_text="Get 5% back.",
        applied_fixes=[],
        released=True,
        attempts=1,
        findings=[],
    )


def test_appends_and_reads_back_by_request(tmp_path: Path) -> None:
    store = JsonlAuditStore(tmp_path / "audit" / "audit.jsonl")
    assert store.by_request("r1") == []
    store.append([_record("r1", 0), _record("r1", 1)])
    store.append([_record("r2", 0)])
    store.append([])
    assert [r.variant for r in store.by_request("r1")] == [0, 1]
    assert store.by_request("r2") == [_record("r2", 0)]
    # A second store on the same file (another process) sees the same trail.
    assert len(JsonlAuditStore(store.path).by_request("r1")) == 2
    assert len(store.path.read_text().splitlines()) == 3
