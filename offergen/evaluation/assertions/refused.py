"""`refused`: the request was (value true) or was not (false) refused before generation, e.g.
for personal data in its free text (InvalidInputError)."""

from __future__ import annotations

from typing import ClassVar, Literal

from offergen.evaluation.assertion import (
    AssertionParams,
    AssertionResult,
    EvalContext,
    params_as,
)
from offergen.evaluation.outcome import Outcome
from offergen.evaluation.registry import register


class RefusedParams(AssertionParams):
    type: Literal["refused"]
    value: bool = True


@register
class Refused:
    name: ClassVar[str] = "refused"
    Params: ClassVar[type[AssertionParams]] = RefusedParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, RefusedParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        refused = outcome.refused is not None
        message = f"refused: {outcome.refused}" if refused else "not refused"
        return AssertionResult(
            type=self.params.type, passed=refused == self.params.value, message=message
        )
