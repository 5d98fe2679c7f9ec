from __future__ import annotations

import pytest

from offergen.schemas import Severity
from tests.evaluation.outcomes import check, finding, outcome, variant


def test_exactly_the_expected_checks_fire() -> None:
    out = outcome(variant("x", released=False, findings=[finding("numbers")]), kind="guard")
    assert check({"type": "fires", "value": ["numbers"]}, out).passed


def test_missed_and_unexpected_checks_are_named() -> None:
    out = outcome(variant("abc", released=False, findings=[finding("claims", 0, 3)]), kind="guard")
    result = check({"type": "fires", "value": ["numbers"]}, out)
    assert not result.passed
    assert "missed numbers" in result.message and "unexpected claims" in result.message
    assert [(s.start, s.end) for s in result.spans] == [(0, 3)]


def test_tolerated_checks_may_fire() -> None:
    out = outcome(
        variant("x", released=False, findings=[finding("pii"), finding("numbers")]), kind="guard"
    )
    assert check({"type": "fires", "value": ["pii"], "tolerate": ["numbers"]}, out).passed


def test_a_clean_text_fires_nothing() -> None:
    warned = outcome(variant("x", findings=[finding("claims", severity=Severity.warn)]))
    assert check({"type": "fires", "value": []}, warned).passed


def test_applied_fix_fires() -> None:
    out = outcome(variant("x", fixes=[finding("disclosures", severity=Severity.fix)]))
    assert check({"type": "fires", "value": ["disclosures"]}, out).passed


def test_unknown_check_is_a_load_error() -> None:
    with pytest.raises(ValueError, match="unknown check"):
        check({"type": "fires", "value": ["nope"]}, outcome())
