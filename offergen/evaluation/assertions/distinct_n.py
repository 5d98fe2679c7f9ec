"""`distinct_n`: the variants of a case are not copies of each other: distinct n-grams over all
n-grams of the variants in scope is at least `min` (1.0: no n-gram repeats)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from offergen.evaluation.assertion import (
    AssertionParams,
    AssertionResult,
    EvalContext,
    params_as,
)
from offergen.evaluation.outcome import Outcome, Scope
from offergen.evaluation.quality import distinct_n
from offergen.evaluation.registry import register


class DistinctNParams(AssertionParams):
    type: Literal["distinct_n"]
    n: int = Field(default=2, ge=1, le=4)
    min: float = Field(ge=0, le=1)
    scope: Scope = "all"


@register
class DistinctN:
    name: ClassVar[str] = "distinct_n"
    Params: ClassVar[type[AssertionParams]] = DistinctNParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, DistinctNParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        p = self.params
        texts = [v.text for _, v in outcome.in_scope(p.scope)]
        score = distinct_n(texts, p.n)
        if score is None:
            message = f"no {p.n}-grams in {len(texts)} variant(s) to compare"
            return AssertionResult(type=self.params.type, passed=True, message=message)
        message = f"distinct-{p.n} {score:.2f} over {len(texts)} variant(s) (min {p.min:.2f})"
        return AssertionResult(type=self.params.type, passed=score >= p.min, message=message)
