"""Requests and views of experiments between released variants."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from offergen.experiments.bandit import Policy, Verdict
from offergen.schemas import Strict

__all__ = ["ArmView", "AssignRequest", "Assignment", "ExperimentCreate", "ExperimentView"]


class ExperimentCreate(Strict):
    """`POST /v1/experiments`: the arms are released variants of one generate response."""

    request_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="a generate response's request_id",
    )
    variants: list[int] | None = Field(
        default=None,
        min_length=2,
        max_length=8,
        description="the released variants to test (0-based); default: every released one",
    )
    policy: Policy = Policy.thompson
    min_sends_per_arm: int = Field(
        default=1000, ge=0, le=10**9, description="no verdict before every arm has this many"
    )
    holdout_share: float = Field(
        default=0.0, ge=0, le=0.5, description="share of customers who get no variant"
    )

    @field_validator("variants")
    @classmethod
    def _distinct(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and (len(set(v)) != len(v) or any(not 0 <= i <= 7 for i in v)):
            raise ValueError("variants must be distinct indexes from 0 to 7")
        return v


class AssignRequest(Strict):
    customer_key: str = Field(
        min_length=1,
        max_length=256,
        description="an opaque, stable key of the customer (stored only as a keyed hash)",
    )


class Assignment(BaseModel):
    """`arm` is the variant index to send; a held-out customer gets `arm: null, holdout: true`
    and no copy from this experiment."""

    arm: int | None
    holdout: bool = False


class ArmView(BaseModel):
    variant: int
    text: str
    assigned: int  # customers assigned to it
    sends: int
    clicks: int
    redemptions: int
    alpha: float  # Beta posterior of the redemption rate
    beta: float
    mean: float
    p_best: float
    expected_loss: float


class ExperimentView(BaseModel):
    id: str
    request_id: str
    merchant_id: str
    policy: Policy
    min_sends_per_arm: int
    holdout_share: float
    created_at: datetime
    arms: list[ArmView]
    verdict: Verdict
