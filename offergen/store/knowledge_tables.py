"""Tables of the knowledge base. Records cross this boundary as the pydantic models of
`offergen.schemas`; the rows carry only what those models need plus the review state."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from offergen.schemas import Merchant, MerchantRule, OfferTerms, PastOffer
from offergen.store.database import Base

__all__ = ["DEFAULT_TENANT", "MerchantRow", "PastOfferRow", "ReviewStatus", "RuleRow"]

# The tenant of a merchant imported without one (and of rows from before tenants existed).
DEFAULT_TENANT: str = Merchant.model_fields["tenant"].default


class ReviewStatus(StrEnum):
    """Whether imported text may be retrieved: flagged text waits for a reviewer."""

    active = "active"
    flagged = "flagged"
    rejected = "rejected"


_ID = String(64)


class MerchantRow(Base):
    __tablename__ = "kb_merchants"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(80), index=True)
    locale: Mapped[str] = mapped_column(String(16))
    brand_voice: Mapped[str] = mapped_column(Text)
    # Who may see this merchant (and, through it, its rules and past offers).
    tenant_id: Mapped[str] = mapped_column(String(64), index=True, default=DEFAULT_TENANT)

    @classmethod
    def from_model(cls, m: Merchant) -> dict[str, Any]:
        d = m.model_dump(exclude={"tenant"})
        d["tenant_id"] = m.tenant
        return d

    def to_model(self) -> Merchant:
        return Merchant(
            id=self.id,
            name=self.name,
            category=self.category,
            locale=self.locale,
            brand_voice=self.brand_voice,
            tenant=self.tenant_id,
        )


class RuleRow(Base):
    __tablename__ = "kb_rules"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(_ID, ForeignKey("kb_merchants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.active.value)
    flag_reason: Mapped[str] = mapped_column(String(400), default="")

    @classmethod
    def from_model(cls, r: MerchantRule) -> dict[str, Any]:
        return r.model_dump(mode="json")

    def to_model(self) -> MerchantRule:
        return MerchantRule(
            id=self.id,
            merchant_id=self.merchant_id,
            kind=self.kind,  # type: ignore[arg-type]  # validated into RuleKind
            text=self.text,
            params=self.params,
        )


class PastOfferRow(Base):
    __tablename__ = "kb_past_offers"
    __table_args__ = (Index("ix_kb_past_offers_shareable", "shareable"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(_ID, ForeignKey("kb_merchants.id"), index=True)
    offer: Mapped[dict[str, Any]] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(16))
    segment: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    sent: Mapped[int] = mapped_column(Integer)
    clicks: Mapped[int] = mapped_column(Integer)
    redemptions: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[date] = mapped_column(Date)
    shareable: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.active.value)
    flag_reason: Mapped[str] = mapped_column(String(400), default="")

    @classmethod
    def from_model(cls, p: PastOffer) -> dict[str, Any]:
        d = p.model_dump(mode="json")
        d["sent_at"] = p.sent_at  # the Date column wants a date, not its ISO string
        return d

    def to_model(self) -> PastOffer:
        return PastOffer(
            id=self.id,
            merchant_id=self.merchant_id,
            offer=OfferTerms.model_validate(self.offer),
            channel=self.channel,  # type: ignore[arg-type]  # validated into Channel
            segment=self.segment,
            text=self.text,
            sent=self.sent,
            clicks=self.clicks,
            redemptions=self.redemptions,
            sent_at=self.sent_at,
            shareable=self.shareable,
        )
