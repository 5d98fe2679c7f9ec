"""`check:<name>`: no finding of guard check <name> (value false, the default), or one (true).

Any check the registry knows (`offergen/guardrails/checks/`), plus `generation` (the pipeline's
finding for copy cut off at the token limit). By default only findings that hold copy count
(block, and a fix that could not be applied). Wording the guard inserted and released counts
only with `fixes: true`, as a finding of the check that inserted it.
"""

from __future__ import annotations

from typing import ClassVar

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
from offergen.guardrails.registry import check_names
from offergen.schemas import Severity

# Findings the pipeline adds itself, outside any pack.
PIPELINE_CHECKS = ("generation",)


def known_checks() -> list[str]:
    return sorted([*check_names(), *PIPELINE_CHECKS])


class CheckParams(VariantParams):
    type: str = Field(pattern=r"^check:[a-z_]+$")
    value: bool = False  # true: a finding is expected
    severities: list[Severity] = Field(
        default_factory=lambda: [Severity.block, Severity.fix], min_length=1
    )
    fixes: bool = False  # also count wording the guard inserted

    @field_validator("type")
    @classmethod
    def _known(cls, v: str) -> str:
        name = v.split(":", 1)[1]
        if name not in known_checks():
            raise ValueError(f"unknown check {name!r}; valid checks: {', '.join(known_checks())}")
        return v

    @property
    def check(self) -> str:
        return self.type.split(":", 1)[1]


@register
class CheckFinding:
    name: ClassVar[str] = "check"
    takes_name: ClassVar[bool] = True
    Params: ClassVar[type[AssertionParams]] = CheckParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, CheckParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        name, want = self.params.check, self.params.value
        severities = set(self.params.severities)

        def judge(v: VariantOutcome) -> Verdict:
            pool = [*v.findings, *v.fixes] if self.params.fixes else v.findings
            found = [f for f in pool if f.check == name and f.severity in severities]
            if bool(found) == want:
                return Verdict(True, ", ".join(sorted({f.rule_id for f in found})))
            if not want:
                return Verdict(
                    False,
                    ", ".join(f"{f.rule_id}: {f.message}" for f in found),
                    [(f.start, f.end, f"{f.rule_id}: {f.message}") for f in found],
                )
            return Verdict(False, f"no {name} finding")

        return per_variant(self.params, outcome, judge)
