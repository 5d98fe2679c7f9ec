"""`cta`: each variant has a call to action (value false: has none). The phrases are data:
eval/quality/cta.yaml, or `phrases_file`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import field_validator

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
from offergen.evaluation.quality import CTA_PHRASES, calls_to_action
from offergen.evaluation.registry import register


class CtaParams(VariantParams):
    type: Literal["cta"]
    value: bool = True
    phrases_file: Path = CTA_PHRASES

    @field_validator("phrases_file")
    @classmethod
    def _exists(cls, v: Path) -> Path:
        if not v.is_file():
            raise ValueError(f"no phrase file at {v}")
        return v


@register
class Cta:
    name: ClassVar[str] = "cta"
    Params: ClassVar[type[AssertionParams]] = CtaParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, CtaParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        def judge(v: VariantOutcome) -> Verdict:
            found = calls_to_action(v.text, self.params.phrases_file)
            detail = ", ".join(repr(v.text[s:e]) for s, e in found) or "no call to action"
            return Verdict(bool(found) == self.params.value, detail)

        return per_variant(self.params, outcome, judge)
