"""Which retrieved past offers a prompt shows as examples."""

from __future__ import annotations

from datetime import date
from typing import Any

from offergen.prompting.examples import select_examples
from offergen.schemas import Channel, OfferTerms, PastOffer

BNPL = OfferTerms(kind="bnpl", merchant="Hearth & Oak", installments=6, min_spend=150)


def _past(pid: str, merchant_id: str, merchant: str, text: str, **terms: Any) -> PastOffer:
    offer = {"kind": "bnpl", "installments": 4, **terms, "merchant": merchant}
    return PastOffer(
        id=pid,
        merchant_id=merchant_id,
        offer=OfferTerms.model_validate(offer),
        channel=Channel.sms,
        segment="general",
        text=text,
        sent=100,
        clicks=10,
        redemptions=int(pid[-1]),
        sent_at=date(2026, 1, 1),
    )


def test_own_copy_first_then_closest_in_shape_shown_best_performer_first() -> None:
    own = _past("p1", "m_hearth", "Hearth & Oak", "Hearth & Oak: 4 payments.")
    shaped = _past("p3", "m_other", "Other", "4 interest-free payments.", min_spend=100)
    unshaped = OfferTerms(kind="free_shipping", merchant="Other")
    free = _past("p2", "m_other", "Other", "Free shipping.").model_copy(update={"offer": unshaped})
    picked = select_examples([free, shaped, own], BNPL, "m_hearth", 2)
    assert [p.id for p in picked] == ["p3", "p1"]  # own and same-shaped; p3 converts best


def test_another_merchants_copy_naming_that_merchant_is_never_shown() -> None:
    own = _past("p1", "m_hearth", "Hearth & Oak", "Hearth & Oak: 4 payments.")
    named = _past("p9", "m_clearwave", "ClearWave", "ClearWave: 4 interest-free payments.")
    unnamed = _past("p2", "m_clearwave", "ClearWave", "4 interest-free payments. Tap to start.")
    picked = select_examples([named, unnamed, own], BNPL, "m_hearth", 3)
    assert [p.id for p in picked] == ["p2", "p1"]
