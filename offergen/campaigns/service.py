"""What the API and the CLI do with campaigns, each seen through the caller's tenant."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from offergen.campaigns.job_store import CampaignStore
from offergen.campaigns.schemas import CampaignCreated, CampaignStatus, CampaignSubmit, ItemResult
from offergen.campaigns.validation import Check, expand
from offergen.errors import InvalidInputError, NotFoundError, TermsRefusedError
from offergen.guardrails.preflight import Preflight
from offergen.guardrails.screener import Screener
from offergen.schemas import GenerateRequest, MerchantRule
from offergen.store.knowledge_base import KnowledgeBase
from offergen.store.tenancy import tenant_scope

__all__ = ["Admission", "Campaigns"]


@dataclass(frozen=True)
class Admission:
    """What generation would refuse, checked before anything is stored: personal data in the
    request text (so none reaches the database), a merchant unknown to the tenant, a model this
    service does not run (`model`: the one it runs), offer terms that break a merchant rule or a
    pack requirement (pre-flight). Loads the screening packs on first use."""

    screener: Screener
    preflight: Preflight
    kb: KnowledgeBase
    model: str

    def check(self) -> Check:
        """A check for one submission (merchants repeat across its items: each is looked up
        once)."""
        rules: dict[str, list[MerchantRule] | None] = {}  # None: unknown to the tenant
        today = datetime.now(UTC).date()

        def check(request: GenerateRequest) -> list[tuple[str, str]]:
            problems: list[tuple[str, str]] = []
            try:
                self.screener.request(request)  # the exact screening generation runs first
            except InvalidInputError as exc:
                problems += exc.fields
            mid = request.merchant_id
            if mid not in rules:
                try:
                    rules[mid] = self.kb.rules(mid)
                except NotFoundError:
                    rules[mid] = None
            known = rules[mid]
            if known is None:
                problems.append(("merchant_id", "unknown merchant (or another tenant's)"))
            else:
                found = self.preflight.check(request, known, today)
                problems += TermsRefusedError.problems(found)
            if request.model not in (None, self.model):
                problems.append(("model", f"not served here; this service runs {self.model}"))
            return problems

        return check


class Campaigns:
    def __init__(self, store: CampaignStore, admission: Admission | None = None) -> None:
        self.store = store
        self.admission = admission  # None: submissions are checked for their shape only

    def submit(self, body: CampaignSubmit, tenant: str | None) -> CampaignCreated:
        with tenant_scope(tenant):
            check = None if self.admission is None else self.admission.check()
            requests = expand(body, check)
        return self.store.create(requests, tenant)

    def status(self, campaign_id: str, tenant: str | None) -> CampaignStatus:
        return self.store.status(campaign_id, tenant)

    def cancel(self, campaign_id: str, tenant: str | None) -> CampaignStatus:
        return self.store.cancel(campaign_id, tenant)

    def results(self, campaign_id: str, tenant: str | None) -> Iterator[ItemResult]:
        return self.store.results(campaign_id, tenant)
