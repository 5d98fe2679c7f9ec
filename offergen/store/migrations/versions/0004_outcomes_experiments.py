"""Learning from results: outcome events (append-only), the past offers promoted from them,
experiments with their sticky assignments, and the customer segment on each audit record (what
a promoted past offer is filed under).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_EVENTS = "outcome_events"

# The function exists since 0001 (PostgreSQL); the statements mirror 0001's for its tables.
_TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER {_EVENTS}_no_update BEFORE UPDATE ON {_EVENTS} "
        f"BEGIN SELECT RAISE(ABORT, '{_EVENTS} is append-only'); END",
        f"CREATE TRIGGER {_EVENTS}_no_delete BEFORE DELETE ON {_EVENTS} "
        f"BEGIN SELECT RAISE(ABORT, '{_EVENTS} is append-only'); END",
    ],
    "postgresql": [
        f"CREATE TRIGGER {_EVENTS}_append_only BEFORE UPDATE OR DELETE ON {_EVENTS} "
        "FOR EACH ROW EXECUTE FUNCTION offergen_append_only()",
        f"CREATE TRIGGER {_EVENTS}_no_truncate BEFORE TRUNCATE ON {_EVENTS} "
        "FOR EACH STATEMENT EXECUTE FUNCTION offergen_append_only()",
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    # Each step checks first: adopted databases made from the models already have it.
    if "segment" not in {c["name"] for c in inspector.get_columns("audit_records")}:
        op.add_column("audit_records", sa.Column("segment", sa.String(80), nullable=True))
    if not inspector.has_table(_EVENTS):
        op.create_table(
            _EVENTS,
            sa.Column("id", _ID, primary_key=True, autoincrement=True),
            sa.Column("tenant", sa.String(128), nullable=False),
            sa.Column("event_id", sa.String(128), nullable=False),
            sa.Column("request_id", sa.String(64), nullable=False),
            sa.Column("variant", sa.Integer(), nullable=False),
            sa.Column("sends", sa.BigInteger(), nullable=False),
            sa.Column("clicks", sa.BigInteger(), nullable=False),
            sa.Column("redemptions", sa.BigInteger(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
            sa.UniqueConstraint("tenant", "event_id", name="uq_outcome_events_tenant_event"),
        )
        op.create_index("ix_outcome_events_request_variant", _EVENTS, ["request_id", "variant"])
        for statement in _TRIGGERS.get(bind.dialect.name, []):
            op.execute(statement)
    if not inspector.has_table("outcome_promotions"):
        op.create_table(
            "outcome_promotions",
            sa.Column("past_offer_id", sa.String(64), primary_key=True),
            sa.Column("audit_id", _ID, sa.ForeignKey("audit_records.id"), nullable=False),
            sa.Column("tenant", sa.String(128), nullable=False),
            sa.Column("request_id", sa.String(64), nullable=False),
            sa.Column("variant", sa.Integer(), nullable=False),
            sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=False),
            sa.UniqueConstraint(
                "tenant", "request_id", "variant", name="uq_outcome_promotions_request_variant"
            ),
        )
        op.create_index("ix_outcome_promotions_audit_id", "outcome_promotions", ["audit_id"])
    if not inspector.has_table("experiments"):
        op.create_table(
            "experiments",
            sa.Column("id", sa.String(32), primary_key=True),
            sa.Column("tenant", sa.String(128), nullable=True),
            sa.Column("request_id", sa.String(64), nullable=False),
            sa.Column("merchant_id", sa.String(64), nullable=False),
            sa.Column("arms", sa.JSON(), nullable=False),
            sa.Column("policy", sa.String(16), nullable=False),
            sa.Column("min_sends_per_arm", sa.Integer(), nullable=False),
            sa.Column("holdout_share", sa.Double(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index("ix_experiments_tenant_created", "experiments", ["tenant", "created_at"])
    if not inspector.has_table("experiment_assignments"):
        op.create_table(
            "experiment_assignments",
            sa.Column(
                "experiment_id",
                sa.String(32),
                sa.ForeignKey("experiments.id"),
                primary_key=True,
            ),
            sa.Column("key_hash", sa.String(64), primary_key=True),
            sa.Column("arm", sa.Integer(), nullable=False),
            sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        )


def downgrade() -> None:
    # Dropping outcome_events would drop part of the record of what was reported.
    raise NotImplementedError("0004 cannot be downgraded: restore a backup instead")
