"""The one mapping from errors to HTTP responses: application/problem+json (RFC 9457)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from offergen.errors import (
    BackendError,
    ConfigError,
    InvalidInputError,
    NotFoundError,
    NotReadyError,
    OffergenError,
)

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """The body of every error response (application/problem+json, RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    request_id: str | None
    errors: list[FieldError] | None = None


def _doc(description: str) -> dict[str, Any]:
    return {
        "model": Problem,
        "description": description,
        "content": {"application/problem+json": {}},
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _doc("missing or invalid API key"),
    404: _doc("unknown merchant, template or model profile"),
    422: _doc("the request is malformed or carries personal data; `errors` names each field"),
    500: _doc("unexpected error (no details are returned)"),
    503: _doc(
        "the model and index are still loading, or the generation backend is down, slow or "
        "failing; nothing was released; retry after `Retry-After` seconds"
    ),
}

RETRY_AFTER_S = 5

_STATUS: dict[type[OffergenError], tuple[int, str]] = {
    NotFoundError: (404, "Not Found"),
    NotReadyError: (503, "Service Unavailable"),
    BackendError: (503, "Generation Backend Unavailable"),
    ConfigError: (500, "Configuration Error"),
}


def problem(
    request: Request,
    status: int,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "request_id": getattr(request.state, "request_id", None),
        **extra,
    }
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    # Only location and message: echoing `input` back could return submitted PII.
    return [
        {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
    ]


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, 422, "Invalid Request", detail, errors=errors)


async def _on_invalid_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInputError)
    errors = [{"field": f"body.{field}", "message": reason} for field, reason in exc.fields]
    return problem(request, 422, "Invalid Request", str(exc), errors=errors)


async def _on_offergen(request: Request, exc: Exception) -> JSONResponse:
    status, title = next(
        (v for cls, v in _STATUS.items() if isinstance(exc, cls)), (500, "Internal Error")
    )
    if status >= 500:
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
    # 503s are transient (loading, backend restarting): tell clients when to come back
    headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None
    return problem(request, status, title, str(exc), headers=headers)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail)
    return problem(request, exc.status_code, detail, detail, headers=exc.headers)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Type and frames only: an exception's text may quote request content (PII); the caller
    # gets neither.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unhandled %s on %s\n%s", type(exc).__name__, request.url.path, frames)
    return problem(request, 500, "Internal Error", "an unexpected error occurred")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(InvalidInputError, _on_invalid_input)
    app.add_exception_handler(OffergenError, _on_offergen)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
