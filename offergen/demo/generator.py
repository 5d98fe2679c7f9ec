"""Deterministic demo knowledge base: invented merchants in two tenants, their rules and ~5,200
past offers with copy.

Rules are generated first and the copy is generated to obey them (banned phrases, required
phrases, reward caps, voice, channel rules) and to fit what the guard allows per channel. All
randomness comes from `random.Random` instances seeded from `seed` and the merchant id, so the
same arguments always give the same KB, and one merchant's offers do not depend on how many
other merchants are generated.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from offergen.demo.copywriter import CopyWriter
from offergen.demo.limits import GUARDRAILS_DIR, channel_budgets, guard_limits
from offergen.demo.merchants import make_profile, merchant_order
from offergen.demo.metrics import draw_metrics
from offergen.demo.tables import tables
from offergen.demo.terms import make_terms
from offergen.demo.text import slug
from offergen.schemas import Merchant, MerchantRule, PastOffer

__all__ = ["DemoKB", "generate_demo_kb"]

FIRST_SENT = date(2025, 1, 6)
LAST_SENT = date(2026, 10, 31)  # + at most 60 days of validity stays inside 2026


@dataclass
class DemoKB:
    merchants: list[Merchant] = field(default_factory=list)
    rules: list[MerchantRule] = field(default_factory=list)
    past_offers: list[PastOffer] = field(default_factory=list)


K = TypeVar("K")


def _weighted(rng: random.Random, weights: Mapping[K, int]) -> K:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate_demo_kb(
    seed: int = 7,
    *,
    n_merchants: int | None = None,
    offers_per_merchant: int | None = None,
    guardrails_dir: Path = GUARDRAILS_DIR,
) -> DemoKB:
    """Generate the demo KB. Same arguments (and guard data) -> identical output.

    `n_merchants` / `offers_per_merchant` shrink it (for tests); by default 65 merchants with
    72-88 past offers each (~5,200). A merchant's records depend only on `seed` and its id.
    `guardrails_dir` holds the guard's data/channel.yaml, whose limits the copy must fit.
    """
    if n_merchants is not None and n_merchants < 1:
        raise ValueError("n_merchants must be >= 1")
    if offers_per_merchant is not None and offers_per_merchant < 0:
        raise ValueError("offers_per_merchant must be >= 0")
    data = tables()
    budgets = channel_budgets(guard_limits(guardrails_dir), data.channels)
    span = (LAST_SENT - FIRST_SENT).days
    kb = DemoKB()
    for cat_name, spec in merchant_order(data.merchants, n_merchants):
        rng = random.Random(f"{seed}/{slug(spec.name)}")
        # performance figures have their own stream: rewording copy does not move them
        metrics_rng = random.Random(f"{seed}/{slug(spec.name)}/metrics")
        merchant_quality = metrics_rng.lognormvariate(0.0, 0.3)
        cat = data.categories[cat_name]
        pr = make_profile(rng, cat_name, spec, cat, data.voices[spec.voice])
        kb.merchants.append(pr.merchant)
        kb.rules.extend(pr.rules)
        count = offers_per_merchant if offers_per_merchant is not None else rng.randint(72, 88)
        offers: list[PastOffer] = []
        for _ in range(count):
            sent_at = FIRST_SENT + timedelta(days=rng.randint(0, span))
            recipe = _weighted(rng, cat.recipes)
            terms = make_terms(rng, pr, recipe, sent_at, data.offer_numbers)
            channel = _weighted(rng, data.channels.weights)
            segment = rng.choice(cat.segments)
            writer = CopyWriter(
                rng, pr, recipe, terms, channel, segment, data.phrases, budgets[channel]
            )
            text = writer.write()
            sent, clicks, redemptions = draw_metrics(
                metrics_rng, channel, segment, text, merchant_quality
            )
            offers.append(
                PastOffer(
                    id="",  # numbered below, in date order
                    merchant_id=pr.merchant.id,
                    offer=terms,
                    channel=channel,
                    segment=segment,
                    text=text,
                    sent=sent,
                    clicks=clicks,
                    redemptions=redemptions,
                    sent_at=sent_at,
                    shareable=rng.random() < 0.1,
                )
            )
        offers.sort(key=lambda o: o.sent_at)
        short = pr.merchant.id.removeprefix("m_")
        for i, o in enumerate(offers, start=1):
            kb.past_offers.append(o.model_copy(update={"id": f"po_{short}_{i:03d}"}))
    return kb
