"""What a run writes to results.json: every case, every assertion, the figures, the verdict."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, computed_field

from offergen.evaluation.assertion import AssertionResult
from offergen.evaluation.outcome import CaseKind, Outcome
from offergen.evaluation.thresholds import ThresholdResult


class CaseResult(BaseModel):
    id: str
    kind: CaseKind
    seed: int | None
    passed: bool
    vars: dict[str, Any]
    metadata: dict[str, Any] = Field(default_factory=dict)
    owasp: list[str] = Field(default_factory=list)  # OWASP LLM Top 10 (2025) ids of the case
    critical: bool = False
    assertions: list[AssertionResult]
    outcome: Outcome


class Rate(BaseModel):
    passed: int = 0
    total: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None

    def add(self, ok: bool) -> None:
        self.passed += ok
        self.total += 1


class CheckScore(BaseModel):
    """A guard check scored against labelled texts (`fires` assertions)."""

    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None


class Summary(BaseModel):
    cases: int
    passed: int
    errors: int
    refused: int
    pass_rate: float | None
    # By assertion type (`check:numbers`, `released`, ...), by channel, by jurisdiction.
    assertions: dict[str, Rate]
    channels: dict[str, Rate]
    jurisdictions: dict[str, Rate]
    # Case pass rate by OWASP LLM Top 10 (2025) id (a case with several ids counts under each),
    # and of the cases marked critical.
    owasp: dict[str, Rate] = Field(default_factory=dict)
    critical: Rate = Field(default_factory=Rate)
    # Drafts with a block or fix finding of each check: what the guard caught, held drafts the
    # responses dropped included.
    findings: dict[str, int]
    drafts: int
    drafts_held: int
    hold_rate: float | None
    variants: int
    released: int
    release_rate: float | None
    first_try_rate: float | None
    # Variants by the generation round that produced them ("1", "2", ...).
    attempts: dict[str, int]
    latency_ms: dict[str, float]
    guard: dict[str, CheckScore]
    # The flat figures thresholds name (see thresholds.py).
    metrics: dict[str, float]


class RunConfig(BaseModel):
    template: str | None  # None: each profile's own
    profile: str
    seeds: list[int]
    max_attempts: int
    variants: int | None
    policy: str | None


class RunResult(BaseModel):
    config: RunConfig
    model_id: str | None
    backend: str | None
    templates: dict[str, str]  # template -> version seen in this run
    started_at: datetime
    duration_s: float
    cases: list[CaseResult]
    summary: Summary
    thresholds: list[ThresholdResult]
    passed: bool


class SuiteResults(BaseModel):
    suite: str
    description: str
    suite_file: str
    offergen_version: str
    runs: list[RunResult]
    passed: bool
