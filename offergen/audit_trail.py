"""What the audit trail keeps of one request: a record per variant the pipeline kept (with how it
was made: prompt, sources, model, sampling, what the model wrote, the findings), or the refusal
of terms that broke a rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from offergen.generation.base import GenerationParams
from offergen.grounding import Grounded
from offergen.schemas import Finding, GenerateRequest, TermsFinding, Variant
from offergen.store.base import AuditRecord, Refusal

__all__ = ["Draft", "RequestMeta", "refusal", "variant_records"]


@dataclass(frozen=True)
class RequestMeta:
    """Who asked, as the audit trail records it."""

    request_id: str
    tenant: str | None = None
    idempotency_key: str | None = None


@dataclass
class Draft:
    """A judged draft: the variant, what the model wrote (before slots were filled and the guard
    inserted required wording), and the fixes the guard applied."""

    variant: Variant
    model_text: str
    applied_fixes: list[Finding]


def variant_records(
    request: GenerateRequest,
    meta: RequestMeta,
    grounded: Grounded,
    params: GenerationParams,
    kept: list[Draft],
    timings_ms: dict[str, float],
    model_id: str,
    backend: str,
) -> list[AuditRecord]:
    now = datetime.now(UTC)
    prompt = grounded.prompt
    return [
        AuditRecord(
            request_id=meta.request_id,
            idempotency_key=meta.idempotency_key,
            tenant=meta.tenant,
            variant=i,
            created_at=now,
            merchant_id=request.merchant_id,
            channel=request.channel.value,
            jurisdiction=request.jurisdiction.value,
            offer=request.offer,
            template=prompt.template,
            template_version=prompt.version,
            model_id=model_id,
            backend=backend,
            sampling=params.model_dump(exclude={"n"}),
            source_ids=[s.id for s in grounded.sources],
            text=d.variant.text,
            model_text=d.model_text,
            applied_fixes=d.applied_fixes,
            released=d.variant.released,
            attempts=d.variant.attempts,
            findings=d.variant.findings,
            timings_ms=timings_ms,
            segment=request.customer.segment,
        )
        for i, d in enumerate(kept)
    ]


def refusal(request: GenerateRequest, meta: RequestMeta, findings: list[TermsFinding]) -> Refusal:
    return Refusal(
        request_id=meta.request_id,
        idempotency_key=meta.idempotency_key,
        tenant=meta.tenant,
        created_at=datetime.now(UTC),
        merchant_id=request.merchant_id,
        channel=request.channel.value,
        jurisdiction=request.jurisdiction.value,
        offer=request.offer,
        findings=findings,
    )
