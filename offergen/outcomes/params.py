"""Parameters of learning from results (`Settings.learning`), validated, with defaults."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from offergen.experiments.params import BanditParams

__all__ = ["LearningParams", "PromotionParams"]


class PromotionParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_sends: int = Field(
        default=1000,
        ge=1,
        description="sends a released variant needs before it becomes a past offer",
    )
    shareable: bool = Field(
        default=False, description="whether promoted offers serve the tenant's other merchants"
    )


class LearningParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    promotion: PromotionParams = Field(default_factory=PromotionParams)
    bandit: BanditParams = Field(default_factory=BanditParams)
