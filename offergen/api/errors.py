"""The one mapping from errors to HTTP responses: application/problem+json (RFC 9457), and how
those responses are documented in the OpenAPI schema."""

from __future__ import annotations

import http
import logging
import re
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from offergen.errors import (
    BackendError,
    ConfigError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    NotReadyError,
    OffergenError,
    TermsRefusedError,
)

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    field: str
    message: str
    # For offer terms refused before generation: the rule broken and its bound.
    rule_id: str | None = None
    limit: float | str | None = None


class Problem(BaseModel):
    """The body of every error response (application/problem+json, RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    request_id: str | None
    errors: list[FieldError] | None = None


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "required": True, "schema": {"type": "string"}}


_RETRY_AFTER = _header("seconds to wait before retrying")


def _doc(description: str, **headers: dict[str, Any]) -> dict[str, Any]:
    # `model` puts the schema in the spec; _document_problems files it under the problem media
    # type, which is the only one these responses have.
    doc: dict[str, Any] = {"model": Problem, "description": description}
    if headers:
        doc["headers"] = {name.replace("_", "-"): h for name, h in headers.items()}
    return doc


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _doc("the body could not be read at all (e.g. it is not UTF-8 text)"),
    401: _doc(
        "missing, unknown or revoked API key",
        WWW_Authenticate=_header("`Bearer`: how to authenticate"),
    ),
    403: _doc("this key's role may not use this route"),
    404: _doc("unknown merchant (or another tenant's), template, policy or model profile"),
    409: _doc("another request with this Idempotency-Key is still in progress"),
    413: _doc("the request body is larger than the service accepts"),
    422: _doc(
        "the request is malformed or carries personal data, its offer terms break a merchant "
        "rule or a pack requirement (each with `rule_id` and `limit`), or its Idempotency-Key "
        "was used with another body; `errors` names each field (never its value)"
    ),
    429: _doc(
        "too many requests for this key; retry after `Retry-After` seconds",
        Retry_After=_RETRY_AFTER,
    ),
    500: _doc("unexpected error (no details are returned)"),
    503: _doc(
        "the model and index are still loading, the generation backend or the database is "
        "down, generation is at capacity, or the request ran out of time; nothing was "
        "released; retry after "
        "`Retry-After` seconds",
        Retry_After=_RETRY_AFTER,
    ),
}

# What any authenticated /v1 route can answer besides its own errors: auth, the limits the
# middleware enforces (413, 429, 503 on timeout) and the unexpected.
V1_STATUSES = (401, 403, 413, 422, 429, 500, 503)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of a /v1 route: V1_STATUSES plus `statuses` (e.g. 404; and
    400 and 409 on a route that takes a body)."""
    return {s: PROBLEM_RESPONSES[s] for s in sorted({*V1_STATUSES, *statuses})}


RETRY_AFTER_S = 5

_STATUS: dict[type[OffergenError], tuple[int, str]] = {
    NotFoundError: (404, "Not Found"),
    ConflictError: (409, "Conflict"),
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
    rid = getattr(request.state, "request_id", None)
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "request_id": rid,
        **extra,
    }
    # An unhandled error's answer is sent from outside the request-id middleware: set it here.
    headers = {**(headers or {}), **({"X-Request-ID": rid} if rid else {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


# A path segment is the caller's own text when it names an unknown field or a dict key: it is
# echoed only if it reads like a field name (a card number sent as a key is not).
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def _segment(part: int | str) -> str:
    text = str(part)
    if isinstance(part, int) or (_FIELD_NAME.match(text) and sum(c.isdigit() for c in text) < 4):
        return text
    return "<key>"


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    # Only location and message: echoing `input` back could return submitted PII.
    out = []
    for e in exc.errors():
        if e["type"] == "json_invalid":
            # loc is ("body", <character offset>); ctx.error names what the parser expected
            reason = e.get("ctx", {}).get("error", "syntax error")
            out.append({"field": "body", "message": f"not valid JSON: {reason}"})
            continue
        field = ".".join(_segment(p) for p in e["loc"])
        out.append({"field": field, "message": e["msg"]})
    return out


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, 422, "Invalid Request", detail, errors=errors)


async def _on_invalid_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInputError)
    errors: list[dict[str, Any]]
    if isinstance(exc, TermsRefusedError):
        errors = [
            {"field": f"body.{f.field}", "message": f.message, "rule_id": f.rule_id}
            | ({"limit": f.limit} if f.limit is not None else {})
            for f in exc.findings
        ]
    else:
        errors = [{"field": f"body.{field}", "message": reason} for field, reason in exc.fields]
    return problem(request, 422, "Invalid Request", str(exc), errors=errors)


async def _on_offergen(request: Request, exc: Exception) -> JSONResponse:
    status, title = next(
        (v for cls, v in _STATUS.items() if isinstance(exc, cls)), (500, "Internal Error")
    )
    if status >= 500:
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
    # 503s are transient (loading, backend restarting): tell clients when to come back
    retry_after = exc.retry_after_s if isinstance(exc, OffergenError) else None
    headers = {"Retry-After": str(retry_after or RETRY_AFTER_S)} if status == 503 else None
    return problem(request, status, title, str(exc), headers=headers)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    try:
        title = http.HTTPStatus(exc.status_code).phrase
    except ValueError:
        title = "Error"
    return problem(request, exc.status_code, title, str(exc.detail), headers=exc.headers)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is unreachable (restarting, failing over): transient, like a backend
        # outage. A route or a middleware (rate limit, idempotency) may hit it first.
        log.error("database unreachable on %s: %s", request.url.path, type(exc).__name__)
        return problem(
            request,
            503,
            "Database Unavailable",
            f"the database is unreachable; retry after {RETRY_AFTER_S} s",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
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
    app.openapi = _document_problems(app)  # type: ignore[method-assign]


_PROBLEM_REF = "#/components/schemas/Problem"
_REQUEST_ID = {
    "description": "the request's id: the caller's X-Request-ID if well-formed, else a new one",
    "required": True,
    "schema": {"type": "string"},
}


def _document_problems(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Wrap FastAPI's schema builder so the schema says what the service really sends: every
    error is application/problem+json with the Problem schema (FastAPI files declared models
    under application/json, and adds its own 422 schema where a route declares none), and every
    response carries X-Request-ID."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _rewrite(build())  # build() caches the schema in app.openapi_schema
        assert app.openapi_schema is not None
        return app.openapi_schema

    return openapi


def _rewrite(schema: dict[str, Any]) -> None:
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                if status.startswith(("4", "5")) and _is_problem(response.get("content", {})):
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _PROBLEM_REF}}}
                response.setdefault("headers", {}).setdefault("X-Request-ID", _REQUEST_ID)
    components = schema.get("components", {}).get("schemas", {})
    # FastAPI's validation-error schemas: no response uses them once every 422 is a Problem
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)


def _is_problem(content: dict[str, Any]) -> bool:
    refs = {str(media.get("schema", {}).get("$ref", "")) for media in content.values()}
    return bool(refs & {_PROBLEM_REF, "#/components/schemas/HTTPValidationError"})
