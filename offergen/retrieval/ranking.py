"""How retrieved items are ordered: similarity blended with observed performance.

For a past offer with `r` redemptions out of `n` sends, on a channel whose offers redeem at rate
`p` overall (the prior), the smoothed rate is the posterior mean of a Beta prior worth `m` sends:

    rate  = (r + m * p) / (n + m)
    lift  = clamp(rate / p - 1, -1, 1)          # relative to the channel average
    score = similarity + weight * lift

So 2 redemptions out of 3 sends barely moves an offer (rate stays near p), while 200 out of 2,000
at twice the channel rate adds the full `weight`. Rules have no performance: lift 0. Similarity is
the cosine of query and document (inner product of L2-normalised embeddings).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RankingParams", "blended_score", "performance_lift"]


class RankingParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    performance_weight: float = Field(default=0.1, ge=0, le=1)
    prior_sends: float = Field(default=1000, gt=0)


def performance_lift(redemptions: int, sent: int, prior_rate: float, prior_sends: float) -> float:
    if prior_rate <= 0:
        return 0.0  # no history anywhere on this channel: nothing to learn from
    rate = (redemptions + prior_sends * prior_rate) / (sent + prior_sends)
    return max(-1.0, min(1.0, rate / prior_rate - 1.0))


def blended_score(similarity: float, lift: float, params: RankingParams) -> float:
    return similarity + params.performance_weight * lift
