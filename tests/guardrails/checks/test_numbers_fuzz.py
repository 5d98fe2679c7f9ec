"""Numbers check under generated input: never crashes, spans stay in the text, "$N"/"N%" backed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.numbers import NumbersCheck, NumbersParams
from offergen.schemas import Channel, Jurisdiction, OfferTerms, Severity

FUZZ = settings(max_examples=200, deadline=None)
ANY_TEXT = st.text(max_size=300) | st.text(
    alphabet=st.sampled_from("0123456789 ,.$%€£xX/-:stndrhDecMayJunUSDEURoffback\uff11\u0664"),
    max_size=120,
)
# Lower-case filler words: month names only match in Title case, currency codes in upper case,
# so filler cannot re-read the inserted token as part of a date or another currency.
WORDS = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8), max_size=8)


def _ctx(**terms: Any) -> CheckContext:
    offer = OfferTerms.model_validate({"kind": "cashback", "merchant": "FreshMart", **terms})
    return CheckContext(offer=offer, channel=Channel.sms, jurisdiction=Jurisdiction.US)


CTX = _ctx(value=10, unit="percent", min_spend=50, valid_until="2026-12-31")


@pytest.fixture(scope="module")
def numbers() -> NumbersCheck:
    return NumbersCheck(NumbersParams(), Severity.block)


@FUZZ
@given(text=ANY_TEXT)
def test_check_never_crashes_and_spans_lie_inside(numbers: NumbersCheck, text: str) -> None:
    for f in numbers.check(text, CTX):
        assert 0 <= f.start < f.end <= len(text)


@FUZZ
@given(text=ANY_TEXT, merchant=st.text(min_size=1, max_size=20))
def test_mentions_never_crash_and_spans_lie_inside(
    numbers: NumbersCheck, text: str, merchant: str
) -> None:
    for m in numbers.mentions(text, merchant):
        assert 0 <= m.start < m.end <= len(text)


def _fmt_amount(value: Decimal, grouped: bool) -> str:
    cents = value != value.to_integral_value()
    spec = ("," if grouped else "") + (".2f" if cents else ".0f")
    return format(value, spec)


@FUZZ
@given(
    before=WORDS,
    after=WORDS,
    cents=st.integers(min_value=0, max_value=10_000_000),
    grouped=st.booleans(),
)
def test_an_amount_from_the_terms_is_backed(
    numbers: NumbersCheck, before: list[str], after: list[str], cents: int, grouped: bool
) -> None:
    value = Decimal(cents) / 100
    token = "$" + _fmt_amount(value, grouped)
    text = " ".join([*before, token, *after])
    start = len(" ".join(before)) + (1 if before else 0)
    ctx = _ctx(value=float(value), unit="amount")
    assert text[start : start + len(token)] == token
    assert [m.value for m in numbers.mentions(text, "FreshMart") if m.start == start] == [
        float(value)
    ]
    clashes = [
        f for f in numbers.check(text, ctx) if f.start < start + len(token) and start < f.end
    ]
    assert clashes == []


@FUZZ
@given(
    before=WORDS,
    after=WORDS,
    hundredths=st.integers(min_value=0, max_value=10_000),
    trailing_zeros=st.booleans(),
)
def test_a_percentage_from_the_terms_is_backed(
    numbers: NumbersCheck,
    before: list[str],
    after: list[str],
    hundredths: int,
    trailing_zeros: bool,
) -> None:
    value = Decimal(hundredths) / 100
    token = (f"{value:.2f}" if trailing_zeros else f"{value.normalize():f}") + "%"
    text = " ".join([*before, token, *after])
    start = len(" ".join(before)) + (1 if before else 0)
    ctx = _ctx(value=float(value), unit="percent")
    assert text[start : start + len(token)] == token
    clashes = [
        f for f in numbers.check(text, ctx) if f.start < start + len(token) and start < f.end
    ]
    assert clashes == []
