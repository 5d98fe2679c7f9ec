"""Claims check: deceptive or prohibited wording ("guaranteed", "risk-free", "pre-approved", ...).

The phrase lists, their sources and the offer terms that substantiate a claim are data
(guardrails/data/claims.yaml); this file folds Unicode tricks away, matches, resolves overlaps and
evaluates the `allowed_if` conditions generically against OfferTerms.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.datafile import DataParams, check_data, compile_pattern, require_known
from offergen.guardrails.phrases import PhraseMatcher, fold, name_pattern
from offergen.guardrails.registry import register
from offergen.guardrails.semantic import SemanticMatcher
from offergen.schemas import Finding, OfferTerms, Severity

# Severities from mildest to strongest, for `max_severity` capping.
_STRENGTH = {Severity.warn: 0, Severity.fix: 1, Severity.block: 2}

Condition = dict[str, Any]


class ClaimRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    message: str
    source: str
    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    allowed_if: list[Condition] = Field(default_factory=list)
    max_severity: Severity | None = None

    @field_validator("allowed_if", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        # A single condition may be written without the list.
        return [value] if isinstance(value, dict) else value


class ClaimsData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    merge_tag: str
    benign: list[str] = Field(default_factory=list)
    rules: list[ClaimRule] = Field(min_length=1)


class ClaimsParams(DataParams):
    """The `params:` block of a `claims` entry in a pack."""

    rules: list[str] | None = Field(
        default=None, description="rule ids to apply (ids in the data file); None = all"
    )
    semantic: bool = Field(
        default=True, description="also match paraphrases (guardrails/data/semantic/)"
    )


@dataclass(frozen=True)
class _Rule:
    spec: ClaimRule
    # Each alternative: (field, accepted values); a value of None means "not set".
    conditions: tuple[tuple[tuple[str, tuple[Any, ...]], ...], ...]
    severity: Severity


_FIELDS = OfferTerms.model_fields


@register
class ClaimsCheck:
    """Flags claims that are deceptive or prohibited unless the offer terms substantiate them."""

    name: ClassVar[str] = "claims"
    Params: ClassVar[type[CheckParams]] = ClaimsParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        if not isinstance(params, ClaimsParams):
            raise TypeError(f"expected ClaimsParams, got {type(params).__name__}")
        self.params = params
        self.severity = severity
        path, data = check_data(self.name, params, ClaimsData)
        self._merge_tag = compile_pattern(path, "merge_tag", data.merge_tag)
        ids = [r.id for r in data.rules]
        if len(set(ids)) != len(ids):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            raise ConfigError(f"data file {path}: rules: duplicate id {', '.join(dupes)}")
        wanted = params.rules if params.rules is not None else ids
        require_known("params.rules", "rule", wanted, ids)
        rules = [spec for spec in data.rules if spec.id in wanted]
        self._rules = {spec.id: self._build(path, spec) for spec in rules}
        try:
            self._matcher = PhraseMatcher(
                ((r.id, r.phrases, r.patterns) for r in rules), benign=data.benign
            )
        except re.error as exc:  # e.g. two patterns defining the same named group
            raise ConfigError(f"data file {path}: rules: invalid regex: {exc}") from None
        self.semantic = SemanticMatcher(self.name, wanted) if params.semantic else None

    def warm_up(self) -> None:
        if self.semantic is not None:
            self.semantic.warm_up()

    def _build(self, path: Path, spec: ClaimRule) -> _Rule:
        where = f"rules.{spec.id}"
        if not spec.phrases and not spec.patterns:
            raise ConfigError(f"data file {path}: {where}: needs phrases or patterns")
        for j, source in enumerate(spec.patterns):
            compile_pattern(path, f"{where}.patterns[{j}]", source)  # names the bad one
        conditions = tuple(
            _parse_condition(path, f"{where}.allowed_if[{k}]", cond)
            for k, cond in enumerate(spec.allowed_if)
        )
        severity = self.severity
        if spec.max_severity is not None and _STRENGTH[spec.max_severity] < _STRENGTH[severity]:
            severity = spec.max_severity
        return _Rule(spec, conditions, severity)

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        folded = fold(text, self._merge_tag, name_pattern(ctx.offer.merchant))
        findings = []
        for hit in self._matcher.hits(folded.text):
            rule = self._rules[hit.label]
            # An allowed phrase still took its text, so "free" in "interest-free" is not re-judged.
            if any(_holds(cond, ctx.offer) for cond in rule.conditions):
                continue
            start, end = folded.span(hit.start, hit.end)
            why = f"rule {rule.spec.id!r} matched {text[start:end]!r} ({rule.spec.source})"
            findings.append(self._finding(rule, why, start, end, ctx.offer))
        if self.semantic is not None:
            for near in self.semantic.new_hits(text, findings):
                rule = self._rules[near.rule]
                if not any(_holds(cond, ctx.offer) for cond in rule.conditions):
                    why = f"{near.explain()} ({rule.spec.source})"
                    findings.append(self._finding(rule, why, near.start, near.end, ctx.offer))
        return findings

    def _finding(
        self, rule: _Rule, explanation: str, start: int, end: int, offer: OfferTerms
    ) -> Finding:
        if rule.conditions:
            needed = " or ".join(_describe(cond) for cond in rule.conditions)
            fields = dict.fromkeys(f for cond in rule.conditions for f, _ in cond)
            actual = ", ".join(f"{f}={_fmt(getattr(offer, f))}" for f in fields)
            explanation += f"; allowed only when {needed}, but the offer has {actual}"
        return Finding(
            check=self.name,
            rule_id=f"{self.name}.{rule.spec.id}",
            severity=rule.severity,
            start=start,
            end=end,
            message=rule.spec.message,
            explanation=explanation,
        )


def _parse_condition(
    path: Path, where: str, cond: Condition
) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    if not cond:
        raise ConfigError(f"data file {path}: {where}: an empty condition would always hold")
    out = []
    for field, expected in cond.items():
        info = _FIELDS.get(field)
        if info is None:
            raise ConfigError(
                f"data file {path}: {where}: unknown offer field {field!r}; "
                f"valid fields: {', '.join(_FIELDS)}"
            )
        raw = expected if isinstance(expected, list) else [expected]
        adapter: TypeAdapter[Any] = TypeAdapter(info.annotation or Any)
        values = []
        for value in raw:
            try:
                values.append(None if value is None else adapter.validate_python(value))
            except ValidationError as exc:
                problem = exc.errors()[0]["msg"]
                raise ConfigError(
                    f"data file {path}: {where}.{field}: {value!r} is not a valid value: {problem}"
                ) from None
        out.append((field, tuple(values)))
    return tuple(out)


def _holds(cond: tuple[tuple[str, tuple[Any, ...]], ...], offer: OfferTerms) -> bool:
    return all(_equal_any(getattr(offer, field), values) for field, values in cond)


def _equal_any(actual: Any, values: tuple[Any, ...]) -> bool:
    for value in values:
        if value is None or actual is None:
            if value is None and actual is None:
                return True
        elif isinstance(actual, float | int) and not isinstance(actual, bool):
            if not isinstance(value, bool) and math.isclose(actual, value, abs_tol=1e-9):
                return True
        elif actual == value:
            return True
    return False


def _describe(cond: tuple[tuple[str, tuple[Any, ...]], ...]) -> str:
    parts = []
    for field, values in cond:
        if len(values) == 1:
            parts.append(f"{field} is {_fmt(values[0])}")
        else:
            parts.append(f"{field} is one of {', '.join(_fmt(v) for v in values)}")
    return " and ".join(parts)


def _fmt(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)
