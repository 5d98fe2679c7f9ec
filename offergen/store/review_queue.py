"""The review queue: generated variants waiting for a reviewer, and the reviewers' decisions.

Which variants wait is decided by `offergen.guardrails.release` as the pipeline audits them;
`SqlAuditStore` queues them in the transaction that writes their audit records. Deciding inserts
one decision row; the queued row and the audit record are never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVarTuple

from pydantic import BaseModel
from sqlalchemy import Row, Select, func, select
from sqlalchemy.exc import IntegrityError

from offergen.errors import ConflictError, InvalidInputError, NotFoundError
from offergen.store.audit_tables import (
    REASON_MAX,
    AuditRow,
    ReviewDecisionRow,
    ReviewItemRow,
    as_utc,
)
from offergen.store.base import AuditRecord, Page, ReviewReason
from offergen.store.database import Database

__all__ = [
    "REASON_MAX",
    "Decision",
    "ReviewDecision",
    "ReviewItem",
    "ReviewPage",
    "ReviewQueue",
]

# Raises InvalidInputError when reviewer-written text (`field`) carries personal data; the
# record gives the context (offer, channel, jurisdiction) the screening checks read.
Screen = Callable[[str, str, AuditRecord], None]


class Decision(StrEnum):
    approve = "approve"
    reject = "reject"


_LABEL = {Decision.approve: "approved", Decision.reject: "rejected"}


class ReviewDecision(BaseModel):
    decision: Decision
    reason: str
    reviewer: str | None  # the API key id, `cli:<user>`, or None in keyless dev mode
    decided_at: datetime


class ReviewItem(BaseModel):
    id: int
    queued_for: ReviewReason
    queued_at: datetime
    record: AuditRecord
    decision: ReviewDecision | None  # None while pending

    def eval_case(self) -> dict[str, Any]:
        """The decided item as an eval case (the eval suite reads this shape as-is)."""
        if self.decision is None:
            raise ValueError(f"review item {self.id} is not decided yet")
        r = self.record
        return {
            "id": f"review-{self.id}",
            "vars": {
                "text": r.text,
                "channel": r.channel,
                "jurisdiction": r.jurisdiction,
                "offer": r.offer.model_dump(mode="json"),
            },
            "assert": [{"type": "released", "value": self.decision.decision is Decision.approve}],
            "metadata": {
                "source": "review",
                "review_id": self.id,
                "label": _LABEL[self.decision.decision],
                "reason": self.decision.reason,
                "merchant_id": r.merchant_id,
                "template": r.template,
                "template_version": r.template_version,
                "model_id": r.model_id,
                "rule_ids": list(dict.fromkeys(f.rule_id for f in r.findings)),
            },
        }


class ReviewPage(Page[ReviewItem]):
    """Pending review items, oldest first."""


_Ts = TypeVarTuple("_Ts")
_Row = Row[ReviewItemRow, AuditRow, ReviewDecisionRow | None]


class ReviewQueue:
    """Reads and decides review items; `tenant=None` sees every tenant (keyless dev mode), any
    other tenant sees only its own items, and another tenant's item is not found."""

    def __init__(self, db: Database, screen: Screen | None = None) -> None:
        self.db = db
        self.screen = screen

    def pending(self, tenant: str | None, offset: int = 0, limit: int = 50) -> ReviewPage:
        waiting = ReviewDecisionRow.id.is_(None)
        stmt = _select(tenant).where(waiting).order_by(ReviewItemRow.id)
        count = _joined(select(func.count()).select_from(ReviewItemRow), tenant).where(waiting)
        with self.db.read() as s:
            items = [_item(row) for row in s.execute(stmt.offset(offset).limit(limit))]
            total = s.scalar(count) or 0
        return ReviewPage.of(items, total, offset, limit)

    def get(self, review_id: int, tenant: str | None) -> ReviewItem:
        with self.db.read() as s:
            row = s.execute(_select(tenant).where(ReviewItemRow.id == review_id)).first()
        if row is None:
            raise NotFoundError(f"unknown review item {review_id}")
        return _item(row)

    def decide(
        self,
        review_id: int,
        tenant: str | None,
        decision: Decision,
        reason: str,
        reviewer: str | None,
    ) -> ReviewItem:
        """Record the one decision on an item; a decided item raises ConflictError."""
        item = self.get(review_id, tenant)
        if item.decision is None:
            reason = _checked_reason(reason)
            if self.screen is not None:
                self.screen("reason", reason, item.record)
            row = ReviewDecisionRow(
                review_id=review_id,
                decision=decision.value,
                reason=reason,
                reviewer=reviewer,
                decided_at=datetime.now(UTC),
            )
            try:
                with self.db.transaction() as s:
                    s.add(row)
                return self.get(review_id, tenant)
            except IntegrityError:
                pass  # another reviewer decided it between our read and our write
        done = self.get(review_id, tenant).decision
        if done is None:  # not the unique decision that failed: nothing to blame on a reviewer
            raise RuntimeError(f"could not record the decision on review item {review_id}")
        raise ConflictError(
            f"review item {review_id} was already decided ({done.decision.value}) "
            f"at {done.decided_at.isoformat()}"
        )

    def decided(self, since: datetime | None = None) -> list[ReviewItem]:
        """Every tenant's decided items, in the order they were decided (for `review export`)."""
        stmt = _select(None).where(ReviewDecisionRow.id.is_not(None))
        if since is not None:
            stmt = stmt.where(ReviewDecisionRow.decided_at >= as_utc(since))
        stmt = stmt.order_by(ReviewDecisionRow.decided_at, ReviewDecisionRow.id)
        with self.db.read() as s:
            return [_item(row) for row in s.execute(stmt)]


def _checked_reason(reason: str) -> str:
    text = reason.strip()
    if not 1 <= len(text) <= REASON_MAX:
        why = f"a reason of 1 to {REASON_MAX} characters is required (got {len(text)})"
        raise InvalidInputError(f"reason: {why}", [("reason", why)])
    return text


def _joined(stmt: Select[*_Ts], tenant: str | None) -> Select[*_Ts]:
    stmt = stmt.join(AuditRow, AuditRow.id == ReviewItemRow.audit_id).outerjoin(
        ReviewDecisionRow, ReviewDecisionRow.review_id == ReviewItemRow.id
    )
    return stmt if tenant is None else stmt.where(AuditRow.tenant == tenant)


def _select(tenant: str | None) -> Select[ReviewItemRow, AuditRow, ReviewDecisionRow | None]:
    return _joined(select(ReviewItemRow, AuditRow, ReviewDecisionRow), tenant)


def _item(row: _Row) -> ReviewItem:
    queued, audit, decided = row
    decision = None
    if decided is not None:
        decision = ReviewDecision(
            decision=Decision(decided.decision),
            reason=decided.reason,
            reviewer=decided.reviewer,
            decided_at=as_utc(decided.decided_at),
        )
    return ReviewItem(
        id=queued.id,
        queued_for=ReviewReason(queued.queued_for),
        queued_at=as_utc(queued.queued_at),
        record=audit.to_record(),
        decision=decision,
    )
