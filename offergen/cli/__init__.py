"""Command line: `offergen --help`. Heavy imports happen inside commands, not at import time."""

from offergen.cli.app import app

__all__ = ["app"]
