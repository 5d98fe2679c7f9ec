"""`readability`: each variant reads at or below Flesch-Kincaid grade `max`."""

from __future__ import annotations

from typing import ClassVar, Literal

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
from offergen.evaluation.quality import readability_grade
from offergen.evaluation.registry import register


class ReadabilityParams(VariantParams):
    type: Literal["readability"]
    max: float


@register
class Readability:
    name: ClassVar[str] = "readability"
    Params: ClassVar[type[AssertionParams]] = ReadabilityParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, ReadabilityParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        top = self.params.max

        def judge(v: VariantOutcome) -> Verdict:
            grade = readability_grade(v.text)
            if grade is None:
                return Verdict(False, "no words to grade")
            return Verdict(grade <= top, f"grade {grade:.1f} (max {top:g})")

        return per_variant(self.params, outcome, judge)
