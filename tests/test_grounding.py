"""Grounding's choice of terms-locked examples: past copy in slots, stating what the offer's
copy must state."""

from __future__ import annotations

from datetime import date

from offergen.grounding import _slotted
from offergen.schemas import Channel, OfferTerms, PastOffer
from offergen.slots import required_slots, unset_slots

BNPL = OfferTerms(kind="bnpl", merchant="Hearth & Oak", installments=6, min_spend=150)


def _past(pid: str, text: str, offer: OfferTerms) -> PastOffer:
    return PastOffer(
        id=pid,
        merchant_id="m_hearth",
        offer=offer,
        channel=Channel.sms,
        segment="general",
        text=text,
        sent=100,
        clicks=10,
        redemptions=5,
        sent_at=date(2026, 1, 1),
    )


def _ids(offers: list[PastOffer]) -> list[str]:
    return [p.id for p in offers]


def test_examples_that_state_the_required_terms_are_preferred() -> None:
    bnpl = _past(
        "p1",
        "Hearth & Oak: 4 payments on $100+.",
        BNPL.model_copy(update={"installments": 4, "min_spend": 100}),
    )
    free = _past(
        "p2",
        "Hearth & Oak: Free shipping.",
        OfferTerms(kind="free_shipping", merchant="Hearth & Oak"),
    )
    picked = _slotted([free, bnpl], unset_slots(BNPL), required_slots(BNPL))
    assert _ids(picked) == ["p1"]
    assert picked[0].text == "Hearth & Oak: [INSTALLMENTS] payments on [MIN_SPEND]+."


def test_without_any_example_stating_them_the_others_are_still_shown() -> None:
    free = _past(
        "p2",
        "Hearth & Oak: Free shipping.",
        OfferTerms(kind="free_shipping", merchant="Hearth & Oak"),
    )
    assert _ids(_slotted([free], unset_slots(BNPL), required_slots(BNPL))) == ["p2"]


def test_copy_with_a_number_no_slot_explains_or_an_unset_slot_is_left_out() -> None:
    stray = _past(
        "p3", "Hearth & Oak: 4 payments, 2 days only.", BNPL.model_copy(update={"installments": 4})
    )
    dated = _past(
        "p4",
        "Hearth & Oak: 4 payments until Dec 31, 2026.",
        BNPL.model_copy(update={"installments": 4, "valid_until": date(2026, 12, 31)}),
    )
    assert _slotted([stray, dated], unset_slots(BNPL), required_slots(BNPL)) == []
