"""Channel check: the copy must fit the channel (SMS segments by encoding, characters elsewhere).

Alphabets, segment sizes and per-channel limits are data (guardrails/data/channel.yaml); this file
counts. `count_sms` is the reusable SMS counter (encoding, units, segments).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import ClassVar, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.datafile import (
    DataParams,
    check_data,
    compile_pattern,
    default_data_path,
    load_data,
    require_known,
)
from offergen.guardrails.registry import register
from offergen.schemas import Channel, Finding, Severity

Encoding = Literal["GSM-7", "UCS-2"]
_OTHER_CHANNELS = frozenset(c.value for c in Channel if c is not Channel.sms)


class SegmentSizes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    single: int = Field(gt=0)
    per_segment: int = Field(gt=0)


class SmsData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    basic: str
    extension: str
    gsm7: SegmentSizes
    ucs2: SegmentSizes


class ChannelData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sms: SmsData
    limits: dict[str, int]
    limits_source: str
    merge_tag: str
    tag_lengths: dict[str, int]
    messages: dict[Literal["sms_length", "length"], str]


@dataclass(frozen=True)
class SmsAlphabet:
    """What decides an SMS's encoding and size (from the data file)."""

    basic: frozenset[str]
    extension: frozenset[str]
    all_chars: frozenset[str]  # basic | extension
    gsm7: SegmentSizes
    ucs2: SegmentSizes

    @classmethod
    def from_data(cls, data: SmsData) -> SmsAlphabet:
        basic, extension = frozenset(data.basic), frozenset(data.extension)
        return cls(basic, extension, basic | extension, data.gsm7, data.ucs2)

    def first_non_gsm(self, text: str) -> int | None:
        """Index of the first character outside GSM-7 (basic + extension), or None."""
        if self.all_chars.issuperset(text):
            return None
        for i, ch in enumerate(text):
            if ch not in self.all_chars:
                return i
        return None

    def cost(self, ch: str, encoding: Encoding) -> int:
        if encoding == "UCS-2":
            return 2 if ord(ch) > 0xFFFF else 1  # UTF-16: a surrogate pair outside the BMP
        return 2 if ch in self.extension else 1  # ESC + code

    def sizes(self, encoding: Encoding) -> SegmentSizes:
        return self.gsm7 if encoding == "GSM-7" else self.ucs2

    def encoding(self, text: str) -> Encoding:
        return "GSM-7" if self.all_chars.issuperset(text) else "UCS-2"

    def units(self, text: str) -> int:
        """Septets (GSM-7) or UTF-16 code units (UCS-2) of `text`, without a per-char loop."""
        if self.encoding(text) == "GSM-7":
            return len(text) + sum(text.count(ch) for ch in self.extension)
        return len(text.encode("utf-16-le")) // 2

    def single(self, text: str) -> int:
        """How many units one (unconcatenated) SMS holds in `text`'s encoding."""
        return self.sizes(self.encoding(text)).single


class SmsCount(NamedTuple):
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def segment_of_each(costs: list[int], sizes: SegmentSizes) -> list[int]:
    """The 1-based segment each unit-costed piece lands in; a piece never straddles segments."""
    if sum(costs) <= sizes.single:
        return [1] * len(costs)
    out: list[int] = []
    segment, used = 1, 0
    for cost in costs:
        if used + cost > sizes.per_segment:
            segment, used = segment + 1, 0
        used += cost
        out.append(segment)
    return out


def _first_over(costs: list[int], segments: list[int], allowed: int, sizes: SegmentSizes) -> int:
    """Index of the first piece beyond `allowed` segments (one segment holds `single` units)."""
    if allowed == 1:
        used = 0
        for i, cost in enumerate(costs):
            used += cost
            if used > sizes.single:
                return i
    return next(i for i, seg in enumerate(segments) if seg > allowed)


@functools.cache
def _default_alphabet() -> SmsAlphabet:
    path = default_data_path("channel")
    return SmsAlphabet.from_data(load_data(path, ChannelData).sms)


def count_sms(text: str, alphabet: SmsAlphabet | None = None) -> SmsCount:
    """Encoding, units and segments of `text` sent as one SMS (merge tags counted literally)."""
    alphabet = alphabet or _default_alphabet()
    encoding: Encoding = "GSM-7" if alphabet.first_non_gsm(text) is None else "UCS-2"
    costs = [alphabet.cost(ch, encoding) for ch in text]
    segments = segment_of_each(costs, alphabet.sizes(encoding))
    return SmsCount(encoding, sum(costs), segments[-1] if segments else 1)


class _Pieces(NamedTuple):
    """The text as countable pieces: its characters, each merge tag as its reserved length."""

    starts: list[int]  # where each piece starts in the original text
    chars: list[str]  # the character; "" for a reserved character of a merge tag's value
    tags: str  # how merge tags were counted, for the explanation


class ChannelParams(DataParams):
    """The `params:` block of a `channel` entry in a pack."""

    sms_segments: int = Field(default=1, ge=1, le=10, description="SMS segments the copy may use")
    max_chars: dict[str, int] = Field(
        default_factory=dict, description="per-channel character limits replacing the data file's"
    )


@register
class ChannelCheck:
    """Flags copy that does not fit its channel: SMS segments, push / in-app / email characters."""

    name: ClassVar[str] = "channel"
    Params: ClassVar[type[CheckParams]] = ChannelParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        if not isinstance(params, ChannelParams):
            raise TypeError(f"expected ChannelParams, got {type(params).__name__}")
        self.params = params
        self.severity = severity
        path, data = check_data(self.name, params, ChannelData)
        self._data = data
        self.alphabet = SmsAlphabet.from_data(data.sms)
        self._limits = data.limits | params.max_chars
        for where, keys in (("limits", data.limits), ("params.max_chars", params.max_chars)):
            require_known(where, "channel", sorted(keys), sorted(_OTHER_CHANNELS))
        bad = [f"{k}={v}" for k, v in self._limits.items() if v <= 0]
        if bad:
            raise ConfigError(f"character limits must be positive: {', '.join(bad)}")
        self._merge_tag = compile_pattern(path, "merge_tag", data.merge_tag)
        if "name" not in self._merge_tag.groupindex:
            raise ConfigError(f"data file {path}: merge_tag: needs a group named `name`")
        self._tag_lengths = data.tag_lengths

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        # Fast path: most copy fits, and totals need no per-character walk.
        literal, reserved = self._literal(text)
        if ctx.channel is Channel.sms:
            if self.alphabet.units(literal) + reserved <= self.alphabet.single(literal):
                return []
            return self._check_sms(text, self._pieces(text))
        limit = self._limits.get(ctx.channel.value)
        if limit is None or len(literal) + reserved <= limit:
            return []
        pieces = self._pieces(text)
        count = len(pieces.chars)
        return [
            self._finding(
                "length",
                pieces.starts[limit],
                len(text),
                f"{count} characters{pieces.tags}; the {ctx.channel.value} limit is {limit}",
            )
        ]

    def _check_sms(self, text: str, pieces: _Pieces) -> list[Finding]:
        literal = "".join(pieces.chars)
        first_bad = self.alphabet.first_non_gsm(literal)
        encoding: Encoding = "GSM-7" if first_bad is None else "UCS-2"
        # A merge tag's value ("") is assumed GSM-7 letters: one unit per reserved character.
        if encoding == "GSM-7":
            double = self.alphabet.extension
            costs = [2 if ch in double else 1 for ch in pieces.chars]
        else:
            costs = [2 if ch > "\uffff" else 1 for ch in pieces.chars]  # surrogate pair
        segments = segment_of_each(costs, self.alphabet.sizes(encoding))
        allowed = self.params.sms_segments
        if not segments or segments[-1] <= allowed:
            return []
        over = _first_over(costs, segments, allowed, self.alphabet.sizes(encoding))
        units = sum(costs)
        count = f"= {segments[-1]} segments{pieces.tags}; the pack allows {allowed}"
        if first_bad is None:
            why = f"{units} GSM-7 septets {count}"
        else:
            why = (
                f"contains {literal[first_bad]!r} (not in GSM-7), so the SMS is UCS-2: "
                f"{units} code units {count}"
            )
        return [self._finding("sms_length", pieces.starts[over], len(text), why)]

    def _literal(self, text: str) -> tuple[str, int]:
        """The text without its merge tags, and the characters reserved for their values."""
        if "{" not in text:
            return text, 0
        parts: list[str] = []
        reserved = pos = 0
        for m in self._merge_tag.finditer(text):
            parts.append(text[pos : m.start()])
            reserved += self._reserve(m.group("name"))
            pos = m.end()
        parts.append(text[pos:])
        return "".join(parts), reserved

    def _reserve(self, name: str) -> int:
        return self._tag_lengths.get(name, self._tag_lengths.get("default", 0))

    def _pieces(self, text: str) -> _Pieces:
        starts: list[int] = []
        chars: list[str] = []
        notes: list[str] = []
        pos = 0
        for m in self._merge_tag.finditer(text):
            starts.extend(range(pos, m.start()))
            chars.extend(text[pos : m.start()])
            reserve = self._reserve(m.group("name"))
            starts.extend([m.start()] * reserve)
            chars.extend([""] * reserve)
            notes.append(f"{m.group()} as {reserve}")
            pos = m.end()
        starts.extend(range(pos, len(text)))
        chars.extend(text[pos:])
        tags = f" (counting {', '.join(dict.fromkeys(notes))} characters)" if notes else ""
        return _Pieces(starts, chars, tags)

    def _finding(
        self, rule: Literal["sms_length", "length"], start: int, end: int, why: str
    ) -> Finding:
        return Finding(
            check=self.name,
            rule_id=f"{self.name}.{rule}",
            severity=self.severity,
            start=start,
            end=end,
            message=self._data.messages[rule],
            explanation=why,
        )
