"""Prompts rendered for the console: the exact prompt a request gets (what
`offergen prompt render` prints), and a recorded request rendered again.

The audit trail keeps a variant's template version and source ids, not its prompt text, so the
prompt behind a recorded variant is rendered again from the recorded request: the same when the
template version and sources still match (the page says whether they do), not otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from offergen.api.principal import Principal
from offergen.app_context import AppContext
from offergen.errors import OffergenError
from offergen.grounding import Grounded
from offergen.schemas import (
    Channel,
    CustomerContext,
    GenerateRequest,
    Jurisdiction,
)
from offergen.store.base import AuditRecord
from offergen.store.tenancy import tenant_scope


def render(ctx: AppContext, principal: Principal, request: GenerateRequest) -> Grounded:
    """The exact prompt of `request` seen through the caller's tenant (another tenant's
    merchant is unknown, as for generation). Needs the index, not the model."""
    ctx.pipeline.warm_up(model=False)
    with tenant_scope(principal.tenant):
        return ctx.pipeline.render(request)


def request_of(record: AuditRecord) -> GenerateRequest:
    """The recorded request, as far as the audit trail keeps it (customer fields other than the
    segment are not recorded: they get their defaults)."""
    customer = CustomerContext(segment=record.segment) if record.segment else CustomerContext()
    return GenerateRequest(
        merchant_id=record.merchant_id,
        offer=record.offer,
        customer=customer,
        channel=Channel(record.channel),
        jurisdiction=Jurisdiction(record.jurisdiction),
        template=record.template,
        variants=1,
    )


@dataclass(frozen=True)
class RerenderedPrompt:
    text: str | None
    error: str | None
    version_now: str | None
    same_version: bool
    same_sources: bool


def rerender(ctx: AppContext, principal: Principal, record: AuditRecord) -> RerenderedPrompt:
    try:
        grounded = render(ctx, principal, request_of(record))
    except OffergenError as exc:  # e.g. the template is gone since
        return RerenderedPrompt(None, str(exc), None, False, False)
    return RerenderedPrompt(
        text=grounded.prompt.text,
        error=None,
        version_now=grounded.prompt.version,
        same_version=grounded.prompt.version == record.template_version,
        same_sources=[s.id for s in grounded.sources] == record.source_ids,
    )
