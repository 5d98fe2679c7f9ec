"""HTML responses of the console: Jinja2 with autoescape on, and the security headers every
console page carries (a CSP without inline script: model output is untrusted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",  # pages show tenant data: never kept by a shared cache
}


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name: all of them are HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render(
    env: Environment, request: Request, template: str, code: int = 200, **values: Any
) -> HTMLResponse:
    values.setdefault("user", None)
    values.setdefault("section", "")
    html = env.get_template(template).render(request=request, **values)
    return HTMLResponse(html, status_code=code, headers=HEADERS)


def redirect(url: str) -> Response:
    # 303: a POST's answer is fetched with GET (reload does not resubmit the form)
    return RedirectResponse(url, status_code=303, headers=HEADERS)


def error_page(request: Request, status: int, title: str, detail: str) -> Response:
    """An error as a page; without a session, the way to the sign-in form."""
    if status == 401:
        return redirect("/console/")
    env: Environment = request.app.state.console.env
    return render(env, request, "error.html", status, status=status, title=title, detail=detail)
