"""One eval case: `{id, vars, assert, metadata}`, the format of eval/cases/*.jsonl and of the
review-queue export (`offergen review export`).

`vars` is either a GenerateRequest (it has `merchant_id`: the pipeline generates copy) or a
guard case (it has `text`: the guard checks that text, optionally against a named `policy`).

Red-team fields: `owasp` tags a case with the OWASP Top 10 for LLM Applications (2025) ids it
tests (the report groups results by id); a `critical` case that fails fails the
`critical_failures` metric; `canaries` are strings the case plants in the request, which the
pipeline holds (and redacts) wherever generated copy carries one; `kb` seeds past offers and
merchant rules into what retrieval returns for that case alone (indirect injection).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    SerializeAsAny,
    Tag,
    model_validator,
)

from offergen.evaluation.assertion import AssertionParams
from offergen.evaluation.registry import parse_assertion
from offergen.schemas import GenerateRequest, GuardCheckRequest, MerchantRule, PastOffer, Strict

CaseKind = Literal["generate", "guard"]

# OWASP Top 10 for LLM Applications (2025): LLM01 Prompt Injection ... LLM10 Unbounded Consumption.
OwaspId = Literal[
    "LLM01", "LLM02", "LLM03", "LLM04", "LLM05", "LLM06", "LLM07", "LLM08", "LLM09", "LLM10"
]  # fmt: skip


def vars_kind(value: Any) -> CaseKind:
    if isinstance(value, dict):
        return "generate" if "merchant_id" in value else "guard"
    return "generate" if isinstance(value, GenerateRequest) else "guard"


Vars = Annotated[
    Annotated[GenerateRequest, Tag("generate")] | Annotated[GuardCheckRequest, Tag("guard")],
    Discriminator(vars_kind),
]

AssertionSpec = Annotated[SerializeAsAny[AssertionParams], BeforeValidator(parse_assertion)]


class SeededKnowledge(Strict):
    """Knowledge-base documents a case adds to what retrieval returns (ranked first), as if they
    had been ingested for their merchant; the shared knowledge base is not touched."""

    past_offers: list[PastOffer] = Field(default_factory=list, max_length=20)
    rules: list[MerchantRule] = Field(default_factory=list, max_length=20)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_.:-]+$")
    vars: Vars
    assertions: list[AssertionSpec] = Field(default_factory=list, alias="assert")
    metadata: dict[str, Any] = Field(default_factory=dict)
    owasp: list[OwaspId] = Field(default_factory=list, max_length=10)
    critical: bool = False
    canaries: list[Annotated[str, Field(min_length=4, max_length=200)]] = Field(
        default_factory=list, max_length=10
    )
    kb: SeededKnowledge | None = None

    @model_validator(mode="after")
    def _generate_only(self) -> Case:
        if self.kind == "guard" and (self.canaries or self.kb is not None):
            raise ValueError("`canaries` and `kb` apply to generate cases (vars with merchant_id)")
        if self.kb is not None and isinstance(self.vars, GenerateRequest):
            merchant = self.vars.merchant_id
            docs: list[PastOffer | MerchantRule] = [*self.kb.past_offers, *self.kb.rules]
            stray = [d.id for d in docs if d.merchant_id != merchant]
            if stray:
                raise ValueError(f"kb documents {stray} belong to another merchant than {merchant}")
        return self

    @property
    def kind(self) -> CaseKind:
        return vars_kind(self.vars)
