"""Disclosures check: required wording by jurisdiction, channel and offer kind, inserted by code.

Which wording is required when, the accepted equivalents and the sentence to insert are data
(guardrails/data/disclosures.yaml). This file decides which requirements apply, finds the missing
ones, and (as a Fixer) inserts their sentences without touching the model's own text.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar, Literal

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
from offergen.guardrails.text import normalise
from offergen.schemas import Channel, Finding, Jurisdiction, OfferKind, OfferTerms, Severity

# `{name}` in a pattern: a placeholder (data or offer term). Regex quantifiers like {0,2} have
# digits, so they never look like one.
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TERM_FIELDS = frozenset(OfferTerms.model_fields)
# Where one sentence ends and the next begins (closing quotes/brackets stay with their sentence);
# a digit next means an abbreviation such as "Dec. 31", not a new sentence.
_BOUNDARY = re.compile(r"[.!?…][\"'\u2019\u201d)\]]*\s+(?![0-9])|\n\s*")
_TERMINAL = frozenset(".!?…")
# After these the model's last sentence is unfinished, so a full stop goes before the insert.
_NEEDS_STOP = frozenset("%)]\"'\u2019\u201d")


class When(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jurisdictions: list[Jurisdiction] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    kinds: list[OfferKind] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)


class RequirementSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    message: str
    source: str
    when: When = Field(default_factory=When)
    accept_phrases: list[str] = Field(default_factory=list)
    accept_patterns: list[str] = Field(default_factory=list)
    fix: str | None = None
    placement: Literal["before_trailing", "after_trigger", "end"] = "before_trailing"


class DisclosuresData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    placeholders: dict[str, str] = Field(default_factory=dict)
    keep_last: list[str] = Field(default_factory=list)
    requirements: list[RequirementSpec] = Field(min_length=1)


class DisclosuresParams(DataParams):
    """The `params:` block of a `disclosures` entry in a pack."""

    skip: list[str] = Field(
        default_factory=list, description="requirement ids this pack does not enforce"
    )


@dataclass(frozen=True)
class _Pattern:
    """A regex whose `{term}` placeholders are filled from the offer terms at check time."""

    source: str
    terms: tuple[str, ...]
    static: re.Pattern[str] | None  # compiled once when no term is referenced

    def compile(self, offer: OfferTerms) -> re.Pattern[str] | None:
        if self.static is not None:
            return self.static
        source = self.source
        for term in self.terms:
            value = getattr(offer, term)
            if value is None:
                return None  # an empty term cannot be stated, so this wording cannot match
            source = source.replace("{" + term + "}", _value_regex(value))
        return re.compile(source, re.IGNORECASE)


@dataclass(frozen=True)
class _Requirement:
    spec: RequirementSpec
    mentions: tuple[re.Pattern[str], ...]
    accept: tuple[_Pattern, ...]
    fix_terms: tuple[str, ...]

    def applies(self, ctx: CheckContext) -> bool:
        when = self.spec.when
        return (
            (not when.jurisdictions or ctx.jurisdiction in when.jurisdictions)
            and (not when.channels or ctx.channel in when.channels)
            and (not when.kinds or ctx.offer.kind in when.kinds)
        )

    def trigger(self, folded: str) -> re.Match[str] | None:
        for pattern in self.mentions:
            m = pattern.search(folded)
            if m is not None:
                return m
        return None

    def met(self, folded: str, offer: OfferTerms) -> bool:
        for pattern in self.accept:
            compiled = pattern.compile(offer)
            if compiled is not None and compiled.search(folded):
                return True
        return False

    def fix_text(self, offer: OfferTerms) -> str | None:
        """The sentence to insert, or None when the data gives none or the terms lack a value."""
        if self.spec.fix is None:
            return None
        values = {term: getattr(offer, term) for term in self.fix_terms}
        if any(v is None for v in values.values()):
            return None
        return self.spec.fix.format(**{k: _fmt(v) for k, v in values.items()})

    def missing_terms(self, offer: OfferTerms) -> list[str]:
        return [term for term in self.fix_terms if getattr(offer, term) is None]


@register
class DisclosuresCheck:
    """Flags required disclosures that the copy lacks; as a Fixer, inserts the derivable ones."""

    name: ClassVar[str] = "disclosures"
    Params: ClassVar[type[CheckParams]] = DisclosuresParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        if not isinstance(params, DisclosuresParams):
            raise TypeError(f"expected DisclosuresParams, got {type(params).__name__}")
        self.params = params
        self.severity = severity
        path, data = check_data(self.name, params, DisclosuresData)
        ids = [r.id for r in data.requirements]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ConfigError(
                f"data file {path}: duplicate requirement ids: {', '.join(duplicates)}"
            )
        require_known(f"data file {path}: keep_last", "requirement", data.keep_last, ids)
        require_known("skip", "requirement", params.skip, ids)
        self._requirements = [
            _requirement(path, i, spec, data.placeholders)
            for i, spec in enumerate(data.requirements)
            if spec.id not in params.skip
        ]
        by_id = {r.spec.id: r for r in self._requirements}
        self._keep_last = [by_id[i] for i in data.keep_last if i in by_id]

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        folded = normalise(text)
        findings = []
        for req in self._requirements:
            if not req.applies(ctx):
                continue
            trigger = req.trigger(folded)
            if req.mentions and trigger is None:
                continue
            if req.met(folded, ctx.offer):
                continue
            findings.append(self._finding(req, text, trigger, ctx.offer))
        return findings

    def fix(self, text: str, findings: list[Finding], ctx: CheckContext) -> str:
        """Insert the sentence of each fixable finding, in data order; the model's text is kept."""
        wanted = {f.rule_id for f in findings if f.check == self.name}
        for req in self._requirements:
            if self._rule_id(req) not in wanted:
                continue
            sentence = req.fix_text(ctx.offer)
            # Re-test on the current text: the findings may predate an earlier insertion.
            if sentence is None or req.met(normalise(text), ctx.offer):
                continue
            text = self._insert(text, sentence, req)
        return text

    def _insert(self, text: str, sentence: str, req: _Requirement) -> str:
        content_end = len(text.rstrip())
        at = content_end
        placement = req.spec.placement
        if placement != "end":
            tail = self._tail_start(normalise(text[:content_end]))
            if tail is not None:
                at = len(text[:tail].rstrip())
        if placement == "after_trigger":
            # Right after the sentence that states the trigger term ("immediate proximity").
            folded = normalise(text)
            trigger = req.trigger(folded)
            boundary = _BOUNDARY.search(folded, trigger.end()) if trigger else None
            if boundary is not None and boundary.start() < at:
                at = boundary.start() + len(boundary.group().rstrip())
        if at == 0:  # an empty text: the sentence is all there is
            return text[:at] + sentence + text[at:]
        last = text[at - 1]
        # Close the model's unfinished sentence; after punctuation or an emoji a space will do.
        finished = last in _TERMINAL or not (last.isalnum() or last in _NEEDS_STOP)
        sep = " " if finished else ". "
        return text[:at] + sep + sentence + text[at:]

    def _tail_start(self, folded: str) -> int | None:
        """Start of the last sentence when it carries keep_last wording and is not the only one."""
        starts = [m.end() for m in _BOUNDARY.finditer(folded)]
        if not starts:
            return None
        start = starts[-1]
        tail = folded[start:]
        for req in self._keep_last:
            # keep_last wording names no offer terms, so any offer compiles it the same way.
            for pattern in req.accept:
                if pattern.static is not None and pattern.static.search(tail):
                    return start
        return None

    def _rule_id(self, req: _Requirement) -> str:
        return f"{self.name}.{req.spec.id}"

    def _finding(
        self, req: _Requirement, text: str, trigger: re.Match[str] | None, offer: OfferTerms
    ) -> Finding:
        spec = req.spec
        severity = self.severity
        sentence = req.fix_text(offer)
        if sentence is not None:
            remedy = f"code can insert {sentence!r}"
        else:
            missing = req.missing_terms(offer)
            remedy = (
                f"cannot be inserted by code: the offer terms give no {', '.join(missing)}"
                if missing
                else "cannot be inserted by code: no wording can be derived"
            )
            # An unfixable `fix` would only hold the text silently; say so with `block`.
            if severity is Severity.fix:
                severity = Severity.block
        accepted = [*spec.accept_phrases, *(f"/{p}/" for p in spec.accept_patterns)]
        if trigger is not None:
            start, end = trigger.span()
            why = f"{text[start:end]!r} requires it; "
        else:
            start, end = 0, len(text)
            why = ""
        return Finding(
            check=self.name,
            rule_id=self._rule_id(req),
            severity=severity,
            start=start,
            end=end,
            message=spec.message,
            explanation=(
                f"missing required disclosure {spec.id!r} ({spec.source}); {why}"
                f"accepted wordings: {'; '.join(accepted)}; {remedy}"
            ),
        )


def _requirement(
    path: Path, index: int, spec: RequirementSpec, placeholders: dict[str, str]
) -> _Requirement:
    where = f"requirements[{index}] ({spec.id})"
    if not spec.accept_phrases and not spec.accept_patterns:
        raise ConfigError(f"data file {path}: {where}: needs accept_phrases or accept_patterns")
    mentions = []
    for j, source in enumerate(spec.when.mentions):
        pattern = _pattern(path, f"{where}.when.mentions[{j}]", source, placeholders)
        if pattern.static is None:
            raise ConfigError(
                f"data file {path}: {where}.when.mentions[{j}]: offer-term placeholders "
                "are not allowed in mentions"
            )
        mentions.append(pattern.static)
    accept = []
    if spec.accept_phrases:
        phrases = rf"(?<![A-Za-z0-9])(?:{alternation(spec.accept_phrases)})(?![A-Za-z0-9])"
        accept.append(_pattern(path, f"{where}.accept_phrases", phrases, {}))
    for j, source in enumerate(spec.accept_patterns):
        accept.append(_pattern(path, f"{where}.accept_patterns[{j}]", source, placeholders))
    fix_terms: tuple[str, ...] = ()
    if spec.fix is not None:
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(spec.fix) if f is not None]
        except ValueError as exc:
            raise ConfigError(f"data file {path}: {where}.fix: invalid template: {exc}") from None
        unknown = [f for f in fields if f not in _TERM_FIELDS]
        if unknown:
            raise ConfigError(
                f"data file {path}: {where}.fix: unknown offer field(s) {', '.join(unknown)}; "
                f"valid fields: {', '.join(sorted(_TERM_FIELDS))}"
            )
        fix_terms = tuple(dict.fromkeys(fields))
    return _Requirement(spec, tuple(mentions), tuple(accept), fix_terms)


def _pattern(path: Path, where: str, source: str, placeholders: dict[str, str]) -> _Pattern:
    for key, value in placeholders.items():
        source = source.replace("{" + key + "}", value)
    names = _PLACEHOLDER.findall(source)
    unknown = [n for n in names if n not in _TERM_FIELDS]
    if unknown:
        valid = ", ".join([*placeholders, *sorted(_TERM_FIELDS)])
        raise ConfigError(
            f"data file {path}: {where}: unknown placeholder(s) {', '.join(unknown)}; "
            f"valid placeholders: {valid}"
        )
    terms = tuple(dict.fromkeys(names))
    # Validate the regex now, with a stand-in for each term, so a bad pattern fails at load.
    probe = source
    for term in terms:
        probe = probe.replace("{" + term + "}", "0")
    compiled = compile_pattern(path, where, probe, re.IGNORECASE)
    return _Pattern(source, terms, None if terms else compiled)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else f"{value:.10g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _value_regex(value: object) -> str:
    """A regex for an offer term as copy may write it: 24.99 also as 24,99; 25 also as 25.00."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return re.escape(_fmt(value))
    text = _fmt(float(value))
    if "." in text:
        whole, frac = text.split(".")
        body = rf"{whole}[.,]{frac}0*"
    else:
        body = rf"{text}(?:[.,]0+)?"
    return rf"(?<![0-9.,]){body}(?![0-9])"
