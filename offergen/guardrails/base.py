"""The one small protocol every check implements (one check per file under checks/)."""

from __future__ import annotations

from typing import ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from offergen.schemas import Channel, Finding, Jurisdiction, OfferTerms, Severity


class CheckContext(BaseModel):
    """What a check may look at besides the text itself."""

    model_config = ConfigDict(frozen=True)

    offer: OfferTerms
    channel: Channel
    jurisdiction: Jurisdiction


class CheckParams(BaseModel):
    """Base for a check's `params:` block in a pack; unknown keys are an error."""

    model_config = ConfigDict(extra="forbid")


class Check(Protocol):
    """A check reads a text and returns findings; it never raises for a bad text."""

    name: ClassVar[str]
    Params: ClassVar[type[CheckParams]]

    def __init__(self, params: CheckParams, severity: Severity) -> None: ...

    def check(self, text: str, ctx: CheckContext) -> list[Finding]: ...
