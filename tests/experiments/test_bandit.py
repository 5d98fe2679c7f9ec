"""The bandit math: posteriors with delayed feedback, P(best) and expected loss, the stopping
rule on constructed data, and the allocation policies."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from offergen.experiments.bandit import (
    Beta,
    Policy,
    allocate,
    maturity,
    posterior,
    posterior_summary,
    verdict,
)
from offergen.experiments.params import BanditParams

P = BanditParams(draws=20_000)


def _decide(data: list[tuple[int, int]], min_sends: int = 100, params: BanditParams = P):
    posts = [posterior(r, n, params) for n, r in data]
    p_best, loss = posterior_summary(posts, params)
    return verdict([n for n, _ in data], posts, p_best, loss, min_sends, params), p_best, loss


def test_posterior_counts_redemptions_and_failures_on_a_beta_prior() -> None:
    assert posterior(3, 10, P) == Beta(4.0, 8.0)
    assert posterior(0, 0, P).mean == 0.5
    # late redemptions of young sends: no negative failures
    assert posterior(5, 2.5, P) == Beta(6.0, 1.0)


def test_a_send_matures_into_a_trial_over_the_feedback_window() -> None:
    assert maturity(0, 72) == 0.0
    assert maturity(36, 72) == 0.5
    assert maturity(500, 72) == 1.0
    assert maturity(-1, 72) == 0.0  # a clock ahead of ours
    assert maturity(0, 0) == 1.0  # no window: every send counts at once


def test_p_best_is_reproducible_and_sums_to_one() -> None:
    posts = [posterior(10, 1000, P), posterior(14, 1000, P), posterior(9, 1000, P)]
    first = posterior_summary(posts, P)
    assert first == posterior_summary(posts, P)  # the fixed seed
    p_best, loss = first
    assert sum(p_best) == pytest.approx(1.0)
    assert max(range(3), key=lambda i: p_best[i]) == 1
    assert min(range(3), key=lambda i: loss[i]) == 1 and all(x >= 0 for x in loss)
    assert posterior_summary([], P) == ([], [])


def test_the_stopping_rule_waits_for_the_minimum_sends() -> None:
    decided, p_best, _ = _decide([(50, 40), (50, 1)], min_sends=100)
    assert p_best[0] > 0.99  # a clear leader, but too few sends
    assert not decided.stop and decided.winner is None
    assert "below the minimum of 100 sends" in decided.reason


def test_the_stopping_rule_stops_on_probability_of_best() -> None:
    decided, p_best, _ = _decide([(5000, 50), (5000, 100)])
    assert decided.stop and decided.winner == 1 and decided.rule == "p_best"
    assert p_best[1] >= 0.95


def test_the_stopping_rule_stops_on_expected_loss_when_arms_are_equally_good() -> None:
    # A million sends each at the same rate: neither is surely best, but choosing either
    # loses almost nothing.
    decided, p_best, loss = _decide([(1_000_000, 10_000), (1_000_000, 10_000)])
    assert max(p_best) < 0.95
    assert decided.stop and decided.rule == "expected_loss"
    assert decided.winner is not None and loss[decided.winner] < 0.01 * 0.01


def test_the_stopping_rule_continues_while_uncertain() -> None:
    decided, _, _ = _decide([(400, 8), (400, 10)])
    assert not decided.stop and decided.rule is None and "leader" in decided.reason


def test_thompson_sends_most_traffic_to_the_better_arm_uniform_splits() -> None:
    posts = [posterior(10, 2000, P), posterior(40, 2000, P)]
    rng = np.random.default_rng(1)
    thompson = allocate(Policy.thompson, posts, 1000, rng)
    uniform = allocate(Policy.uniform, posts, 1000, rng)
    assert thompson.count(1) > 950
    assert 400 < uniform.count(1) < 600


def test_params_are_validated() -> None:
    with pytest.raises(ValidationError):
        BanditParams(p_best_threshold=0.4)
    with pytest.raises(ValidationError):
        BanditParams(unknown=1)  # type: ignore[call-arg]
