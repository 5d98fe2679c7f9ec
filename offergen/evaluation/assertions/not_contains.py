"""`not_contains`: no variant in scope contains `value` (any case unless `case_sensitive`); e.g.
a prompt canary that must never come out."""

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
from offergen.evaluation.assertions.contains import occurrences
from offergen.evaluation.outcome import Outcome, VariantOutcome
from offergen.evaluation.registry import register


class NotContainsParams(VariantParams):
    type: Literal["not_contains"]
    value: str = Field(min_length=1)
    case_sensitive: bool = False


@register
class NotContains:
    name: ClassVar[str] = "not_contains"
    Params: ClassVar[type[AssertionParams]] = NotContainsParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, NotContainsParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        p = self.params

        def judge(v: VariantOutcome) -> Verdict:
            found = occurrences(v.text, p.value, p.case_sensitive)
            if not found:
                return Verdict(True)
            label = f"contains {p.value!r}"
            return Verdict(False, label, [(s, e, label) for s, e in found])

        return per_variant(p, outcome, judge)
