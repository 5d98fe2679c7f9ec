from __future__ import annotations

from tests.evaluation.outcomes import check, outcome, variant


def test_copies_of_each_other_fail() -> None:
    out = outcome(variant("Get 5% back at FreshMart"), variant("Get 5% back at FreshMart"))
    result = check({"type": "distinct_n", "n": 2, "min": 0.6}, out)
    assert not result.passed and "distinct-2 0.50" in result.message


def test_different_variants_pass() -> None:
    out = outcome(variant("Get 5% back at FreshMart"), variant("FreshMart pays you back weekly"))
    assert check({"type": "distinct_n", "min": 0.9}, out).passed


def test_nothing_to_compare_passes() -> None:
    assert check({"type": "distinct_n", "min": 0.9}, outcome(refused="pii")).passed
