"""PII check on generated input: never crashes, spans stay in the text, cards are always found."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.pii import PiiCheck, PiiParams, luhn_ok
from offergen.schemas import Channel, Finding, Jurisdiction, OfferKind, OfferTerms, Severity, Unit

CTX = CheckContext(
    offer=OfferTerms(kind=OfferKind.cashback, merchant="FreshMart", value=10, unit=Unit.percent),
    channel=Channel.email,
    jurisdiction=Jurisdiction.US,
)
FUZZ = settings(max_examples=200, deadline=None)

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
# Separators a card number may carry between digits: folded to " " / "-" or dropped.
SEPARATORS = ["", "", " ", "-", "\u00a0", "\u2009", "\u202f", "\u2013", "\u2011"]
# Zero digits of scripts whose decimal digits are contiguous (ASCII, full-width, Arabic-Indic,
# Devanagari, Bengali, mathematical bold).
DIGIT_ZEROS = [0x30, 0xFF10, 0x0660, 0x0966, 0x09E6, 0x1D7CE]
# Filler never holds a digit or '+': those would extend or re-anchor the digit run.
FILLER = st.text(
    alphabet=st.characters(
        min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="0123456789+"
    ),
    max_size=60,
)
ANY_TEXT = st.text(max_size=300) | st.text(
    alphabet=st.sampled_from("0123456789 -+()@.,:#$%{}_abcXYZ\u200b\u00ad\u00a0\uff11\u0664"),
    max_size=120,
)


@pytest.fixture(scope="module")
def pii() -> PiiCheck:
    return PiiCheck(PiiParams(), Severity.block)


@pytest.fixture(scope="module")
def cards() -> PiiCheck:
    return PiiCheck(PiiParams(entities=["card_number"]), Severity.block)


# A gap between two digits: an optional visible separator with invisible characters around it.
GAPS = [inv + sep for sep in SEPARATORS for inv in ["", *INVISIBLE]] + [
    sep + inv for sep in SEPARATORS[2:] for inv in INVISIBLE
]


@st.composite
def luhn_numbers(draw: st.DrawFn) -> str:
    """A Luhn-valid 13-19 digit number as ASCII digits."""
    body = draw(st.text(alphabet="0123456789", min_size=12, max_size=18))
    return body + next(c for c in "0123456789" if luhn_ok(body + c))


@st.composite
def written_cards(draw: st.DrawFn) -> str:
    """A Luhn-valid number in one digit script, with random separators and invisible characters."""
    digits = draw(luhn_numbers())
    zero = draw(st.sampled_from(DIGIT_ZEROS))
    gaps = draw(st.lists(st.sampled_from(GAPS), min_size=len(digits), max_size=len(digits)))
    return "".join(
        (gap if i else "") + chr(zero + int(d))
        for i, (d, gap) in enumerate(zip(digits, gaps, strict=True))
    )


def _assert_well_formed(text: str, findings: list[Finding]) -> None:
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
    ordered = sorted(findings, key=lambda f: f.start)
    for a, b in itertools.pairwise(ordered):
        assert a.end <= b.start, "findings overlap"


@FUZZ
@given(text=ANY_TEXT)
def test_pii_never_crashes_and_spans_lie_inside(pii: PiiCheck, text: str) -> None:
    _assert_well_formed(text, pii.check(text, CTX))


@FUZZ
@given(text=ANY_TEXT)
def test_card_detector_never_crashes_and_spans_lie_inside(cards: PiiCheck, text: str) -> None:
    _assert_well_formed(text, cards.check(text, CTX))


@FUZZ
@given(before=FILLER, card=written_cards(), after=FILLER)
def test_any_luhn_valid_number_is_found_with_its_exact_span(
    cards: PiiCheck, before: str, card: str, after: str
) -> None:
    text = before + card + after
    found = [(f.rule_id, f.start, f.end) for f in cards.check(text, CTX)]
    assert found == [("pii.card_number", len(before), len(before) + len(card))]


@FUZZ
@given(
    text=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200),
    data=st.data(),
)
def test_invisible_characters_change_no_finding(
    pii: PiiCheck, text: str, data: st.DataObject
) -> None:
    # Sprinkle zero-width characters into ASCII text: the same findings, at the mapped spans.
    chars = list(text)
    for pos in sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=8)), reverse=True):
        chars.insert(pos, data.draw(st.sampled_from(INVISIBLE)))
    noisy = "".join(chars)
    visible_before = [0]
    for ch in noisy:
        visible_before.append(visible_before[-1] + (ch not in INVISIBLE))

    def squeezed(f: Finding) -> tuple[str, int, int]:
        return f.rule_id, visible_before[f.start], visible_before[f.end]

    assert [squeezed(f) for f in pii.check(noisy, CTX)] == [
        (f.rule_id, f.start, f.end) for f in pii.check(text, CTX)
    ]


# Words the person recognizer treats differently: honorifics, greetings, titles, closings,
# common words, place and firm words, particles, listed names, in any case.
NAME_TOKENS = [
    "Mr.",
    "mrs.",
    "Dr",
    "Ms",
    "Hi",
    "hello",
    "Dear",
    "Producer",
    "says",
    "Ring",
    "the",
    "to",
    "in",
    "at",
    "North",
    "Lake",
    "Black",
    "Gold",
    "May",
    "Grace",
    "Will",
    "Wood",
    "King",
    "Max",
    "Anna",
    "anna",
    "Gunnar",
    "Lindqvist",
    "lindqvist",
    "van",
    "der",
    "de",
    "O'Brien",
    "Karl-Heinz",
    "and",
    "&",
    "or",
    ",",
    ".",
    "!",
    "?",
    ":",
    "'s",
    "\n",
    "ApS",
    "AS",
    "as",
    "GmbH",
    "Stichting",
    "Lisbon",
    "France",
    "regards,",
    "Best",
    "12",
    "5b",
    "07700 318 442",
    "SSN",
    "219 36 4417",
    "931-22-0845",
    "Shop",
    "Nike",
    "und",
    "die",
    "THE",
    "JANE",
    "x",
]


@FUZZ
@given(tokens=st.lists(st.sampled_from(NAME_TOKENS), max_size=25), seps=st.data())
def test_name_like_text_never_crashes_and_spans_lie_inside(
    pii: PiiCheck, tokens: list[str], seps: st.DataObject
) -> None:
    text = "".join(t + seps.draw(st.sampled_from([" ", "", "  ", "\n"])) for t in tokens)
    _assert_well_formed(text, pii.check(text, CTX))
