"""Adds the console to an API app: its pages under /console and its static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from offergen.console.routes import audit as audit_pages
from offergen.console.routes import evals as eval_pages
from offergen.console.routes import overview as overview_page
from offergen.console.routes import playground as playground_pages
from offergen.console.routes import reviews as review_pages
from offergen.console.routes import signin as signin_pages
from offergen.console.state import Console

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """After `app.state.context`, `.service` and `.keys` are set (offergen/api/app.py)."""
    app.state.console = Console(app.state.context, app.state.service, app.state.keys)
    pages = (signin_pages, overview_page, review_pages, playground_pages, audit_pages, eval_pages)
    for module in pages:
        app.include_router(module.router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
