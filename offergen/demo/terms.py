"""Offer terms for a demo past offer, drawn from its merchant's category and rules."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from offergen.demo.merchants import Profile
from offergen.demo.tables import OfferNumbers
from offergen.errors import ConfigError
from offergen.schemas import OfferKind, OfferTerms, Unit

__all__ = ["make_terms"]


def make_terms(
    rng: random.Random, pr: Profile, recipe: str, sent_at: date, numbers: OfferNumbers
) -> OfferTerms:
    """The terms of one offer of `recipe`; values stay within the merchant's max_reward rule."""
    cat = pr.category
    percents = [p for p in cat.percents if p <= pr.max_percent] or [min(cat.percents)]
    amounts = [a for a in cat.amounts if pr.max_amount is None or a <= pr.max_amount]
    kw: dict[str, Any] = {"merchant": pr.merchant.name, "currency": pr.currency}
    if rng.random() < 0.7:
        kw["valid_from"] = sent_at
    if rng.random() < 0.85:
        kw["valid_until"] = sent_at + timedelta(days=rng.choice(numbers.validity_days))

    def min_spend(p: float, above: float = 0) -> None:
        options = [m for m in cat.min_spends if m > above]
        if options and rng.random() < p:
            kw["min_spend"] = float(rng.choice(options))

    if recipe in ("cashback_pct", "discount_pct"):
        kind = OfferKind.cashback if recipe == "cashback_pct" else OfferKind.discount
        kw.update(kind=kind, value=float(rng.choice(percents)), unit=Unit.percent)
        if cat.caps and rng.random() < 0.45:
            kw["cap"] = float(rng.choice(cat.caps))
        min_spend(0.3)
    elif recipe in ("cashback_amt", "discount_amt"):
        kind = OfferKind.cashback if recipe == "cashback_amt" else OfferKind.discount
        value = float(rng.choice(amounts))
        kw.update(kind=kind, value=value, unit=Unit.amount)
        min_spend(0.85, above=value * 2)
    elif recipe == "points_mult":
        mults = [x for x in cat.multipliers if pr.max_multiplier is None or x <= pr.max_multiplier]
        kw.update(kind=OfferKind.points, value=float(rng.choice(mults)), unit=Unit.multiplier)
        min_spend(0.15)
    elif recipe == "points_fixed":
        kw.update(kind=OfferKind.points, value=float(rng.choice(cat.points)), unit=Unit.points)
        min_spend(1.0 if pr.merchant.category == "bank" else 0.4)
    elif recipe == "bnpl":
        kw.update(kind=OfferKind.bnpl, installments=rng.choice(cat.installments))
        min_spend(0.5)
    elif recipe == "intro_apr":
        kw.update(
            kind=OfferKind.intro_apr,
            value=0.0,
            unit=Unit.percent,
            intro_months=rng.choice(numbers.intro_months),
            apr_after_intro=rng.choice(numbers.aprs),
            firm_offer=rng.random() < 0.2,
        )
    elif recipe == "fee_waiver_card":
        kw.update(
            kind=OfferKind.fee_waiver,
            annual_fee=float(rng.choice(numbers.annual_fees)),
            firm_offer=rng.random() < 0.2,
        )
    elif recipe == "fee_waiver_amt":
        value = float(rng.choice(numbers.activation_fees))
        kw.update(kind=OfferKind.fee_waiver, value=value, unit=Unit.amount)
    elif recipe == "free_shipping":
        kw.update(kind=OfferKind.free_shipping)
        min_spend(0.6)
    else:
        raise ConfigError(f"demo data: {pr.merchant.category}: unknown offer recipe {recipe!r}")
    return OfferTerms(**kw)
