"""What the API and the CLI do with campaigns, each seen through the caller's tenant."""

from __future__ import annotations

from collections.abc import Iterator

from offergen.campaigns.job_store import CampaignStore
from offergen.campaigns.schemas import CampaignCreated, CampaignStatus, CampaignSubmit, ItemResult
from offergen.campaigns.validation import Check, expand
from offergen.errors import InvalidInputError, NotFoundError
from offergen.pipeline import Pipeline
from offergen.retrieval.knowledge_base import tenant_scope
from offergen.schemas import GenerateRequest

__all__ = ["Campaigns", "request_check"]


def request_check(pipeline: Pipeline) -> Check:
    """What generation would refuse, checked before anything is stored: personal data in the
    request text (so none reaches the database), a merchant unknown to the tenant, a model this
    service does not run. Needs the policy packs loaded (`pipeline.packs.warm_up()`)."""
    known: dict[str, bool] = {}  # per submission: merchants repeat across items

    def check(request: GenerateRequest) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        try:
            pipeline.screen(request)  # the exact screening generation runs first
        except InvalidInputError as exc:
            problems += exc.fields
        mid = request.merchant_id
        if mid not in known:
            try:
                pipeline.kb.merchant(mid)
                known[mid] = True
            except NotFoundError:
                known[mid] = False
        if not known[mid]:
            problems.append(("merchant_id", "unknown merchant (or another tenant's)"))
        if request.model not in (None, pipeline.profile.name):
            problems.append(
                ("model", f"not served here; this service runs {pipeline.profile.name}")
            )
        return problems

    return check


class Campaigns:
    def __init__(self, store: CampaignStore, pipeline: Pipeline | None = None) -> None:
        self.store = store
        self.pipeline = pipeline  # None: submissions are checked for their shape only

    @classmethod
    def of(cls, pipeline: Pipeline) -> Campaigns:
        """Campaigns in the pipeline's database, next to the audit trail they write to."""
        return cls(CampaignStore(pipeline.kb.db), pipeline)

    def submit(self, body: CampaignSubmit, tenant: str | None) -> CampaignCreated:
        with tenant_scope(tenant):
            check = None if self.pipeline is None else request_check(self.pipeline)
            requests = expand(body, check)
        return self.store.create(requests, tenant)

    def status(self, campaign_id: str, tenant: str | None) -> CampaignStatus:
        return self.store.status(campaign_id, tenant)

    def cancel(self, campaign_id: str, tenant: str | None) -> CampaignStatus:
        return self.store.cancel(campaign_id, tenant)

    def results(self, campaign_id: str, tenant: str | None) -> Iterator[ItemResult]:
        return self.store.results(campaign_id, tenant)
