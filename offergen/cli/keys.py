"""`offergen keys`: API keys, stored hashed; each key has one tenant and one role."""

from __future__ import annotations

import typer

keys_app = typer.Typer(
    help="Create, list and revoke API keys (stored hashed; each key has one tenant and one role).",
    no_args_is_help=True,
)
