"""PII check: card numbers, CVVs, SSNs, IBANs, emails, phones and street addresses in copy.

Patterns and phrase lists are data (guardrails/data/pii.yaml); this file holds the logic that a
regex cannot express: Unicode folding, Luhn, mod-97, SSA number rules, and overlap resolution.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.datafile import alternation, compile_pattern, default_data_path, load_data
from offergen.guardrails.registry import register
from offergen.guardrails.text import mask_pattern, normalise
from offergen.schemas import Finding, Severity


class EntitySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str
    explain: str
    patterns: list[str] = Field(min_length=1)
    validator: str | None = None
    lists: dict[str, list[str]] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)


class PiiData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    merge_tag: str
    entities: dict[str, EntitySpec] = Field(min_length=1)


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    facts: dict[str, str]


# A validator sees the folded text and a match; it returns the hit (span may shrink) or None.
Validator = Callable[[str, re.Match[str], Mapping[str, Any]], Hit | None]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to 10..35, mod 97 == 1."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _value_span(m: re.Match[str]) -> tuple[int, int]:
    return m.span("value") if "value" in m.re.groupindex else m.span()


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _validate_luhn(text: str, m: re.Match[str], opts: Mapping[str, Any]) -> Hit | None:
    start, end = _value_span(m)
    digits = "".join(ch for ch in text[start:end] if ch.isdigit())
    if not opts.get("min_digits", 12) <= len(digits) <= opts.get("max_digits", 19):
        return None
    return Hit(start, end, {"digits": str(len(digits))}) if luhn_ok(digits) else None


def _validate_ssn(text: str, m: re.Match[str], opts: Mapping[str, Any]) -> Hit | None:
    # SSA never issues area 000, 666 or 9xx, group 00 or serial 0000.
    area, group, serial = m.group("area"), m.group("group"), m.group("serial")
    if area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000":
        return None
    return Hit(*m.span(), {"digits": "9"})


def _validate_iban(text: str, m: re.Match[str], opts: Mapping[str, Any]) -> Hit | None:
    # The regex is greedy and may run into following words; find the prefix that is the IBAN.
    positions = [m.start() + i for i, ch in enumerate(m.group()) if ch != " "]
    compact = "".join(text[p] for p in positions).upper()
    known = opts.get("lengths", {}).get(compact[:2])
    if known is not None:
        candidates = [known]
    else:
        longest = min(len(compact), opts.get("max_length", 34))
        candidates = list(range(longest, opts.get("min_length", 15) - 1, -1))
    for length in candidates:
        if length > len(compact):
            continue
        end = positions[length - 1] + 1
        if end < len(text) and text[end].isalnum():
            continue  # the run goes on inside a word: not an IBAN boundary
        if iban_ok(compact[:length]):
            return Hit(m.start(), end, {"length": str(length)})
    return None


def _validate_phone(text: str, m: re.Match[str], opts: Mapping[str, Any]) -> Hit | None:
    start, end = _value_span(m)
    digits = _digit_count(text[start:end])
    if not opts.get("min_digits", 8) <= digits <= opts.get("max_digits", 15):
        return None
    return Hit(start, end, {"digits": str(digits)})


# Named groups a validator reads, checked when the data file is loaded.
_VALIDATOR_GROUPS: dict[str, frozenset[str]] = {"ssn": frozenset({"area", "group", "serial"})}

VALIDATORS: dict[str, Validator] = {
    "luhn": _validate_luhn,
    "ssn": _validate_ssn,
    "iban": _validate_iban,
    "phone": _validate_phone,
}


class _Facts(dict[str, str]):
    # An explain template naming an unknown fact prints "?" rather than failing the check.
    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(frozen=True)
class _Detector:
    entity: str
    spec: EntitySpec
    patterns: tuple[re.Pattern[str], ...]
    validator: Validator | None

    def hits(self, text: str) -> list[Hit]:
        found = []
        for pattern in self.patterns:
            for m in pattern.finditer(text):
                hit = self._hit(text, m)
                if hit is not None and hit.end > hit.start:
                    found.append(hit)
        return found

    def _hit(self, text: str, m: re.Match[str]) -> Hit | None:
        if self.validator is not None:
            hit = self.validator(text, m, self.spec.options)
            if hit is None:
                return None
        else:
            start, end = _value_span(m)
            hit = Hit(start, end, {"digits": str(_digit_count(text[start:end]))})
        # Phrase-list groups hold list words (e.g. "CVV", "St"), never the sensitive value.
        for key in self.spec.lists:
            if m.group(key) is not None:
                hit.facts[key] = m.group(key)
        return hit


class PiiParams(CheckParams):
    """The `params:` block of a `pii` entry in a pack."""

    entities: list[str] | None = Field(
        default=None, description="entity names to detect (keys of the data file); None = all"
    )
    allow: list[str] = Field(
        default_factory=list,
        description="exact values that may appear, e.g. the merchant's public support line",
    )
    data_file: Path | None = Field(default=None, description="replaces guardrails/data/pii.yaml")


@register
class PiiCheck:
    """Flags personal and payment data that must never appear in marketing copy."""

    name: ClassVar[str] = "pii"
    Params: ClassVar[type[CheckParams]] = PiiParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        if not isinstance(params, PiiParams):
            raise TypeError(f"expected PiiParams, got {type(params).__name__}")
        self.params = params
        self.severity = severity
        path = params.data_file or default_data_path(self.name)
        data = load_data(path, PiiData)
        self._merge_tag = compile_pattern(path, "merge_tag", data.merge_tag)
        wanted = params.entities if params.entities is not None else list(data.entities)
        unknown = [e for e in wanted if e not in data.entities]
        if unknown:
            raise ConfigError(
                f"params.entities: unknown entity {', '.join(map(repr, unknown))}; "
                f"valid entities: {', '.join(data.entities)}"
            )
        # Data-file order is the tie-break when two detectors claim the same span.
        self._detectors = [
            _build_detector(path, name, spec)
            for name, spec in data.entities.items()
            if name in wanted
        ]
        self._allowed = {_squash(normalise(value)) for value in params.allow}

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        folded = mask_pattern(normalise(text), self._merge_tag)
        candidates: list[tuple[int, int, Hit, _Detector]] = []
        for rank, detector in enumerate(self._detectors):
            for hit in detector.hits(folded):
                if _squash(folded[hit.start : hit.end]) not in self._allowed:
                    candidates.append((rank, hit.start - hit.end, hit, detector))
        # The longest span wins an overlap (an IBAN contains card-like digit runs), then rank.
        candidates.sort(key=lambda c: (c[1], c[0], c[2].start))
        taken: list[Hit] = []
        findings: list[Finding] = []
        for _, _, hit, detector in candidates:
            if any(hit.start < t.end and t.start < hit.end for t in taken):
                continue
            taken.append(hit)
            findings.append(
                Finding(
                    check=self.name,
                    rule_id=f"{self.name}.{detector.entity}",
                    severity=self.severity,
                    start=hit.start,
                    end=hit.end,
                    message=detector.spec.message,
                    explanation=f"{detector.entity} detector: "
                    + detector.spec.explain.format_map(_Facts(hit.facts)),
                )
            )
        return sorted(findings, key=lambda f: f.start)


def _build_detector(path: Path, entity: str, spec: EntitySpec) -> _Detector:
    validator = None
    if spec.validator is not None:
        validator = VALIDATORS.get(spec.validator)
        if validator is None:
            raise ConfigError(
                f"data file {path}: entities.{entity}.validator: unknown {spec.validator!r}; "
                f"valid validators: {', '.join(VALIDATORS)}"
            )
    patterns = []
    for i, source in enumerate(spec.patterns):
        for key, phrases in spec.lists.items():
            source = source.replace("{" + key + "}", f"(?P<{key}>{alternation(phrases)})")
        where = f"entities.{entity}.patterns[{i}]"
        pattern = compile_pattern(path, where, source)
        needed = _VALIDATOR_GROUPS.get(spec.validator or "", frozenset())
        if not needed <= pattern.groupindex.keys():
            raise ConfigError(
                f"data file {path}: {where}: the {spec.validator} validator needs the groups "
                + ", ".join(sorted(needed))
            )
        patterns.append(pattern)
    return _Detector(entity, spec, tuple(patterns), validator)


def _squash(value: str) -> str:
    return re.sub(r"[\s().-]", "", value).lower()
