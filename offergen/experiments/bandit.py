"""The bandit math: Beta posteriors of redemption rates, probability of being best, expected loss,
the stopping verdict and the allocation policies. Pure functions over numbers; no storage.

Redemptions arrive after the send (days later), so a fresh send is not yet a failure: each batch
of sends counts as `sends * min(1, age / feedback_window)` trials (its maturity) while every
redemption observed counts in full. Without that, an arm that was sent to most recently would
look worse than it is exactly while the policy favours it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from pydantic import BaseModel

from offergen.experiments.params import BanditParams

__all__ = [
    "POLICIES",
    "Beta",
    "Policy",
    "Verdict",
    "allocate",
    "maturity",
    "posterior",
    "posterior_summary",
    "verdict",
]


class Policy(StrEnum):
    thompson = "thompson"  # each assignment goes to the arm whose posterior draw is highest
    uniform = "uniform"  # each assignment goes to an arm chosen uniformly at random


@dataclass(frozen=True)
class Beta:
    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


def maturity(age_h: float, window_h: float) -> float:
    """The share of a send that counts as a trial `age_h` hours after it was made."""
    if window_h <= 0:
        return 1.0
    return max(0.0, min(1.0, age_h / window_h))


def posterior(redemptions: float, trials: float, params: BanditParams) -> Beta:
    """Beta posterior of the redemption rate; trials below redemptions (late redemptions of
    young sends) give no failures rather than negative ones."""
    return Beta(
        params.prior_alpha + redemptions, params.prior_beta + max(0.0, trials - redemptions)
    )


def _draws(posteriors: Sequence[Beta], n: int, rng: np.random.Generator) -> np.ndarray:
    alphas = np.array([p.alpha for p in posteriors])
    betas = np.array([p.beta for p in posteriors])
    return rng.beta(alphas, betas, size=(n, len(posteriors)))


def posterior_summary(
    posteriors: Sequence[Beta], params: BanditParams
) -> tuple[list[float], list[float]]:
    """(probability each arm is best, expected loss of choosing it) by Monte Carlo with the
    params' fixed seed: the same posteriors always give the same figures. The loss is the
    expected shortfall of the arm's rate from the best arm's, in redemption-rate units."""
    if not posteriors:
        return [], []
    samples = _draws(posteriors, params.draws, np.random.default_rng(params.seed))
    best = np.bincount(samples.argmax(axis=1), minlength=len(posteriors)) / params.draws
    loss = (samples.max(axis=1, keepdims=True) - samples).mean(axis=0)
    return [float(x) for x in best], [float(x) for x in loss]


class Verdict(BaseModel):
    """Whether the experiment can stop, and which arm (index into the arms) won."""

    stop: bool
    winner: int | None  # None while running; an arm index here, a variant in an experiment view
    rule: str | None  # "p_best" or "expected_loss": the rule that stopped it
    reason: str


def verdict(
    sends: Sequence[int],
    posteriors: Sequence[Beta],
    p_best: Sequence[float],
    loss: Sequence[float],
    min_sends: int,
    params: BanditParams,
) -> Verdict:
    """Stop when every arm has `min_sends` and the leader is best with probability
    `p_best_threshold`, or its expected loss is below `max_relative_loss` of its mean rate."""
    short = [i for i, n in enumerate(sends) if n < min_sends]
    if short:
        return Verdict(
            stop=False,
            winner=None,
            rule=None,
            reason=f"{len(short)} arm(s) below the minimum of {min_sends} sends",
        )
    leader = max(range(len(p_best)), key=lambda i: (p_best[i], -loss[i]))
    if p_best[leader] >= params.p_best_threshold:
        return Verdict(
            stop=True,
            winner=leader,
            rule="p_best",
            reason=f"probability of being best {p_best[leader]:.3f} >= {params.p_best_threshold}",
        )
    bound = params.max_relative_loss * posteriors[leader].mean
    if loss[leader] < bound:
        return Verdict(
            stop=True,
            winner=leader,
            rule="expected_loss",
            reason=f"expected loss {loss[leader]:.2e} < {bound:.2e} "
            f"({params.max_relative_loss:g} of the leader's rate)",
        )
    return Verdict(
        stop=False,
        winner=None,
        rule=None,
        reason=f"leader's probability of being best {p_best[leader]:.3f} < "
        f"{params.p_best_threshold} and expected loss {loss[leader]:.2e} >= {bound:.2e}",
    )


def _thompson(posteriors: Sequence[Beta], n: int, rng: np.random.Generator) -> np.ndarray:
    picks: np.ndarray = _draws(posteriors, n, rng).argmax(axis=1)
    return picks


def _uniform(posteriors: Sequence[Beta], n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, len(posteriors), size=n)


POLICIES: dict[Policy, Callable[[Sequence[Beta], int, np.random.Generator], np.ndarray]] = {
    Policy.thompson: _thompson,
    Policy.uniform: _uniform,
}


def allocate(
    policy: Policy, posteriors: Sequence[Beta], n: int, rng: np.random.Generator
) -> list[int]:
    """The arm index of each of `n` assignments made under the current posteriors."""
    return [int(i) for i in POLICIES[policy](posteriors, n, rng)]
