"""Schema changes as Alembic revisions (`offergen/store/migrations/versions/`), run in code.

There is no alembic.ini: the config is built here, and the revisions run on the connection of
a `Database`, so its PostgreSQL `search_path` decides where the tables and `alembic_version` go.
A new revision is a file in versions/ whose `down_revision` is the current head (the
`script.py.mako` there is its template).
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from offergen.store.database import Database

__all__ = ["current", "head", "upgrade"]

_SCRIPTS = Path(__file__).with_name("migrations")
_VERSION_TABLE = "alembic_version"  # Alembic's default, in the connection's current schema
# Any constant: the PostgreSQL advisory lock that serializes replicas migrating at once.
_PG_LOCK = 0x0FFE_26E2


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS).replace("%", "%%"))
    config.attributes["connection"] = connection  # what env.py runs on
    return config


@functools.cache
def head() -> str:
    """The newest revision (read once per process: the scripts do not change under it)."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None, f"no revisions under {_SCRIPTS}"
    return revision


def _revision(conn: Connection) -> str | None:
    # Read directly: MigrationContext would log two INFO lines on every service start.
    if not inspect(conn).has_table(_VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalar()


def current(db: Database) -> str | None:
    """The database's revision; None when it has none (empty, or made before migrations)."""
    with db.engine.connect() as conn:
        return _revision(conn)


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to `revision`, every step in one transaction (all or nothing)."""
    if revision == "head" and current(db) == head():
        return  # the common case, and cheap: services and tests call this on every start
    with db.engine.begin() as conn:
        if db.dialect == "sqlite":
            # pysqlite runs DDL outside any transaction; an explicit BEGIN makes it atomic, and
            # IMMEDIATE takes the write lock first, so two processes migrate one after the other.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif db.dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        # Alembic rereads the revision under the lock: one that another process reached is kept.
        command.upgrade(_config(conn), revision)
