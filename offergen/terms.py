"""Offer terms in short human wording, in the formats the guard reconciles.

Shared domain wording (like schemas.py): prompts show it and retrieval queries embed it.
"""

from __future__ import annotations

from datetime import date

from offergen.schemas import OfferKind, OfferTerms, Unit

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def money(amount: float, currency: str) -> str:
    text = f"{amount:,.2f}".removesuffix(".00")
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{currency} {text}"


def number(x: float) -> str:
    return f"{x:,.2f}".removesuffix(".00").rstrip("0").rstrip(".") if x % 1 else f"{x:,.0f}"


def day(d: date) -> str:
    return f"{d:%b} {d.day}, {d.year}"


def reward(offer: OfferTerms) -> str:
    """The headline value: '5% cashback', '$10 off', '3x points', '4 payments', ..."""
    v, unit = offer.value, offer.unit
    if v is None or unit is None:
        value = ""
    elif unit is Unit.percent:
        value = f"{number(v)}%"
    elif unit is Unit.amount:
        value = money(v, offer.currency)
    elif unit is Unit.multiplier:
        value = f"{number(v)}x"
    else:
        value = f"{number(v)} points"
    label = {
        OfferKind.cashback: f"{value} cashback",
        OfferKind.discount: f"{value} off",
        OfferKind.points: f"{value} points" if unit is Unit.multiplier else value,
        OfferKind.bnpl: "pay in installments",
        OfferKind.intro_apr: f"{value} intro APR",
        OfferKind.fee_waiver: f"{value} fee waived" if value else "fee waived",
        OfferKind.free_shipping: "free shipping",
    }[offer.kind]
    return label.strip()


def describe(offer: OfferTerms) -> str:
    """All the terms on one line, e.g. '5% cashback; min spend $50; max $25; until Dec 31, 2026'."""
    parts = [reward(offer)]
    if offer.installments:
        parts.append(f"{offer.installments} payments")
    if offer.intro_months:
        parts.append(f"for {offer.intro_months} months")
    if offer.apr_after_intro is not None:
        parts.append(f"then {number(offer.apr_after_intro)}% APR")
    if offer.annual_fee is not None:
        parts.append(f"annual fee {money(offer.annual_fee, offer.currency)}")
    if offer.min_spend is not None:
        parts.append(f"min spend {money(offer.min_spend, offer.currency)}")
    if offer.cap is not None:
        parts.append(f"max {money(offer.cap, offer.currency)}")
    if offer.valid_from:
        parts.append(f"from {day(offer.valid_from)}")
    if offer.valid_until:
        parts.append(f"until {day(offer.valid_until)}")
    return "; ".join(parts)
