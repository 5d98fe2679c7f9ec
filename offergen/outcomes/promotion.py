"""Proven variants become past offers: a released variant whose outcomes reach the minimum sends
is filed in the knowledge base with its terms, channel, segment and summed figures, linked to the
audit record it came from. Later outcomes update its figures (the ranking reads them from the
database at query time); only a new past offer needs the index to take in its text.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from offergen.outcomes.params import PromotionParams
from offergen.schemas import PastOffer
from offergen.store.base import AuditRecord
from offergen.store.knowledge_base import KnowledgeBase
from offergen.store.outcome_log import OutcomeLog, Totals, VariantKey
from offergen.store.promotions import Promotions

__all__ = ["Promoter", "past_offer_id"]

log = logging.getLogger(__name__)

_DEFAULT_SEGMENT = "general"  # audit records from before segments were kept


def past_offer_id(key: VariantKey) -> str:
    """Stable per variant, so later outcomes update the same past offer."""
    digest = hashlib.sha256("\0".join(map(str, key)).encode()).hexdigest()
    return f"po_out_{digest[:24]}"


class Promoter:
    def __init__(
        self,
        kb: KnowledgeBase,
        log_: OutcomeLog,
        promotions: Promotions,
        params: PromotionParams,
        on_new: Callable[[], None] | None = None,
    ) -> None:
        self.kb, self.log, self.promotions, self.params = kb, log_, promotions, params
        self.on_new = on_new  # e.g. schedule an index update

    def promote(self, records: Mapping[VariantKey, AuditRecord]) -> list[str]:
        """Create or update the past offers of the variants (released records) that reach the
        minimum sends; their ids. A failure is logged, not raised: the outcomes are stored, and
        the next batch for the variant tries again."""
        totals = self.log.totals(records)
        now = datetime.now(UTC)
        offers: list[tuple[VariantKey, PastOffer]] = []
        for key, record in records.items():
            t = totals[key]
            if record.released and t.sends >= self.params.min_sends:
                offers.append((key, self._offer(key, record, t)))
        if not offers:
            return []
        try:
            counts = self.kb.upsert(past_offers=[o for _, o in offers], flags={})["past_offers"]
            for key, offer in offers:
                self.promotions.link(key, offer.id, now)
        except Exception:
            log.exception(
                "promotion of %d variant(s) failed; retried with their next outcomes", len(offers)
            )
            return []
        if counts.inserted and self.on_new is not None:
            self.on_new()
        return [o.id for _, o in offers]

    def _offer(self, key: VariantKey, record: AuditRecord, t: Totals) -> PastOffer:
        assert t.first_at is not None  # sends > 0: there are events
        return PastOffer(
            id=past_offer_id(key),
            merchant_id=record.merchant_id,
            offer=record.offer,
            channel=record.channel,  # type: ignore[arg-type]  # validated into Channel
            segment=(record.segment or _DEFAULT_SEGMENT)[:80],
            text=record.text,
            sent=t.sends,
            clicks=t.clicks,
            redemptions=t.redemptions,
            sent_at=t.first_at.date(),
            shareable=self.params.shareable,
        )
