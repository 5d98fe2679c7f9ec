"""The review queue: held copy waiting for a reviewer's decision."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field, StringConstraints

from offergen.api.deps import Limit, Offset, PrincipalDep, ReviewsDep, require
from offergen.api.errors import PROBLEM_RESPONSES, problem_responses
from offergen.api.principal import Role
from offergen.schemas import Strict
from offergen.store.review_queue import REASON_MAX, Decision, ReviewItem, ReviewPage

router = APIRouter(prefix="/v1", tags=["reviews"], dependencies=[require(Role.reviewer)])


def _described(status: int, description: str) -> dict[str, Any]:
    # The shared Problem response, in this route's own words.
    return {**PROBLEM_RESPONSES[status], "description": description}


_UNKNOWN = _described(404, "unknown review item (or another tenant's)")
_ONE = problem_responses(404) | {404: _UNKNOWN}
_DECIDE = problem_responses(400, 404, 409) | {
    404: _UNKNOWN,
    409: _described(409, "the item was already decided; a decision is final"),
}


class DecisionBody(Strict):
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_MAX)
    ] = Field(description="why; stored with the decision and exported with the eval case")


ReviewId = Annotated[int, Path(ge=1, le=2**63 - 1)]  # a database integer


@router.get(
    "/reviews",
    response_model=ReviewPage,
    responses=problem_responses(),
    summary="Variants waiting for a reviewer, oldest first: held with only warnings, or sampled",
)
def pending(
    queue: ReviewsDep,
    principal: PrincipalDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> ReviewPage:
    return queue.pending(principal.tenant, offset=offset, limit=limit)


@router.get("/reviews/{review_id}", response_model=ReviewItem, responses=_ONE)
def get_review(review_id: ReviewId, queue: ReviewsDep, principal: PrincipalDep) -> ReviewItem:
    return queue.get(review_id, principal.tenant)


@router.post(
    "/reviews/{review_id}:approve",
    response_model=ReviewItem,
    responses=_DECIDE,
    summary="Approve the copy: the decision, reviewer and reason are recorded for good",
)
def approve(
    review_id: ReviewId, body: DecisionBody, queue: ReviewsDep, principal: PrincipalDep
) -> ReviewItem:
    return queue.decide(
        review_id, principal.tenant, Decision.approve, body.reason, principal.key_id
    )


@router.post(
    "/reviews/{review_id}:reject",
    response_model=ReviewItem,
    responses=_DECIDE,
    summary="Reject the copy: the decision, reviewer and reason are recorded for good",
)
def reject(
    review_id: ReviewId, body: DecisionBody, queue: ReviewsDep, principal: PrincipalDep
) -> ReviewItem:
    return queue.decide(review_id, principal.tenant, Decision.reject, body.reason, principal.key_id)
