"""One eval case: `{id, vars, assert, metadata}`, the format of eval/cases/*.jsonl and of the
review-queue export (`offergen review export`).

`vars` is either a GenerateRequest (it has `merchant_id`: the pipeline generates copy) or a
guard case (it has `text`: the guard checks that text, optionally against a named `policy`).
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
)

from offergen.evaluation.assertion import AssertionParams
from offergen.evaluation.registry import parse_assertion
from offergen.schemas import GenerateRequest, GuardCheckRequest

CaseKind = Literal["generate", "guard"]


def vars_kind(value: Any) -> CaseKind:
    if isinstance(value, dict):
        return "generate" if "merchant_id" in value else "guard"
    return "generate" if isinstance(value, GenerateRequest) else "guard"


Vars = Annotated[
    Annotated[GenerateRequest, Tag("generate")] | Annotated[GuardCheckRequest, Tag("guard")],
    Discriminator(vars_kind),
]

AssertionSpec = Annotated[SerializeAsAny[AssertionParams], BeforeValidator(parse_assertion)]


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_.:-]+$")
    vars: Vars
    assertions: list[AssertionSpec] = Field(default_factory=list, alias="assert")
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def kind(self) -> CaseKind:
        return vars_kind(self.vars)
