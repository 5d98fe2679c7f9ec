"""`offergen review`: the queue of held copy, decisions, and their export as eval cases."""

from __future__ import annotations

import typer

review_app = typer.Typer(
    help="Review held copy: list the queue, approve or reject, export decisions as eval cases.",
    no_args_is_help=True,
)
