"""A GuardResult as callers see it (CLI, API): the released text or null, and the findings."""

from __future__ import annotations

from offergen.guardrails.guard import GuardResult
from offergen.schemas import GuardVerdict


def verdict(result: GuardResult, policy: str) -> GuardVerdict:
    return GuardVerdict(
        released=result.released,
        text=result.text if result.released else None,
        findings=result.findings,
        policy=policy,
    )
