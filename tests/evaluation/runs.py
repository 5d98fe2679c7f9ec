"""Whole run results made from hand-made cases and outcomes, evaluated by the runner's code."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from offergen.evaluation.case import Case
from offergen.evaluation.metrics import summarize
from offergen.evaluation.outcome import Outcome
from offergen.evaluation.results import RunConfig, RunResult, SuiteResults
from offergen.evaluation.runner import evaluate
from offergen.evaluation.thresholds import Threshold, judge


def case(case_id: str, assertions: list[dict[str, Any]], **vars_: Any) -> Case:
    base = {
        "merchant_id": "m_freshmart",
        "channel": "push",
        "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"},
    }
    return Case.model_validate({"id": case_id, "vars": base | vars_, "assert": assertions})


def run_result(
    pairs: list[tuple[Case, Outcome]],
    seeds: tuple[int, ...] = (1,),
    thresholds: list[Threshold] | None = None,
    outcomes: dict[tuple[int, str], Outcome] | None = None,
) -> RunResult:
    cases = [c for c, _ in pairs]
    by_key = outcomes or {
        (seed, c.id): o.model_copy(update={"case_id": c.id, "seed": seed})
        for seed in seeds
        for c, o in pairs
    }
    evaluated = evaluate(cases, seeds, by_key, ("FreshMart", "GreenBasket"))
    summary = summarize(evaluated)
    verdicts = judge(thresholds or [], summary.metrics)
    return RunResult(
        config=RunConfig(
            template=None,
            profile="embedded",
            seeds=list(seeds),
            max_attempts=3,
            variants=None,
            policy=None,
        ),
        model_id="google/gemma-3-270m",
        backend="transformers",
        templates={"offer_copy": "v1abc"},
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        duration_s=1.5,
        cases=[r for _, r in evaluated],
        summary=summary,
        thresholds=verdicts,
        passed=all(v.passed for v in verdicts),
    )


def suite_results(*runs: RunResult, name: str = "demo") -> SuiteResults:
    return SuiteResults(
        suite=name,
        description="a hand-made run",
        suite_file=f"eval/suites/{name}.yaml",
        offergen_version="0.1.0",
        runs=list(runs),
        passed=all(r.passed for r in runs),
    )
