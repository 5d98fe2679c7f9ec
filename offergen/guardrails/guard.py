"""The guard: runs a loaded pack's checks over one text and decides whether it may be released.

Checks that are also Fixers may repair their own `fix` findings by inserting wording. After each
fix round every check runs again on the fixed text, so a fix that breaks another rule (an SMS
length limit, a number) is caught like any other finding.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from offergen.guardrails.base import CheckContext
from offergen.guardrails.pack import LoadedCheck, LoadedPack, load_pack
from offergen.schemas import Finding, Severity

log = logging.getLogger(__name__)

# A `fix` finding still present on the final text was not (or could not be) applied: it holds.
HOLDING = frozenset({Severity.block, Severity.fix})
# Its findings cover personal data; another check's finding over the same span would quote it.
PII_CHECK = "pii"
# Bounded so two fixers cannot ping-pong forever; what is left after this holds the text.
MAX_FIX_ROUNDS = 2

FixFn = Callable[[str, list[Finding], CheckContext], str]


class GuardResult(BaseModel):
    released: bool
    text: str  # the final text: the model's text plus any wording a fix inserted
    findings: list[Finding]  # on `text`
    original_text: str  # the text as given to the guard
    applied_fixes: list[Finding] = Field(default_factory=list)  # spans into `text`


@dataclass
class _Insertion:
    check: str
    severity: Severity
    fixes: tuple[str, ...]  # rule ids of the findings the fix was asked to repair
    inserted: str
    start: int
    end: int


class Guard:
    """Runs the enabled checks of one pack, in pack order."""

    def __init__(self, pack: LoadedPack) -> None:
        self.pack = pack
        self._checks = [entry for entry in pack.checks if entry.spec.enabled]

    @classmethod
    def load(cls, guardrails_dir: Path, name: str) -> Guard:
        return cls(load_pack(guardrails_dir, name))

    @property
    def name(self) -> str:
        return self.pack.name

    def warm_up(self) -> None:
        """Loads what checks otherwise load on first use (the semantic model and exemplars)."""
        for entry in self._checks:
            warm_up = getattr(entry.check, "warm_up", None)
            if warm_up is not None:
                warm_up()

    def check(self, text: str, ctx: CheckContext) -> GuardResult:
        original = text
        per_check = [self._run(entry, text, ctx) for entry in self._checks]
        checked = text  # the text `per_check` was computed on
        insertions: list[_Insertion] = []
        errors: list[Finding] = []
        for _ in range(MAX_FIX_ROUNDS):
            changed = False
            for i, entry in enumerate(self._checks):
                fix = _fixer(entry)
                if fix is None:
                    continue
                # An earlier fix this round moved the text: this check's spans are stale.
                own = per_check[i] if text == checked else self._run(entry, text, ctx)
                wanted = [f for f in own if f.severity is Severity.fix]
                if not wanted:
                    continue
                fixed, error = _apply(entry, fix, text, wanted, ctx)
                if error is not None:
                    errors.append(error)
                    break
                spans = _insertions(text, fixed)
                if spans is None:
                    errors.append(_fix_error(entry.check.name, text, "it removed or changed text"))
                    break
                if not spans:
                    continue
                _shift(insertions, text, fixed)
                for start, end in spans:
                    start, end = _trim(fixed, start, end)
                    insertions.append(
                        _Insertion(
                            check=entry.check.name,
                            severity=Severity.fix,
                            fixes=tuple(f.rule_id for f in wanted),
                            inserted=fixed[start:end],
                            start=start,
                            end=end,
                        )
                    )
                text, changed = fixed, True
            if text != checked:
                per_check = [self._run(entry, text, ctx) for entry in self._checks]
                checked = text
            if errors or not changed:
                break
        findings = _quoting_no_pii([f for own in per_check for f in own] + errors)
        findings.sort(key=lambda f: (f.start, f.end))
        released = not any(f.severity in HOLDING for f in findings)
        return GuardResult(
            released=released,
            text=text,
            findings=findings,
            original_text=original,
            applied_fixes=[_applied_finding(x) for x in insertions],
        )

    @staticmethod
    def _run(entry: LoadedCheck, text: str, ctx: CheckContext) -> list[Finding]:
        name = entry.check.name
        try:
            return list(entry.check.check(text, ctx))
        except Exception as exc:
            # Fail closed. Log the type only: an exception message may quote the text.
            log.error("check %r (%s) raised %s", name, entry.position, type(exc).__name__)
            return [_error_finding(name, text, exc)]


def _quoting_no_pii(findings: list[Finding]) -> list[Finding]:
    """Drop other checks' findings over personal data: their messages would quote it (the
    numbers check reads a card number's digits); the pii finding says what is wrong there."""
    pii = [(f.start, f.end) for f in findings if f.check == PII_CHECK]
    return [
        f
        for f in findings
        if f.check == PII_CHECK or not any(f.start < end and start < f.end for start, end in pii)
    ]


def _fixer(entry: LoadedCheck) -> FixFn | None:
    # Fixer is a structural protocol: any check with a callable `fix` can repair its findings.
    fix = getattr(entry.check, "fix", None)
    return fix if callable(fix) else None


def _apply(
    entry: LoadedCheck, fix: FixFn, text: str, findings: list[Finding], ctx: CheckContext
) -> tuple[str, Finding | None]:
    name = entry.check.name
    try:
        fixed = fix(text, findings, ctx)
    except Exception as exc:
        log.error("fix of %r (%s) raised %s", name, entry.position, type(exc).__name__)
        return text, _fix_error(name, text, f"it raised {type(exc).__name__}")
    if not isinstance(fixed, str):
        return text, _fix_error(name, text, f"it returned {type(fixed).__name__}, not text")
    return fixed, None


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix (bisection over slice comparisons, which run in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _insertions(old: str, new: str) -> list[tuple[int, int]] | None:
    """Spans of `new` that were inserted into `old`; None if any character of `old` was lost."""
    # A fix inserts at a few places (a disclosure at the end): the diff runs on what lies
    # between the common prefix and suffix only, since on a whole long text it is quadratic.
    head = _common_prefix(old, new)
    room = min(len(old), len(new)) - head
    tail = _common_prefix(old[::-1][:room], new[::-1][:room])
    ops = difflib.SequenceMatcher(
        None, old[head : len(old) - tail], new[head : len(new) - tail], autojunk=False
    ).get_opcodes()
    if all(tag in ("equal", "insert") for tag, *_ in ops):
        return [(head + j1, head + j2) for tag, _, _, j1, j2 in ops if tag == "insert"]
    # The matcher can prefer a non-subsequence alignment; a plain scan decides for certain.
    spans: list[tuple[int, int]] = []
    i = 0
    for j, ch in enumerate(new):
        if i < len(old) and old[i] == ch:
            i += 1
        elif spans and spans[-1][1] == j:
            spans[-1] = (spans[-1][0], j + 1)
        else:
            spans.append((j, j + 1))
    return spans if i == len(old) else None


def _shift(insertions: list[_Insertion], old: str, new: str) -> None:
    """Move earlier insertions' spans from `old` into `new` (old is a subsequence of new)."""
    where: list[int] = []  # where[k]: index in `new` of old[k]
    i = 0
    for j, ch in enumerate(new):
        if i < len(old) and old[i] == ch:
            where.append(j)
            i += 1
    for x in insertions:
        x.start, x.end = where[x.start], where[x.end - 1] + 1


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    # Report the inserted wording, not the spaces around it (unless that is all there is).
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if s < e else (start, end)


def _applied_finding(x: _Insertion) -> Finding:
    return Finding(
        check=x.check,
        rule_id=f"{x.check}.inserted",
        severity=x.severity,
        start=x.start,
        end=x.end,
        message="required wording inserted by code",
        explanation=f"inserted by code: {x.inserted!r} to resolve {', '.join(x.fixes)}",
    )


def _error_finding(name: str, text: str, exc: Exception) -> Finding:
    return Finding(
        check=name,
        rule_id=f"{name}.error",
        severity=Severity.block,
        start=0,
        end=len(text),
        message=f"check {name!r} failed, so the text is held",
        explanation=f"the check raised {type(exc).__name__}; the text was not verified",
    )


def _fix_error(name: str, text: str, why: str) -> Finding:
    return Finding(
        check=name,
        rule_id=f"{name}.fix_error",
        severity=Severity.block,
        start=0,
        end=len(text),
        message=f"the fix of check {name!r} failed, so the text is held",
        explanation=f"the fix was not applied because {why}; the model's text may not be altered",
    )
