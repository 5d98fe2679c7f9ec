"""Test databases: a PostgreSQL schema of its own per test, and a knowledge base loaded with
demo data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

from offergen.demo.generator import DemoKB
from offergen.store.database import Database
from offergen.store.knowledge_base import KnowledgeBase

PG_URL = os.environ.get("PG_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_database(url: str) -> Iterator[Database]:
    """A schema of its own per test, dropped afterwards: tests never see each other's rows."""
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, pool_pre_ping=True)  # survives a server restart mid-test
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    db = Database(url, schema=schema)
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def load_kb(db: Database, demo: DemoKB) -> KnowledgeBase:
    kb = KnowledgeBase(db)
    kb.create_schema()
    kb.upsert(demo.merchants, demo.rules, demo.past_offers)
    return kb
