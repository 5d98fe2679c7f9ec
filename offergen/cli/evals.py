"""`offergen eval`: Run eval suites (eval/suites/*.yaml) and compare templates or model profiles."""

from __future__ import annotations

import typer

evals_app = typer.Typer(
    help="Run eval suites (eval/suites/*.yaml) and compare templates or model profiles.",
    no_args_is_help=True,
)
