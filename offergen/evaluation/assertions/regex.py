"""`regex`: each variant in scope matches the pattern (`negate: true`: matches nowhere).
Python `re` syntax; inline flags such as `(?i)` set the case."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field, field_validator

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


class RegexParams(VariantParams):
    type: Literal["regex"]
    value: str = Field(min_length=1)
    negate: bool = False

    @field_validator("value")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"invalid regex: {exc}") from None
        return v


@register
class Regex:
    name: ClassVar[str] = "regex"
    Params: ClassVar[type[AssertionParams]] = RegexParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, RegexParams)
        self._pattern = re.compile(self.params.value)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        p = self.params

        def judge(v: VariantOutcome) -> Verdict:
            found = [m.span() for m in self._pattern.finditer(v.text) if m.end() > m.start()]
            matched = bool(found) or self._pattern.search(v.text) is not None
            if not p.negate:
                return Verdict(matched, "" if matched else f"no match for /{p.value}/")
            label = f"matches /{p.value}/"
            return Verdict(not matched, label if matched else "", [(s, e, label) for s, e in found])

        return per_variant(p, outcome, judge)
