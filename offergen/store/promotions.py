"""The link from a promoted past offer back to the audit record of the variant it came from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from offergen.store.audit_tables import AuditRow, as_utc
from offergen.store.database import Database
from offergen.store.outcome_log import NO_TENANT, VariantKey
from offergen.store.outcome_tables import PromotionRow

__all__ = ["Promotions"]


class Promotions:
    def __init__(self, db: Database) -> None:
        self.db = db

    def link(self, key: VariantKey, past_offer_id: str, now: datetime) -> bool:
        """Record where the past offer came from (the variant's first audit record); False when
        it was linked already."""
        tenant, request_id, variant = key
        owner = AuditRow.tenant.is_(None) if tenant == NO_TENANT else AuditRow.tenant == tenant
        stmt = (
            select(AuditRow.id)
            .where(owner, AuditRow.request_id == request_id, AuditRow.variant == variant)
            .order_by(AuditRow.id)
            .limit(1)
        )
        with self.db.read() as s:
            if s.get(PromotionRow, past_offer_id) is not None:
                return False
            audit_id = s.scalar(stmt)
        if audit_id is None:
            raise LookupError(f"no audit record for variant {variant} of {request_id}")
        try:
            with self.db.transaction() as s:
                s.add(
                    PromotionRow(
                        past_offer_id=past_offer_id,
                        audit_id=audit_id,
                        tenant=tenant,
                        request_id=request_id,
                        variant=variant,
                        promoted_at=as_utc(now),
                    )
                )
        except IntegrityError:
            return False  # another replica linked it first
        return True

    def source(self, past_offer_id: str) -> tuple[int, VariantKey] | None:
        """(audit record id, variant key) a promoted past offer came from; None if it was not
        promoted from outcomes."""
        with self.db.read() as s:
            row = s.get(PromotionRow, past_offer_id)
        if row is None:
            return None
        return row.audit_id, (row.tenant, row.request_id, row.variant)
