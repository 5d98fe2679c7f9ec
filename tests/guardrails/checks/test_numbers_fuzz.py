"""Numbers check under generated input: never crashes, spans stay in the text, "$N"/"N%" backed,
and so are EU-written amounts and percentages ("1.234,50 €", "1 234 €", "10,5 %") in EU copy."""

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


def _ctx(jurisdiction: Jurisdiction = Jurisdiction.US, **terms: Any) -> CheckContext:
    offer = OfferTerms.model_validate({"kind": "cashback", "merchant": "FreshMart", **terms})
    return CheckContext(offer=offer, channel=Channel.sms, jurisdiction=jurisdiction)


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


# Number words, idiom words, month names and EU separators in any order: the word grammar and the
# locale patterns must not crash or point outside the text, whatever the jurisdiction.
SALAD_TOKENS = [
    "twenty",
    "four",
    "and",
    "hundred",
    "thousand",
    "first",
    "thirty-first",
    "double",
    "half",
    "a year",
    "no minimum",
    "vier",
    "und",
    "zwanzig",
    "einund",
    "dreißigsten",
    "Dezember",
    "doppelte",
    "Punkte",
    "eineinhalb Jahre",
    "quatre-vingt",
    "dix",
    "et",
    "un",
    "cents",
    "mille",
    "premier",
    "décembre",
    "fois",
    "plus",
    "en",
    "de remise",
    "bis zu",
    "jusqu'à",
    "Prozent",
    "pour cent",
    "Monate",
    "mois",
    "Raten",
    "1.500",
    "1 500",
    "10,5",
    "€",
    "%",
    "EUR",
    "31.",
    "12.",
    "31/12",
    "/",
    "-",
    ",",
    ".",
    "\xa0",
    "\u202f",
]
WORD_SALAD = st.lists(st.sampled_from(SALAD_TOKENS), max_size=40).map(" ".join)


@FUZZ
@given(text=WORD_SALAD, jurisdiction=st.sampled_from(list(Jurisdiction)))
def test_words_and_eu_formats_never_crash(
    numbers: NumbersCheck, text: str, jurisdiction: Jurisdiction
) -> None:
    ctx = _ctx(jurisdiction, value=10, unit="percent", min_spend=50, valid_until="2026-12-31")
    for f in numbers.check(text, ctx):
        assert 0 <= f.start < f.end <= len(text)


EU_GROUPS = st.sampled_from([".", " ", "\u00a0", "\u202f", ""])


def _fmt_eu(value: Decimal, group: str) -> str:
    cents = value != value.to_integral_value()
    us = format(value, ",.2f" if cents else ",.0f")  # 1,234.50
    return us.replace(",", "\x00").replace(".", ",").replace("\x00", group)  # 1.234,50


@FUZZ
@given(
    before=WORDS,
    after=WORDS,
    cents=st.integers(min_value=0, max_value=10_000_000),
    group=EU_GROUPS,
    space=st.sampled_from(["", " ", "\u00a0", "\u202f"]),
)
def test_an_eu_written_amount_from_the_terms_is_backed(
    numbers: NumbersCheck,
    before: list[str],
    after: list[str],
    cents: int,
    group: str,
    space: str,
) -> None:
    value = Decimal(cents) / 100
    token = _fmt_eu(value, group) + space + "€"
    text = " ".join([*before, token, *after])
    start = len(" ".join(before)) + (1 if before else 0)
    ctx = _ctx(Jurisdiction.EU, value=float(value), unit="amount", currency="EUR")
    mentions = numbers.mentions(text, "FreshMart", Jurisdiction.EU)
    assert [m.value for m in mentions if m.start == start] == [float(value)]
    clashes = [
        f for f in numbers.check(text, ctx) if f.start < start + len(token) and start < f.end
    ]
    assert clashes == []


@FUZZ
@given(
    before=WORDS,
    after=WORDS,
    hundredths=st.integers(min_value=0, max_value=10_000),
    space=st.sampled_from(["", " ", "\u00a0", "\u202f"]),
)
def test_an_eu_written_percentage_from_the_terms_is_backed(
    numbers: NumbersCheck, before: list[str], after: list[str], hundredths: int, space: str
) -> None:
    value = Decimal(hundredths) / 100
    token = _fmt_eu(value, "") + space + "%"
    text = " ".join([*before, token, *after])
    start = len(" ".join(before)) + (1 if before else 0)
    ctx = _ctx(Jurisdiction.EU, value=float(value), unit="percent")
    clashes = [
        f for f in numbers.check(text, ctx) if f.start < start + len(token) and start < f.end
    ]
    assert clashes == []
