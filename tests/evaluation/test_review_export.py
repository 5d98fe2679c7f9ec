"""The reviewer loop: what `offergen review export` writes is added to a suite as it is."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from offergen.config import Settings
from offergen.evaluation.runner import SuiteRunner, Target
from offergen.evaluation.suite import load_suite
from offergen.schemas import Severity
from offergen.store.base import ReviewReason
from offergen.store.review_queue import Decision, ReviewDecision, ReviewItem
from tests.store.audit_records import audit_record, finding

WHEN = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _item(item_id: int, decision: Decision, text: str) -> ReviewItem:
    return ReviewItem(
        id=item_id,
        queued_for=ReviewReason.held,
        queued_at=WHEN,
        record=audit_record(
            f"r{item_id}", text=text, findings=[finding("claims.urgency", Severity.warn)]
        ),
        decision=ReviewDecision(
            decision=decision, reason="checked", reviewer="cli:rev", decided_at=WHEN
        ),
    )


def test_exported_decisions_run_as_cases(tmp_path: Path) -> None:
    approved = _item(
        12, Decision.approve, "Hurry: 5% back at FreshMart. Terms apply. Reply STOP to opt out."
    )
    rejected = _item(
        13, Decision.reject, "Get 30% back at FreshMart. Terms apply. Reply STOP to opt out."
    )
    export = tmp_path / "review.jsonl"
    export.write_text("".join(json.dumps(i.eval_case()) + "\n" for i in (approved, rejected)))
    suite = tmp_path / "suite.yaml"
    suite.write_text("name: reviewed\ncase_files: [review.jsonl]\n")

    loaded = load_suite(suite)
    assert [c.id for c in loaded.cases] == ["review-12", "review-13"]
    run = SuiteRunner(loaded, Settings(), tmp_path / "out").run([Target()]).runs[0]
    # The guard agrees with both reviewers: the approved copy is released, the rejected held.
    assert [c.passed for c in run.cases] == [True, True]
    assert run.cases[1].outcome.variants[0].findings[0].check == "numbers"
    assert run.cases[0].metadata["label"] == "approved"
