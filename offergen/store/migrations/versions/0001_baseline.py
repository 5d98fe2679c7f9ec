"""Baseline: the schema as the table modules defined it before migrations existed.

A database made by that code (`create_all`, no `alembic_version`) already has these tables, so
this revision creates only what is missing: absent tables (with their indexes), absent indexes of
tables that exist, and the append-only triggers of the audit tables. A fresh database gets it all.

The tables are written out here rather than imported from the table modules: a revision must keep
describing the schema of its time when the models move on.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_SHA256_HEX = sa.String(64)
_KB_ID = sa.String(64)

_meta = sa.MetaData()

# --- knowledge base ------------------------------------------------------------------------------

sa.Table(
    "kb_merchants",
    _meta,
    sa.Column("id", _KB_ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("category", sa.String(80), nullable=False),
    sa.Column("locale", sa.String(16), nullable=False),
    sa.Column("brand_voice", sa.Text(), nullable=False),
    # Databases from before tenants lack this column (and its index): 0002 adds them.
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Index("ix_kb_merchants_category", "category"),
    sa.Index("ix_kb_merchants_tenant_id", "tenant_id"),
)
sa.Table(
    "kb_rules",
    _meta,
    sa.Column("id", _KB_ID, primary_key=True),
    sa.Column("merchant_id", _KB_ID, sa.ForeignKey("kb_merchants.id"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("params", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("flag_reason", sa.String(400), nullable=False),
    sa.Index("ix_kb_rules_merchant_id", "merchant_id"),
)
sa.Table(
    "kb_past_offers",
    _meta,
    sa.Column("id", _KB_ID, primary_key=True),
    sa.Column("merchant_id", _KB_ID, sa.ForeignKey("kb_merchants.id"), nullable=False),
    sa.Column("offer", sa.JSON(), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("segment", sa.String(80), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("sent", sa.Integer(), nullable=False),
    sa.Column("clicks", sa.Integer(), nullable=False),
    sa.Column("redemptions", sa.Integer(), nullable=False),
    sa.Column("sent_at", sa.Date(), nullable=False),
    sa.Column("shareable", sa.Boolean(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("flag_reason", sa.String(400), nullable=False),
    sa.Index("ix_kb_past_offers_merchant_id", "merchant_id"),
    sa.Index("ix_kb_past_offers_shareable", "shareable"),
)

# --- audit trail and review queue (append-only) --------------------------------------------------

sa.Table(
    "audit_records",
    _meta,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(64), nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=True),
    sa.Column("tenant", sa.String(128), nullable=True),
    sa.Column("variant", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("merchant_id", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("jurisdiction", sa.String(8), nullable=False),
    sa.Column("offer", sa.JSON(), nullable=False),
    sa.Column("template", sa.String(128), nullable=False),
    sa.Column("template_version", sa.String(64), nullable=False),
    sa.Column("model_id", sa.String(200), nullable=False),
    sa.Column("backend", sa.String(32), nullable=False),
    sa.Column("sampling", sa.JSON(), nullable=False),
    sa.Column("source_ids", sa.JSON(), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("model_text", sa.Text(), nullable=False),
    sa.Column("applied_fixes", sa.JSON(), nullable=False),
    sa.Column("released", sa.Boolean(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("findings", sa.JSON(), nullable=False),
    sa.Column("timings_ms", sa.JSON(), nullable=False),
    sa.Column("review", sa.String(16), nullable=True),
    sa.Index("ix_audit_records_created_at", "created_at"),
    sa.Index("ix_audit_records_request_id", "request_id"),
    sa.Index("ix_audit_records_tenant_created", "tenant", "created_at"),
    sa.Index("ix_audit_records_merchant_created", "merchant_id", "created_at"),
)
sa.Table(
    "review_items",
    _meta,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("audit_id", _ID, sa.ForeignKey("audit_records.id"), nullable=False, unique=True),
    sa.Column("queued_for", sa.String(16), nullable=False),
    sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Table(
    "review_decisions",
    _meta,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("review_id", _ID, sa.ForeignKey("review_items.id"), nullable=False, unique=True),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("reviewer", sa.String(128), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_review_decisions_decided_at", "decided_at"),
)

# --- API keys, idempotency keys, rate limits -----------------------------------------------------

sa.Table(
    "api_keys",
    _meta,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_api_keys_tenant", "tenant"),
    sa.Index("ix_api_keys_revoked_at", "revoked_at"),
)
sa.Table(
    "api_idempotency_keys",
    _meta,
    sa.Column("identity", _SHA256_HEX, primary_key=True),
    sa.Column("key_hash", _SHA256_HEX, primary_key=True),
    sa.Column("fingerprint", _SHA256_HEX, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("claim", sa.String(32), nullable=False),
    sa.Column("locked_until", sa.Double(), nullable=False),
    sa.Column("expires_at", sa.Double(), nullable=False),
    sa.Column("status_code", sa.Integer(), nullable=True),
    sa.Column("content_type", sa.String(200), nullable=True),
    sa.Column("body", sa.LargeBinary(), nullable=True),
    sa.Index("ix_api_idempotency_keys_expires_at", "expires_at"),
)
sa.Table(
    "api_rate_limits",
    _meta,
    sa.Column("identity", _SHA256_HEX, primary_key=True),
    sa.Column("window_start", sa.Integer(), nullable=False),
    sa.Column("hits", sa.Integer(), nullable=False),
    sa.Index("ix_api_rate_limits_window_start", "window_start"),
)

# --- campaigns -----------------------------------------------------------------------------------

sa.Table(
    "campaigns",
    _meta,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("tenant", sa.String(128), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("total", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_campaigns_status", "status"),
    sa.Index("ix_campaigns_tenant_created", "tenant", "created_at"),
)
sa.Table(
    "campaign_items",
    _meta,
    sa.Column(
        "campaign_id",
        sa.String(32),
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("item", sa.Integer(), primary_key=True),
    sa.Column("request", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("claimed_by", sa.String(64), nullable=True),
    sa.Column("lease_until", sa.Double(), nullable=True),
    sa.Column("request_id", sa.String(64), nullable=True),
    sa.Column("response", sa.JSON(), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_campaign_items_campaign_status", "campaign_id", "status"),
)

# --- append-only triggers ------------------------------------------------------------------------

_APPEND_ONLY = ("audit_records", "review_items", "review_decisions")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION offergen_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only';
END
$$
"""

# name suffix -> statement, per dialect; {t} is the table
_TRIGGERS = {
    "sqlite": {
        "no_update": "CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t} "
        "BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END",
        "no_delete": "CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} "
        "BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END",
    },
    "postgresql": {
        "append_only": "CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
        "FOR EACH ROW EXECUTE FUNCTION offergen_append_only()",
        "no_truncate": "CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
        "FOR EACH STATEMENT EXECUTE FUNCTION offergen_append_only()",
    },
}


def _triggers(bind: Connection, table: str) -> set[str]:
    """Names of the triggers on `table` (in the current schema on PostgreSQL)."""
    if bind.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(:t) AND NOT tgisinternal"
    return set(bind.execute(sa.text(query), {"t": table}).scalars())


def _create_append_only(bind: Connection, existed: set[str]) -> None:
    """The triggers that reject UPDATE and DELETE (and TRUNCATE) on the audit tables; a table
    that existed before this revision may already have them."""
    dialect = bind.dialect.name
    if dialect == "postgresql":
        op.execute(_PG_FUNCTION)  # CREATE OR REPLACE: idempotent
    for table in _APPEND_ONLY:
        present = _triggers(bind, table) if table in existed else set()
        for suffix, statement in _TRIGGERS[dialect].items():
            if f"{table}_{suffix}" not in present:
                op.execute(statement.format(t=table))


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    existed = set(inspector.get_table_names())  # one query, not one per table
    for table in _meta.sorted_tables:  # referenced tables first
        if table.name not in existed:
            table.create(bind)  # with its indexes
            continue
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        for index in table.indexes:
            # An index on a column the table still lacks comes with the revision that adds it.
            if index.name not in indexes and {c.name for c in index.columns} <= columns:
                index.create(bind)
    _create_append_only(bind, existed)


def downgrade() -> None:
    # Dropping every table (the append-only audit trail among them) is not a migration.
    raise NotImplementedError("0001 cannot be downgraded: restore a backup instead")
