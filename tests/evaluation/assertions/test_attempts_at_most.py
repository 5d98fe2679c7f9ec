from __future__ import annotations

import pytest

from tests.evaluation.outcomes import check, outcome, variant


def test_attempts_within_the_bound() -> None:
    out = outcome(variant("a", attempts=1), variant("b", attempts=2))
    assert check({"type": "attempts_at_most", "value": 2}, out).passed
    result = check({"type": "attempts_at_most", "value": 1}, out)
    assert not result.passed and "variant 1: 2 attempt(s)" in result.message


def test_scope_released_ignores_held_variants() -> None:
    out = outcome(variant("a", attempts=1), variant("b", released=False, attempts=3))
    assert check({"type": "attempts_at_most", "value": 1, "scope": "released"}, out).passed
    assert not check({"type": "attempts_at_most", "value": 1}, out).passed


def test_value_must_be_positive() -> None:
    with pytest.raises(ValueError, match="attempts_at_most: value"):
        check({"type": "attempts_at_most", "value": 0}, outcome())
