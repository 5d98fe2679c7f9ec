"""Which retrieved past offers the prompt shows as few-shot examples, and in which order.

A base model copies the structure of its examples, terms included: an example that names a
deadline invites a deadline the new offer may not have. So examples are chosen by how closely
their terms have the same shape (same kind, same fields present) as the new offer's, this
merchant's own first, then shown best-performing first.
"""

from __future__ import annotations

from offergen.schemas import OfferTerms, PastOffer

_TERM_FIELDS = (
    "value",
    "min_spend",
    "cap",
    "valid_from",
    "valid_until",
    "apr_after_intro",
    "intro_months",
    "installments",
    "annual_fee",
)


def term_shape(offer: OfferTerms) -> frozenset[str]:
    return frozenset(f for f in _TERM_FIELDS if getattr(offer, f) is not None)


def shape_similarity(a: OfferTerms, b: OfferTerms) -> float:
    """Jaccard similarity of the present fields, plus 1 when the kinds match."""
    sa, sb = term_shape(a), term_shape(b)
    union = sa | sb
    jaccard = len(sa & sb) / len(union) if union else 1.0
    return jaccard + (1.0 if a.kind == b.kind else 0.0)


def _names_its_merchant(p: PastOffer) -> bool:
    return p.offer.merchant.casefold() in p.text.casefold()


def select_examples(
    candidates: list[PastOffer], offer: OfferTerms, merchant_id: str, k: int
) -> list[PastOffer]:
    """The k candidates closest in shape (ties keep retrieval order), best performer first.
    Another merchant's copy that names that merchant is never shown: the model copies names
    (seen: an SMS for one merchant that began with another's)."""
    usable = [p for p in candidates if p.merchant_id == merchant_id or not _names_its_merchant(p)]
    ranked = sorted(
        usable,
        key=lambda p: (p.merchant_id != merchant_id, -shape_similarity(p.offer, offer)),
    )
    return sorted(ranked[:k], key=lambda p: p.redemption_rate, reverse=True)
