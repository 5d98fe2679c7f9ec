"""The labelled guard corpus (eval/guard/corpus.jsonl) and how a guard is scored against it.

One place for the corpus format and the per-check counting, shared by the `guard` eval suite and
the guard benchmark (eval/bench/guard.py). A check "fires" on a text when it produced a block or
fix finding, including a fix the guard already applied.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from offergen.schemas import Finding, GuardCase, Severity

FIRING = frozenset({Severity.block, Severity.fix})


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    released: bool
    fires: list[str] = Field(default_factory=list)
    # Checks whose firing is defensible but not required (e.g. `numbers` on a card number).
    may_fire: list[str] = Field(default_factory=list)


class CorpusCase(GuardCase):
    """One corpus line: a GuardCase plus its id, label and a note."""

    id: str = Field(min_length=1, max_length=80)
    expect: Expect
    note: str = ""
    # Paraphrase corpora (eval/guard/paraphrase/): the idea a case words one way of, its language
    # and category, so figures can be split by family and language.
    family: str = ""
    language: str = ""
    category: str = ""


class CorpusError(ValueError):
    pass


def load_corpus(path: Path) -> list[CorpusCase]:
    """Parse and validate every line; the first problem raises CorpusError naming the line."""
    cases: list[CorpusCase] = []
    seen: dict[str, int] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror}") from None
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})") from None
        try:
            case = CorpusCase.model_validate(raw)
        except ValidationError as exc:
            errs = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(line)'}: {e['msg']}"
                for e in exc.errors()
            )
            raise CorpusError(f"{where}: {errs}") from None
        if case.id in seen:
            raise CorpusError(f"{where}: duplicate id {case.id!r} (first on line {seen[case.id]})")
        seen[case.id] = lineno
        cases.append(case)
    if not cases:
        raise CorpusError(f"{path}: no cases")
    return cases


def fired_checks(findings: Iterable[Finding], applied_fixes: Iterable[Finding] = ()) -> set[str]:
    """Checks with a block/fix finding on the final text, plus those whose fix was applied."""
    return {f.check for f in [*findings, *applied_fixes] if f.severity in FIRING}


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def tally(
    per_check: dict[str, Counts],
    expected: AbstractSet[str],
    fired: AbstractSet[str],
    tolerated: AbstractSet[str] = frozenset(),
) -> None:
    """Add one case to the per-check counts: a tolerated check that fires is no false positive."""
    for name in expected | fired:
        c = per_check.setdefault(name, Counts())
        if name in expected and name in fired:
            c.tp += 1
        elif name in expected:
            c.fn += 1
        elif name not in tolerated:
            c.fp += 1
