"""One SQLAlchemy engine per process: a SQLite file under the data dir by default, PostgreSQL by
URL (`OFFERGEN_DATABASE_URL`). The same code runs on both."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool

__all__ = ["Base", "Database"]


class Base(DeclarativeBase):
    """Declarative base of every table the service owns."""


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the API read while `offergen kb import` writes; foreign keys are off by default.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class Database:
    """Cheap to construct: the engine connects lazily, on the first session."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        connect_args: dict[str, Any] = {}
        engine_args: dict[str, Any] = {"pool_pre_ping": True}
        if self.dialect == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                # one shared connection, or every session would see its own empty database
                engine_args = {"poolclass": StaticPool}
                connect_args["check_same_thread"] = False
            else:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if schema is not None:
            if self.dialect != "postgresql":
                raise ValueError("a schema can only be chosen on PostgreSQL")
            # Tests isolate themselves in a schema of their own.
            connect_args["options"] = f"-csearch_path={schema}"
        self.engine: Engine = create_engine(url, connect_args=connect_args, **engine_args)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def safe_url(self) -> str:
        """The URL without its password, for logs and error messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def create_schema(self) -> None:
        """Bring the schema up to date by running the migrations it lacks (idempotent, and cheap
        when there are none)."""
        from offergen.store.migrate import upgrade  # migrate imports this module

        upgrade(self)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back entirely on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
