"""The one small protocol every check implements (one check per file under checks/)."""

from __future__ import annotations

from typing import ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from offergen.schemas import Channel, Finding, Jurisdiction, MerchantRule, OfferTerms, Severity


class CheckContext(BaseModel):
    """What a check may look at besides the text itself."""

    model_config = ConfigDict(frozen=True)

    offer: OfferTerms
    channel: Channel
    jurisdiction: Jurisdiction
    # This merchant's rules from the knowledge base (banned / required phrases, channel rules).
    merchant_rules: tuple[MerchantRule, ...] = ()
    # Secret markers placed in the prompt; one showing up in the output means the prompt leaked.
    canaries: tuple[str, ...] = ()


class CheckParams(BaseModel):
    """Base for a check's `params:` block in a pack; unknown keys are an error."""

    model_config = ConfigDict(extra="forbid")


class Check(Protocol):
    """A check reads a text and returns findings; it never raises for a bad text."""

    name: ClassVar[str]
    Params: ClassVar[type[CheckParams]]

    def __init__(self, params: CheckParams, severity: Severity) -> None: ...

    def check(self, text: str, ctx: CheckContext) -> list[Finding]: ...


class Fixer(Protocol):
    """A check that can repair its own `fix` findings (e.g. insert a missing disclosure).

    A fix only adds required wording; it never rewrites the model's claims. The guard re-runs every
    check on the fixed text, so a fix that breaks a channel limit is caught there.
    """

    def fix(self, text: str, findings: list[Finding], ctx: CheckContext) -> str: ...
