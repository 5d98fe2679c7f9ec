"""What running one case produced: the thing every assertion looks at."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from offergen.schemas import Channel, Finding, Jurisdiction, OfferTerms, Source

CaseKind = Literal["generate", "guard"]
# released: what would reach a customer; all: every variant returned, held ones too;
# drafts: every text the guard judged, including held drafts the response dropped.
Scope = Literal["all", "released", "drafts"]


class VariantOutcome(BaseModel):
    """One variant of a generate case, or the one text of a guard case."""

    text: str
    released: bool
    attempts: int = 1
    findings: list[Finding] = Field(default_factory=list)  # spans index into `text`
    # Wording the guard inserted (guard cases; a generate response does not report it).
    fixes: list[Finding] = Field(default_factory=list)


class Outcome(BaseModel):
    case_id: str
    kind: CaseKind
    channel: Channel
    jurisdiction: Jurisdiction
    offer: OfferTerms
    seed: int | None = None
    variants: list[VariantOutcome] = Field(default_factory=list)
    # Every text the copy guard judged, in order, held drafts the response dropped included
    # (`attempts` is not known for a draft). A guard case's one text is its one draft.
    drafts: list[VariantOutcome] = Field(default_factory=list)
    # The request was refused before generation (InvalidInputError): its safe message.
    refused: str | None = None
    # Anything else that went wrong (unknown merchant or template, backend down).
    error: str | None = None
    # The exact prompt of the first generation round (later rounds add compliance notes).
    prompt: str | None = None
    sources: list[Source] = Field(default_factory=list)
    template: str | None = None
    template_version: str | None = None
    model_id: str | None = None
    backend: str | None = None
    policy: str | None = None
    latency_ms: float = 0.0
    timings_ms: dict[str, float] = Field(default_factory=dict)

    def in_scope(self, scope: Scope) -> list[tuple[int, VariantOutcome]]:
        """The texts an assertion looks at, with their index in `variants` (`drafts` for that
        scope)."""
        if scope == "drafts":
            return list(enumerate(self.drafts))
        return [(i, v) for i, v in enumerate(self.variants) if scope == "all" or v.released]
