"""Merchant rules check: the merchant's own banned / required phrases, reward limits, voice and
channel rules (CheckContext.merchant_rules, written by the knowledge base).

Each rule kind has a small params model; a rule whose params do not fit is reported (fail closed)
rather than skipped. The check also repairs what it can by adding wording: a missing required
phrase and a missing required ending are appended as their own sentences (Fixer protocol).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.datafile import (
    DataParams,
    alternation,
    check_data,
    compile_pattern,
    require_known,
)
from offergen.guardrails.phrases import fold, phrase_alternation
from offergen.guardrails.registry import register
from offergen.guardrails.text import mask_pattern, mask_spans, normalise
from offergen.schemas import (
    Channel,
    Finding,
    MerchantRule,
    OfferKind,
    RuleKind,
    Severity,
    Unit,
)

# Rule ids (after "merchant_rules.") this check reports; the keys of severity_by_rule.
RULES = (
    "banned_phrase",
    "required_phrase",
    "max_reward",
    "brand_voice.exclamation_marks",
    "channel_rule.must_end_with",
    "channel_rule.must_start_with",
    "channel_rule.max_chars",
    "channel_rule.merge_tags",
    "invalid_rule",
)
# Only these can be repaired by adding wording.
FIXABLE = ("required_phrase", "channel_rule.must_end_with")
_SENTENCE_END = ".!?\u2026"
RewardKind = Literal["percent", "amount", "multiplier"]
_UNITS: dict[str, str] = {"percent": "%", "amount": "", "multiplier": "x"}


@dataclass(frozen=True)
class Reward:
    kind: str  # percent | amount | multiplier
    start: int
    end: int
    value: float


class MerchantRulesData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    merge_tag: str
    exclamation_marks: list[str] = Field(min_length=1)
    rate_words: list[str] = Field(default_factory=list)
    cap_words: list[str] = Field(default_factory=list)
    rewards: dict[RewardKind, list[str]]
    number: str
    number_words: dict[str, int]
    tens_words: dict[str, int]
    currency_tokens: list[str] = Field(min_length=1)
    currency_words: list[str] = Field(default_factory=list)
    reward_words: list[str] = Field(min_length=1)
    messages: dict[str, str]


class MerchantRulesParams(DataParams):
    """The `params:` block of a `merchant_rules` entry in a pack."""

    severity_by_rule: dict[str, Severity] = Field(
        default_factory=dict,
        description="severity per rule id (e.g. required_phrase: fix); others use the pack's",
    )


# --- the params of each rule kind, as the knowledge base writes them ---------------------------


class _RuleParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _channels(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class BannedPhrase(_RuleParams):
    phrases: list[str] = Field(min_length=1)


class RequiredPhrase(_RuleParams):
    phrase: str = Field(min_length=1)
    channels: list[Channel] | None = None  # None: every channel

    _as_list = field_validator("channels", mode="before")(_channels)


class MaxReward(_RuleParams):
    max_percent: float | None = None
    applies_to: list[OfferKind] = Field(default_factory=list)
    max_amount: float | None = None
    max_multiplier: float | None = None


class BrandVoice(_RuleParams):
    tone: str | None = None
    exclamation_marks: bool = True


class ChannelRule(_RuleParams):
    channel: list[Channel]
    must_end_with: str | None = Field(default=None, min_length=1)
    must_start_with: str | None = Field(default=None, min_length=1)
    max_chars: int | None = Field(default=None, ge=1)
    merge_tags: bool | None = None

    _as_list = field_validator("channel", mode="before")(_channels)


_PARAMS: dict[RuleKind, type[_RuleParams]] = {
    RuleKind.banned_phrase: BannedPhrase,
    RuleKind.required_phrase: RequiredPhrase,
    RuleKind.max_reward: MaxReward,
    RuleKind.brand_voice: BrandVoice,
    RuleKind.channel_rule: ChannelRule,
}


@lru_cache(maxsize=512)
def _banned_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    # Banned phrases are matched like the claims lists: Unicode tricks and spacing folded away.
    return re.compile(phrase_alternation(phrases), re.IGNORECASE)


@lru_cache(maxsize=512)
def _literal_pattern(phrase: str, anchor: str) -> re.Pattern[str]:
    # Required wording must really be there: only case and runs of whitespace may differ.
    body = r"\s+".join(re.escape(w) for w in normalise(phrase).split())
    source = {"start": rf"^\s*({body})", "end": rf"({body})\s*$"}.get(anchor, f"({body})")
    return re.compile(source, re.IGNORECASE)


@register
class MerchantRulesCheck:
    """Enforces the merchant's rules from the knowledge base on the copy."""

    name: ClassVar[str] = "merchant_rules"
    Params: ClassVar[type[CheckParams]] = MerchantRulesParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        if not isinstance(params, MerchantRulesParams):
            raise TypeError(f"expected MerchantRulesParams, got {type(params).__name__}")
        self.params = params
        self.severity = severity
        require_known("params.severity_by_rule", "rule", params.severity_by_rule, RULES)
        path, data = check_data(self.name, params, MerchantRulesData)
        missing = [r for r in RULES if r not in data.messages]
        if missing:
            raise ConfigError(f"data file {path}: messages: missing {', '.join(missing)}")
        self._data = data
        self._merge_tag = compile_pattern(path, "merge_tag", data.merge_tag)
        self._exclamations = frozenset(data.exclamation_marks)
        self._rate_after = compile_pattern(
            path,
            "rate_words",
            rf"\s*(?:{'|'.join(re.escape(w) for w in data.rate_words) or '(?!)'})\b",
            re.IGNORECASE,
        )
        caps = "|".join(r"\s+".join(map(re.escape, w.split())) for w in data.cap_words)
        self._cap_before = compile_pattern(
            path, "cap_words", rf"(?<![A-Za-z])(?:{caps or '(?!)'})\s*$", re.IGNORECASE
        )
        self._rewards = self._reward_patterns(path, data)
        self._reward_after = re.compile(rf"[ \t]+(?i:{alternation(data.reward_words)})\b")
        self._handlers: dict[
            RuleKind, Callable[[Any, MerchantRule, str, CheckContext], list[Finding]]
        ]
        self._handlers = {
            RuleKind.banned_phrase: self._banned,
            RuleKind.required_phrase: self._required,
            RuleKind.max_reward: self._max_reward,
            RuleKind.brand_voice: self._brand_voice,
            RuleKind.channel_rule: self._channel_rule,
        }

    def _reward_patterns(
        self, path: Path, data: MerchantRulesData
    ) -> list[tuple[str, re.Pattern[str]]]:
        self._words = {k.lower(): v for k, v in (data.number_words | data.tens_words).items()}
        ones = "|".join(w for w, v in data.number_words.items() if 1 <= v <= 9)
        units = alternation(data.number_words)
        tens = "|".join(data.tens_words)
        word = rf"(?i:\b(?:(?:{tens})(?:[ -](?:{ones}))?|{units})\b)"
        places = {
            "{num}": f"(?:(?<![0-9.,])(?P<num>{data.number})|(?P<word>{word}))",
            "{currency}": f"(?:{alternation(data.currency_tokens)})",
            "{currency_word}": f"(?i:{alternation(data.currency_words) or '(?!)'})",
            "{reward_word}": rf"(?i:{alternation(data.reward_words)})\b",
        }
        out: list[tuple[str, re.Pattern[str]]] = []
        for kind, sources in data.rewards.items():
            for i, source in enumerate(sources):
                for key, value in places.items():
                    source = source.replace(key, value)
                out.append((kind, compile_pattern(path, f"rewards.{kind}[{i}]", source)))
        return out

    def rewards(self, text: str, merchant: str = "") -> list[Reward]:
        """Percentages, reward amounts and multipliers stated in `text`, by position."""
        folded = mask_pattern(normalise(text), self._merge_tag)
        if merchant:
            # Digits in the merchant's own name ("7-Eleven") are not rewards.
            name = re.compile(re.escape(normalise(merchant)), re.IGNORECASE)
            folded = mask_spans(folded, (m.span() for m in name.finditer(folded)))
        found: list[Reward] = []
        for kind, pattern in self._rewards:
            for m in pattern.finditer(folded):
                if any(m.start() < r.end and r.start < m.end() for r in found):
                    continue
                found.append(Reward(kind, m.start(), m.end(), self._value(m)))
        return sorted(found, key=lambda r: r.start)

    def _value(self, m: re.Match[str]) -> float:
        if m.group("num") is not None:
            raw = m.group("num")
            # "19,99" is a decimal comma; other commas group thousands (as the numbers check).
            if "," in raw and "." not in raw and len(raw.rsplit(",", 1)[1]) <= 2:
                return float(raw.replace(",", "."))
            return float(raw.replace(",", ""))
        parts = re.split(r"[\s-]+", m.group("word").lower())
        return float(sum(self._words[p] for p in parts))

    # --- Check ----------------------------------------------------------------------------------

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        for rule in ctx.merchant_rules:
            try:
                params = _PARAMS[rule.kind].model_validate(rule.params)
            except ValidationError as exc:
                problem = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or '(params)'}: {e['msg']}"
                    for e in exc.errors()
                )
                findings.append(
                    self._finding("invalid_rule", rule, 0, len(text), f"params: {problem}")
                )
                continue
            findings.extend(self._handlers[rule.kind](params, rule, text, ctx))
        return sorted(findings, key=lambda f: (f.start, f.end))

    def _banned(
        self, params: BannedPhrase, rule: MerchantRule, text: str, ctx: CheckContext
    ) -> list[Finding]:
        folded = fold(text, self._merge_tag)
        out = []
        for m in _banned_pattern(tuple(params.phrases)).finditer(folded.text):
            start, end = folded.span(*m.span())
            out.append(
                self._finding("banned_phrase", rule, start, end, f"found {text[start:end]!r}")
            )
        return out

    def _required(
        self, params: RequiredPhrase, rule: MerchantRule, text: str, ctx: CheckContext
    ) -> list[Finding]:
        if params.channels is not None and ctx.channel not in params.channels:
            return []
        if _literal_pattern(params.phrase, "").search(normalise(text)):
            return []
        return [
            self._finding(
                "required_phrase",
                rule,
                len(text),
                len(text),
                f"{params.phrase!r} is required on {ctx.channel.value} and is missing",
            )
        ]

    def _max_reward(
        self, params: MaxReward, rule: MerchantRule, text: str, ctx: CheckContext
    ) -> list[Finding]:
        folded = normalise(text)
        out = []
        for reward in self.rewards(text, ctx.offer.merchant):
            limit = self._reward_limit(reward, params, folded, ctx)
            if limit is None or reward.value <= limit + 1e-9:
                continue
            unit = _UNITS[reward.kind] or f" {ctx.offer.currency}"
            surface = text[reward.start : reward.end]
            out.append(
                self._finding(
                    "max_reward",
                    rule,
                    reward.start,
                    reward.end,
                    f"{surface!r} states {_fmt(reward.value)}{unit}, above the maximum "
                    f"{_fmt(limit)}{unit}",
                )
            )
        return out

    def _reward_limit(
        self, reward: Reward, params: MaxReward, folded: str, ctx: CheckContext
    ) -> float | None:
        if reward.kind == "percent":
            # A percentage is a reward unless it is a rate ("19.99% APR"); a bare one counts
            # only in the offer kinds the rule names (cash back, discounts).
            if self._rate_after.match(folded, reward.end):
                return None
            if self._reward_after.match(folded, reward.end) or ctx.offer.kind in params.applies_to:
                return params.max_percent
            return None
        if reward.kind == "amount":
            # The cap of a percentage reward ("up to $20 back") is not a fixed reward.
            lead = folded[max(0, reward.start - 20) : reward.start]
            if ctx.offer.unit is not Unit.amount and self._cap_before.search(lead):
                return None
            return params.max_amount
        return params.max_multiplier

    def _brand_voice(
        self, params: BrandVoice, rule: MerchantRule, text: str, ctx: CheckContext
    ) -> list[Finding]:
        # The tone itself is for the prompt; only the exclamation-mark rule is checkable here.
        if params.exclamation_marks:
            return []
        folded = normalise(text)
        return [
            self._finding(
                "brand_voice.exclamation_marks", rule, i, i + 1, f"{text[i]!r} at position {i}"
            )
            for i, ch in enumerate(folded)
            if ch in self._exclamations
        ]

    def _channel_rule(
        self, params: ChannelRule, rule: MerchantRule, text: str, ctx: CheckContext
    ) -> list[Finding]:
        if ctx.channel not in params.channel:
            return []
        folded = normalise(text)
        out = []
        if params.must_end_with is not None and not _literal_pattern(
            params.must_end_with, "end"
        ).search(folded):
            out.append(
                self._finding(
                    "channel_rule.must_end_with",
                    rule,
                    len(text),
                    len(text),
                    f"{ctx.channel.value} copy must end with {params.must_end_with!r}",
                )
            )
        if params.must_start_with is not None and not _literal_pattern(
            params.must_start_with, "start"
        ).search(folded):
            out.append(
                self._finding(
                    "channel_rule.must_start_with",
                    rule,
                    0,
                    0,
                    f"{ctx.channel.value} copy must start with {params.must_start_with!r}",
                )
            )
        if params.max_chars is not None and len(text) > params.max_chars:
            out.append(
                self._finding(
                    "channel_rule.max_chars",
                    rule,
                    params.max_chars,
                    len(text),
                    f"{len(text)} characters; {ctx.channel.value} allows {params.max_chars}",
                )
            )
        if params.merge_tags is False:
            out.extend(
                self._finding(
                    "channel_rule.merge_tags",
                    rule,
                    *m.span(),
                    f"{m.group()!r} on {ctx.channel.value}",
                )
                for m in self._merge_tag.finditer(folded)
            )
        return out

    def _finding(
        self, rule_id: str, rule: MerchantRule, start: int, end: int, detail: str
    ) -> Finding:
        return Finding(
            check=self.name,
            rule_id=f"{self.name}.{rule_id}",
            severity=self.params.severity_by_rule.get(rule_id, self.severity),
            start=start,
            end=end,
            message=self._data.messages[rule_id],
            explanation=f"merchant rule {rule.id} ({rule.text!r}): {detail}",
        )

    # --- Fixer ----------------------------------------------------------------------------------

    def fix(self, text: str, findings: list[Finding], ctx: CheckContext) -> str:
        """Append missing required phrases and endings, each as its own sentence.

        Only for this check's `fix` findings; nothing already in the text is changed except that
        a sentence-ending full stop is added before appended wording when the text lacks one.
        """
        fixable = {
            f.rule_id.removeprefix(f"{self.name}.")
            for f in findings
            if f.check == self.name and f.severity is Severity.fix
        }
        if not fixable & set(FIXABLE):
            return text
        additions: list[str] = []
        endings: list[str] = []
        for rule in ctx.merchant_rules:
            try:
                params = _PARAMS[rule.kind].model_validate(rule.params)
            except ValidationError:
                continue
            if "required_phrase" in fixable and isinstance(params, RequiredPhrase):
                if self._required(params, rule, text, ctx) and params.phrase not in additions:
                    additions.append(params.phrase)
            elif (
                isinstance(params, ChannelRule)
                and params.must_end_with is not None
                and ctx.channel in params.channel
                and params.must_end_with not in endings
            ):
                # Collected even when not fixable: a required ending in place must stay last.
                endings.append(params.must_end_with)
        body = text.rstrip()
        folded = normalise(body)
        # A required ending already in place stays last: additions go in front of it.
        tail = ""
        for ending in endings:
            m = _literal_pattern(ending, "end").search(folded)
            if m is not None:
                body, tail = body[: m.start(1)].rstrip(), body[m.start(1) :]
                break
        for phrase in additions:
            body = _append_sentence(body, phrase)
        if tail:
            body = _append_sentence(body, tail)
        for ending in endings if "channel_rule.must_end_with" in fixable else ():
            done = _literal_pattern(ending, "end").search(normalise(body))
            # Present elsewhere but not last: moving it would rewrite the copy, so leave it held.
            elsewhere = _literal_pattern(ending, "").search(normalise(body))
            if not done and not elsewhere:
                body = _append_sentence(body, ending)
        return body if body != text.rstrip() else text


def _append_sentence(text: str, sentence: str) -> str:
    text = text.rstrip()
    if not text:
        return sentence
    if text[-1] not in _SENTENCE_END:
        text += "."
    return f"{text} {sentence}"


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"
