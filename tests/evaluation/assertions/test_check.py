from __future__ import annotations

import pytest

from offergen.schemas import Severity
from tests.evaluation.outcomes import check, finding, outcome, variant


def test_no_finding_of_the_check_passes() -> None:
    out = outcome(variant("5% back", findings=[finding("claims")]))
    assert check({"type": "check:numbers"}, out).passed


def test_a_finding_fails_with_its_span() -> None:
    out = outcome(variant("Get 25% back", released=False, findings=[finding("numbers", 4, 7)]))
    result = check({"type": "check:numbers"}, out)
    assert not result.passed
    assert "numbers.rule" in result.message
    assert [(s.variant, s.start, s.end) for s in result.spans] == [(0, 4, 7)]


def test_value_true_expects_a_finding() -> None:
    flagged = outcome(variant("x", released=False, findings=[finding("pii")]))
    assert check({"type": "check:pii", "value": True}, flagged).passed
    clean = outcome(variant("x"))
    result = check({"type": "check:pii", "value": True}, clean)
    assert not result.passed and "no pii finding" in result.message


def test_warnings_do_not_count_unless_asked() -> None:
    out = outcome(variant("x", findings=[finding("claims", severity=Severity.warn)]))
    assert check({"type": "check:claims"}, out).passed
    assert not check({"type": "check:claims", "severities": ["warn"]}, out).passed


def test_an_applied_fix_counts_only_when_asked() -> None:
    out = outcome(variant("x Terms apply.", fixes=[finding("disclosures", 2, 14, Severity.fix)]))
    assert check({"type": "check:disclosures"}, out).passed  # released as fixed: nothing held
    assert check({"type": "check:disclosures", "value": True, "fixes": True}, out).passed


def test_a_fix_left_on_the_text_holds_it() -> None:
    out = outcome(
        variant("x", released=False, findings=[finding("disclosures", 0, 1, Severity.fix)])
    )
    assert not check({"type": "check:disclosures"}, out).passed


def test_scope_released_looks_only_at_released_copy() -> None:
    out = outcome(variant("ok"), variant("bad", released=False, findings=[finding("numbers")]))
    assert check({"type": "check:numbers", "scope": "released"}, out).passed
    assert not check({"type": "check:numbers"}, out).passed


def test_generation_is_a_check_name_too() -> None:
    out = outcome(variant("cut", released=False, findings=[finding("generation")]))
    assert not check({"type": "check:generation"}, out).passed


def test_unknown_check_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown check 'numbrs'; valid checks: .*numbers"):
        check({"type": "check:numbrs"}, outcome())


def test_scope_drafts_sees_held_drafts_the_response_dropped() -> None:
    held = variant("Get 25% back", released=False, findings=[finding("numbers", 4, 7)])
    out = outcome(variant("Get 5% back"), drafts=[held, variant("Get 5% back")])
    assert check({"type": "check:numbers"}, out).passed  # the returned variant is clean
    result = check({"type": "check:numbers", "scope": "drafts"}, out)
    assert not result.passed and result.message.startswith("draft 0:")
    assert [(s.variant, s.draft, s.start) for s in result.spans] == [(0, True, 4)]
