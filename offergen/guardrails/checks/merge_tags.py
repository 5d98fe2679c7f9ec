"""Merge-tag check: copy may personalise only through allow-listed tags such as {{first_name}}.

The allow-list and the placeholder shapes are data (guardrails/data/merge_tags.yaml); this file
classifies double-brace tags and makes sure each piece of text is reported once.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.datafile import DataParams, check_data, compile_pattern
from offergen.guardrails.registry import register
from offergen.guardrails.text import mask_spans, normalise
from offergen.schemas import Finding, Severity

RuleName = Literal["unknown_tag", "template_syntax", "malformed"]


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str
    explain: str
    source: str
    patterns: list[str] = Field(default_factory=list)


class MergeTagsData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allowed_tags: list[str]
    tag: str
    tag_name: str
    expression: str
    rules: dict[RuleName, RuleSpec]


class MergeTagsParams(DataParams):
    """The `params:` block of a `merge_tags` entry in a pack."""

    extra_tags: list[str] = Field(
        default_factory=list, description="tag names allowed on top of the data file's list"
    )


@register
class MergeTagsCheck:
    """Flags unknown merge tags, template code and malformed placeholders."""

    name: ClassVar[str] = "merge_tags"
    Params: ClassVar[type[CheckParams]] = MergeTagsParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        if not isinstance(params, MergeTagsParams):
            raise TypeError(f"expected MergeTagsParams, got {type(params).__name__}")
        self.params = params
        self.severity = severity
        path, data = check_data(self.name, params, MergeTagsData)
        self._rules = data.rules
        missing = [
            r for r in ("unknown_tag", "template_syntax", "malformed") if r not in data.rules
        ]
        if missing:
            raise ConfigError(f"data file {path}: rules: missing {', '.join(missing)}")
        self.allowed = frozenset(data.allowed_tags) | frozenset(params.extra_tags)
        self._allowed_text = ", ".join(sorted(self.allowed)) or "(none)"
        self._tag = compile_pattern(path, "tag", data.tag)
        if "inner" not in self._tag.groupindex:
            raise ConfigError(f"data file {path}: tag: needs a group named `inner`")
        self._tag_name = compile_pattern(path, "tag_name", data.tag_name)
        self._expression = compile_pattern(path, "expression", data.expression)
        # Statements first, so "{% if %}" is template syntax rather than a stray brace.
        self._patterns: list[tuple[RuleName, re.Pattern[str]]] = [
            (rule, compile_pattern(path, f"rules.{rule}.patterns[{i}]", source))
            for rule in ("template_syntax", "malformed")
            for i, source in enumerate(data.rules[rule].patterns)
        ]

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        folded = normalise(text)
        findings: list[Finding] = []
        claimed: list[tuple[int, int]] = []
        for m in self._tag.finditer(folded):
            claimed.append(m.span())
            rule = self._classify(m.group("inner"))
            # A full-width or otherwise folded tag looks right here but the sender won't fill it.
            if rule is None and text[m.start() : m.end()] != m.group():
                rule = "malformed"
            if rule is not None:
                findings.append(self._finding(rule, text, m.start(), m.end()))
        masked = mask_spans(folded, claimed) if claimed else folded
        for rule, pattern in self._patterns:
            spans = [m.span() for m in pattern.finditer(masked) if m.end() > m.start()]
            if spans:  # claim them, so a later, looser pattern does not report them again
                findings.extend(self._finding(rule, text, start, end) for start, end in spans)
                masked = mask_spans(masked, spans)
        return sorted(findings, key=lambda f: (f.start, f.end))

    def _classify(self, inner: str) -> RuleName | None:
        name = inner.strip(" ")
        if self._tag_name.fullmatch(name):
            return None if name in self.allowed else "unknown_tag"
        if name and self._expression.search(name):
            return "template_syntax"
        return "malformed"  # empty, spaces inside the name, invisible characters, ...

    def _finding(self, rule: RuleName, text: str, start: int, end: int) -> Finding:
        spec = self._rules[rule]
        facts = {"tag": repr(text[start:end]), "allowed": self._allowed_text}
        return Finding(
            check=self.name,
            rule_id=f"{self.name}.{rule}",
            severity=self.severity,
            start=start,
            end=end,
            message=spec.message,
            explanation=spec.explain.format_map(facts),
        )
