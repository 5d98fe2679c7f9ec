from __future__ import annotations

import pytest

from tests.evaluation.outcomes import check, outcome, variant


def test_must_match() -> None:
    out = outcome(variant("Ends Dec 31."))
    assert check({"type": "regex", "value": r"Dec \d+"}, out).passed
    result = check({"type": "regex", "value": r"Jan \d+"}, out)
    assert not result.passed and "no match" in result.message


def test_negate_flags_each_match() -> None:
    out = outcome(variant("You are pre-approved, PREAPPROVED!"))
    result = check({"type": "regex", "value": "(?i)pre-?approved", "negate": True}, out)
    assert not result.passed
    assert [(s.start, s.end) for s in result.spans] == [(8, 20), (22, 33)]


def test_invalid_pattern_is_a_load_error() -> None:
    with pytest.raises(ValueError, match="invalid regex"):
        check({"type": "regex", "value": "(("}, outcome())
