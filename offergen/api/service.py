"""What the offer, merchant, knowledge, guard, template and policy routes do, each seen through
the caller's tenant. Reviews, campaigns and the audit trail are served by their own objects of
the application context (see `deps.py`)."""

from __future__ import annotations

from typing import Any

from offergen.api.catalog import (
    PolicyInfo,
    TemplateCatalog,
    TemplateInfo,
    describe_policies,
    describe_templates,
)
from offergen.api.principal import Principal
from offergen.app_context import AppContext
from offergen.errors import ConfigError, InvalidInputError
from offergen.guardrails.packs import KB_SCREENING
from offergen.guardrails.verdict import check_copy
from offergen.pipeline import GenerateOptions, RequestMeta
from offergen.retrieval.importer import ImportReport, import_rows
from offergen.schemas import (
    GenerateRequest,
    GenerateResponse,
    GuardCheckRequest,
    GuardVerdict,
    Merchant,
    MerchantRule,
    OfferValidation,
)
from offergen.store.tenancy import tenant_scope


class Service:
    # Each operation runs inside the caller's tenant scope: another tenant's merchant is unknown
    # to every lookup on the way, so it is the same 404 as a merchant that does not exist,
    # raised at the same point (after input screening), and an import cannot write to it.

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def merchants(
        self, principal: Principal, offset: int, limit: int
    ) -> tuple[list[Merchant], int]:
        kb = self.ctx.kb
        with tenant_scope(principal.tenant):
            return kb.merchants(offset=offset, limit=limit), kb.merchant_count()

    def merchant_rules(self, principal: Principal, merchant_id: str) -> list[MerchantRule]:
        with tenant_scope(principal.tenant):
            return self.ctx.kb.rules(merchant_id)

    def generate(
        self,
        principal: Principal,
        body: GenerateRequest,
        request_id: str,
        idempotency_key: str | None = None,
        options: GenerateOptions | None = None,
    ) -> GenerateResponse:
        meta = RequestMeta(request_id, principal.tenant, idempotency_key)
        with tenant_scope(principal.tenant):
            return self.ctx.pipeline.generate(body, meta, options)

    def validate(self, principal: Principal, body: GenerateRequest) -> OfferValidation:
        with tenant_scope(principal.tenant):
            findings = self.ctx.pipeline.grounder.validate(body)
        return OfferValidation(valid=not findings, findings=findings)

    def guard(self, body: GuardCheckRequest) -> GuardVerdict:
        return check_copy(self.ctx.packs, body, body.policy)

    def templates(self) -> list[TemplateInfo]:
        grounder = self.ctx.pipeline.grounder
        if not isinstance(grounder.renderer, TemplateCatalog):
            raise ConfigError("this service's prompt renderer cannot list its templates")
        return describe_templates(grounder.renderer, default=grounder.template)

    def policies(self) -> list[PolicyInfo]:
        return describe_policies(self.ctx.packs)

    def import_past_offers(
        self, principal: Principal, items: list[dict[str, Any]], *, strict: bool, dry_run: bool
    ) -> ImportReport:
        """Same validation, screening and report as `offergen kb import`; the index catches up
        in the background and the retriever picks up the new version by itself."""
        with tenant_scope(principal.tenant):
            report = import_rows(
                self.ctx.kb,
                self.ctx.packs.get(KB_SCREENING),
                "past_offer",
                [({"index": i}, item) for i, item in enumerate(items)],
                source="request",
                strict=strict,
                dry_run=dry_run,
            )
        if report.errors and not report.applied and not dry_run:
            raise InvalidInputError(
                f"{len(report.errors)} invalid item(s); nothing was imported",
                [(f"items.{e.index}.{e.field}".rstrip("."), e.reason) for e in report.errors],
            )
        if report.applied and self.ctx.indexer is not None:
            self.ctx.indexer.schedule()
        return report
