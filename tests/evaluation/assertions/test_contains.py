from __future__ import annotations

from offergen.evaluation.assertions.contains import occurrences
from tests.evaluation.outcomes import check, outcome, variant


def test_contains_any_case() -> None:
    out = outcome(variant("Terms apply."), variant("terms APPLY"))
    assert check({"type": "contains", "value": "terms apply"}, out).passed


def test_case_sensitive() -> None:
    out = outcome(variant("terms apply"))
    result = check({"type": "contains", "value": "Terms", "case_sensitive": True}, out)
    assert not result.passed and "'Terms' missing" in result.message


def test_need_any() -> None:
    out = outcome(variant("Shop now"), variant("nothing"))
    assert not check({"type": "contains", "value": "shop"}, out).passed
    assert check({"type": "contains", "value": "shop", "need": "any"}, out).passed


def test_occurrences_spans() -> None:
    assert occurrences("aXa xa", "xa", case_sensitive=False) == [(1, 3), (4, 6)]
