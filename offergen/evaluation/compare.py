"""Two runs of one suite side by side (`offergen eval compare`): the same cases and seeds on two
targets, the per-case differences, and whether the difference in pass rate is larger than
run-to-run noise.

Noise is judged two ways. A paired bootstrap resamples the cases (each case's pass rate over the
seeds on A and on B) and gives a confidence interval for B - A; a difference whose interval
excludes 0 is not explained by which cases happened to be in the suite. With more than one seed,
the spread of each side's pass rate across its own seeds is the run-to-run noise of sampling,
and the difference must also exceed it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, computed_field

from offergen.evaluation.results import CaseResult, RunResult, SuiteResults


class BootstrapResult(BaseModel):
    n: int  # paired observations (cases)
    iterations: int
    confidence: float
    diff: float  # mean(b) - mean(a)
    low: float
    high: float
    p_value: float  # two-sided: how often a resample lands on the other side of 0
    significant: bool  # the interval excludes 0


def paired_bootstrap(
    a: Sequence[float],
    b: Sequence[float],
    iterations: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> BootstrapResult:
    """Percentile bootstrap of mean(b - a) over paired observations."""
    if len(a) != len(b) or not a:
        raise ValueError("paired_bootstrap needs two equally long, non-empty sequences")
    deltas = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(deltas), size=(iterations, len(deltas)))
    means = deltas[picks].mean(axis=1)
    tail = (1 - confidence) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    diff = float(deltas.mean())
    if diff == 0 and low == high == 0:
        p_value = 1.0
    else:
        p_value = float(min(1.0, 2 * min((means <= 0).mean(), (means >= 0).mean())))
    return BootstrapResult(
        n=len(deltas),
        iterations=iterations,
        confidence=confidence,
        diff=diff,
        low=float(low),
        high=float(high),
        p_value=p_value,
        significant=bool(low > 0 or high < 0),
    )


class Side(BaseModel):
    label: str
    run: RunResult  # without its cases (they are in `cases` below, side by side)
    seed_pass_rates: list[float]


class CaseDiff(BaseModel):
    id: str
    a_pass_rate: float
    b_pass_rate: float
    a_failed: list[str]  # assertion types that failed on any seed
    b_failed: list[str]
    a_text: str | None  # the first variant on the first seed
    b_text: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def changed(self) -> bool:
        return self.a_pass_rate != self.b_pass_rate or self.a_failed != self.b_failed


class MetricDiff(BaseModel):
    metric: str
    a: float | None
    b: float | None
    delta: float | None


class Comparison(BaseModel):
    suite: str
    suite_file: str
    seeds: list[int]
    a: Side
    b: Side
    pass_rate: BootstrapResult
    seed_noise: float | None  # the larger spread of a side's per-seed pass rates
    beyond_noise: bool
    verdict: str
    metrics: list[MetricDiff]
    cases: list[CaseDiff]


def _by_case(run: RunResult) -> dict[str, list[CaseResult]]:
    out: dict[str, list[CaseResult]] = defaultdict(list)
    for c in run.cases:
        out[c.id].append(c)
    return out


def _seed_rates(run: RunResult) -> list[float]:
    per_seed: dict[int | None, list[bool]] = defaultdict(list)
    for c in run.cases:
        per_seed[c.seed].append(c.passed)
    return [sum(v) / len(v) for _, v in sorted(per_seed.items(), key=lambda kv: kv[0] or 0)]


def _first_text(results: list[CaseResult]) -> str | None:
    first = results[0].outcome
    return first.variants[0].text if first.variants else first.refused or first.error


def compare(a: SuiteResults, b: SuiteResults, a_label: str, b_label: str) -> Comparison:
    """A and B: the same suite, each with one run on the same seeds."""
    run_a, run_b = a.runs[0], b.runs[0]
    if run_a.config.seeds != run_b.config.seeds:
        raise ValueError("the two runs used different seeds")
    cases_a, cases_b = _by_case(run_a), _by_case(run_b)
    if list(cases_a) != list(cases_b):
        raise ValueError("the two runs ran different cases")
    diffs = []
    for case_id, ra in cases_a.items():
        rb = cases_b[case_id]
        diffs.append(
            CaseDiff(
                id=case_id,
                a_pass_rate=sum(r.passed for r in ra) / len(ra),
                b_pass_rate=sum(r.passed for r in rb) / len(rb),
                a_failed=sorted({x.type for r in ra for x in r.assertions if not x.passed}),
                b_failed=sorted({x.type for r in rb for x in r.assertions if not x.passed}),
                a_text=_first_text(ra),
                b_text=_first_text(rb),
            )
        )
    boot = paired_bootstrap([d.a_pass_rate for d in diffs], [d.b_pass_rate for d in diffs])
    rates_a, rates_b = _seed_rates(run_a), _seed_rates(run_b)
    spreads = [max(r) - min(r) for r in (rates_a, rates_b) if len(r) > 1]
    noise = max(spreads) if spreads else None
    beyond = boot.significant and (noise is None or abs(boot.diff) > noise)
    names = sorted(set(run_a.summary.metrics) | set(run_b.summary.metrics))
    metrics = [
        MetricDiff(
            metric=m,
            a=run_a.summary.metrics.get(m),
            b=run_b.summary.metrics.get(m),
            delta=(
                run_b.summary.metrics[m] - run_a.summary.metrics[m]
                if m in run_a.summary.metrics and m in run_b.summary.metrics
                else None
            ),
        )
        for m in names
    ]
    diffs.sort(key=lambda d: (not d.changed, d.id))
    return Comparison(
        suite=a.suite,
        suite_file=a.suite_file,
        seeds=run_a.config.seeds,
        a=Side(label=a_label, run=run_a.model_copy(update={"cases": []}), seed_pass_rates=rates_a),
        b=Side(label=b_label, run=run_b.model_copy(update={"cases": []}), seed_pass_rates=rates_b),
        pass_rate=boot,
        seed_noise=noise,
        beyond_noise=beyond,
        verdict=_errored(run_a.summary.errors, run_b.summary.errors)
        + _verdict(boot, noise, beyond, a_label, b_label),
        metrics=metrics,
        cases=diffs,
    )


def _errored(a: int, b: int) -> str:
    """A side whose cases errored (a server gone, a crash) measured the failure, not the
    template or model: the verdict says so first."""
    sides = [f"{n} case(s) errored on {side}" for side, n in (("A", a), ("B", b)) if n]
    return f"NOT COMPARABLE: {' and '.join(sides)}. " if sides else ""


def _verdict(
    boot: BootstrapResult, noise: float | None, beyond: bool, a_label: str, b_label: str
) -> str:
    pts = 100 * boot.diff
    ci = f"{100 * boot.confidence:.0f}% CI [{100 * boot.low:+.1f}, {100 * boot.high:+.1f}] points"
    head = (
        f"B ({b_label}) passes {abs(pts):.1f} points {'more' if pts >= 0 else 'fewer'} cases than "
        f"A ({a_label}); {ci}, p = {boot.p_value:.3f}"
    )
    if noise is not None:
        head += f"; seed-to-seed spread {100 * noise:.1f} points"
    tail = "larger than run-to-run noise" if beyond else "within run-to-run noise"
    return f"{head}: {tail}."
