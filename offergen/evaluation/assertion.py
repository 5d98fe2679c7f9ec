"""The one small protocol every assertion implements (one assertion type per file).

An assertion reads a case's Outcome and says whether it passed, why, and which spans of which
variant offended (the report highlights them). Assertions that look at texts one variant at a
time share `VariantParams` (which variants, how many must pass) and `per_variant`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from offergen.evaluation.outcome import Outcome, Scope, VariantOutcome


class AssertionParams(BaseModel):
    """One entry of a case's `assert:` list; unknown keys are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str


class VariantParams(AssertionParams):
    # `released`: only what would reach a customer; `all`: every variant returned, held too;
    # `drafts`: every text the guard judged, held drafts the response dropped included.
    scope: Scope = "all"
    # `all`: every variant in scope must pass (none in scope passes); `any`: at least one must.
    need: Literal["all", "any"] = "all"


class Span(BaseModel):
    variant: int  # index into the outcome's variants, or its drafts when `draft`
    draft: bool = False
    start: int
    end: int
    label: str


class AssertionResult(BaseModel):
    type: str
    passed: bool
    message: str
    spans: list[Span] = Field(default_factory=list)


@dataclass(frozen=True)
class EvalContext:
    """What an assertion may look at besides its own case."""

    # Every outcome of the same run and seed, by case id (for counterfactual pairs).
    peers: Mapping[str, Outcome] = field(default_factory=dict)
    # Display names of every merchant in the knowledge base (empty for guard-only runs).
    merchant_names: tuple[str, ...] = ()


class Assertion(Protocol):
    name: ClassVar[str]  # the `type:` a suite writes (its family, before any ":<name>")
    Params: ClassVar[type[AssertionParams]]

    def __init__(self, params: AssertionParams) -> None: ...

    def evaluate(self, outcome: Outcome, ctx: EvalContext) -> AssertionResult: ...


@dataclass
class Verdict:
    """One variant's answer to a per-variant assertion."""

    ok: bool
    detail: str = ""
    spans: list[tuple[int, int, str]] = field(default_factory=list)


def per_variant(
    params: VariantParams, outcome: Outcome, judge: Callable[[VariantOutcome], Verdict]
) -> AssertionResult:
    """Judge each variant in scope and combine by `need`; the message names the failures."""
    judged = [(i, judge(v)) for i, v in outcome.in_scope(params.scope)]
    failed = [(i, v) for i, v in judged if not v.ok]
    passed = not failed if params.need == "all" else len(failed) < len(judged)
    what = {"all": "variant", "released": "variant", "drafts": "draft"}[params.scope]
    if not judged:
        message = (
            f"no {'released variants' if params.scope == 'released' else what + 's'} to look at"
        )
    elif failed:
        message = "; ".join(f"{what} {i}: {v.detail}" for i, v in failed)
        if passed:
            message = f"passed by {len(judged) - len(failed)} of {len(judged)}; " + message
    else:
        message = "; ".join(f"{what} {i}: {v.detail}" for i, v in judged if v.detail) or "ok"
    spans = [
        Span(variant=i, draft=params.scope == "drafts", start=s, end=e, label=label)
        for i, v in failed
        for s, e, label in v.spans
    ]
    return AssertionResult(type=params.type, passed=passed, message=message, spans=spans)


P = TypeVar("P", bound=AssertionParams)


def params_as(params: AssertionParams, cls: type[P]) -> P:
    """The params an assertion was built with, as its own Params class."""
    if not isinstance(params, cls):
        raise TypeError(f"expected {cls.__name__}, got {type(params).__name__}")
    return params
