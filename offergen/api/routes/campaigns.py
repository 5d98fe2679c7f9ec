"""Campaigns: submit a batch, follow its progress, read its results, cancel it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from offergen.api.deps import CampaignsDep, PrincipalDep, ReadyCampaignsDep, require
from offergen.api.errors import PROBLEM_RESPONSES, problem_responses
from offergen.api.principal import Role
from offergen.campaigns.export import csv_lines, ndjson_lines
from offergen.campaigns.schemas import CampaignCreated, CampaignStatus, CampaignSubmit

router = APIRouter(prefix="/v1", tags=["campaigns"], dependencies=[require(Role.marketing)])

_UNKNOWN = {**PROBLEM_RESPONSES[404], "description": "unknown campaign (or another tenant's)"}
_ONE = problem_responses(404) | {404: _UNKNOWN}
_MEDIA = {"ndjson": "application/x-ndjson", "csv": "text/csv"}
_RESULTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "NDJSON: one finished item a line (`item`, `status`, `request_id`, and "
        "`response` or `error`), in item order; CSV: one variant a row",
        "content": {media: {"schema": {"type": "string"}} for media in _MEDIA.values()},
    },
    **_ONE,
}


CampaignId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="from POST /v1/campaigns")]


@router.post(
    "/campaigns",
    status_code=202,
    response_model=CampaignCreated,
    responses=problem_responses(400, 409),
    summary="Submit a campaign: GenerateRequests, or one request for each of a list of customers "
    "(up to 100,000 items); every bad item is reported by index and nothing is stored then",
)
def submit(
    body: CampaignSubmit,
    # submissions are screened with the policy packs, which load with the model
    campaigns: ReadyCampaignsDep,
    principal: PrincipalDep,
) -> CampaignCreated:
    return campaigns.submit(body, principal.tenant)


@router.get(
    "/campaigns/{campaign_id}",
    response_model=CampaignStatus,
    responses=_ONE,
    summary="Status, item counts, progress, rate and ETA",
)
def status(
    campaign_id: CampaignId, campaigns: CampaignsDep, principal: PrincipalDep
) -> CampaignStatus:
    return campaigns.status(campaign_id, principal.tenant)


@router.get(
    "/campaigns/{campaign_id}/results",
    response_class=StreamingResponse,
    responses=_RESULTS,
    summary="The finished items so far, streamed as NDJSON (or CSV)",
)
def results(
    campaign_id: CampaignId,
    campaigns: CampaignsDep,
    principal: PrincipalDep,
    format: Annotated[Literal["ndjson", "csv"], Query()] = "ndjson",
) -> StreamingResponse:
    items = campaigns.results(campaign_id, principal.tenant)  # 404 before the stream starts
    lines = ndjson_lines(items) if format == "ndjson" else csv_lines(items)
    return StreamingResponse(lines, media_type=_MEDIA[format])


@router.post(
    "/campaigns/{campaign_id}:cancel",
    response_model=CampaignStatus,
    responses=problem_responses(404, 409)
    | {404: _UNKNOWN, 409: {**PROBLEM_RESPONSES[409], "description": "already finished"}},
    summary="Cancel: queued items are dropped; items being generated finish and are kept",
)
def cancel(
    campaign_id: CampaignId, campaigns: CampaignsDep, principal: PrincipalDep
) -> CampaignStatus:
    return campaigns.cancel(campaign_id, principal.tenant)
