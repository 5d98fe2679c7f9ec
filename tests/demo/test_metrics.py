"""Demo performance figures look like real campaign results: plausible rates and dates,
lognormal sends with small pilots, mostly mediocre offers and a few strong ones."""

from __future__ import annotations

import math
import statistics
from datetime import date

from offergen.demo.generator import DemoKB
from offergen.schemas import Channel, PastOffer


def _by_channel(kb: DemoKB, channel: Channel) -> list[PastOffer]:
    return [p for p in kb.past_offers if p.channel is channel]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def test_metrics_and_dates_are_plausible(full_demo: DemoKB) -> None:
    offers = full_demo.past_offers
    assert all(0 <= p.redemptions <= p.clicks <= p.sent for p in offers)
    ctr = [p.clicks / p.sent for p in offers]
    assert 0.01 <= statistics.median(ctr) <= 0.05
    assert 0 < sum(c > 0.08 for c in ctr) < 0.1 * len(ctr)  # a few strong ones
    assert 0.05 <= sum(p.shareable for p in offers) / len(offers) <= 0.15
    for p in offers:
        assert date(2025, 1, 1) <= p.sent_at <= date(2026, 12, 31)
        for d in (p.offer.valid_from, p.offer.valid_until):
            assert d is None or date(2025, 1, 1) <= d <= date(2026, 12, 31)


def test_sends_are_lognormal_per_channel_with_some_small_pilots(full_demo: DemoKB) -> None:
    offers = full_demo.past_offers
    pilots = [p for p in offers if p.sent < 1000]
    assert 0.03 * len(offers) <= len(pilots) <= 0.15 * len(offers)
    assert sum(p.sent < 100 for p in offers) >= 20  # tests of a few dozen sends
    assert min(p.sent for p in offers) >= 20
    typical = {
        c: statistics.median(p.sent for p in _by_channel(full_demo, c) if p.sent >= 1000)
        for c in Channel
    }
    assert typical[Channel.email] > typical[Channel.push] > typical[Channel.in_app]
    assert typical[Channel.in_app] > typical[Channel.sms]
    for channel in Channel:  # campaign sizes spread like a lognormal: a long right tail
        sends = [p.sent for p in _by_channel(full_demo, channel) if p.sent >= 500]
        assert 0.5 < statistics.pstdev(math.log(n) for n in sends) < 1.0, channel
        assert statistics.mean(sends) > 1.15 * statistics.median(sends), channel
    # a small pilot's rate is noisy: far more often nothing at all, or four times the median,
    # than a large campaign's (what a ranking with a prior has to see through)
    median = statistics.median(p.redemption_rate for p in offers if p.sent >= 1000)

    def extreme(group: list[PastOffer]) -> float:
        odd = [p for p in group if p.redemptions == 0 or p.redemption_rate > 4 * median]
        return len(odd) / len(group)

    assert extreme(pilots) > 3 * extreme([p for p in offers if p.sent >= 10_000])


def test_most_offers_are_mediocre_and_a_few_are_strong(full_demo: DemoKB) -> None:
    rates = [p.redemption_rate for p in full_demo.past_offers if p.sent >= 1000]
    median = statistics.median(rates)
    assert 0.002 <= median <= 0.01
    assert sum(median / 2.5 <= r <= median * 2.5 for r in rates) > 0.5 * len(rates)
    assert _quantile(rates, 0.95) > 3.5 * median  # heavy right tail
    assert _quantile(rates, 0.99) > 7 * median
    assert statistics.mean(rates) > 1.3 * median
    strong = sum(r > 5 * median for r in rates)
    assert 0.01 * len(rates) < strong < 0.12 * len(rates)
