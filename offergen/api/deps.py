"""Dependencies shared by the routes, as Annotated aliases: the serving objects the app was
built with (one each, made at start-up by `create_app`), the caller and the request."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from offergen.api.auth import KeyChecker
from offergen.api.metrics import ApiMetrics, app_metrics
from offergen.api.principal import Principal, Role
from offergen.api.readiness import Readiness
from offergen.api.service import Service
from offergen.app_context import AppContext
from offergen.campaigns.service import Campaigns
from offergen.experiments.service import Experiments
from offergen.outcomes.service import Outcomes
from offergen.store.review_queue import ReviewQueue
from offergen.store.sql_audit import SqlAuditStore

_bearer = HTTPBearer(
    auto_error=False, description="an API key from `offergen keys create` (og_<id>_<secret>)"
)


def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


def get_readiness(request: Request) -> Readiness:
    readiness: Readiness = request.app.state.readiness
    return readiness


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ContextDep = Annotated[AppContext, Depends(get_context)]
ReadinessDep = Annotated[Readiness, Depends(get_readiness)]
ServiceDep = Annotated[Service, Depends(get_service)]


def ready(readiness: ReadinessDep) -> None:
    if not readiness.ready:
        raise readiness.refusal()


def get_ready_service(service: ServiceDep, _: Annotated[None, Depends(ready)]) -> Service:
    return service


def get_reviews(ctx: ContextDep) -> ReviewQueue:
    return ctx.reviews


def get_campaigns(ctx: ContextDep) -> Campaigns:
    return ctx.campaigns


def get_ready_campaigns(ctx: ContextDep, _: Annotated[None, Depends(ready)]) -> Campaigns:
    return ctx.campaigns


def get_audit(ctx: ContextDep) -> SqlAuditStore:
    return ctx.audit


def get_outcomes(ctx: ContextDep) -> Outcomes:
    return ctx.outcomes


def get_experiments(ctx: ContextDep) -> Experiments:
    return ctx.experiments


def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ctx: ContextDep,
) -> Principal:
    checker: KeyChecker = request.app.state.keys
    token = credentials.credentials if credentials is not None else None
    principal = checker.principal(ctx.keys, token)
    if principal is None:
        raise HTTPException(
            status_code=401,
            detail="a valid API key is required (Authorization: Bearer <key>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    # for the middleware (rate limits per key, logs) that runs around the route
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_any(*roles: Role) -> Any:
    """Route dependency: the caller's key must carry one of `roles` (admin carries every role).
    Its value is the Principal: `principal: Annotated[Principal, require_any(...)]`."""
    names = " or ".join(r.value for r in roles)

    def check(principal: PrincipalDep) -> Principal:
        if not any(principal.has(role) for role in roles):
            raise HTTPException(
                status_code=403, detail=f"this key's role may not do this ({names} needed)"
            )
        return principal

    return Depends(check)


def require(role: Role) -> Any:
    """Route dependency: the caller's key must carry `role` (admin carries every role)."""
    return require_any(role)


def request_id(request: Request) -> str:
    rid: str = request.state.request_id
    return rid


ReadyServiceDep = Annotated[Service, Depends(get_ready_service)]
ReviewsDep = Annotated[ReviewQueue, Depends(get_reviews)]
CampaignsDep = Annotated[Campaigns, Depends(get_campaigns)]
ReadyCampaignsDep = Annotated[Campaigns, Depends(get_ready_campaigns)]
AuditDep = Annotated[SqlAuditStore, Depends(get_audit)]
OutcomesDep = Annotated[Outcomes, Depends(get_outcomes)]
ExperimentsDep = Annotated[Experiments, Depends(get_experiments)]
RequestIdDep = Annotated[str, Depends(request_id)]
MetricsDep = Annotated[ApiMetrics, Depends(app_metrics)]
# Paging of every list route; bounded so that no value can overflow a database integer.
Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="items to skip")]
Limit = Annotated[int, Query(ge=1, le=500, description="items per page")]
