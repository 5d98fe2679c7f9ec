"""Parameters of the bandit math and the stopping rule (validated; defaults are the service's)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["BanditParams"]


class BanditParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    prior_alpha: float = Field(default=1.0, gt=0, description="Beta prior: redemptions")
    prior_beta: float = Field(default=1.0, gt=0, description="Beta prior: non-redemptions")
    feedback_window_h: float = Field(
        default=72.0,
        ge=0,
        description="hours a send needs before it counts as a full trial: redemptions arrive "
        "late, so a fresh send is not yet a failure (0 = count every send at once)",
    )
    p_best_threshold: float = Field(
        default=0.95, gt=0.5, le=1, description="stop when one arm is best with this probability"
    )
    max_relative_loss: float = Field(
        default=0.01,
        ge=0,
        le=1,
        description="or when choosing the leader is expected to lose less than this share of "
        "its redemption rate",
    )
    draws: int = Field(default=20_000, ge=100, le=1_000_000, description="Monte Carlo draws")
    seed: int = Field(default=0, description="of the Monte Carlo draws: the same data, same answer")
