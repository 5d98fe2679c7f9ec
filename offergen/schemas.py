"""Domain models shared by every stage (the contracts of DESIGN.md)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    """Base for every input model: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class OfferKind(StrEnum):
    cashback = "cashback"
    discount = "discount"
    points = "points"
    bnpl = "bnpl"
    intro_apr = "intro_apr"
    fee_waiver = "fee_waiver"
    free_shipping = "free_shipping"


class Unit(StrEnum):
    percent = "percent"
    amount = "amount"
    points = "points"
    multiplier = "multiplier"


class Channel(StrEnum):
    sms = "sms"
    push = "push"
    email = "email"
    in_app = "in_app"


class Jurisdiction(StrEnum):
    US = "US"
    EU = "EU"


class Severity(StrEnum):
    block = "block"
    fix = "fix"
    warn = "warn"


NonNegative = Annotated[float, Field(ge=0)]


class OfferTerms(Strict):
    """The structured truth the copy must agree with."""

    kind: OfferKind
    merchant: str = Field(min_length=1, max_length=80)
    value: NonNegative | None = None
    unit: Unit | None = None
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    min_spend: NonNegative | None = None
    cap: NonNegative | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    apr_after_intro: Annotated[float, Field(ge=0, le=100)] | None = None
    intro_months: Annotated[int, Field(ge=1, le=60)] | None = None
    installments: Annotated[int, Field(ge=2, le=60)] | None = None
    annual_fee: NonNegative | None = None
    firm_offer: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> OfferTerms:
        if (self.value is None) != (self.unit is None):
            raise ValueError("value and unit must be given together (or both left out)")
        if self.unit is Unit.percent and self.value is not None and self.value > 100:
            raise ValueError("a percent value must be at most 100")
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValueError("valid_from must not be after valid_until")
        return self


class CustomerContext(Strict):
    """Who the copy is for. No direct identifiers: names etc. go in as merge tags downstream."""

    segment: str = Field(default="general", min_length=1, max_length=80)
    interests: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=10
    )
    lifecycle: Literal["new", "active", "lapsed", "churn_risk", "vip"] = "active"
    spend_tier: Literal["low", "mid", "high"] = "mid"
    locale: str = Field(default="en-US", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")


class GenerateRequest(Strict):
    merchant_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    offer: OfferTerms
    customer: CustomerContext = Field(default_factory=CustomerContext)
    channel: Channel
    jurisdiction: Jurisdiction = Jurisdiction.US
    tone: Literal["friendly", "premium", "urgent", "playful", "neutral"] = "friendly"
    variants: int = Field(default=3, ge=1, le=8)
    template: str | None = Field(default=None, pattern=r"^[a-z0-9_]+$")
    model: str | None = Field(default=None, pattern=r"^[a-z0-9_.-]+$")


class Finding(BaseModel):
    check: str
    rule_id: str
    severity: Severity
    start: int
    end: int
    message: str
    explanation: str


class Variant(BaseModel):
    text: str
    released: bool
    findings: list[Finding]
    attempts: int


class SourceKind(StrEnum):
    past_offer = "past_offer"
    merchant_rule = "merchant_rule"


class Source(BaseModel):
    id: str
    kind: SourceKind
    score: float


class PromptInfo(BaseModel):
    template: str
    version: str


class ModelInfo(BaseModel):
    id: str
    backend: str


class GenerateResponse(BaseModel):
    request_id: str
    variants: list[Variant]
    sources: list[Source]
    prompt: PromptInfo
    model: ModelInfo
    timings_ms: dict[str, float]


# --- knowledge base records -------------------------------------------------------------------


# A tenant owns merchants; an API key sees only its tenant's (offergen/store/keys.py).
Tenant = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]


class Merchant(Strict):
    id: str
    name: str
    category: str
    locale: str = "en-US"
    brand_voice: str = ""
    tenant: Tenant = "default"


class RuleKind(StrEnum):
    banned_phrase = "banned_phrase"
    required_phrase = "required_phrase"
    max_reward = "max_reward"
    brand_voice = "brand_voice"
    channel_rule = "channel_rule"


class MerchantRule(Strict):
    id: str
    merchant_id: str
    kind: RuleKind
    text: str
    params: dict[str, Any] = Field(default_factory=dict)


class PastOffer(Strict):
    id: str
    merchant_id: str
    offer: OfferTerms
    channel: Channel
    segment: str
    text: str
    sent: int = Field(ge=0)
    clicks: int = Field(ge=0)
    redemptions: int = Field(ge=0)
    sent_at: date
    shareable: bool = False

    @property
    def redemption_rate(self) -> float:
        return self.redemptions / self.sent if self.sent else 0.0


class GuardCase(Strict):
    """One line of `offergen guard check --input`: a text and what it must agree with."""

    text: str = Field(max_length=20_000)
    channel: Channel
    jurisdiction: Jurisdiction = Jurisdiction.US
    offer: OfferTerms


class GuardCheckRequest(GuardCase):
    """`POST /v1/guard/check`: a guard case, optionally against a named policy pack."""

    policy: str | None = Field(default=None, pattern=r"^[a-z0-9_.-]+$")


class GuardVerdict(BaseModel):
    """What the guard decided about one text: the released text (fixes applied) or null."""

    released: bool
    text: str | None
    findings: list[Finding]
    policy: str


class TermsFinding(BaseModel):
    """An offer term that breaks a merchant rule or a pack requirement, found before generation:
    no copy for these terms could be released."""

    rule_id: str  # a merchant rule's id (r_apex_petrol_03) or a pack requirement's (terms.*)
    field: str  # the request field at fault, e.g. offer.value
    limit: float | str | None = None  # the rule's bound, where it has one
    message: str
    source: str | None = None  # the regulation or policy the requirement encodes


class OfferValidation(BaseModel):
    """`POST /v1/offers:validate`: whether copy could be generated for these terms."""

    valid: bool
    findings: list[TermsFinding]
