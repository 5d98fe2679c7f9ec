"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from offergen.api.deps import ReadinessDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    detail: str | None = None


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    responses={503: {"model": Health, "description": "still loading, or loading failed"}},
)
def readyz(readiness: ReadinessDep) -> Health | JSONResponse:
    if readiness.ready:
        return Health(status="ready")
    status = "failed" if readiness.error else "loading"
    body = Health(status=status, detail=readiness.error)
    return JSONResponse(body.model_dump(), status_code=503)
