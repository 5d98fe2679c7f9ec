"""Dependencies shared by the routes, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from offergen.api.auth import KeyChecker
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


def require_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    checker: KeyChecker = request.app.state.keys
    if not checker.enabled:
        return
    if credentials is None or not checker.accepts(credentials.credentials):
        raise HTTPException(
            status_code=401,
            detail="a valid API key is required (Authorization: Bearer <key>)",
            headers={"WWW-Authenticate": "Bearer"},
        )


def request_id(request: Request) -> str:
    rid: str = request.state.request_id
    return rid


ServiceDep = Annotated[Service, Depends(get_service)]
PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]
RequestIdDep = Annotated[str, Depends(request_id)]
Authorized = Depends(require_key)
