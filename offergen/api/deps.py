"""Dependencies shared by the routes, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from offergen.api.auth import KeyChecker
from offergen.api.principal import Principal, Role
from offergen.api.service import Service
from offergen.errors import NotReadyError
from offergen.pipeline import Pipeline

_bearer = HTTPBearer(auto_error=False)


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def get_pipeline(service: Annotated[Service, Depends(get_service)]) -> Pipeline:
    if not service.pipeline.ready:
        raise NotReadyError("the service is still loading its model and index; retry shortly")
    return service.pipeline


def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    checker: KeyChecker = request.app.state.keys
    if not checker.enabled:
        return Principal(key_id=None, tenant=None, role=Role.admin)
    if credentials is None or not checker.accepts(credentials.credentials):
        raise HTTPException(
            status_code=401,
            detail="a valid API key is required (Authorization: Bearer <key>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Principal(key_id=None, tenant=None, role=Role.admin)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(role: Role) -> Any:
    """Route dependency: the caller's key must carry `role` (admin carries every role)."""

    def check(principal: PrincipalDep) -> Principal:
        if not principal.has(role):
            raise HTTPException(
                status_code=403, detail=f"this key's role may not do this ({role} needed)"
            )
        return principal

    return Depends(check)


def request_id(request: Request) -> str:
    rid: str = request.state.request_id
    return rid


ServiceDep = Annotated[Service, Depends(get_service)]
PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]
RequestIdDep = Annotated[str, Depends(request_id)]
Authorized = Depends(get_principal)
