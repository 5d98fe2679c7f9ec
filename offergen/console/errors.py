"""How the console answers errors: an HTML page with the status, never problem+json, and a
redirect to the sign-in form where a session is needed. Installed on the console's routes by
`ConsoleRoute`, so the API's own error mapping is untouched."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from offergen.api.errors import RETRY_AFTER_S
from offergen.console.pages import error_page
from offergen.errors import (
    BackendError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    NotReadyError,
    OffergenError,
)


class ConsoleError(Exception):
    status = 400
    title = "Bad request"
    headers: dict[str, str] = {}  # noqa: RUF012 - read only; set per instance where needed

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class SignInRequired(ConsoleError):
    status = 401
    title = "Sign in"


class RoleDenied(ConsoleError):
    status = 403
    title = "Not allowed"


class AtCapacity(ConsoleError):
    """Generation is at capacity (the API's 429 / 503 with Retry-After, as a page)."""

    def __init__(self, status: int, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.status = status
        self.title = "Too many requests" if status == 429 else "At capacity"
        self.headers = {"Retry-After": str(retry_after_s)}


class CsrfRejected(ConsoleError):
    status = 403
    title = "Form expired"

    def __init__(self) -> None:
        super().__init__("the form's security token is missing or wrong; reload the page and retry")


# The API's statuses for the core's errors (offergen/api/errors.py), shown as pages.
_STATUS: tuple[tuple[type[OffergenError], int, str], ...] = (
    (InvalidInputError, 422, "Not accepted"),
    (NotFoundError, 404, "Not found"),
    (ConflictError, 409, "Conflict"),
    (NotReadyError, 503, "Not ready"),
    (BackendError, 503, "Model unavailable"),
)


def status_of(exc: OffergenError) -> tuple[int, str]:
    return next(((s, t) for cls, s, t in _STATUS if isinstance(exc, cls)), (500, "Error"))


class ConsoleRoute(APIRoute):
    """Turns console and core errors raised by a page (or its dependencies) into HTML pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except ConsoleError as exc:
                page = error_page(request, exc.status, exc.title, exc.detail)
                page.headers.update(exc.headers)
                return page
            except OffergenError as exc:
                status, title = status_of(exc)
                if status >= 500 and not isinstance(exc, (NotReadyError, BackendError)):
                    raise  # the API's handler logs it and answers 500
                page = error_page(request, status, title, str(exc))
                if status == 503:  # transient, as in the API: when to come back
                    page.headers["Retry-After"] = str(exc.retry_after_s or RETRY_AFTER_S)
                return page

        return route
