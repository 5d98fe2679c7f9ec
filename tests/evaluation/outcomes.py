"""Hand-made outcomes for assertion, metric and report tests."""

from __future__ import annotations

from typing import Any

from offergen.evaluation.assertion import AssertionParams, AssertionResult, EvalContext
from offergen.evaluation.outcome import Outcome, VariantOutcome
from offergen.evaluation.registry import build, parse_assertion
from offergen.schemas import Channel, Finding, Jurisdiction, OfferTerms, Severity

OFFER = OfferTerms.model_validate(
    {
        "kind": "cashback",
        "merchant": "FreshMart",
        "value": 5,
        "unit": "percent",
        "min_spend": 50,
        "cap": 25,
        "valid_until": "2026-12-31",
    }
)


def finding(
    check: str, start: int = 0, end: int = 1, severity: Severity = Severity.block
) -> Finding:
    return Finding(
        check=check,
        rule_id=f"{check}.rule",
        severity=severity,
        start=start,
        end=end,
        message=f"{check} fired",
        explanation="made by hand",
    )


def variant(
    text: str,
    released: bool = True,
    attempts: int = 1,
    findings: list[Finding] | None = None,
    fixes: list[Finding] | None = None,
) -> VariantOutcome:
    return VariantOutcome(
        text=text,
        released=released,
        attempts=attempts,
        findings=findings or [],
        fixes=fixes or [],
    )


def outcome(*variants: VariantOutcome, **fields: Any) -> Outcome:
    base: dict[str, Any] = {
        "case_id": "c1",
        "kind": "generate",
        "channel": Channel.push,
        "jurisdiction": Jurisdiction.US,
        "offer": OFFER,
        "variants": list(variants),
    }
    return Outcome(**(base | fields))


def check(spec: dict[str, Any], out: Outcome, ctx: EvalContext | None = None) -> AssertionResult:
    """Parse `spec` the way a suite file is parsed, build it, evaluate it on `out`."""
    params: AssertionParams = parse_assertion(spec)
    return build(params).evaluate(out, ctx or EvalContext())
