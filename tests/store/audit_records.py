"""Audit records as the pipeline writes them, for the audit and review tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from offergen.schemas import Finding, OfferTerms, Severity
from offergen.store.base import AuditRecord, ReviewReason

OFFER = OfferTerms.model_validate(
    {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent", "cap": 20}
)


def finding(rule_id: str, severity: Severity) -> Finding:
    check = rule_id.split(".")[0]
    return Finding(
        check=check,
        rule_id=rule_id,
        severity=severity,
        start=0,
        end=5,
        message=f"{rule_id} fired",
        explanation=f"the {check} check matched",
    )


URGENCY = finding("claims.urgency", Severity.warn)
NUMBERS = finding("numbers.percent", Severity.block)


def audit_record(request_id: str = "r1", variant: int = 0, **over: Any) -> AuditRecord:
    values: dict[str, Any] = {
        "request_id": request_id,
        "idempotency_key": f"idem-{request_id}",
        "tenant": None,
        "variant": variant,
        "created_at": datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        "merchant_id": "m_freshmart",
        "channel": "sms",
        "jurisdiction": "US",
        "offer": OFFER,
        "template": "offer_copy",
        "template_version": "abc123def456",
        "model_id": "google/gemma-3-270m",
        "backend": "transformers",
        "sampling": {"temperature": 0.7, "top_p": 0.9, "seed": 5, "stop": ["\n"]},
        "source_ids": ["po_1", "rule_2"],
        "text": "Hurry: 5% back at FreshMart. Terms apply. Reply STOP to opt out.",
        "model_text": "Hurry: 5% back at FreshMart.",
        "applied_fixes": [finding("disclosures.inserted", Severity.fix)],
        "released": True,
        "attempts": 1,
        "findings": [],
        "timings_ms": {"generate_ms": 12.5, "total_ms": 20.0},
        "review": None,
    }
    values.update(over)
    return AuditRecord.model_validate(values)


def held(request_id: str, variant: int = 0, **over: Any) -> AuditRecord:
    """Held with only a warning, and queued for a reviewer."""
    values: dict[str, Any] = {
        "released": False,
        "findings": [URGENCY],
        "review": ReviewReason.held,
    }
    return audit_record(request_id, variant, **(values | over))
