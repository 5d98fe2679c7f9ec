"""`fires`: exactly the listed guard checks fire on the text (a block or fix finding, or a fix
the guard applied); those in `tolerate` may fire too. A labelled guard-corpus line becomes one.

The run's per-check precision and recall are counted from these assertions.
"""

from __future__ import annotations

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
from offergen.evaluation.assertions.check import known_checks
from offergen.evaluation.guard_corpus import FIRING, fired_checks
from offergen.evaluation.outcome import Outcome, VariantOutcome
from offergen.evaluation.registry import register


class FiresParams(VariantParams):
    type: Literal["fires"]
    value: list[str] = Field(default_factory=list)
    tolerate: list[str] = Field(default_factory=list)

    @field_validator("value", "tolerate")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        unknown = sorted(set(v) - set(known_checks()))
        if unknown:
            raise ValueError(
                f"unknown check(s) {', '.join(unknown)}; valid checks: {', '.join(known_checks())}"
            )
        return v


@register
class Fires:
    name: ClassVar[str] = "fires"
    Params: ClassVar[type[AssertionParams]] = FiresParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, FiresParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        expected, tolerated = set(self.params.value), set(self.params.tolerate)

        def judge(v: VariantOutcome) -> Verdict:
            fired = fired_checks(v.findings, v.fixes)
            missing = sorted(expected - fired)
            extra = sorted(fired - expected - tolerated)
            if not missing and not extra:
                return Verdict(True, f"fired: {', '.join(sorted(fired)) or 'none'}")
            parts = [f"missed {', '.join(missing)}"] if missing else []
            parts += [f"unexpected {', '.join(extra)}"] if extra else []
            spans = [
                (f.start, f.end, f"{f.rule_id}: {f.message}")
                for f in [*v.findings, *v.fixes]
                if f.check in extra and f.severity in FIRING
            ]
            return Verdict(False, "; ".join(parts), spans)

        return per_variant(self.params, outcome, judge)

    def expected(self) -> tuple[set[str], set[str]]:
        """(checks that must fire, checks that may) for per-check precision and recall."""
        return set(self.params.value), set(self.params.tolerate)
