"""Performance figures for demo past offers, drawn apart from the copy (their own random stream).

Sends are lognormal per channel with some small pilots (tens to hundreds of sends), click-through
and redemption come from a latent quality that is mostly middling with a heavy right tail, and
counts are binomial, so small pilots are noisy the way a ranking with a prior expects.
"""

from __future__ import annotations

import math
import random

from offergen.schemas import Channel

__all__ = ["PILOT_SHARE", "draw_metrics"]

_SENT_MEDIAN = {Channel.email: 30000, Channel.push: 20000, Channel.sms: 6000, Channel.in_app: 12000}
_CTR_MEDIAN = {Channel.email: 0.018, Channel.push: 0.022, Channel.sms: 0.028, Channel.in_app: 0.03}
_SEGMENT_LIFT = {"new_customers": 1.1, "lapsed_90d": 0.7, "high_spenders": 1.15, "vip": 1.25}
PILOT_SHARE = 0.08  # test cells and pilots: tens to hundreds of sends


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """A draw of Binomial(n, p): exact for small n, Poisson or normal approximations above."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if n <= 120:
        return sum(1 for _ in range(n) if rng.random() < p)
    mean = n * p
    if mean < 25:  # Poisson (Knuth); rare events in a large send
        limit, k, prod = math.exp(-mean), 0, rng.random()
        while prod > limit:
            k += 1
            prod *= rng.random()
        return min(n, k)
    return min(n, max(0, round(rng.gauss(mean, math.sqrt(mean * (1.0 - p))))))


def draw_metrics(
    rng: random.Random, channel: Channel, segment: str, text: str, merchant_quality: float
) -> tuple[int, int, int]:
    """(sent, clicks, redemptions) of one offer."""
    if rng.random() < PILOT_SHARE:
        sent = min(900, max(20, round(rng.lognormvariate(math.log(150), 0.8))))
    else:
        sent = max(500, round(rng.lognormvariate(math.log(_SENT_MEDIAN[channel]), 0.7)))
    # latent quality: mostly middling, a heavy right tail
    quality = merchant_quality * _SEGMENT_LIFT.get(segment, 1.0) * rng.lognormvariate(0.0, 0.4)
    if "{{first_name}}" in text:
        quality *= 1.1  # personalised copy does a little better
    if rng.random() < 0.05:
        quality *= rng.uniform(2.0, 4.0)  # the occasional standout
    ctr = min(0.2, _CTR_MEDIAN[channel] * quality)
    clicks = _binomial(rng, sent, ctr)
    conversion = min(0.9, rng.betavariate(2.0, 5.0) * math.sqrt(quality))
    return sent, clicks, _binomial(rng, clicks, conversion)
