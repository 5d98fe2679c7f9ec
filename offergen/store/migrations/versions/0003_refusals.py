"""Refusals: requests refused before generation because their offer terms break a rule (offer
pre-flight), each with the rules it broke. Append-only, like the rest of the audit trail.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLE = "audit_refusals"
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The function exists since 0001 (PostgreSQL); the statements mirror 0001's for its tables.
_TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER {_TABLE}_no_update BEFORE UPDATE ON {_TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{_TABLE} is append-only'); END",
        f"CREATE TRIGGER {_TABLE}_no_delete BEFORE DELETE ON {_TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{_TABLE} is append-only'); END",
    ],
    "postgresql": [
        f"CREATE TRIGGER {_TABLE}_append_only BEFORE UPDATE OR DELETE ON {_TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION offergen_append_only()",
        f"CREATE TRIGGER {_TABLE}_no_truncate BEFORE TRUNCATE ON {_TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION offergen_append_only()",
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    if sa.inspect(bind).has_table(_TABLE):
        return  # adopted from a database whose tables were made from the models
    op.create_table(
        _TABLE,
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("tenant", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merchant_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("jurisdiction", sa.String(8), nullable=False),
        sa.Column("offer", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_refusals_request_id", _TABLE, ["request_id"])
    op.create_index("ix_audit_refusals_tenant_created", _TABLE, ["tenant", "created_at"])
    for statement in _TRIGGERS.get(bind.dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    # Dropping the table would drop part of the audit trail.
    raise NotImplementedError("0003 cannot be downgraded: restore a backup instead")
