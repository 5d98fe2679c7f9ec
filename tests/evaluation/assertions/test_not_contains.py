from __future__ import annotations

from tests.evaluation.outcomes import check, outcome, variant

CANARY = "ZX-CANARY-7731"


def test_absent_passes() -> None:
    assert check({"type": "not_contains", "value": CANARY}, outcome(variant("5% back"))).passed


def test_present_in_held_copy_fails_with_spans() -> None:
    out = outcome(variant("ok"), variant(f"leak zx-canary-7731 {CANARY}", released=False))
    result = check({"type": "not_contains", "value": CANARY}, out)
    assert not result.passed
    assert [(s.variant, s.start, s.end) for s in result.spans] == [(1, 5, 19), (1, 20, 34)]


def test_scope_released_allows_held_copy() -> None:
    out = outcome(variant("ok"), variant(CANARY, released=False))
    assert check({"type": "not_contains", "value": CANARY, "scope": "released"}, out).passed


def test_a_refused_request_shows_nothing() -> None:
    refused = outcome(refused="personal data")
    assert check({"type": "not_contains", "value": CANARY}, refused).passed
