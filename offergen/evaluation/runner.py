"""Runs a suite: each case against each target (template x profile), concurrently, then every
assertion, the figures and the thresholds. The CLI writes the result as JSON and HTML."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from offergen import __version__
from offergen.app_context import AppContext
from offergen.config import Settings
from offergen.evaluation.assertion import AssertionParams, AssertionResult, EvalContext
from offergen.evaluation.case import Case
from offergen.evaluation.executor import CaseExecutor
from offergen.evaluation.metrics import summarize
from offergen.evaluation.outcome import Outcome
from offergen.evaluation.registry import build
from offergen.evaluation.results import CaseResult, RunConfig, RunResult, SuiteResults
from offergen.evaluation.suite import LoadedSuite
from offergen.evaluation.thresholds import judge
from offergen.evaluation.workspace import eval_context, eval_settings
from offergen.generation.profiles import Sampling
from offergen.guardrails.packs import Packs


class Progress(Protocol):
    """What the runner reports while it works (the CLI draws a progress bar)."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self) -> None: ...


_TEMPLATE = re.compile(r"^[a-z0-9_]+$")
_PROFILE = re.compile(r"^[a-z0-9_.-]+$")

# Opens the context a run generates with (tests pass one with a scripted backend).
ContextOpener = Callable[[Settings, Path], AbstractContextManager[AppContext]]


class NoProgress:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self) -> None:
        pass


@dataclass(frozen=True)
class Target:
    """One configuration to run the cases on; None = the suite's, else the settings' default."""

    template: str | None = None
    profile: str | None = None

    def __post_init__(self) -> None:
        # The same alphabets a request's template and the settings' profile accept.
        if self.template is not None and not _TEMPLATE.match(self.template):
            raise ValueError(f"invalid template name {self.template!r}: use a-z, 0-9 and _")
        if self.profile is not None and not _PROFILE.match(self.profile):
            raise ValueError(f"invalid profile name {self.profile!r}: use a-z, 0-9 and _.-")

    @property
    def label(self) -> str:
        parts = [
            f"template={self.template}" if self.template else "",
            f"profile={self.profile}" if self.profile else "",
        ]
        return ", ".join(p for p in parts if p) or "defaults"


def targets(
    loaded: LoadedSuite, template: str | None = None, profile: str | None = None
) -> list[Target]:
    """The suite's templates x profiles; a CLI option replaces that list with its one value."""
    templates: Sequence[str | None] = [template] if template else loaded.suite.templates or [None]
    profiles: Sequence[str | None] = [profile] if profile else loaded.suite.profiles or [None]
    return [Target(t, p) for p, t in itertools.product(profiles, templates)]


@dataclass
class SuiteRunner:
    loaded: LoadedSuite
    settings: Settings
    out_dir: Path
    concurrency: int = 1
    limit: int | None = None
    progress: Progress = NoProgress()  # noqa: RUF009 - stateless default
    open_context: ContextOpener = eval_context

    @property
    def cases(self) -> list[Case]:
        return self.loaded.cases[: self.limit] if self.limit is not None else self.loaded.cases

    def run(
        self, run_targets: Sequence[Target], seeds: Sequence[int] | None = None
    ) -> SuiteResults:
        runs = [self.run_target(t, seeds) for t in run_targets]
        suite = self.loaded.suite
        return SuiteResults(
            suite=suite.name,
            description=suite.description,
            suite_file=str(self.loaded.path),
            offergen_version=__version__,
            runs=runs,
            passed=all(r.passed for r in runs),
        )

    def run_target(self, target: Target, seeds: Sequence[int] | None = None) -> RunResult:
        sampling = self.loaded.suite.sampling
        seeds = (
            list(seeds)
            if seeds is not None
            else [sampling.seed + k for k in range(sampling.repeats)]
        )
        settings = eval_settings(self.settings, target.profile, seeds[0], sampling.max_attempts)
        cases = self.cases
        started_at, started = datetime.now(UTC), time.perf_counter()
        if any(c.kind == "generate" for c in cases):
            with self.open_context(settings, self.out_dir) as ctx:
                names = tuple(m.name for m in ctx.kb.merchants())
                outcomes = self._execute(
                    cases,
                    seeds,
                    CaseExecutor(
                        ctx.packs,
                        ctx.pipeline,
                        target.template,
                        sampling.variants,
                        self.loaded.suite.policy,
                        self._sampling(ctx.profile.sampling),
                        self.loaded.suite.as_of,
                    ),
                )
                model_id, backend = ctx.profile.model_id, ctx.pipeline.backend.name
        else:
            names, model_id, backend = (), None, None
            executor = CaseExecutor(
                Packs(settings.guardrails_dir), None, policy=self.loaded.suite.policy
            )
            outcomes = self._execute(cases, seeds, executor)
        pairs = evaluate(cases, seeds, outcomes, names)
        summary = summarize(pairs)
        verdicts = judge(self.loaded.suite.thresholds, summary.metrics)
        return RunResult(
            config=RunConfig(
                template=target.template,
                profile=settings.model_profile,
                seeds=seeds,
                max_attempts=settings.max_attempts,
                variants=sampling.variants,
                policy=self.loaded.suite.policy,
            ),
            model_id=model_id,
            backend=backend,
            templates={
                r.outcome.template: r.outcome.template_version
                for _, r in pairs
                if r.outcome.template and r.outcome.template_version
            },
            started_at=started_at,
            duration_s=round(time.perf_counter() - started, 2),
            cases=[r for _, r in pairs],
            summary=summary,
            thresholds=verdicts,
            passed=all(v.passed for v in verdicts),
        )

    def _sampling(self, profile: Sampling) -> Sampling:
        """The profile's sampling with the suite's overrides."""
        s = self.loaded.suite.sampling
        update = {
            k: v for k, v in (("temperature", s.temperature), ("top_p", s.top_p)) if v is not None
        }
        return profile.model_copy(update=update)

    def _execute(
        self, cases: Sequence[Case], seeds: Sequence[int], executor: CaseExecutor
    ) -> dict[tuple[int, str], Outcome]:
        jobs = [(seed, case) for seed in seeds for case in cases]
        self.progress.start(f"{self.loaded.suite.name}", len(jobs))

        def one(job: tuple[int, Case]) -> tuple[tuple[int, str], Outcome]:
            seed, case = job
            outcome = executor.run(case, seed)
            self.progress.advance()
            return (seed, case.id), outcome

        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            return dict(pool.map(one, jobs))


def evaluate(
    cases: Sequence[Case],
    seeds: Sequence[int],
    outcomes: dict[tuple[int, str], Outcome],
    names: tuple[str, ...],
) -> list[tuple[Case, CaseResult]]:
    """Every assertion of every case on every seed; a case's peers are the outcomes of the same
    seed. The prompt is kept only for cases that failed (results.json stays small)."""
    pairs: list[tuple[Case, CaseResult]] = []
    for seed in seeds:
        peers = {case.id: outcomes[seed, case.id] for case in cases}
        ctx = EvalContext(peers=peers, merchant_names=names)
        for case in cases:
            outcome = peers[case.id]
            results = [_evaluate_one(spec, outcome, ctx) for spec in case.assertions]
            passed = outcome.error is None and all(r.passed for r in results)
            if passed:
                outcome = outcome.model_copy(update={"prompt": None})  # kept for failures only
            pairs.append(
                (
                    case,
                    CaseResult(
                        id=case.id,
                        kind=case.kind,
                        seed=seed,
                        passed=passed,
                        vars=case.vars.model_dump(mode="json", exclude_defaults=True),
                        metadata=case.metadata,
                        owasp=list(case.owasp),
                        critical=case.critical,
                        assertions=results,
                        outcome=outcome,
                    ),
                )
            )
    return pairs


def _evaluate_one(spec: AssertionParams, outcome: Outcome, ctx: EvalContext) -> AssertionResult:
    if outcome.error is not None:
        return AssertionResult(
            type=spec.type, passed=False, message=f"not evaluated: {outcome.error}"
        )
    return build(spec).evaluate(outcome, ctx)
