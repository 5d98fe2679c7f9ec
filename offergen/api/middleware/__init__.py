"""Cross-cutting HTTP concerns (limits, idempotency, metrics, logs), installed in one place."""

from __future__ import annotations

from fastapi import FastAPI

from offergen.config import Settings
from offergen.store.database import Database


def install(app: FastAPI, settings: Settings, database: Database) -> None:
    """Add every middleware to `app`; `database` holds the state shared across replicas."""
