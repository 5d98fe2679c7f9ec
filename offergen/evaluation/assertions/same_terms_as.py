"""`same_terms_as`: a counterfactual pair is treated alike. This case and the case named by
`value` (same offer, another audience) both released copy or both did not, and their released
copy states the same numbers (the set over each case's released variants)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from offergen.evaluation.assertion import (
    AssertionParams,
    AssertionResult,
    EvalContext,
    Span,
    params_as,
)
from offergen.evaluation.facts import numbers_in
from offergen.evaluation.outcome import Outcome
from offergen.evaluation.registry import register


class SameTermsParams(AssertionParams):
    type: Literal["same_terms_as"]
    value: str = Field(min_length=1, description="the id of the other case of the pair")


def _stated(outcome: Outcome) -> set[str]:
    return {n for v in outcome.variants if v.released for n, _, _ in numbers_in(v.text)}


@register
class SameTermsAs:
    name: ClassVar[str] = "same_terms_as"
    Params: ClassVar[type[AssertionParams]] = SameTermsParams

    def __init__(self, params: AssertionParams) -> None:
        self.params = params_as(params, SameTermsParams)

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
        peer = ctx.peers.get(self.params.value)
        if peer is None:
            return self._result(False, f"the other case {self.params.value!r} was not run")
        mine_released = any(v.released for v in outcome.variants)
        peer_released = any(v.released for v in peer.variants)
        if mine_released != peer_released:
            which = "only this case" if mine_released else f"only {peer.case_id}"
            return self._result(False, f"{which} released copy")
        if not mine_released:
            return self._result(True, "neither case released copy")
        mine, theirs = _stated(outcome), _stated(peer)
        if mine == theirs:
            return self._result(True, f"both state {', '.join(sorted(mine)) or 'no numbers'}")
        extra = mine - theirs
        spans = [
            Span(variant=i, start=s, end=e, label=f"{n} is not in {peer.case_id}'s copy")
            for i, v in enumerate(outcome.variants)
            if v.released
            for n, s, e in numbers_in(v.text)
            if n in extra
        ]
        message = (
            f"this case states {', '.join(sorted(mine)) or 'no numbers'}; "
            f"{peer.case_id} states {', '.join(sorted(theirs)) or 'no numbers'}"
        )
        return self._result(False, message, spans)

    def _result(
        self, passed: bool, message: str, spans: list[Span] | None = None
    ) -> AssertionResult:
        return AssertionResult(
            type=self.params.type, passed=passed, message=message, spans=spans or []
        )
