"""Experiments benchmark: cumulative regret of Thompson allocation vs a uniform split over the
same sends, with delayed feedback, using the service's own bandit code
(offergen.experiments.bandit: posteriors with maturity-weighted sends, the allocation policies).

Arms: each repetition draws `--arms` true redemption rates from the demo knowledge base's past
offers (redemptions / sends of offers with at least 500 sends), the way its figures are
distributed. Those figures are drawn independently of the copy (offergen/demo/metrics.py), so
this measures allocation, not whether any text predicts performance.

Sends come in periods (`--period-h` hours, `--per-period` sends); each redemption arrives after
an exponential delay (`--delay-h` mean). Before each period the policy sees only what has
arrived: redemptions so far, and each cohort's sends weighted by its maturity (the service's
feedback window, BanditParams.feedback_window_h). Regret is expected regret: the sum over sends
of (best rate - chosen arm's rate). Both policies face the same arms in each repetition.

Run: `.venv/bin/python eval/bench/experiments.py [--reps 20] [--seed 7]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from dataclasses import dataclass

if __name__ == "__main__":
    for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

import numpy as np

from offergen.demo.generator import generate_demo_kb
from offergen.experiments.bandit import Policy, allocate, maturity, posterior
from offergen.experiments.params import BanditParams


@dataclass
class Run:
    regret: float
    best_share: float


def demo_rates() -> np.ndarray:
    """Redemption rates of the demo KB's past offers with a real send (>= 500)."""
    kb = generate_demo_kb(n_merchants=13, offers_per_merchant=40)
    return np.array([p.redemption_rate for p in kb.past_offers if p.sent >= 500])


def simulate(
    policy: Policy,
    rates: np.ndarray,
    args: argparse.Namespace,
    params: BanditParams,
    rng: np.random.Generator,
) -> Run:
    k = len(rates)
    cohorts: list[list[tuple[float, int]]] = [[] for _ in range(k)]  # (sent at h, sends)
    arrivals: list[list[np.ndarray]] = [[] for _ in range(k)]  # redemption arrival times (h)
    sent = np.zeros(k, dtype=np.int64)
    best = float(rates.max())
    regret = 0.0
    for period in range(args.periods):
        now = period * args.period_h
        posts = []
        for a in range(k):
            trials = sum(n * maturity(now - t, params.feedback_window_h) for t, n in cohorts[a])
            seen = sum(int((times <= now).sum()) for times in arrivals[a])
            posts.append(posterior(seen, trials, params))
        counts = np.bincount(allocate(policy, posts, args.per_period, rng), minlength=k)
        for a, n in enumerate(counts):
            if n == 0:
                continue
            n = int(n)
            cohorts[a].append((now, n))
            sent[a] += n
            regret += n * (best - float(rates[a]))
            redeemed = rng.binomial(n, rates[a])
            # a redemption comes some time after the send, within the period it was sent in
            sent_at = now + rng.uniform(0, args.period_h, size=redeemed)
            arrivals[a].append(sent_at + rng.exponential(args.delay_h, size=redeemed))
    return Run(regret=regret, best_share=float(sent[int(rates.argmax())] / sent.sum()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--arms", type=int, default=4)
    parser.add_argument("--periods", type=int, default=40)
    parser.add_argument("--period-h", type=float, default=12.0)
    parser.add_argument("--per-period", type=int, default=5000)
    parser.add_argument("--delay-h", type=float, default=36.0)
    args = parser.parse_args(argv)

    params = BanditParams()
    pool = demo_rates()
    q = np.quantile(pool, [0.1, 0.5, 0.9])
    print(
        f"demo redemption rates: {len(pool)} offers, p10 {q[0]:.3%}, median {q[1]:.3%}, "
        f"p90 {q[2]:.3%} (drawn independently of the copy)"
    )
    print(
        f"{args.reps} repetitions x {args.arms} arms, {args.periods} periods of "
        f"{args.per_period} sends every {args.period_h:g} h, redemption delay mean "
        f"{args.delay_h:g} h, feedback window {params.feedback_window_h:g} h, seed {args.seed}"
    )
    master = np.random.default_rng(args.seed)
    results: dict[Policy, list[Run]] = {Policy.thompson: [], Policy.uniform: []}
    for _ in range(args.reps):
        rates = master.choice(pool, size=args.arms, replace=False)
        rep_seed = int(master.integers(2**63))
        for policy in results:
            # the same arms and the same random stream for both policies
            results[policy].append(
                simulate(policy, rates, args, params, np.random.default_rng(rep_seed))
            )
    total = args.periods * args.per_period
    for policy, runs in results.items():
        regrets = [r.regret for r in runs]
        print(
            f"{policy.value:<9} cumulative regret (expected redemptions lost over {total} sends): "
            f"mean {statistics.mean(regrets):.1f}, median {statistics.median(regrets):.1f}; "
            f"share of sends to the best arm {statistics.mean(r.best_share for r in runs):.1%}"
        )
    per_rep = [
        t.regret / u.regret
        for t, u in zip(results[Policy.thompson], results[Policy.uniform], strict=True)
        if u.regret > 0
    ]
    print(
        f"per-repetition ratio: median {statistics.median(per_rep):.3f}, worst {max(per_rep):.3f}"
    )
    ratio = statistics.mean(r.regret for r in results[Policy.thompson]) / statistics.mean(
        r.regret for r in results[Policy.uniform]
    )
    print(f"regret ratio thompson/uniform: {ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
