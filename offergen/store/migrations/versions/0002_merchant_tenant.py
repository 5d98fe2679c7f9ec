"""Merchants get a tenant: `kb_merchants.tenant_id`, where a database from before tenants lacks it.

Every existing merchant lands in the default tenant (`offergen kb seed` then moves the demo's).
A database that 0001 created already has the column, and is left as it is.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TABLE = "kb_merchants"
_INDEX = "ix_kb_merchants_tenant_id"
# offergen.store.knowledge_tables.DEFAULT_TENANT when this revision was written
_DEFAULT_TENANT = "default"


def upgrade() -> None:
    columns = sa.inspect(op.get_bind()).get_columns(_TABLE)
    if "tenant_id" in {c["name"] for c in columns}:
        return  # made by 0001, or given the column (and its index together) before migrations
    # NOT NULL needs a server default to fill the rows already there (SQLite insists).
    op.add_column(
        _TABLE,
        sa.Column("tenant_id", sa.String(64), nullable=False, server_default=_DEFAULT_TENANT),
    )
    op.create_index(_INDEX, _TABLE, ["tenant_id"])


def downgrade() -> None:
    # Dropping the column would merge every tenant's merchants into one.
    raise NotImplementedError("0002 cannot be downgraded: restore a backup instead")
