from __future__ import annotations

import pytest

from offergen.schemas import Channel
from tests.evaluation.outcomes import check, outcome, variant


def test_limit_by_channel() -> None:
    spec = {"type": "length", "max": {"sms": 10, "push": 20}}
    text = "x" * 15
    assert check(spec, outcome(variant(text), channel=Channel.push)).passed
    result = check(spec, outcome(variant(text), channel=Channel.sms))
    assert not result.passed and "over the sms limit 10" in result.message
    assert [(s.start, s.end) for s in result.spans] == [(10, 15)]


def test_channel_not_listed_has_no_limit() -> None:
    spec = {"type": "length", "max": {"sms": 10}}
    assert check(spec, outcome(variant("x" * 500), channel=Channel.email)).passed


def test_one_number_and_a_minimum() -> None:
    assert not check({"type": "length", "max": 3}, outcome(variant("abcd"))).passed
    assert not check({"type": "length", "min": 5}, outcome(variant("abcd"))).passed


def test_a_limit_is_required() -> None:
    with pytest.raises(ValueError, match="give `max` and/or `min`"):
        check({"type": "length"}, outcome())
