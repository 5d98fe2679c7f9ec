"""`contains`: each variant in scope contains `value` (any case unless `case_sensitive`)."""

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


class ContainsParams(VariantParams):
    type: Literal["contains"]
    value: str = Field(min_length=1)
    case_sensitive: bool = False


def occurrences(text: str, needle: str, case_sensitive: bool) -> list[tuple[int, int]]:
    """Spans of every occurrence of `needle` in `text`."""
    hay, pin = (text, needle) if case_sensitive else (text.casefold(), needle.casefold())
    if len(hay) != len(text):  # casefold changed lengths (e.g. "ß"): spans would not fit
        hay, pin = text.lower(), needle.lower()
    spans, start = [], hay.find(pin)
    while start >= 0:
        spans.append((start, start + len(pin)))
        start = hay.find(pin, start + 1)
    return spans


@register
class Contains:
    name: ClassVar[str] = "contains"
    Params: ClassVar[type[AssertionParams]] = ContainsParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, ContainsParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        p = self.params

        def judge(v: VariantOutcome) -> Verdict:
            found = occurrences(v.text, p.value, p.case_sensitive)
            return Verdict(bool(found), "" if found else f"{p.value!r} missing")

        return per_variant(p, outcome, judge)
