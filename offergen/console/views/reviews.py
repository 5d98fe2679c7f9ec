"""The review queue as the console shows it: the API's queue (`ReviewQueue`, the same calls as
`/v1/reviews`) with filters, and one item with what a reviewer needs to decide it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from offergen.api.principal import Principal
from offergen.app_context import AppContext
from offergen.console.highlight import Piece, pieces
from offergen.console.views.prompts import RerenderedPrompt, rerender
from offergen.errors import InvalidInputError
from offergen.store.review_queue import Decision, ReviewItem

# Reason codes a decision is filed under; the stored reason is "<code>: <note>".
REASON_CODES: dict[Decision, tuple[tuple[str, str], ...]] = {
    Decision.approve: (
        ("compliant", "compliant as written"),
        ("warning_acceptable", "warning checked, acceptable"),
        ("sample_ok", "sampled copy is fine"),
    ),
    Decision.reject: (
        ("misleading", "misleading claim"),
        ("wrong_terms", "terms do not match the offer"),
        ("personal_data", "personal data"),
        ("off_brand", "tone or brand voice"),
        ("other", "other (see note)"),
    ),
}
AGES: dict[str, tuple[str, timedelta | None, bool]] = {
    # key: (label, bound, older): queued within the bound, or (older) before it
    "": ("any age", None, False),
    "1h": ("last hour", timedelta(hours=1), False),
    "24h": ("last 24 hours", timedelta(hours=24), False),
    "7d": ("last 7 days", timedelta(days=7), False),
    "old": ("older than 7 days", timedelta(days=7), True),
}
_SCAN_PAGE = 200
SCAN_MAX = 5000  # pending items read for one filtered page


@dataclass(frozen=True)
class QueueFilter:
    merchant: str = ""
    channel: str = ""
    check: str = ""
    age: str = ""

    def keeps(self, item: ReviewItem, now: datetime) -> bool:
        r = item.record
        if self.merchant and r.merchant_id != self.merchant:
            return False
        if self.channel and r.channel != self.channel:
            return False
        if self.check and not any(f.check == self.check for f in r.findings):
            return False
        _, bound, older = AGES.get(self.age, AGES[""])
        if bound is not None:
            recent = item.queued_at >= now - bound
            if recent == older:
                return False
        return True


@dataclass(frozen=True)
class QueueView:
    items: list[ReviewItem]
    total_pending: int
    merchants: list[str]
    checks: list[str]
    truncated: bool  # more pending items than one filtered page reads


def queue(ctx: AppContext, principal: Principal, flt: QueueFilter) -> QueueView:
    """Pending items of the caller's tenant, oldest first, that the filter keeps. The queue has
    no filters of its own, so pages of it are read and filtered here (bounded by SCAN_MAX)."""
    now = datetime.now(UTC)
    pending: list[ReviewItem] = []
    offset, total = 0, 0
    while offset < SCAN_MAX:
        page = ctx.reviews.pending(principal.tenant, offset=offset, limit=_SCAN_PAGE)
        total = page.total
        pending += page.items
        if page.next_offset is None:
            break
        offset = page.next_offset
    return QueueView(
        items=[i for i in pending if flt.keeps(i, now)],
        total_pending=total,
        merchants=sorted({i.record.merchant_id for i in pending}),
        checks=sorted({f.check for i in pending for f in i.record.findings}),
        truncated=total > len(pending),
    )


@dataclass(frozen=True)
class ItemView:
    item: ReviewItem
    pieces: list[Piece]
    prompt: RerenderedPrompt
    previous: int | None  # neighbouring pending items, for j / k
    next: int | None


def item(ctx: AppContext, principal: Principal, review_id: int) -> ItemView:
    found = ctx.reviews.get(review_id, principal.tenant)  # another tenant's: NotFoundError
    ids = [i.id for i in queue(ctx, principal, QueueFilter()).items]
    before = [i for i in ids if i < review_id]
    after = [i for i in ids if i > review_id]
    return ItemView(
        item=found,
        pieces=pieces(found.record.text, found.record.findings),
        prompt=rerender(ctx, principal, found.record),
        previous=before[-1] if before else None,
        next=after[0] if after else None,
    )


def decide(
    ctx: AppContext, principal: Principal, review_id: int, choice: str, code: str, note: str
) -> ReviewItem:
    """The API's decision call; the note is screened for personal data by the queue itself,
    exactly as the API's reason is."""
    if choice not in (Decision.approve.value, Decision.reject.value):
        raise InvalidInputError("decision: approve or reject", [("decision", "unknown")])
    decision = Decision(choice)
    codes = dict(REASON_CODES[decision])
    if code not in codes:
        why = f"choose one of: {', '.join(codes)}"
        raise InvalidInputError(f"reason code: {why}", [("reason_code", why)])
    note = " ".join(note.split())
    reason = f"{code}: {note}" if note else code
    return ctx.reviews.decide(review_id, principal.tenant, decision, reason, principal.key_id)
