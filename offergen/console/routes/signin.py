"""Sign in with an API key, sign out."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request, Response

from offergen.console import csrf
from offergen.console.deps import ConsoleDep, FormDep, RawFormDep, UserDep
from offergen.console.errors import ConsoleRoute, CsrfRejected
from offergen.console.pages import redirect, render
from offergen.console.session import COOKIE
from offergen.console.state import Console

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

HOME = "/console/overview"


def _form(request: Request, console: Console, error: str = "", status: int = 200) -> Response:
    # The sign-in form's CSRF token is bound to a nonce in a cookie of its own.
    nonce = request.cookies.get(csrf.PRE_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        console.env,
        request,
        "signin.html",
        status,
        title="Sign in",
        csrf_token=csrf.token(console.secret, nonce),
        error=error,
        user=None,
    )
    response.set_cookie(
        csrf.PRE_COOKIE, nonce, httponly=True, samesite="strict", path="/console",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.get("/")
def sign_in_page(request: Request, console: ConsoleDep) -> Response:
    if console.sessions.load(request.cookies.get(COOKIE)) is not None:
        return redirect(HOME)
    return _form(request, console)


@router.post("/sign-in")
def sign_in(request: Request, console: ConsoleDep, form: RawFormDep) -> Response:
    if not csrf.valid(console.secret, request.cookies.get(csrf.PRE_COOKIE), form.get(csrf.FIELD)):
        raise CsrfRejected()
    principal = console.sign_in(form.get("api_key"))
    if principal is None:
        # the same answer for unknown, wrong and revoked keys (the API's 401)
        return _form(request, console, "That API key is not valid.", 401)
    _, cookie = console.sessions.create(principal.key_id)
    response = redirect(HOME)
    response.set_cookie(
        COOKIE, cookie, max_age=console.sessions.ttl_s, httponly=True, samesite="strict",
        path="/console", secure=request.url.scheme == "https",
    )  # fmt: skip
    response.delete_cookie(csrf.PRE_COOKIE, path="/console")
    return response


@router.post("/sign-out")
def sign_out(user: UserDep, _: FormDep, console: ConsoleDep) -> Response:
    console.sessions.end(user.session)
    response = redirect("/console/")
    response.delete_cookie(COOKIE, path="/console", httponly=True, samesite="strict")
    return response
