"""Two console eval runs compared case by case (`offergen eval compare`'s comparison of two
finished runs), with the failed / changed filters the page keeps in its URL."""

from __future__ import annotations

from dataclasses import dataclass

from offergen.console.eval_jobs import EvalJobs
from offergen.errors import InvalidInputError
from offergen.evaluation.compare import CaseDiff, Comparison, compare


@dataclass(frozen=True)
class CompareView:
    comparison: Comparison
    cases: list[CaseDiff]  # after the filters


def compare_runs(jobs: EvalJobs, a: str, b: str, failed: bool, changed: bool) -> CompareView:
    try:
        comparison = compare(jobs.results(a), jobs.results(b), a, b)
    except ValueError as exc:  # different suites, cases or seeds
        raise InvalidInputError(
            f"these runs cannot be compared: {exc}", [("b", str(exc))]
        ) from None
    cases = [
        c
        for c in comparison.cases
        if (not failed or c.a_pass_rate < 1 or c.b_pass_rate < 1) and (not changed or c.changed)
    ]
    return CompareView(comparison, cases)
