"""Experiments between the released variants of a generate response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from offergen.api.deps import ExperimentsDep, PrincipalDep, require
from offergen.api.errors import PROBLEM_RESPONSES, problem_responses
from offergen.api.principal import Principal, Role
from offergen.experiments.chart import experiment_svg
from offergen.experiments.schemas import (
    Assignment,
    AssignRequest,
    ExperimentCreate,
    ExperimentView,
)

router = APIRouter(prefix="/v1", tags=["experiments"])

_UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: {**PROBLEM_RESPONSES[404], "description": "unknown experiment (or another tenant's)"}
}
ExperimentId = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")]
Writer = Annotated[Principal, require(Role.marketing)]


@router.post(
    "/experiments",
    status_code=201,
    response_model=ExperimentView,
    responses=problem_responses(400, 409),
    summary="Start an experiment whose arms are a generate response's released variants "
    "(at least 2), with an allocation policy, a minimum of sends per arm and a hold-out share",
)
def create_experiment(
    body: ExperimentCreate, principal: Writer, experiments: ExperimentsDep
) -> ExperimentView:
    return experiments.create(principal.tenant, body)


@router.post(
    "/experiments/{experiment_id}:assign",
    response_model=Assignment,
    responses=problem_responses(400, 404, 409) | _UNKNOWN,
    summary="The arm (variant index) for a customer key, the same every time; a held-out "
    "customer gets `arm: null, holdout: true`",
)
def assign(
    experiment_id: ExperimentId,
    body: AssignRequest,
    principal: Writer,
    experiments: ExperimentsDep,
) -> Assignment:
    return experiments.assign(principal.tenant, experiment_id, body.customer_key)


@router.get(
    "/experiments/{experiment_id}",
    response_model=ExperimentView,
    responses=problem_responses(404) | _UNKNOWN,
    summary="The arms with their outcomes, Beta posteriors, probability of being best and "
    "expected loss, and the stopping verdict",
)
def get_experiment(
    experiment_id: ExperimentId, principal: PrincipalDep, experiments: ExperimentsDep
) -> ExperimentView:
    return experiments.view(principal.tenant, experiment_id)


_SVG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "chart"}
}


@router.get(
    "/experiments/{experiment_id}/chart",
    response_class=Response,
    responses=_SVG | problem_responses(404) | _UNKNOWN,
    summary="The experiment as a small SVG chart: posterior rates and probability of being best",
)
def experiment_chart(
    experiment_id: ExperimentId, principal: PrincipalDep, experiments: ExperimentsDep
) -> Response:
    view = experiments.view(principal.tenant, experiment_id)
    return Response(experiment_svg(view), media_type="image/svg+xml")
