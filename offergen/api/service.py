"""What the app holds between requests (the pipeline, the key store, whether warm-up has
finished) and every operation a route performs, each seen through the caller's tenant."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from offergen.api.catalog import (
    PolicyInfo,
    TemplateCatalog,
    TemplateInfo,
    describe_policies,
    describe_templates,
)
from offergen.api.principal import Principal
from offergen.errors import ConfigError, InvalidInputError
from offergen.guardrails.packs import KB_SCREENING
from offergen.pipeline import Pipeline
from offergen.retrieval.importer import ImportReport, import_rows
from offergen.retrieval.index_updater import IndexUpdater
from offergen.retrieval.knowledge_base import tenant_scope
from offergen.schemas import (
    GenerateRequest,
    GenerateResponse,
    GuardCheckRequest,
    GuardVerdict,
    Merchant,
    MerchantRule,
)
from offergen.store.base import Page
from offergen.store.keys import KeyStore

log = logging.getLogger(__name__)


class PastOfferImport(BaseModel):
    """`POST /v1/knowledge/past-offers`. Items are validated one by one (not by the framework),
    so that every bad item is reported by index while the good ones are imported."""

    items: list[dict[str, Any]] = Field(min_length=1, max_length=10_000)
    strict: bool = Field(default=False, description="write nothing if any item is invalid")
    dry_run: bool = Field(default=False, description="validate and screen only")


class MerchantPage(Page[Merchant]):
    """The caller's tenant's merchants."""


class Service:
    def __init__(
        self,
        pipeline: Pipeline,
        indexer: IndexUpdater | None = None,
        before_warm_up: Callable[[], None] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.indexer = indexer
        self.keys = KeyStore(pipeline.kb.db)
        self.before_warm_up = before_warm_up  # e.g. wait for the vLLM server this app started
        self.error: str | None = None
        self._thread: threading.Thread | None = None

    def start_warm_up(self) -> None:
        """Load models in the background so /healthz answers while /readyz says 503."""
        self._thread = threading.Thread(target=self._warm_up, name="warm-up", daemon=True)
        self._thread.start()

    def wait_ready(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.pipeline.ready

    def _warm_up(self) -> None:
        try:
            if self.before_warm_up is not None:
                self.before_warm_up()
            self.pipeline.warm_up()
            log.info("ready: model, index and templates loaded")
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("warm-up failed: %s", self.error)

    # --- what the routes do --------------------------------------------------------------------
    # Each runs inside the caller's tenant scope: another tenant's merchant is unknown to every
    # lookup on the way, so it is the same 404 as a merchant that does not exist, raised at the
    # same point (after input screening), and an import cannot write to it.

    def merchants(self, principal: Principal, offset: int, limit: int) -> MerchantPage:
        kb = self.pipeline.kb
        with tenant_scope(principal.tenant):
            items = kb.merchants(offset=offset, limit=limit)
            total = kb.merchant_count()
        return MerchantPage.of(items, total, offset, limit)

    def merchant_rules(self, principal: Principal, merchant_id: str) -> list[MerchantRule]:
        with tenant_scope(principal.tenant):
            return self.pipeline.kb.rules(merchant_id)

    def generate(
        self,
        principal: Principal,
        body: GenerateRequest,
        request_id: str,
        idempotency_key: str | None = None,
    ) -> GenerateResponse:
        with tenant_scope(principal.tenant):
            return self.pipeline.generate(
                body, request_id, tenant=principal.tenant, idempotency_key=idempotency_key
            )

    def guard(self, body: GuardCheckRequest) -> GuardVerdict:
        return self.pipeline.guard(body, body.policy)

    def templates(self) -> list[TemplateInfo]:
        renderer = self.pipeline.renderer
        if not isinstance(renderer, TemplateCatalog):
            raise ConfigError("this service's prompt renderer cannot list its templates")
        return describe_templates(renderer, default=self.pipeline.template)

    def policies(self) -> list[PolicyInfo]:
        return describe_policies(self.pipeline.packs)

    def import_past_offers(self, principal: Principal, body: PastOfferImport) -> ImportReport:
        """Same validation, screening and report as `offergen kb import`; the index catches up
        in the background and the retriever picks up the new version by itself."""
        with tenant_scope(principal.tenant):
            report = import_rows(
                self.pipeline.kb,
                self.pipeline.packs.get(KB_SCREENING),
                "past_offer",
                [({"index": i}, item) for i, item in enumerate(body.items)],
                source="request",
                strict=body.strict,
                dry_run=body.dry_run,
            )
        if report.errors and not report.applied and not body.dry_run:
            raise InvalidInputError(
                f"{len(report.errors)} invalid item(s); nothing was imported",
                [(f"items.{e.index}.{e.field}".rstrip("."), e.reason) for e in report.errors],
            )
        if report.applied and self.indexer is not None:
            self.indexer.schedule()
        return report
