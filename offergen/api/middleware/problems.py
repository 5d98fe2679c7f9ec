"""Problem responses sent straight from ASGI middleware, through the app's one error model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from offergen.api.errors import problem


async def send_problem(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> None:
    # Request(scope).state is the request-id middleware's state: the body carries that id.
    response = problem(Request(scope), status, title, detail, headers=headers, **extra)
    await response(scope, receive, send)
