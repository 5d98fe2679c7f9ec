"""`grounded`: the copy's facts come from the request and its sources.

Every number in the copy is one the offer terms back (amounts, rates, counts, date parts) or one
that the exact prompt showed the model (the request's terms, the merchant's rules and the past
offers retrieved for it); and the only merchant the copy names is the request's own (any other
merchant of the knowledge base named in the copy is a fact from elsewhere).
"""

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
from offergen.evaluation.facts import mentions, numbers_in, offer_numbers
from offergen.evaluation.outcome import Outcome, VariantOutcome
from offergen.evaluation.registry import register


class GroundedParams(VariantParams):
    type: Literal["grounded"]


@register
class Grounded:
    name: ClassVar[str] = "grounded"
    Params: ClassVar[type[AssertionParams]] = GroundedParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, GroundedParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        backed = offer_numbers(outcome.offer)
        if outcome.prompt:
            backed |= {n for n, _, _ in numbers_in(outcome.prompt)}
        own = outcome.offer.merchant.casefold()
        others = [n for n in ctx.merchant_names if n.casefold() != own]

        def judge(v: VariantOutcome) -> Verdict:
            spans = [
                (s, e, f"{n} is not in the terms or the sources")
                for n, s, e in numbers_in(v.text)
                if n not in backed
            ]
            for name in others:
                # "Hearth & Oak" contains no other merchant; a longer own name wins
                if own in name.casefold() or name.casefold() in own:
                    continue
                spans += [
                    (s, e, f"names another merchant, {name}") for s, e in mentions(v.text, name)
                ]
            if not spans:
                return Verdict(True)
            return Verdict(False, "; ".join(sorted({label for _, _, label in spans})), spans)

        return per_variant(self.params, outcome, judge)
