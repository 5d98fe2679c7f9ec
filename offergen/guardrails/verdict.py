"""A GuardResult as callers see it (CLI, API): the released text or null, and the findings."""

from __future__ import annotations

from offergen.guardrails.base import CheckContext
from offergen.guardrails.guard import GuardResult
from offergen.guardrails.packs import Packs
from offergen.schemas import GuardCase, GuardVerdict


def verdict(result: GuardResult, policy: str) -> GuardVerdict:
    return GuardVerdict(
        released=result.released,
        text=result.text if result.released else None,
        findings=result.findings,
        policy=policy,
    )


def check_copy(packs: Packs, case: GuardCase, policy: str | None = None) -> GuardVerdict:
    """Guard one text outside generation (reviewers, the eval suite, `offergen guard`)."""
    guard = packs.for_copy(case.jurisdiction, policy)
    ctx = CheckContext(offer=case.offer, channel=case.channel, jurisdiction=case.jurisdiction)
    return verdict(guard.check(case.text, ctx), guard.name)
