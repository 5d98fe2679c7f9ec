"""Helpers every command group shares: settings, failing with a clear message, spinners."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from pydantic import ValidationError

from offergen.config import Settings

if TYPE_CHECKING:
    from offergen.app_context import AppContext


def load_settings(**overrides: Any) -> Settings:
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        fail(f"invalid settings: {problems(exc)}")
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per vLLM call drowns the rest
    return settings


def open_ctx(settings: Settings | None = None, **kwargs: Any) -> AppContext:
    """The application context for one command (`open_context`'s keyword arguments), or a
    clear error."""
    from offergen.app_context import open_context
    from offergen.errors import OffergenError

    try:
        return open_context(settings or load_settings(), **kwargs)
    except OffergenError as exc:
        fail(str(exc))


def problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in exc.errors()
    )


def fail(message: str, code: int = 2) -> NoReturn:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def spinner(message: str) -> Any:
    from rich.console import Console

    return Console(stderr=True).status(message)


def text_lines(path: Path) -> list[tuple[int, str]]:
    return [(n, line) for n, line in enumerate(read_text(path).splitlines(), 1) if line.strip()]


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
