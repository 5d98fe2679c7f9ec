from __future__ import annotations

from offergen.evaluation.assertion import EvalContext
from tests.evaluation.outcomes import check, outcome, variant

SPEC = {"type": "same_terms_as", "value": "b"}


def _ctx(*texts: str, released: bool = True) -> EvalContext:
    peer = outcome(*(variant(t, released=released) for t in texts), case_id="b")
    return EvalContext(peers={"b": peer})


def test_same_numbers_pass() -> None:
    mine = outcome(variant("5% back, up to $25"))
    assert check(SPEC, mine, _ctx("Up to $25: 5% back")).passed


def test_different_numbers_fail_with_spans() -> None:
    mine = outcome(variant("5% back, up to $25"))
    result = check(SPEC, mine, _ctx("5% back"))
    assert not result.passed and "b states 5" in result.message
    assert [(s.start, s.end) for s in result.spans] == [(16, 18)]


def test_only_one_side_released() -> None:
    mine = outcome(variant("5% back"))
    result = check(SPEC, mine, _ctx("5% back", released=False))
    assert not result.passed and "only this case released" in result.message


def test_missing_peer_fails() -> None:
    result = check(SPEC, outcome(variant("5%")), EvalContext())
    assert not result.passed and "'b' was not run" in result.message


def test_neither_released_is_alike() -> None:
    mine = outcome(variant("5% back", released=False))
    result = check(SPEC, mine, _ctx("7% back", released=False))
    assert result.passed and result.message == "neither case released copy"
