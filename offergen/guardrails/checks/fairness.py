"""Fairness check: protected classes named in targeting wording ("seniors", "single moms", ...).

Runs over generated copy and, in the input-screening pack, over the request's targeting fields
(customer segment and interests) of credit offers. Phrase lists, their sources
and the descriptor words that make a match harmless are data (guardrails/data/fairness.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.datafile import DataParams, check_data, compile_pattern, require_known
from offergen.guardrails.phrases import END, START, PhraseMatcher, fold, name_pattern
from offergen.guardrails.registry import register
from offergen.guardrails.semantic import SemanticMatcher
from offergen.schemas import Finding, OfferKind, Severity

# How far around a match the benign_before / benign_after words are looked for.
_WINDOW = 40


class ClassSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    source: str
    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    benign_before: list[str] = Field(default_factory=list)
    benign_after: list[str] = Field(default_factory=list)


class FairnessData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    merge_tag: str
    benign: list[str] = Field(default_factory=list)
    people: str
    classes: dict[str, ClassSpec] = Field(min_length=1)


class FairnessParams(DataParams):
    """The `params:` block of a `fairness` entry in a pack."""

    classes: list[str] | None = Field(
        default=None, description="protected classes to detect (keys of the data file); None = all"
    )
    semantic: bool = Field(
        default=True, description="also match paraphrases (guardrails/data/semantic/)"
    )
    offer_kinds: list[OfferKind] | None = Field(
        default=None, description="run only for offers of these kinds; None = every offer"
    )


@dataclass(frozen=True)
class _Class:
    name: str
    spec: ClassSpec
    before: re.Pattern[str] | None  # matched against the text just before a hit
    after: re.Pattern[str] | None  # ... and just after it


@register
class FairnessCheck:
    """Flags wording that targets or excludes people by a protected class."""

    name: ClassVar[str] = "fairness"
    Params: ClassVar[type[CheckParams]] = FairnessParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        if not isinstance(params, FairnessParams):
            raise TypeError(f"expected FairnessParams, got {type(params).__name__}")
        self.params = params
        self.severity = severity
        path, data = check_data(self.name, params, FairnessData)
        self._merge_tag = compile_pattern(path, "merge_tag", data.merge_tag)
        wanted = params.classes if params.classes is not None else list(data.classes)
        require_known("params.classes", "class", wanted, data.classes, plural="classes")
        placeholders = {"{start}": START, "{end}": END, "{people}": data.people}
        self._classes: dict[str, _Class] = {}
        entries: list[tuple[str, list[str], list[str]]] = []
        for name, spec in data.classes.items():
            if name not in wanted:
                continue
            where = f"classes.{name}"
            if not spec.phrases and not spec.patterns:
                raise ConfigError(f"data file {path}: {where}: needs phrases or patterns")
            patterns = []
            for j, source in enumerate(spec.patterns):
                for key, value in placeholders.items():
                    source = source.replace(key, value)
                compile_pattern(path, f"{where}.patterns[{j}]", source)  # names the bad one
                patterns.append(source)
            entries.append((name, spec.phrases, patterns))
            self._classes[name] = _Class(
                name,
                spec,
                _context(path, f"{where}.benign_before", spec.benign_before, before=True),
                _context(path, f"{where}.benign_after", spec.benign_after, before=False),
            )
        try:
            self._matcher = PhraseMatcher(entries, benign=data.benign)
        except re.error as exc:
            raise ConfigError(f"data file {path}: classes: invalid regex: {exc}") from None
        self.semantic = SemanticMatcher(self.name, wanted) if params.semantic else None

    def warm_up(self) -> None:
        if self.semantic is not None:
            self.semantic.warm_up()

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        kinds = self.params.offer_kinds
        if kinds is not None and ctx.offer.kind not in kinds:
            return []
        folded = fold(text, self._merge_tag, name_pattern(ctx.offer.merchant))
        findings = []
        for hit in self._matcher.hits(folded.text):
            cls = self._classes[hit.label]
            lead = folded.text[max(0, hit.start - _WINDOW) : hit.start]
            if cls.before is not None and cls.before.search(lead):
                continue
            trail = folded.text[hit.end : hit.end + _WINDOW]
            if cls.after is not None and cls.after.match(trail):
                continue
            start, end = folded.span(hit.start, hit.end)
            why = f"{text[start:end]!r} refers to the protected class {cls.spec.label!r}"
            findings.append(self._finding(cls, start, end, f"{why} ({cls.spec.source})"))
        if self.semantic is not None:
            for near in self.semantic.new_hits(text, findings):
                cls = self._classes[near.rule]
                why = f"{near.explain()} ({cls.spec.source})"
                findings.append(self._finding(cls, near.start, near.end, why))
        return findings

    def _finding(self, cls: _Class, start: int, end: int, explanation: str) -> Finding:
        return Finding(
            check=self.name,
            rule_id=f"{self.name}.{cls.name}",
            severity=self.severity,
            start=start,
            end=end,
            message=f"protected class ({cls.spec.label}) in targeting wording",
            explanation=explanation,
        )


def _context(path: Path, where: str, words: list[str], *, before: bool) -> re.Pattern[str] | None:
    if not words:
        return None
    alternation = "|".join(f"(?:{w})" for w in words)
    # Before: the descriptor is the last word ahead of the hit; after: the first word behind it.
    source = (
        rf"(?<![A-Za-z0-9])(?:{alternation})[\s_-]+$"
        if before
        else rf"[\s_-]+(?:{alternation})(?![A-Za-z0-9])"
    )
    return compile_pattern(path, where, source, re.IGNORECASE)
