"""PII check: card numbers, CVVs, SSNs, IBANs, emails, phones, street addresses and person names.

Patterns, phrase lists and word lists are data (guardrails/data/pii.yaml); this file holds the logic
that a regex cannot express: Unicode folding, Luhn, mod-97, SSA number rules, vetting a name
candidate against word lists and the merchant, and overlap resolution.
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
from offergen.guardrails.datafile import (
    DataParams,
    alternation,
    check_data,
    compile_pattern,
    require_known,
)
from offergen.guardrails.registry import register
from offergen.guardrails.text import drop_invisible, mask_pattern, normalise
from offergen.schemas import Finding, Severity


class PatternSpec(BaseModel):
    """A pattern with its own explanation (when one entity has several heuristics)."""

    model_config = ConfigDict(extra="forbid")

    pattern: str
    explain: str


class EntitySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str
    explain: str
    patterns: list[str | PatternSpec] = Field(min_length=1)
    validator: str | None = None
    lists: dict[str, list[str]] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)


class PiiData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    merge_tag: str
    # `{name}` in any pattern becomes this regex (shared sub-patterns, e.g. a name word).
    placeholders: dict[str, str] = Field(default_factory=dict)
    entities: dict[str, EntitySpec] = Field(min_length=1)


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    facts: dict[str, str]


@dataclass(frozen=True)
class Scan:
    """What a validator reads: the folded text and the merchant's words (lower case)."""

    text: str
    merchant_words: frozenset[str] = frozenset()


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
    # SSA never issues area 000, 666 or 9xx, group 00 or serial 0000.
    area, group, serial = m.group("area"), m.group("group"), m.group("serial")
    if area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000":
        return None
    return Hit(*m.span(), {"digits": "9"})


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


def _validate_phone(scan: Scan, m: re.Match[str], opts: Mapping[str, Any]) -> Hit | None:
    start, end = _value_span(m)
    digits = _digit_count(scan.text[start:end])
    if not opts.get("min_digits", 8) <= digits <= opts.get("max_digits", 15):
        return None
    return Hit(start, end, {"digits": str(digits)})


_WORD = re.compile(r"[^\W\d_]+")


def words(text: str) -> list[str]:
    """The letter runs of `text`, lower case ("O'Brien" -> ["o", "brien"])."""
    return _WORD.findall(text.lower())


def _validate_person_name(scan: Scan, m: re.Match[str], opts: Mapping[str, Any]) -> Hit | None:
    """Vet a name candidate: the regex found its shape, the word lists decide if it is a name.

    Groups: `value` (the span), `name` (the words to vet), optionally `first` + `last` (the
    first-name heuristic), `honorific` or `greeting` (the context word).
    """
    groups = m.re.groupindex
    # Cheapest test first: most candidates are Title Case copy, not a listed first name.
    if "first" in groups:
        first, last = (" ".join(words(m.group(g))) for g in ("first", "last"))
        if first in opts["ambiguous_first_names"]:
            if last not in opts["surnames"]:
                return None  # "Grace Period", "Chase Sapphire", "May Sale"
        elif first not in opts["first_names"]:
            return None
    name = words(m.group("name"))
    if not name or any(w in opts["common_words"] or w in scan.merchant_words for w in name):
        return None
    if "greeting" in groups:
        if name[0] in opts["honorifics"]:
            return None  # "Dear Dr Smith": the honorific heuristic reports it, with its span
        if any(w in opts["ambiguous_first_names"] for w in name):
            return None  # "Hello Summer", "Hi June": a greeting alone cannot tell
    if "honorific" in groups and m.group("honorific").lower() in opts["honorifics_need_context"]:
        # "Ocean Dr Miami", "Don't Miss Out": only after a greeting or at a clause start.
        before = scan.text[: m.start("honorific")].rstrip(" \t")
        prev = _WORD.search(before[-40:][::-1])
        if (
            before
            and before[-1].isalpha()
            and prev is not None
            and prev.group()[::-1].lower() not in opts["greetings"]
        ):
            return None
    start, end = _value_span(m)
    joined = f" {' '.join(words(scan.text[start:end]))} "
    if any(f" {brand} " in joined for brand in opts["brands"]):
        return None
    return Hit(start, end, {})


# Named groups a validator reads and options it needs, checked when the data file is loaded.
_VALIDATOR_GROUPS: dict[str, frozenset[str]] = {
    "ssn": frozenset({"area", "group", "serial"}),
    "person_name": frozenset({"value", "name"}),
}
_VALIDATOR_OPTIONS: dict[str, frozenset[str]] = {
    "person_name": frozenset(
        {
            "common_words",
            "brands",
            "greetings",
            "honorifics",
            "honorifics_need_context",
            "first_names",
            "ambiguous_first_names",
            "surnames",
        }
    )
}

VALIDATORS: dict[str, Validator] = {
    "luhn": _validate_luhn,
    "ssn": _validate_ssn,
    "iban": _validate_iban,
    "phone": _validate_phone,
    "person_name": _validate_person_name,
}


class _Facts(dict[str, str]):
    # An explain template naming an unknown fact prints "?" rather than failing the check.
    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(frozen=True)
class _Detector:
    entity: str
    spec: EntitySpec
    # Each pattern with the explain template for its hits.
    patterns: tuple[tuple[re.Pattern[str], str], ...]
    validator: Validator | None
    options: Mapping[str, Any]

    def hits(self, scan: Scan) -> list[tuple[Hit, str]]:
        found = []
        for pattern, explain in self.patterns:
            for m in pattern.finditer(scan.text):
                hit = self._hit(scan, m)
                if hit is not None and hit.end > hit.start:
                    found.append((hit, explain))
        return found

    def _hit(self, scan: Scan, m: re.Match[str]) -> Hit | None:
        if self.validator is not None:
            hit = self.validator(scan, m, self.options)
            if hit is None:
                return None
        else:
            start, end = _value_span(m)
            hit = Hit(start, end, {"digits": str(_digit_count(scan.text[start:end]))})
        # Phrase-list groups hold list words (e.g. "CVV", "St", "Hi"), never the sensitive value.
        for key in self.spec.lists:
            if key in m.re.groupindex and m.group(key) is not None:
                hit.facts[key] = m.group(key)
        return hit


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
        self._detectors = [
            _build_detector(path, name, spec, data.placeholders)
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
        candidates: list[tuple[int, int, Hit, str, _Detector]] = []
        for rank, detector in enumerate(self._detectors):
            for hit, explain in detector.hits(scan):
                if _squash(scan.text[hit.start : hit.end]) not in self._allowed:
                    candidates.append((rank, hit.start - hit.end, hit, explain, detector))
        # The longest span wins an overlap (an IBAN contains card-like digit runs), then rank.
        candidates.sort(key=lambda c: (c[1], c[0], c[2].start))
        taken: list[Hit] = []
        findings: list[Finding] = []
        for _, _, hit, explain, detector in candidates:
            if any(hit.start < t.end and t.start < hit.end for t in taken):
                continue
            taken.append(hit)
            start, end = visible.span(hit.start, hit.end)
            findings.append(
                Finding(
                    check=self.name,
                    rule_id=f"{self.name}.{detector.entity}",
                    severity=self.severity,
                    start=start,
                    end=end,
                    message=detector.spec.message,
                    explanation=f"{detector.entity} detector: "
                    + explain.format_map(_Facts(hit.facts)),
                )
            )
        return sorted(findings, key=lambda f: f.start)


def _build_detector(
    path: Path, entity: str, spec: EntitySpec, placeholders: Mapping[str, str]
) -> _Detector:
    validator = None
    if spec.validator is not None:
        validator = VALIDATORS.get(spec.validator)
        if validator is None:
            raise ConfigError(
                f"data file {path}: entities.{entity}.validator: unknown {spec.validator!r}; "
                f"valid validators: {', '.join(VALIDATORS)}"
            )
        missing = _VALIDATOR_OPTIONS.get(spec.validator, frozenset()) - spec.options.keys()
        if missing:
            raise ConfigError(
                f"data file {path}: entities.{entity}.options: the {spec.validator} validator "
                f"needs {', '.join(sorted(missing))}"
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
    return _Detector(entity, spec, tuple(patterns), validator, _prepare_options(spec.options))


def _list_group(key: str, phrases: list[str]) -> str:
    # The look-ahead on the phrases' first letters changes no match; it lets the regex engine
    # reject most positions at once (a greeting alternation is ~4x faster with it).
    firsts = {ch for p in phrases if p for ch in (p[0].lower(), p[0].upper())}
    guard = f"(?=[{''.join(re.escape(ch) for ch in sorted(firsts))}])" if firsts else ""
    return f"{guard}(?P<{key}>{alternation(phrases)})"


def _prepare_options(options: Mapping[str, Any]) -> dict[str, Any]:
    # Word lists become lower-case sets once, at load, so a validator only does lookups.
    return {
        key: frozenset(" ".join(words(str(w))) for w in value) if isinstance(value, list) else value
        for key, value in options.items()
    }


def _squash(value: str) -> str:
    return re.sub(r"[\s().-]", "", value).lower()
