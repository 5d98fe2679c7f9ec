"""Bootstrap significance on synthetic outcomes, and the side-by-side comparison."""

from __future__ import annotations

import pytest

from offergen.evaluation.compare import compare, paired_bootstrap
from tests.evaluation.outcomes import outcome, variant
from tests.evaluation.runs import case, run_result, suite_results


def test_identical_outcomes_are_not_significant() -> None:
    a = [1.0, 0.0, 1.0, 1.0, 0.0] * 8
    result = paired_bootstrap(a, list(a))
    assert result.diff == 0 and (result.low, result.high) == (0, 0)
    assert not result.significant and result.p_value == 1.0


def test_a_big_gap_is_significant() -> None:
    a = [0.0] * 30 + [1.0] * 10  # 25 % pass
    b = [1.0] * 36 + [0.0] * 4  # 90 % pass, case by case mostly better
    result = paired_bootstrap(a, b, iterations=4000)
    assert result.diff == pytest.approx(0.65)
    assert result.low > 0.4 and result.significant and result.p_value < 0.01


def test_a_small_noisy_gap_is_not_significant() -> None:
    a = [1.0, 0.0] * 10
    b = [0.0, 1.0] * 9 + [1.0, 1.0]  # one case better, nine swapped
    result = paired_bootstrap(a, b, iterations=4000)
    assert result.low < 0 < result.high and not result.significant


def test_bootstrap_is_reproducible_and_checks_its_input() -> None:
    a, b = [0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 1.0]
    assert paired_bootstrap(a, b, seed=3) == paired_bootstrap(a, b, seed=3)
    with pytest.raises(ValueError, match="equally long"):
        paired_bootstrap([1.0], [1.0, 0.0])


def _side(passes: list[bool], seeds: tuple[int, ...] = (1,)) -> object:
    pairs = [
        (case(f"c{i}", [{"type": "released"}]), outcome(variant(f"copy {i}", released=ok)))
        for i, ok in enumerate(passes)
    ]
    return suite_results(run_result(pairs, seeds=seeds))


def test_compare_reports_per_case_differences_and_significance() -> None:
    a = _side([False] * 16 + [True] * 4)
    b = _side([True] * 18 + [False] * 2)
    result = compare(a, b, "template=a", "template=b")  # type: ignore[arg-type]
    assert result.pass_rate.significant and result.beyond_noise
    assert "larger than run-to-run noise" in result.verdict
    changed = [d for d in result.cases if d.changed]
    assert len(changed) == 18  # c0-c15 fixed on B, c18-c19 broken on B
    assert changed[0].id == "c0" and {"c18", "c19"} <= {d.id for d in changed}
    assert changed[0].a_failed == ["released"] and changed[0].b_failed == []
    metric = {m.metric: m for m in result.metrics}["pass_rate"]
    assert (metric.a, metric.b) == (0.2, 0.9) and metric.delta == pytest.approx(0.7)
    assert result.a.run.cases == [] and result.a.label == "template=a"


def test_compare_same_runs_is_within_noise() -> None:
    a = _side([True, False] * 10, seeds=(1, 2))
    result = compare(a, a, "A", "B")  # type: ignore[arg-type]
    assert not result.beyond_noise and "within run-to-run noise" in result.verdict
    assert result.seed_noise == 0 and result.a.seed_pass_rates == [0.5, 0.5]


def test_compare_refuses_different_seeds() -> None:
    with pytest.raises(ValueError, match="different seeds"):
        compare(_side([True], (1,)), _side([True], (2,)), "A", "B")  # type: ignore[arg-type]


def test_a_side_with_errors_is_not_comparable() -> None:
    """A side whose server went away measured the outage: the verdict says so before any
    significance figure."""
    a = _side([True] * 10)
    pairs = [
        (case(f"c{i}", [{"type": "released"}]), outcome(error="cannot reach the vLLM server"))
        for i in range(9)
    ]
    pairs.append((case("c9", [{"type": "released"}]), outcome(variant("copy", released=True))))
    b = suite_results(run_result(pairs))
    result = compare(a, b, "A", "B")  # type: ignore[arg-type]
    assert result.verdict.startswith("NOT COMPARABLE: 9 case(s) errored on B.")
    assert "NOT COMPARABLE" not in compare(a, a, "A", "B").verdict  # type: ignore[arg-type]
