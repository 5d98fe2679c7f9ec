"""Offer pre-flight: what the merchant's rules and the packs decide from the offer terms alone.

An offer that breaks one of these can never be released, whatever the model writes (a 10 %
cash-back offer for a merchant whose rule caps cash back at 3 %), so it is refused before any
retrieval or generation, with every violated rule, its limit and the field at fault. The same
rules bound the copy later (checks/merchant_rules.py reads the same rule params); data in
guardrails/data/preflight.yaml.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from offergen.guardrails.checks.merchant_rules import ChannelRule, MaxReward, RequiredPhrase
from offergen.guardrails.datafile import load_data
from offergen.schemas import (
    Channel,
    GenerateRequest,
    Jurisdiction,
    MerchantRule,
    OfferKind,
    OfferTerms,
    RuleKind,
    TermsFinding,
    Unit,
)

__all__ = ["Preflight"]

_P = TypeVar("_P", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequiredTerm(_Strict):
    id: str
    kinds: list[OfferKind] = Field(min_length=1)
    jurisdictions: list[Jurisdiction] = Field(min_length=1)
    field: str
    message: str
    source: str


class DateRule(_Strict):
    id: str
    message: str
    source: str


class Dates(_Strict):
    valid_until_past: DateRule


class Messages(_Strict):
    max_percent: str
    max_amount: str
    max_multiplier: str
    channel_fit: str


class PreflightData(_Strict):
    reward_kinds: list[OfferKind]
    required_terms: list[RequiredTerm]
    dates: Dates
    messages: Messages

    def model_post_init(self, _: object) -> None:
        unknown = [t.field for t in self.required_terms if t.field not in OfferTerms.model_fields]
        if unknown:
            raise ValueError(f"required_terms name unknown offer fields: {', '.join(unknown)}")


class Preflight:
    """Cheap to build; the data file is read on first use."""

    def __init__(self, guardrails_dir: Path) -> None:
        self.path = guardrails_dir / "data" / "preflight.yaml"

    @cached_property
    def data(self) -> PreflightData:
        return load_data(self.path, PreflightData)

    def warm_up(self) -> None:
        _ = self.data

    def check(
        self, request: GenerateRequest, rules: Sequence[MerchantRule], today: date
    ) -> list[TermsFinding]:
        """Every rule the request's terms break (empty: copy may be generated)."""
        offer = request.offer
        findings = self._required_terms(offer, request.jurisdiction)
        until = offer.valid_until
        if until is not None and until < today:
            past = self.data.dates.valid_until_past
            findings.append(
                TermsFinding(
                    rule_id=past.id,
                    field="offer.valid_until",
                    limit=today.isoformat(),
                    message=f"{past.message} ({until.isoformat()})",
                    source=past.source,
                )
            )
        for rule in rules:
            if rule.kind is RuleKind.max_reward:
                findings += self._max_reward(rule, offer)
            elif rule.kind is RuleKind.channel_rule:
                findings += self._channel_fit(rule, rules, request.channel)
        return findings

    def _required_terms(self, offer: OfferTerms, jurisdiction: Jurisdiction) -> list[TermsFinding]:
        return [
            TermsFinding(rule_id=t.id, field=f"offer.{t.field}", message=t.message, source=t.source)
            for t in self.data.required_terms
            if offer.kind in t.kinds
            and jurisdiction in t.jurisdictions
            and getattr(offer, t.field) is None
        ]

    def _max_reward(self, rule: MerchantRule, offer: OfferTerms) -> list[TermsFinding]:
        params = _params(MaxReward, rule)
        if params is None or offer.value is None:
            return []  # a rule that does not parse is reported by the merchant_rules check
        kinds = params.applies_to or self.data.reward_kinds
        bounds = {
            Unit.percent: ("max_percent", params.max_percent, offer.kind in kinds),
            Unit.amount: ("max_amount", params.max_amount, offer.kind in kinds),
            Unit.multiplier: ("max_multiplier", params.max_multiplier, True),
        }
        if offer.unit not in bounds:
            return []
        name, limit, applies = bounds[offer.unit]
        if not applies or limit is None or offer.value <= limit + 1e-9:
            return []
        message = getattr(self.data.messages, name).format(
            value=_num(offer.value), limit=_num(limit), currency=offer.currency
        )
        return [
            TermsFinding(
                rule_id=rule.id,
                field="offer.value",
                limit=limit,
                message=message,
                source=f"merchant rule: {rule.text}",
            )
        ]

    def _channel_fit(
        self, rule: MerchantRule, rules: Sequence[MerchantRule], channel: Channel
    ) -> list[TermsFinding]:
        """A channel limit too small for the wording the merchant itself requires there."""
        params = _params(ChannelRule, rule)
        if params is None or params.max_chars is None or channel not in params.channel:
            return []
        required = [
            p.phrase
            for r in rules
            if r.kind is RuleKind.required_phrase
            and (p := _params(RequiredPhrase, r)) is not None
            and (p.channels is None or channel in p.channels)
        ]
        for r in rules:
            c = _params(ChannelRule, r) if r.kind is RuleKind.channel_rule else None
            if c is not None and channel in c.channel:
                required += [w for w in (c.must_start_with, c.must_end_with) if w]
        wording = list(dict.fromkeys(required))
        needed = sum(len(w) for w in wording) + max(0, len(wording) - 1)  # one space between
        if needed <= params.max_chars:
            return []
        message = self.data.messages.channel_fit.format(
            channel=channel.value, needed=needed, limit=params.max_chars
        )
        return [
            TermsFinding(
                rule_id=rule.id,
                field="channel",
                limit=params.max_chars,
                message=message,
                source=f"merchant rule: {rule.text}",
            )
        ]


def _params(model: type[_P], rule: MerchantRule) -> _P | None:
    try:
        return model.model_validate(rule.params)
    except ValidationError:
        return None


def _num(value: float) -> str:
    return f"{value:g}"
