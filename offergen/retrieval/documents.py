"""The texts that get embedded: documents (rules, past offers) and the query built from a request.

The query is shaped like a past-offer document with the structured terms standing in for the copy,
so that similar offers of the same kind, channel and segment land closest.
"""

from __future__ import annotations

from offergen.schemas import Channel, MerchantRule, OfferTerms, PastOffer
from offergen.terms import describe, reward

__all__ = ["document", "offer_document", "offer_query", "rule_document"]


def offer_document(p: PastOffer) -> str:
    return f"{p.offer.kind.value} offer | {p.channel.value} | segment: {p.segment} | {p.text}"


def rule_document(r: MerchantRule) -> str:
    return f"{r.kind.value.replace('_', ' ')} rule | {r.text}"


def document(record: PastOffer | MerchantRule) -> str:
    """The text the index embeds for a record."""
    return offer_document(record) if isinstance(record, PastOffer) else rule_document(record)


def offer_query(
    offer: OfferTerms,
    channel: Channel,
    segment: str,
    *,
    category: str | None = None,
    tone: str | None = None,
) -> str:
    body = f"{reward(offer)} at {offer.merchant}; {describe(offer)}"
    extra = "".join(
        f" | {label}{value}" for label, value in (("", category), ("tone: ", tone)) if value
    )
    return f"{offer.kind.value} offer | {channel.value} | segment: {segment}{extra} | {body}"
