"""PII check: card numbers, CVVs, SSNs, IBANs, emails, phones, street addresses and person names.

Two kinds of detector, both configured in guardrails/data/pii.yaml:
  - pattern entities (cards, CVVs, SSNs, IBANs, emails): regexes, and a checksum or rule the match
    must pass (Luhn, mod-97, SSA number rules); certain when they fire (score 1.0 by default);
  - recognizer entities (phones, street addresses, person names): one small class each under
    offergen/guardrails/recognizers/, which scores what it finds (0..1).
A finding is reported when its score reaches the entity's `threshold`; its explanation says which
rule or list fired and the score, never the value. Overlaps: the longest span wins.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.datafile import (
    DataParams,
    alternation,
    check_data,
    compile_pattern,
    require_known,
)
from offergen.guardrails.recognizers import RECOGNIZERS, Recognition, Recognizer, Scan, build, words
from offergen.guardrails.registry import register
from offergen.guardrails.text import drop_invisible, mask_pattern, normalise
from offergen.schemas import Finding, Severity

__all__ = ["PiiCheck", "PiiParams", "Scan", "iban_ok", "luhn_ok", "words"]


class PatternSpec(BaseModel):
    """A pattern with its own explanation (when one entity has several heuristics)."""

    model_config = ConfigDict(extra="forbid")

    pattern: str
    explain: str


class EntitySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str
    # A recognizer class (offergen/guardrails/recognizers) instead of patterns.
    recognizer: str | None = None
    # Findings scoring below this are not reported.
    threshold: float = Field(default=0.5, ge=0, le=1)
    # The score of a pattern entity's hits (a recognizer scores its own).
    score: float = Field(default=1.0, ge=0, le=1)
    explain: str = ""
    patterns: list[str | PatternSpec] = Field(default_factory=list)
    validator: str | None = None
    lists: dict[str, list[str]] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _patterns_or_recognizer(self) -> Self:
        if (self.recognizer is None) == (not self.patterns):
            raise ValueError("give either `patterns` or a `recognizer`, not both or neither")
        if self.patterns and not self.explain:
            raise ValueError("a pattern entity needs `explain` (why it fired)")
        return self


class PiiData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    merge_tag: str
    # `{name}` in any pattern becomes this regex (shared sub-patterns).
    placeholders: dict[str, str] = Field(default_factory=dict)
    entities: dict[str, EntitySpec] = Field(min_length=1)


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    facts: dict[str, str] = field(default_factory=dict)


# A validator sees the scan and a match; it returns the hit (span may shrink) or None.
Validator = Callable[[Scan, re.Match[str], Mapping[str, Any]], Hit | None]


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


def _validate_luhn(scan: Scan, m: re.Match[str], opts: Mapping[str, Any]) -> Hit | None:
    start, end = _value_span(m)
    digits = "".join(ch for ch in scan.text[start:end] if ch.isdigit())
    if not opts.get("min_digits", 12) <= len(digits) <= opts.get("max_digits", 19):
        return None
    return Hit(start, end, {"digits": str(len(digits))}) if luhn_ok(digits) else None


def _validate_ssn(scan: Scan, m: re.Match[str], opts: Mapping[str, Any]) -> Hit | None:
    # SSA never issues area 000 or 666, group 00 or serial 0000 (`invalid_areas`). Area 9xx is
    # the IRS's taxpayer number (ITIN) in the same shape: it counts after an SSN context phrase
    # (the copy says it is one), and without one only with an ITIN group (`itin_groups`).
    area, group, serial = m.group("area"), m.group("group"), m.group("serial")
    if area in opts.get("invalid_areas", ("000", "666")) or group == "00" or serial == "0000":
        return None
    note = ""
    if area.startswith("9"):
        in_context = "context" in m.re.groupindex and m.group("context") is not None
        itin = any(lo <= int(group) <= hi for lo, hi in opts.get("itin_groups", []))
        if not (in_context or itin):
            return None
        note = " (area 9xx: an ITIN)"
    return Hit(*_value_span(m), {"digits": "9", "note": note})


def _validate_iban(scan: Scan, m: re.Match[str], opts: Mapping[str, Any]) -> Hit | None:
    # The regex is greedy and may run into following words; find the prefix that is the IBAN.
    text = scan.text
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


# Named groups a validator reads, checked when the data file is loaded.
_VALIDATOR_GROUPS: dict[str, frozenset[str]] = {"ssn": frozenset({"area", "group", "serial"})}

VALIDATORS: dict[str, Validator] = {
    "luhn": _validate_luhn,
    "ssn": _validate_ssn,
    "iban": _validate_iban,
}


class _Facts(dict[str, str]):
    # An explain template naming an unknown fact prints "?" rather than failing the check.
    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(frozen=True)
class _PatternDetector:
    """Regexes plus an optional validator; every hit scores `spec.score`."""

    spec: EntitySpec
    # Each pattern with the explain template for its hits.
    patterns: tuple[tuple[re.Pattern[str], str], ...]
    validator: Validator | None
    options: Mapping[str, Any]

    def analyze(self, scan: Scan) -> list[Recognition]:
        found = []
        for pattern, explain in self.patterns:
            for m in pattern.finditer(scan.text):
                hit = self._hit(scan, m)
                if hit is not None and hit.end > hit.start:
                    why = explain.format_map(_Facts(hit.facts))
                    found.append(Recognition(hit.start, hit.end, self.spec.score, why))
        return found

    def _hit(self, scan: Scan, m: re.Match[str]) -> Hit | None:
        if self.validator is not None:
            hit = self.validator(scan, m, self.options)
            if hit is None:
                return None
        else:
            start, end = _value_span(m)
            hit = Hit(start, end, {"digits": str(_digit_count(scan.text[start:end]))})
        # Phrase-list groups hold list words (e.g. "CVV"), never the sensitive value.
        for key in self.spec.lists:
            if key in m.re.groupindex and m.group(key) is not None:
                hit.facts[key] = m.group(key)
        return hit


@dataclass(frozen=True)
class _Entity:
    name: str
    spec: EntitySpec
    detector: _PatternDetector | Recognizer


class PiiParams(DataParams):
    """The `params:` block of a `pii` entry in a pack."""

    entities: list[str] | None = Field(
        default=None, description="entity names to detect (keys of the data file); None = all"
    )
    allow: list[str] = Field(
        default_factory=list,
        description="exact values that may appear, e.g. the merchant's public support line",
    )


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
        path, data = check_data(self.name, params, PiiData)
        self._merge_tag = compile_pattern(path, "merge_tag", data.merge_tag)
        wanted = params.entities if params.entities is not None else list(data.entities)
        require_known("params.entities", "entity", wanted, data.entities, plural="entities")
        # Data-file order is the tie-break when two detectors claim the same span.
        self._entities = [
            _Entity(name, spec, _build_detector(path, name, spec, data.placeholders))
            for name, spec in data.entities.items()
            if name in wanted
        ]
        self._allowed = {_squash(drop_invisible(normalise(v)).text) for v in params.allow}

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        # Zero-width characters and soft hyphens are dropped (not folded to a separator) so that
        # "4111\u200b1111..." reads as one digit run; `visible.span` maps spans back to `text`.
        visible = drop_invisible(normalise(text))
        scan = Scan(
            mask_pattern(visible.text, self._merge_tag),
            frozenset(words(normalise(ctx.offer.merchant))),
        )
        candidates: list[tuple[int, int, Recognition, _Entity]] = []
        for rank, entity in enumerate(self._entities):
            for hit in entity.detector.analyze(scan):
                if hit.score < entity.spec.threshold or hit.end <= hit.start:
                    continue
                if _squash(scan.text[hit.start : hit.end]) not in self._allowed:
                    candidates.append((rank, hit.start - hit.end, hit, entity))
        # The longest span wins an overlap (an IBAN contains card-like digit runs), then rank.
        candidates.sort(key=lambda c: (c[1], c[0], c[2].start))
        taken: list[tuple[int, int]] = []  # kept spans, sorted, never overlapping
        findings: list[Finding] = []
        for _, _, hit, entity in candidates:
            # Only the kept spans on either side can overlap it (a text of a thousand names
            # stays linear-logarithmic).
            k = bisect.bisect_left(taken, (hit.start, hit.end))
            if (k and taken[k - 1][1] > hit.start) or (k < len(taken) and taken[k][0] < hit.end):
                continue
            taken.insert(k, (hit.start, hit.end))
            start, end = visible.span(hit.start, hit.end)
            findings.append(
                Finding(
                    check=self.name,
                    rule_id=f"{self.name}.{entity.name}",
                    severity=self.severity,
                    start=start,
                    end=end,
                    message=entity.spec.message,
                    explanation=f"{entity.name} detector: {hit.explain} (score {hit.score:.2f})",
                )
            )
        return sorted(findings, key=lambda f: f.start)


def _build_detector(
    path: Path, entity: str, spec: EntitySpec, placeholders: Mapping[str, str]
) -> _PatternDetector | Recognizer:
    if spec.recognizer is not None:
        return _build_recognizer(path, entity, spec)
    validator = None
    if spec.validator is not None:
        validator = VALIDATORS.get(spec.validator)
        if validator is None:
            raise ConfigError(
                f"data file {path}: entities.{entity}.validator: unknown {spec.validator!r}; "
                f"valid validators: {', '.join(VALIDATORS)}"
            )
    patterns = []
    for i, item in enumerate(spec.patterns):
        source, explain = (
            (item, spec.explain) if isinstance(item, str) else (item.pattern, item.explain)
        )
        for key, value in placeholders.items():
            source = source.replace("{" + key + "}", value)
        for key, phrases in spec.lists.items():
            source = source.replace("{" + key + "}", _list_group(key, phrases))
        where = f"entities.{entity}.patterns[{i}]"
        pattern = compile_pattern(path, where, source)
        needed = _VALIDATOR_GROUPS.get(spec.validator or "", frozenset())
        if not needed <= pattern.groupindex.keys():
            raise ConfigError(
                f"data file {path}: {where}: the {spec.validator} validator needs the groups "
                + ", ".join(sorted(needed))
            )
        patterns.append((pattern, explain))
    return _PatternDetector(spec, tuple(patterns), validator, dict(spec.options))


def _build_recognizer(path: Path, entity: str, spec: EntitySpec) -> Recognizer:
    cls = RECOGNIZERS.get(spec.recognizer or "")
    if cls is None:
        raise ConfigError(
            f"data file {path}: entities.{entity}.recognizer: unknown {spec.recognizer!r}; "
            f"valid recognizers: {', '.join(RECOGNIZERS)}"
        )
    where = f"data file {path}: entities.{entity}.options"
    try:
        return build(cls, spec.options, path.parent)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{where}: {problems}") from None
    except re.error as exc:
        raise ConfigError(f"{where}: invalid regex: {exc}") from None
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _list_group(key: str, phrases: list[str]) -> str:
    # The look-ahead on the phrases' first letters changes no match; it lets the regex engine
    # reject most positions at once.
    firsts = {ch for p in phrases if p for ch in (p[0].lower(), p[0].upper())}
    guard = f"(?=[{''.join(re.escape(ch) for ch in sorted(firsts))}])" if firsts else ""
    return f"{guard}(?P<{key}>{alternation(phrases)})"


def _squash(value: str) -> str:
    return re.sub(r"[\s().-]", "", value).lower()
