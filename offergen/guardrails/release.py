"""The release decision: the one place that answers "why was this variant released (or not)?".

A draft is released when the guard let it through, the model stopped on its own (not at the
token limit) and it is not empty; a pack whose `review:` policy holds warn-only copy keeps such
copy for a reviewer. Held copy with only warnings, and a sampled share of released copy, is then
queued for review. The pipeline decides with these functions, and the review queue stores what
they decided; nothing else decides release.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from offergen.guardrails.guard import GuardResult
from offergen.guardrails.pack import ReviewPolicy
from offergen.schemas import Finding, Severity
from offergen.store.base import AuditRecord, ReviewReason

__all__ = [
    "ReleaseDecision",
    "decide",
    "held_by",
    "held_for_review",
    "review_reason",
    "sampled",
]


@dataclass(frozen=True)
class ReleaseDecision:
    released: bool
    findings: list[Finding]  # the guard's, plus `generation.truncated` for cut-off copy
    why: str


def decide(result: GuardResult, finish_reason: str | None, policy: ReviewPolicy) -> ReleaseDecision:
    """Whether the guarded draft `result` (the model stopped with `finish_reason`) is released."""
    findings = list(result.findings)
    if finish_reason == "length":
        findings.append(_truncated(result.text))
    blocking = [f.rule_id for f in findings if f.severity is not Severity.warn]
    if not result.original_text:
        why = "held: the model wrote nothing"
    elif not result.released or finish_reason == "length":
        why = f"held by {', '.join(dict.fromkeys(blocking))}"
    elif finish_reason != "stop":
        why = f"held: the model did not stop on its own (finish_reason={finish_reason})"
    elif policy.hold_on_warn and held_for_review(findings):
        why = "held for a reviewer: only warnings, and the pack's review policy holds on warn"
    else:
        return ReleaseDecision(True, findings, "released: no finding holds it")
    return ReleaseDecision(False, findings, why)


def held_for_review(findings: Sequence[Finding]) -> bool:
    """Findings that only warn: the copy may be fine, a person has to say so."""
    return bool(findings) and all(f.severity is Severity.warn for f in findings)


def held_by(findings: list[Finding]) -> list[Finding]:
    """What held a draft: its blocking findings, or its warnings when a reviewer must decide."""
    if held_for_review(findings):
        return findings
    return [f for f in findings if f.severity is Severity.block]


def sampled(request_id: str, variant: int, rate: float) -> bool:
    """Whether (request_id, variant) falls in a `rate` share; always the same answer for it."""
    digest = hashlib.sha256(f"{request_id}:{variant}".encode()).digest()
    return int.from_bytes(digest[:8], "big") < rate * 2**64


def review_reason(record: AuditRecord, sample_rate: float) -> ReviewReason | None:
    """Held copy waits for a reviewer only when nothing but `warn` findings held it (a `block`
    is final); released copy waits when it is sampled."""
    if not record.released:
        return ReviewReason.held if held_for_review(record.findings) else None
    if sampled(record.request_id, record.variant, sample_rate):
        return ReviewReason.sampled
    return None


def _truncated(text: str) -> Finding:
    return Finding(
        check="generation",
        rule_id="generation.truncated",
        severity=Severity.block,
        start=0,
        end=len(text),
        message="the model stopped at its token limit, so the copy may be cut off",
        explanation="finish_reason=length: no stop sequence was reached before max_new_tokens",
    )
