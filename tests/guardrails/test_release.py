"""The release decision: what is released, what is held, what waits for a reviewer, and why."""

from __future__ import annotations

import pytest

from offergen.guardrails.guard import GuardResult
from offergen.guardrails.pack import ReviewPolicy
from offergen.guardrails.release import decide, review_reason, sampled
from offergen.schemas import Finding, Severity
from offergen.store.base import AuditRecord, ReviewReason
from tests.store.audit_records import NUMBERS, URGENCY, audit_record, finding

TEXT = "Get 5% back at FreshMart. Terms apply."


def _guarded(findings: list[Finding], text: str = TEXT) -> GuardResult:
    released = not any(f.severity is not Severity.warn for f in findings)
    return GuardResult(released=released, text=text, findings=findings, original_text=text)


def test_clean_copy_that_stopped_on_its_own_is_released() -> None:
    decision = decide(_guarded([]), "stop", ReviewPolicy())
    assert decision.released and decision.findings == []
    assert decision.why.startswith("released")


def test_copy_cut_off_at_the_token_limit_is_held_with_a_finding() -> None:
    decision = decide(_guarded([]), "length", ReviewPolicy())
    assert not decision.released
    assert [f.rule_id for f in decision.findings] == ["generation.truncated"]
    assert "generation.truncated" in decision.why


def test_a_blocking_finding_holds_and_is_named() -> None:
    decision = decide(_guarded([NUMBERS]), "stop", ReviewPolicy())
    assert not decision.released and NUMBERS.rule_id in decision.why


def test_empty_copy_is_never_released() -> None:
    assert not decide(_guarded([], text=""), "stop", ReviewPolicy()).released


def test_warnings_alone_hold_only_where_the_pack_says_so() -> None:
    assert decide(_guarded([URGENCY]), "stop", ReviewPolicy()).released
    held = decide(_guarded([URGENCY]), "stop", ReviewPolicy(hold_on_warn=True))
    assert not held.released and "reviewer" in held.why


# --- which variants wait ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (audit_record(released=False, findings=[URGENCY]), ReviewReason.held),
        (audit_record(released=False, findings=[URGENCY, URGENCY]), ReviewReason.held),
        # a block is final: the copy is not a reviewer's call
        (audit_record(released=False, findings=[NUMBERS, URGENCY]), None),
        (audit_record(released=False, findings=[NUMBERS]), None),
        # a fix the guard could not apply holds the copy like a block
        (audit_record(released=False, findings=[finding("disclosures.x", Severity.fix)]), None),
        (audit_record(released=False, findings=[]), None),  # e.g. empty model output
        (audit_record(released=True, findings=[URGENCY]), None),  # released, not sampled
    ],
)
def test_held_copy_waits_only_when_nothing_but_warnings_held_it(
    record: AuditRecord, expected: ReviewReason | None
) -> None:
    assert review_reason(record, sample_rate=0.0) is expected


def test_released_copy_waits_when_sampled() -> None:
    assert review_reason(audit_record(released=True), sample_rate=1.0) is ReviewReason.sampled
    assert review_reason(audit_record(released=True), sample_rate=0.0) is None
    # held copy is queued by the hold rule alone, whatever the rate
    assert review_reason(audit_record(released=False, findings=[NUMBERS]), 1.0) is None


def test_sampling_is_deterministic_per_request_and_variant() -> None:
    pairs = [(f"req-{i}", v) for i in range(500) for v in range(4)]
    picked = {p for p in pairs if sampled(*p, rate=0.25)}
    assert picked == {p for p in pairs if sampled(*p, rate=0.25)}  # same answer every time
    assert 0.2 < len(picked) / len(pairs) < 0.3  # about the rate
    # A higher rate keeps every pair a lower rate picked, so raising it only adds reviews.
    assert picked <= {p for p in pairs if sampled(*p, rate=0.5)}
    assert not any(sampled(*p, rate=0.0) for p in pairs)
    assert all(sampled(*p, rate=1.0) for p in pairs)
    # The variant matters, not only the request: some requests have only some variants picked.
    per_request = [sum((f"req-{i}", v) in picked for v in range(4)) for i in range(500)]
    assert any(0 < n < 4 for n in per_request)
