from __future__ import annotations

from datetime import date

import pytest

from offergen.schemas import OfferTerms
from offergen.terms import describe, money, reward


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [(5, "USD", "$5"), (1000, "USD", "$1,000"), (4.5, "EUR", "€4.50"), (7, "CHF", "CHF 7")],
)
def test_money(amount: float, currency: str, expected: str) -> None:
    assert money(amount, currency) == expected


def test_describe_cashback_lists_every_term() -> None:
    offer = OfferTerms(
        kind="cashback",
        merchant="FreshMart",
        value=5,
        unit="percent",
        min_spend=50,
        cap=25,
        valid_until=date(2026, 12, 31),
    )
    assert describe(offer) == "5% cashback; min spend $50; max $25; until Dec 31, 2026"


def test_describe_intro_apr() -> None:
    offer = OfferTerms(
        kind="intro_apr",
        merchant="Northwind Card",
        value=0,
        unit="percent",
        intro_months=15,
        apr_after_intro=24.99,
    )
    assert describe(offer) == "0% intro APR; for 15 months; then 24.99% APR"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"kind": "points", "value": 3, "unit": "multiplier"}, "3x points"),
        ({"kind": "points", "value": 500, "unit": "points"}, "500 points"),
        ({"kind": "discount", "value": 10, "unit": "amount"}, "$10 off"),
        ({"kind": "free_shipping"}, "free shipping"),
        ({"kind": "bnpl", "installments": 4}, "pay in installments"),
    ],
)
def test_reward(kwargs: dict[str, object], expected: str) -> None:
    assert reward(OfferTerms(merchant="M", **kwargs)) == expected  # type: ignore[arg-type]
