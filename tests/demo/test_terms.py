"""Demo offer terms: each category makes the kinds of offer it should."""

from __future__ import annotations

from collections import Counter

from offergen.demo.generator import DemoKB
from offergen.schemas import OfferKind, Unit


def test_offer_terms_fit_the_category(full_demo: DemoKB) -> None:
    category = {m.id: m.category for m in full_demo.merchants}
    kinds: dict[str, Counter[tuple[OfferKind, Unit | None]]] = {}
    for p in full_demo.past_offers:
        kinds.setdefault(category[p.merchant_id], Counter())[(p.offer.kind, p.offer.unit)] += 1
    assert kinds["fuel"][(OfferKind.cashback, Unit.amount)] > 0
    assert kinds["travel"][(OfferKind.points, Unit.multiplier)] > 0
    assert kinds["electronics"][(OfferKind.bnpl, None)] > 0
    assert kinds["bank"][(OfferKind.intro_apr, Unit.percent)] > 0
    assert kinds["bank"][(OfferKind.fee_waiver, None)] > 0
    assert {k for c in kinds.values() for k, _ in c} == set(OfferKind)
    names = {m.id: m.name for m in full_demo.merchants}
    for p in full_demo.past_offers:
        if p.offer.kind is OfferKind.bnpl:
            assert p.offer.installments
        if p.offer.kind is OfferKind.intro_apr:
            assert p.offer.intro_months and p.offer.apr_after_intro
        assert p.offer.merchant == names[p.merchant_id]
