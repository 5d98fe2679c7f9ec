"""Alembic's entry point. It runs the revisions on the connection (and inside the transaction)
that `offergen.store.migrate` opens on a `Database`, so a PostgreSQL `search_path` chosen there
also decides where the tables and `alembic_version` go. Nothing here reads a URL."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `offergen db upgrade` (offergen.store.migrate)")

context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():  # joins the caller's transaction
    context.run_migrations()
