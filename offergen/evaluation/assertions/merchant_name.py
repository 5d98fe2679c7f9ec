"""`merchant_name`: each variant names the offer's merchant (value false: names it nowhere)."""

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
from offergen.evaluation.quality import names_merchant
from offergen.evaluation.registry import register


class MerchantNameParams(VariantParams):
    type: Literal["merchant_name"]
    value: bool = True


@register
class MerchantName:
    name: ClassVar[str] = "merchant_name"
    Params: ClassVar[type[AssertionParams]] = MerchantNameParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, MerchantNameParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        name = outcome.offer.merchant

        def judge(v: VariantOutcome) -> Verdict:
            named = names_merchant(v.text, name)
            return Verdict(named == self.params.value, "" if named else f"{name} not named")

        return per_variant(self.params, outcome, judge)
