"""`attempts_at_most`: each variant was produced within `value` generation rounds."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

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


class AttemptsParams(VariantParams):
    type: Literal["attempts_at_most"]
    value: int = Field(ge=1)


@register
class AttemptsAtMost:
    name: ClassVar[str] = "attempts_at_most"
    Params: ClassVar[type[AssertionParams]] = AttemptsParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, AttemptsParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        def judge(v: VariantOutcome) -> Verdict:
            return Verdict(v.attempts <= self.params.value, f"{v.attempts} attempt(s)")

        return per_variant(self.params, outcome, judge)
