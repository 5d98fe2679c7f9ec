"""`length`: each variant's length in characters is within `max` (and at least `min`), given as
one number or per channel (`{sms: 160, push: 178}`; a channel not listed has no limit)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from offergen.evaluation.assertion import (
    AssertionParams,
    AssertionResult,
    EvalContext,
    VariantParams,
    Verdict,
    params_as,
    per_variant,
)
from offergen.evaluation.outcome import Outcome, VariantOutcome
from offergen.evaluation.registry import register
from offergen.schemas import Channel

Limit = int | dict[Channel, int]


class LengthParams(VariantParams):
    type: Literal["length"]
    max: Limit | None = Field(default=None)
    min: Limit | None = Field(default=None)

    @model_validator(mode="after")
    def _some_limit(self) -> LengthParams:
        if self.max is None and self.min is None:
            raise ValueError("give `max` and/or `min` (a number, or one per channel)")
        for limit in (self.max, self.min):
            values = limit.values() if isinstance(limit, dict) else [limit]
            if any(v is not None and v < 0 for v in values):
                raise ValueError("lengths must not be negative")
        return self


def _for(limit: Limit | None, channel: Channel) -> int | None:
    return limit.get(channel) if isinstance(limit, dict) else limit


@register
class Length:
    name: ClassVar[str] = "length"
    Params: ClassVar[type[AssertionParams]] = LengthParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, LengthParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        top = _for(self.params.max, outcome.channel)
        bottom = _for(self.params.min, outcome.channel)

        def judge(v: VariantOutcome) -> Verdict:
            n = len(v.text)
            if top is not None and n > top:
                label = f"{n} characters, over the {outcome.channel.value} limit {top}"
                return Verdict(False, label, [(top, n, label)])
            if bottom is not None and n < bottom:
                return Verdict(False, f"{n} characters, under {bottom}")
            return Verdict(True, f"{n} characters")

        return per_variant(self.params, outcome, judge)
