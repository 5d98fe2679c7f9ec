"""Schema migrations on SQLite and PostgreSQL: a fresh database, one made by `create_all` before
migrations existed (the committed legacy fixture, and the same on both dialects), one from before
merchants had tenants, and the append-only triggers the migrations must create themselves."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from offergen.schemas import Merchant
from offergen.store.database import Base, Database
from offergen.store.keys import KeyStore
from offergen.store.knowledge_base import KnowledgeBase
from offergen.store.migrate import current, head, upgrade
from offergen.store.sql_audit import SqlAuditStore
from offergen.store.tenancy import tenant_scope
from tests.store.audit_records import audit_record

LEGACY = Path(__file__).parent / "fixtures" / "legacy-0.1.db"
APPEND_ONLY = (
    "audit_records",
    "review_items",
    "review_decisions",
    "audit_refusals",
    "outcome_events",
)


def _models() -> None:
    """Registers every table on Base.metadata."""
    import offergen.store.audit_tables
    import offergen.store.auth_tables
    import offergen.store.campaign_tables
    import offergen.store.experiment_tables
    import offergen.store.knowledge_tables
    import offergen.store.limit_tables
    import offergen.store.outcome_tables  # noqa: F401


def _differences(db: Database) -> list[object]:
    """What Alembic's autogenerate would change to make the database match the models."""
    _models()
    with db.engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def _triggers(db: Database) -> set[str]:
    if db.dialect == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = (
            "SELECT tgname FROM pg_trigger JOIN pg_class c ON c.oid = tgrelid "
            "WHERE c.relnamespace = to_regnamespace(current_schema()) AND NOT tgisinternal"
        )
    with db.engine.connect() as conn:
        return set(conn.execute(text(query)).scalars())


def _schema(db: Database) -> dict[str, object]:
    """Tables with their columns and index names, and the triggers: to compare two states."""
    inspector = inspect(db.engine)
    tables = {
        t: (
            [c["name"] for c in inspector.get_columns(t)],
            sorted(str(i["name"]) for i in inspector.get_indexes(t)),
        )
        for t in inspector.get_table_names()
    }
    return {"tables": tables, "triggers": _triggers(db)}


def _legacy(tmp_path: Path) -> Database:
    """A copy of the committed database made by the code before migrations."""
    copy = tmp_path / "legacy.db"
    shutil.copyfile(LEGACY, copy)
    return Database(f"sqlite:///{copy}")


def _assert_append_only(db: Database) -> None:
    SqlAuditStore(db).append([audit_record("r_append")])
    for statement in ("UPDATE audit_records SET text = 'rewritten'", "DELETE FROM audit_records"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    assert [r.text for r in SqlAuditStore(db).by_request("r_append")] == [
        audit_record("r_append").text
    ]


def test_upgrade_creates_the_schema_at_head(database: Database) -> None:
    assert current(database) is None
    upgrade(database)
    assert current(database) == head() == "0004"
    tables = set(inspect(database.engine).get_table_names())
    assert {"alembic_version", "kb_merchants", "audit_records", "api_keys", "campaigns"} <= tables


def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    upgrade(database)
    assert _differences(database) == []


def test_upgrade_is_idempotent(database: Database) -> None:
    upgrade(database)
    before = _schema(database)
    upgrade(database)
    database.create_schema()
    assert current(database) == head()
    assert _schema(database) == before


def test_the_revisions_create_only_what_is_missing(database: Database) -> None:
    """Run again over a complete schema (the version row gone), nothing is created twice."""
    upgrade(database)
    before = _schema(database)
    with database.engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    upgrade(database)
    assert current(database) == head()
    assert _schema(database) == before


def test_a_database_made_by_create_all_is_adopted(database: Database) -> None:
    """How `create_schema()` made the schema before migrations, on both dialects."""
    _models()
    Base.metadata.create_all(database.engine)  # the audit tables' DDL events add the triggers
    made = _schema(database)
    KnowledgeBase(database).upsert([Merchant(id="m1", name="M", category="c", tenant="acme")])
    upgrade(database)
    assert current(database) == head()
    made["tables"]["alembic_version"] = (["version_num"], [])  # type: ignore[index]
    assert _schema(database) == made
    assert [m.id for m in KnowledgeBase(database).merchants()] == ["m1"]


def test_the_audit_tables_are_append_only_after_upgrade(database: Database) -> None:
    upgrade(database)
    per_table = 2  # SQLite: no_update, no_delete; PostgreSQL: append_only, no_truncate
    assert len(_triggers(database)) == per_table * len(APPEND_ONLY)
    _assert_append_only(database)
    if database.dialect == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_records CASCADE"))


def test_upgrade_is_all_or_nothing(database: Database) -> None:
    """A revision that fails halfway leaves no table behind (SQLite included)."""
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE blocker (x INTEGER)"))
        # takes the name of an index 0001 creates late, after most of its tables
        conn.execute(text("CREATE INDEX ix_review_decisions_decided_at ON blocker (x)"))
    with pytest.raises(DBAPIError):
        upgrade(database)
    assert set(inspect(database.engine).get_table_names()) == {"blocker"}
    assert current(database) is None


def test_the_legacy_database_upgrades_with_its_rows(tmp_path: Path) -> None:
    db = _legacy(tmp_path)
    assert current(db) is None
    upgrade(db)
    assert current(db) == head()
    assert _differences(db) == []

    kb = KnowledgeBase(db)
    with tenant_scope("acme"):
        assert [m.id for m in kb.merchants()] == ["m_books", "m_cafe"]
        assert [r.id for r in kb.rules("m_cafe")] == ["r_m_cafe"]
        assert [p.id for p in kb.past_offers()] == ["po_m_books", "po_m_cafe"]
    with tenant_scope("globex"):
        assert [(m.id, m.tenant) for m in kb.merchants()] == [("m_fuel", "globex")]
    assert kb.tenants() == ["acme", "globex"]
    [record] = SqlAuditStore(db).by_request("r_legacy", tenant="acme")
    assert (record.merchant_id, record.released) == ("m_cafe", True)
    [key] = KeyStore(db).list()
    assert (key.tenant, key.label, key.active) == ("acme", "legacy fixture", True)
    _assert_append_only(db)
    db.dispose()


def test_a_database_from_before_tenants_gets_the_default_tenant(tmp_path: Path) -> None:
    db = _legacy(tmp_path)
    with sqlite3.connect(tmp_path / "legacy.db") as conn:  # kb_merchants as it was then
        conn.execute("DROP INDEX ix_kb_merchants_tenant_id")
        conn.execute("ALTER TABLE kb_merchants DROP COLUMN tenant_id")
    assert "tenant_id" not in {c["name"] for c in inspect(db.engine).get_columns("kb_merchants")}

    KnowledgeBase(db).create_schema()
    assert current(db) == head()
    assert _differences(db) == []
    kb = KnowledgeBase(db)
    assert [(m.id, m.tenant) for m in kb.merchants()] == [
        ("m_books", "default"),
        ("m_cafe", "default"),
        ("m_fuel", "default"),
    ]
    assert kb.tenants() == ["default"]
    db.dispose()
