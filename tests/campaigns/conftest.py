"""A database (SQLite and PostgreSQL) holding the small demo KB and the campaign tables, and a
pipeline over it with a steady scripted model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from offergen.campaigns.job_store import CampaignStore
from offergen.pipeline import Pipeline
from offergen.store.database import Database
from tests.campaigns.cheap_pipeline import SteadyBackend, cheap_pipeline, seed_kb


@pytest.fixture
def index_dir(database: Database, tmp_path: Path) -> Path:
    seed_kb(database, tmp_path / "index")
    return tmp_path / "index"


@pytest.fixture
def store(database: Database, index_dir: Path) -> CampaignStore:
    return CampaignStore(database)


MakeCheap = Callable[..., tuple[Pipeline, SteadyBackend]]


@pytest.fixture
def make_cheap(database: Database, index_dir: Path) -> MakeCheap:
    def make(delay: float = 0.0) -> tuple[Pipeline, SteadyBackend]:
        backend = SteadyBackend(delay)
        return cheap_pipeline(database, index_dir, backend), backend

    return make
