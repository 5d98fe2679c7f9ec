"""Unsafe-output check: markup, script URLs, links, formulas, prompt injection and leaked canaries.

Patterns, phrase lists and the look-alike / invisible character tables are data
(guardrails/data/unsafe_output.yaml); this file builds the matching view of the text (folded,
invisible characters removed, with a map back to the original), checks link hosts against the
allowed domains and keeps each piece of text to one finding.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.datafile import DataParams, check_data, compile_pattern, require_known
from offergen.guardrails.registry import register
from offergen.guardrails.semantic import SemanticMatcher
from offergen.guardrails.text import normalise
from offergen.schemas import Finding, Severity

# Longest flagged text an explanation quotes; the span always covers all of it.
_QUOTE_MAX = 60
# Trailing characters that end a sentence rather than a URL.
_URL_TRAIL = ".,;:!?)]}'\"*_"
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_GLOBAL_FLAGS = re.compile(r"^\(\?([ims]+)\)")


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["pattern", "link", "canary"]
    message: str
    explain: str
    source: str
    patterns: list[str] = Field(default_factory=list)
    on_original: bool = False


class UnsafeOutputData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invisible: list[tuple[int, int]]
    confusables: dict[str, str]
    rules: list[RuleSpec] = Field(min_length=1)


class UnsafeOutputParams(DataParams):
    """The `params:` block of an `unsafe_output` entry in a pack."""

    allowed_domains: list[str] = Field(
        default_factory=list,
        description="domains links may point to (their subdomains too), e.g. freshmart.com",
    )
    disabled_rules: list[str] = Field(
        default_factory=list, description="rule ids of the data file to skip"
    )
    semantic: bool = Field(
        default=True,
        description="also match paraphrased injections and chatter (guardrails/data/semantic/)",
    )

    @field_validator("allowed_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        out = []
        for domain in value:
            clean = domain.strip().lower().removeprefix("*.").strip(".")
            if not clean or "/" in clean or ":" in clean or " " in clean:
                raise ValueError(f"{domain!r} is not a bare domain such as example.com")
            out.append(clean)
        return out


@dataclass(frozen=True)
class _Rule:
    spec: RuleSpec
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class _View:
    """The text as the patterns see it, and where each of its characters came from."""

    text: str
    origin: list[int] | None  # None: same length as the original, index i is index i

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    rule: _Rule
    host: str = ""


@register
class UnsafeOutputCheck:
    """Flags output that is unsafe to render or send: markup, links, formulas, model chatter."""

    name: ClassVar[str] = "unsafe_output"
    Params: ClassVar[type[CheckParams]] = UnsafeOutputParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        if not isinstance(params, UnsafeOutputParams):
            raise TypeError(f"expected UnsafeOutputParams, got {type(params).__name__}")
        self.params = params
        self.severity = severity
        path, data = check_data(self.name, params, UnsafeOutputData)
        ids = [rule.id for rule in data.rules]
        require_known("params.disabled_rules", "rule", sorted(set(params.disabled_rules)), ids)
        self._rules: list[_Rule] = []
        for i, spec in enumerate(data.rules):
            if spec.id in params.disabled_rules:
                continue
            patterns = tuple(
                compile_pattern(path, f"rules[{i}].patterns[{j}]", source)
                for j, source in enumerate(spec.patterns)
            )
            if spec.kind == "link" and any("url" not in p.groupindex for p in patterns):
                raise ConfigError(f"data file {path}: rules[{i}]: a link pattern needs group `url`")
            if spec.kind == "pattern" and len(patterns) > 1:
                # One pass per rule instead of one per pattern; earlier patterns win at a position.
                combined = "|".join(_scoped(source) for source in spec.patterns)
                patterns = (compile_pattern(path, f"rules[{i}].patterns", combined),)
            self._rules.append(_Rule(spec, patterns))
        ranges = "".join(f"{_class_char(lo)}-{_class_char(hi)}" for lo, hi in data.invisible)
        self._invisible = re.compile(f"[{ranges}]") if ranges else None
        self._confusables = {k: v for k, v in data.confusables.items() if len(k) == 1}
        self._allowed = tuple(params.allowed_domains)
        self._specs = {rule.spec.id: rule.spec for rule in self._rules}
        self.semantic = SemanticMatcher(self.name, list(self._specs)) if params.semantic else None

    def warm_up(self) -> None:
        if self.semantic is not None:
            self.semantic.warm_up()

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        view = self._view(text)
        original = _View(text, None)
        hits: list[_Hit] = []
        for rule in self._rules:
            if rule.spec.kind == "canary":
                hits.extend(self._canaries(view, rule, ctx.canaries))
                continue
            on = original if rule.spec.on_original else view
            for pattern in rule.patterns:
                for m in pattern.finditer(on.text):
                    if m.end() == m.start():
                        continue
                    host = ""
                    if rule.spec.kind == "link":
                        # The host as written: a look-alike letter must not pass as the real one.
                        host = (
                            _host(text[slice(*on.span(*m.span("url")))]) if m.group("url") else ""
                        )
                        if self._is_allowed(host):
                            continue
                    hits.append(_Hit(*on.span(*m.span()), rule, host))
        canaries = [(h.start, h.end) for h in hits if h.rule.spec.kind == "canary"]
        taken: list[_Hit] = []
        for hit in hits:  # rule order: a hit inside an earlier rule's hit adds nothing
            if not any(t.start <= hit.start and hit.end <= t.end for t in taken):
                taken.append(hit)
        findings = [self._matched(text, hit, canaries) for hit in sorted(taken, key=_order)]
        if self.semantic is not None:
            for near in self.semantic.new_hits(text, findings):
                spec = self._specs[near.rule]
                findings.append(self._finding(spec, near.start, near.end, near.explain()))
        return findings

    def _view(self, text: str) -> _View:
        folded = normalise(text)
        if not folded.isascii():
            folded = _NON_ASCII.sub(self._fold, folded)
        if self._invisible is None or self._invisible.search(folded) is None:
            return _View(folded, None)
        keep = [i for i, ch in enumerate(folded) if not self._invisible.match(ch)]
        return _View("".join(folded[i] for i in keep), keep)

    def _fold(self, m: re.Match[str]) -> str:
        ch = m.group()
        return self._confusables.get(ch) or _compat_ascii(ch)

    def _canaries(self, view: _View, rule: _Rule, canaries: tuple[str, ...]) -> list[_Hit]:
        hits = []
        for canary in canaries:
            needle = self._view(canary).text.strip()
            if not needle:
                continue
            for m in re.finditer(re.escape(needle), view.text, re.IGNORECASE):
                hits.append(_Hit(*view.span(*m.span()), rule))
        return hits

    def _is_allowed(self, host: str) -> bool:
        if not host or not host.isascii():
            return False
        return any(host == d or host.endswith("." + d) for d in self._allowed)

    def _matched(self, text: str, hit: _Hit, canaries: list[tuple[int, int]]) -> Finding:
        facts = {
            "match": _quote(text, hit.start, hit.end, canaries),
            "host": hit.host or "no web domain",
        }
        spec = hit.rule.spec
        return self._finding(spec, hit.start, hit.end, spec.explain.format_map(facts))

    def _finding(self, spec: RuleSpec, start: int, end: int, explanation: str) -> Finding:
        return Finding(
            check=self.name,
            rule_id=f"{self.name}.{spec.id}",
            severity=self.severity,
            start=start,
            end=end,
            message=spec.message,
            explanation=explanation,
        )


def _scoped(source: str) -> str:
    """`source` as one alternative: a leading global flag group becomes a scoped one."""
    m = _GLOBAL_FLAGS.match(source)
    return f"(?{m.group(1)}:{source[m.end() :]})" if m else f"(?:{source})"


def _order(hit: _Hit) -> tuple[int, int]:
    return hit.start, hit.end


def _class_char(code: int) -> str:
    return re.escape(chr(code))


@functools.lru_cache(maxsize=4096)
def _compat_ascii(ch: str) -> str:
    # Compatibility letters (e.g. mathematical bold "java") fold to ASCII; one char in, one out.
    if ch.isascii():
        return ch
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 and folded.isascii() else ch


def _host(url: str) -> str:
    """The host a browser would open for `url` ('' when there is none, e.g. '#' or 'tel:')."""
    url = url.rstrip(_URL_TRAIL).replace("\\", "/")  # browsers treat "\" as "/" in URLs
    if "://" not in url and not url.startswith("//"):
        if ":" in url.split("/", 1)[0] and not re.match(r"^[\w.-]+:\d", url):
            return ""  # mailto:, tel:, javascript: ... have no host
        url = "//" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # e.g. an invalid IPv6 literal
        return ""
    return host.rstrip(".")


def _quote(text: str, start: int, end: int, canaries: list[tuple[int, int]]) -> str:
    """The flagged text for an explanation: escapes shown, canaries never printed."""
    parts = []
    pos = start
    for c_start, c_end in sorted(canaries):
        if c_end <= pos or c_start >= end:
            continue
        parts.append(text[pos : max(pos, c_start)])
        parts.append("[canary]")
        pos = max(pos, c_end)
    parts.append(text[pos:end] if pos < end else "")
    shown = "".join(parts)
    if len(shown) > _QUOTE_MAX:
        shown = shown[: _QUOTE_MAX - 3] + "..."
    return repr(shown)
