"""Suites as data: eval/suites/<name>.yaml, validated at load, with their cases.

A suite names its cases (inline, JSONL case files, the labelled guard corpus), the template(s)
and model profile(s) to run them on, sampling, default assertions and thresholds. Every problem
is a SuiteError that names the file and the line and field (YAML) or the line (JSONL).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from offergen.errors import ConfigError
from offergen.evaluation.assertions.fires import FiresParams
from offergen.evaluation.assertions.released import ReleasedParams
from offergen.evaluation.case import AssertionSpec, Case
from offergen.evaluation.guard_corpus import CorpusError, load_corpus
from offergen.evaluation.registry import error_text
from offergen.evaluation.thresholds import Threshold
from offergen.evaluation.yaml_lines import line_of
from offergen.schemas import GuardCheckRequest

Name = Annotated[str, Field(pattern=r"^[a-z0-9_.-]+$")]


class SuiteError(ConfigError):
    """A suite or case file that cannot be run as written."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Sampling(_Strict):
    seed: int = 1234
    # Each case runs once per seed: seed, seed+1, ... (compare: run-to-run noise).
    repeats: int = Field(default=1, ge=1, le=20)
    max_attempts: int | None = Field(default=None, ge=1, le=10)
    # Replaces every generate case's `variants` (fewer variants, faster runs).
    variants: int | None = Field(default=None, ge=1, le=8)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)


class Defaults(_Strict):
    """Assertions added in front of every case of that kind."""

    generate: list[AssertionSpec] = Field(default_factory=list)
    guard: list[AssertionSpec] = Field(default_factory=list)


class Suite(_Strict):
    name: Name
    description: str = ""
    # Run once per template x profile; empty = the profile's template / the configured profile.
    templates: list[Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]] = Field(default_factory=list)
    profiles: list[Name] = Field(default_factory=list)
    # Policy pack for guard cases that name none; unset = <jurisdiction>-default.
    policy: Name | None = None
    sampling: Sampling = Field(default_factory=Sampling)
    # The day the offer pre-flight judges offers valid on, so the suite's verdicts do not change
    # with the calendar; unset: the day it runs.
    as_of: date | None = None
    defaults: Defaults = Field(default_factory=Defaults)
    cases: list[Case] = Field(default_factory=list)
    # Paths relative to the suite file.
    case_files: list[Path] = Field(default_factory=list)
    guard_corpus: list[Path] = Field(default_factory=list)
    thresholds: list[Threshold] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_cases(self) -> Suite:
        if not (self.cases or self.case_files or self.guard_corpus):
            raise ValueError("a suite needs `cases`, `case_files` or `guard_corpus`")
        return self


@dataclass(frozen=True)
class LoadedSuite:
    path: Path
    suite: Suite
    cases: list[Case]  # every source, in order, with the defaults applied


def load_suite(path: Path) -> LoadedSuite:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SuiteError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise SuiteError(f"{path}{where}: invalid YAML: {problem}") from None
    if not isinstance(raw, dict):
        raise SuiteError(f"{path}: a suite is a mapping (name, cases or case_files, ...)")
    try:
        suite = Suite.model_validate(raw)
    except ValidationError as exc:
        raise SuiteError(
            "\n".join(
                f"{path}:{line_of(text, e['loc']) or 1}: {_field(e['loc'])}: {error_text(e['msg'])}"
                for e in exc.errors()
            )
        ) from None
    sourced: list[tuple[str, Case]] = []
    for i, case in enumerate(suite.cases):
        sourced.append((f"{path}:{line_of(text, ('cases', i)) or 1}", case))
    for file in suite.case_files:
        sourced += load_case_file(path.parent / file)
    for file in suite.guard_corpus:
        sourced += corpus_cases(path.parent / file)
    _unique(sourced)
    defaults = {"generate": suite.defaults.generate, "guard": suite.defaults.guard}
    cases = [
        c.model_copy(update={"assertions": [*defaults[c.kind], *c.assertions]}) for _, c in sourced
    ]
    for (where, _), case in zip(sourced, cases, strict=True):
        if not case.assertions:
            raise SuiteError(f"{where}: case {case.id!r} has no assertions (and no defaults apply)")
    return LoadedSuite(path=path, suite=suite, cases=cases)


def load_case_file(path: Path) -> list[tuple[str, Case]]:
    """One case per line (`{id, vars, assert, metadata}`), each with where it came from."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SuiteError(f"{path}: cannot read: {exc.strerror}") from None
    cases: list[tuple[str, Case]] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SuiteError(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})") from None
        try:
            cases.append((where, Case.model_validate(raw)))
        except ValidationError as exc:
            problems = "; ".join(
                f"{_field(e['loc'])}: {error_text(e['msg'])}" for e in exc.errors()
            )
            raise SuiteError(f"{where}: {problems}") from None
    if not cases:
        raise SuiteError(f"{path}: no cases")
    return cases


def corpus_cases(path: Path) -> list[tuple[str, Case]]:
    """The labelled guard corpus (eval/guard/README.md) as cases: the text is guarded, and it
    must be released as labelled and fire exactly the labelled checks."""
    try:
        corpus = load_corpus(path)
    except CorpusError as exc:
        raise SuiteError(str(exc)) from None
    return [
        (
            f"{path}:{c.id}",
            Case.model_validate(
                {
                    "id": c.id,
                    "vars": GuardCheckRequest(
                        text=c.text, channel=c.channel, jurisdiction=c.jurisdiction, offer=c.offer
                    ),
                    "assert": [
                        ReleasedParams(type="released", value=c.expect.released),
                        FiresParams(type="fires", value=c.expect.fires, tolerate=c.expect.may_fire),
                    ],
                    "metadata": {"source": "guard-corpus", "note": c.note},
                }
            ),
        )
        for c in corpus
    ]


def _unique(sourced: Sequence[tuple[str, Case]]) -> None:
    first: dict[str, str] = {}
    for where, case in sourced:
        if case.id in first:
            raise SuiteError(f"{where}: duplicate case id {case.id!r} (first at {first[case.id]})")
        first[case.id] = where


def _field(loc: Sequence[int | str]) -> str:
    """A pydantic location as a dotted path, without the union tag pydantic adds under `vars`."""
    parts: list[str] = []
    for i, part in enumerate(loc):
        if i and loc[i - 1] == "vars" and part in ("generate", "guard"):
            continue
        parts.append(str(part))
    return ".".join(parts) or "(top level)"
