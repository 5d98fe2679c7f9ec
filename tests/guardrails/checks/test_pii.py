"""PII check: each detector's positives and negatives, spans in the original text, no echo."""

from __future__ import annotations

from pathlib import Path

import pytest

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.pii import PiiCheck, PiiParams, iban_ok, luhn_ok
from offergen.schemas import Channel, Finding, Jurisdiction, OfferKind, OfferTerms, Severity, Unit

CTX = CheckContext(
    offer=OfferTerms(kind=OfferKind.cashback, merchant="FreshMart", value=10, unit=Unit.percent),
    channel=Channel.email,
    jurisdiction=Jurisdiction.US,
)


@pytest.fixture(scope="module")
def pii() -> PiiCheck:
    return PiiCheck(PiiParams(), Severity.block)


def _rules(check: PiiCheck, text: str) -> list[tuple[str, str]]:
    return [(f.rule_id, text[f.start : f.end]) for f in check.check(text, CTX)]


FW_CARD = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in "4111 1111 1111 1111")
# (text, rule_id, the exact flagged substring of the ORIGINAL text)
POSITIVES = [
    # payment card numbers
    ("Card 4111 1111 1111 1111 on file", "pii.card_number", "4111 1111 1111 1111"),
    ("Card 4111111111111111 on file", "pii.card_number", "4111111111111111"),
    ("Card 4111-1111-1111-1111.", "pii.card_number", "4111-1111-1111-1111"),
    ("Amex 3782 822463 10005 ok", "pii.card_number", "3782 822463 10005"),
    ("19 digits 4222222222222222224 x", "pii.card_number", "4222222222222222224"),
    ("12 digits 123456789015 x", "pii.card_number", "123456789015"),
    (f"full-width {FW_CARD} end", "pii.card_number", FW_CARD),
    ("arabic-indic ٤١١١١١١١١١١١١١١١", "pii.card_number", "٤١١١١١١١١١١١١١١١"),
    (
        "en dash 4111\u20131111\u20131111\u20131111",
        "pii.card_number",
        "4111\u20131111\u20131111\u20131111",
    ),
    # CVV / CVC only in context
    ("CVV 123", "pii.cvv", "123"),
    ("your cvc: 987 please", "pii.cvv", "987"),
    ("security code: 1234", "pii.cvv", "1234"),
    ("Card security code is 456", "pii.cvv", "456"),
    ("CVV2#321", "pii.cvv", "321"),
    # US SSN
    ("SSN 123-45-6789", "pii.ssn", "123-45-6789"),
    ("ssn: 078-05-1120.", "pii.ssn", "078-05-1120"),
    ("id 899-99-9999", "pii.ssn", "899-99-9999"),
    # IBAN
    ("IBAN GB82 WEST 1234 5698 7654 32 today", "pii.iban", "GB82 WEST 1234 5698 7654 32"),
    ("IBAN GB82WEST12345698765432", "pii.iban", "GB82WEST12345698765432"),
    ("pay DE89 3704 0044 0532 0130 00 now", "pii.iban", "DE89 3704 0044 0532 0130 00"),
    ("FR14 2004 1010 0505 0001 3M02 606", "pii.iban", "FR14 2004 1010 0505 0001 3M02 606"),
    ("lower gb82 west 1234 5698 7654 32", "pii.iban", "gb82 west 1234 5698 7654 32"),
    ("IBAN GB82 WEST 1234 5698 7654 32 NOW", "pii.iban", "GB82 WEST 1234 5698 7654 32"),
    # email
    (
        "write to ann.lee+promo@mail.example.co.uk today",
        "pii.email",
        "ann.lee+promo@mail.example.co.uk",
    ),
    ("BOB@EXAMPLE.COM", "pii.email", "BOB@EXAMPLE.COM"),
    # phone, US formats
    ("Call (555) 123-4567 now", "pii.phone", "(555) 123-4567"),
    ("Call 555-123-4567 now", "pii.phone", "555-123-4567"),
    ("Call 555.123.4567 now", "pii.phone", "555.123.4567"),
    ("Call 555 123 4567 now", "pii.phone", "555 123 4567"),
    ("Call +1 555 123 4567 now", "pii.phone", "+1 555 123 4567"),
    ("Call 1-800-555-0199 now", "pii.phone", "1-800-555-0199"),
    # phone, international
    ("Call +44 20 7946 0958 now", "pii.phone", "+44 20 7946 0958"),
    ("Ruf +49 30 123456 an", "pii.phone", "+49 30 123456"),
    ("Appel +33612345678", "pii.phone", "+33612345678"),
    # US street addresses
    ("Visit 123 Main St today", "pii.street_address", "123 Main St"),
    (
        "at 4500 Martin Luther King Jr Boulevard.",
        "pii.street_address",
        "4500 Martin Luther King Jr Boulevard",
    ),
    ("350 5th Ave, New York", "pii.street_address", "350 5th Ave, New York"),
    ("12B Elm Street", "pii.street_address", "12B Elm Street"),
    ("77 Sunset Blvd. is open", "pii.street_address", "77 Sunset Blvd"),
    ("1 Infinite Loop Road", "pii.street_address", "1 Infinite Loop Road"),
    ("9 Oak Lane", "pii.street_address", "9 Oak Lane"),
    ("22 Ocean Dr", "pii.street_address", "22 Ocean Dr"),
    ("10 Downing way", "pii.street_address", "10 Downing way"),
    # lower-case streets, with an abbreviated suffix only
    ("Visit 123 main st today", "pii.street_address", "123 main st"),
    ("3 main st", "pii.street_address", "3 main st"),
    ("ship to 42 ocean ave, apt 3", "pii.street_address", "42 ocean ave, apt 3"),
    ("1600 pennsylvania ave nw", "pii.street_address", "1600 pennsylvania ave nw"),
    # EU street addresses
    (
        "ships free to 12 Rue de Rivoli, 75001 Paris",
        "pii.street_address",
        "12 Rue de Rivoli, 75001 Paris",
    ),
    ("3 Place de l'Opéra today", "pii.street_address", "3 Place de l'Opéra"),
    ("Via Roma 12, Milano", "pii.street_address", "Via Roma 12, Milano"),
    ("Calle Mayor 5 Madrid", "pii.street_address", "Calle Mayor 5"),
    ("Hauptstraße 5 in Berlin", "pii.street_address", "Hauptstraße 5"),
    ("Karl-Marx-Allee 34", "pii.street_address", "Karl-Marx-Allee 34"),
    ("Berliner Straße 12", "pii.street_address", "Berliner Straße 12"),
    ("Kalverstraat 12b Amsterdam", "pii.street_address", "Kalverstraat 12b"),
    # person names: greeting + capitalised word
    ("Hi Jane, your 10% cashback is live", "pii.person_name", "Jane"),
    ("Hello, Priyanka! Save today", "pii.person_name", "Priyanka"),
    ("Dear Jane Doe, thanks for shopping", "pii.person_name", "Jane Doe"),
    ("Congrats Zoltan - you earned 10% back", "pii.person_name", "Zoltan"),
    ("Thanks José for being a member", "pii.person_name", "José"),
    ("Hey O'Brien, here is 10% back", "pii.person_name", "O'Brien"),
    ("thank you Kowalczyk", "pii.person_name", "Kowalczyk"),
    # honorific + capitalised name
    ("Mrs. Garcia, your reward is ready", "pii.person_name", "Mrs. Garcia"),
    ("Dear Dr Okafor, enjoy 10% back", "pii.person_name", "Dr Okafor"),
    ("A note for Mx Rivera", "pii.person_name", "Mx Rivera"),
    ("Prof. Lindqvist earns double", "pii.person_name", "Prof. Lindqvist"),
    # listed first name + capitalised surname
    ("Jane Doe gets 10% back", "pii.person_name", "Jane Doe"),
    ("Meet Sarah Jones at the counter", "pii.person_name", "Sarah Jones"),
    ("Our winner: Maria Garcia.", "pii.person_name", "Maria Garcia"),
    ("Congratulations to Jane Q. Public", "pii.person_name", "Jane Q. Public"),
    # an ambiguous first name with a listed surname
    ("Will Smith earned 10% back", "pii.person_name", "Will Smith"),
    ("Ask Grace Kelly", "pii.person_name", "Grace Kelly"),
    # invisible and exotic characters inside a card number: spans cover the original text
    ("Card 4111\u200b1111 1111 1111 x", "pii.card_number", "4111\u200b1111 1111 1111"),
    (
        "Card 4111\u00ad1111\u00ad1111\u00ad1111",
        "pii.card_number",
        "4111\u00ad1111\u00ad1111\u00ad1111",
    ),
    (
        "Card 4\u200c1\u200d1\u20601111111111111 x",
        "pii.card_number",
        "4\u200c1\u200d1\u20601111111111111",
    ),
    ("\ufeff4111 1111 1111 1111", "pii.card_number", "4111 1111 1111 1111"),
    (
        "Card 4111\u00a01111\u20091111\u202f1111",
        "pii.card_number",
        "4111\u00a01111\u20091111\u202f1111",
    ),
    ("Card 4111 \u200b1111 1111 1111", "pii.card_number", "4111 \u200b1111 1111 1111"),
    ("देवनागरी ४१११ ११११ ११११ ११११", "pii.card_number", "४१११ ११११ ११११ ११११"),
    (
        f"full-width with ZWSP {FW_CARD[:4]}\u200b{FW_CARD[4:]}",
        "pii.card_number",
        f"{FW_CARD[:4]}\u200b{FW_CARD[4:]}",
    ),
    ("SSN 123\u200b-45-6789", "pii.ssn", "123\u200b-45-6789"),
    ("Call 555\u2011123\u20114567 now", "pii.phone", "555\u2011123\u20114567"),
]

NEGATIVES = [
    # Luhn fails (one digit changed), too short, too long
    "Card 4111 1111 1111 1112 on file",
    "Card 4111111111111112",
    "11 digits 12345678903",
    "20 digits 41111111111111111113",
    # typical offer copy
    "Get 10% cashback at FreshMart on $50+ through Dec 31, 2026. Terms apply.",
    "Earn 3x points on dining through 12/31/2026.",
    "Pay in 4 interest-free payments of $25.",
    "0% intro APR for 15 months, then 19.99%-29.99% variable APR.",
    "Spend $1,000 in 3 months and earn 60,000 bonus points.",
    "Offer valid 2026-01-01 to 2026-12-31.",
    # merge tags are allowed
    "Hi {{first_name}}, your card ending {{card_last4}} earns 5% back.",
    "{{ first_name }}, we saved you {{amount}}.",
    "Questions? {{support_email}}",
    # CVV needs its context word
    "Save 123 today",
    "CVV",
    "CVV 12345",
    "code 123",
    # SSN rules: area 000 / 666, group 00, serial 0000; 9xx only after its context or with an
    # ITIN group; not a longer run
    "SSN 000-12-3456",
    "SSN 666-12-3456",
    "ref 900-12-3456",
    "SSN 123-00-4567",
    "SSN 123-45-0000",
    "ref 1-123-45-6789",
    # IBAN mod-97 must be 1
    "IBAN GB82 WEST 1234 5698 7654 33",
    "IBAN GB83 WEST 1234 5698 7654 32",
    "DE89 3704 0044 0532 0130 01",
    # not emails
    "user at example dot com",
    "@FreshMart on socials",
    # not phones
    "Item 5551234567",
    "Order 155-123-4567",
    "Code +123 45",
    "Dial 12-34",
    # not street addresses
    "Save 20 on groceries this week",
    "Spend $20 Main Street rewards",
    "Earn 5% at Main St",
    "2x points on 3 main dishes",
    "Spend 50 at the food court",
    "3 ways to save on the road",
    "500 sq ft of savings",
    "Get 2 for 1 at the st patrick's day sale",
    "Earring 2 for 1",
    "Pay Via Apple Pay 3x points",
    "Spend 20 Euro at Piazza Italia 3 stores",
    "Place Your Order 2 days early",
    "Via Rail 10% off",
    # not person names
    "Hi there, enjoy 10% back",
    "Hello friend! Your reward is here",
    "Dear customer, thanks for shopping",
    "Dear Valued Cardmember,",
    "Hi all - 10% back this week",
    "Hi FreshMart fans, save today",
    "Thanks for shopping at FreshMart",
    "Hey Coffee Lovers, 10% back",
    "Hello Summer! Save more",
    "Hi June, enjoy",
    "Hi! Enjoy 10% back",
    "Hey! Save big",
    "Congrats! You earned 10% back",
    "Welcome Back, enjoy 10% off",
    "Don't Miss Out on 10% back",
    "Grace Period ends soon",
    "Chase Sapphire cardholders earn more",
    "Use Bill Pay to earn points",
    "Max Rewards on every purchase",
    "May Sale: 10% back",
    "Rose Gold edition",
    "Olive Garden gift cards",
    "Dr Pepper is 2 for 1",
    "Shop Ann Taylor and Tommy Hilfiger",
    "Hey Siri, show my offers",
    "Mark Your Calendar",
    "Hello Summer Savings Event Starts Now",
    "hi there, lower-case copy without a listed name",
    "JANE DOE in capitals is out of scope",
    "Hi {{first_name}}, your card ending {{card_last4}}",
    "Dear {{first_name}} {{last_name}},",
    "Ocean Dr Miami location",
]


@pytest.mark.parametrize(("text", "rule_id", "span"), POSITIVES)
def test_detects(pii: PiiCheck, text: str, rule_id: str, span: str) -> None:
    assert _rules(pii, text) == [(rule_id, span)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_does_not_flag(pii: PiiCheck, text: str) -> None:
    assert _rules(pii, text) == []


@pytest.mark.parametrize(("text", "rule_id", "span"), POSITIVES)
def test_explanation_never_echoes_the_value(
    pii: PiiCheck, text: str, rule_id: str, span: str
) -> None:
    (finding,) = pii.check(text, CTX)
    digits = "".join(ch for ch in span if ch.isdigit())
    assert span not in finding.explanation
    if len(digits) >= 3:
        assert digits not in finding.explanation
    assert span not in finding.message
    assert finding.explanation.startswith(rule_id.removeprefix("pii.") + " detector: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4111 1111 1111 1111", "16 digits passing the Luhn checksum"),
        ("CVV 123", "3-digit code right after the context phrase 'CVV'"),
        ("GB82 WEST 1234 5698 7654 32", "22-character IBAN whose mod-97 check equals 1"),
        ("+44 20 7946 0958", "12-digit international number valid for GB"),
        ("123 Main St", "street suffix 'St'"),
    ],
)
def test_explanation_says_why_it_fired(pii: PiiCheck, text: str, expected: str) -> None:
    (finding,) = pii.check(text, CTX)
    assert expected in finding.explanation


def test_person_name_explanation_names_the_heuristic_not_the_name(pii: PiiCheck) -> None:
    for text, fragment in [
        ("Hi Jane,", "after the greeting 'Hi'"),
        ("Mrs. Garcia", "after the honorific 'Mrs'"),
        ("Maria Garcia", "a listed first name and a listed last name"),
    ]:
        (finding,) = pii.check(text, CTX)
        assert fragment in finding.explanation
        assert "Jane" not in finding.explanation and "Garcia" not in finding.explanation


@pytest.mark.parametrize(
    ("merchant", "text"),
    [
        ("Jane Doe Bakery", "Jane Doe Bakery: 10% back"),
        ("Jane Doe Bakery", "Hi Jane Doe fans"),
        ("Kowalczyk & Sons", "Thanks Kowalczyk"),
        ("Mr. Okafor Kitchen", "Mr. Okafor Kitchen says hi"),
    ],
)
def test_the_merchants_own_name_is_not_a_person(pii: PiiCheck, merchant: str, text: str) -> None:
    ctx = CTX.model_copy(update={"offer": CTX.offer.model_copy(update={"merchant": merchant})})
    assert pii.check(text, ctx) == []
    assert pii.check(text, CTX) != []


def test_zero_width_text_keeps_every_span_in_the_original(pii: PiiCheck) -> None:
    text = "\u200bHi\u200b Jane,\u00ad card 4111\u200b1111\u200b1111\u200b1111, SSN 123-45-6789"
    got = _rules(pii, text)
    assert got == [
        ("pii.person_name", "Jane"),
        ("pii.card_number", "4111\u200b1111\u200b1111\u200b1111"),
        ("pii.ssn", "123-45-6789"),
    ]


def test_finding_fields(pii: PiiCheck) -> None:
    (finding,) = pii.check("x 4111 1111 1111 1111", CTX)
    assert finding == Finding(
        check="pii",
        rule_id="pii.card_number",
        severity=Severity.block,
        start=2,
        end=21,
        message="payment card number in copy",
        explanation="card_number detector: 16 digits passing the Luhn checksum (score 1.00)",
    )


@pytest.mark.parametrize("severity", list(Severity))
def test_severity_comes_from_the_pack(severity: Severity) -> None:
    check = PiiCheck(PiiParams(), severity)
    assert [f.severity for f in check.check("SSN 123-45-6789", CTX)] == [severity]


def test_several_entities_in_one_text_sorted_by_start(pii: PiiCheck) -> None:
    text = "Mail ann@example.com, call (555) 123-4567, card 4111 1111 1111 1111, SSN 123-45-6789."
    assert [rule for rule, _ in _rules(pii, text)] == [
        "pii.email",
        "pii.phone",
        "pii.card_number",
        "pii.ssn",
    ]


def test_overlapping_detectors_report_the_longest_span_once(pii: PiiCheck) -> None:
    # The IBAN's digits alone could look card-like; one finding, for the whole IBAN.
    assert _rules(pii, "GB82 WEST 1234 5698 7654 32") == [
        ("pii.iban", "GB82 WEST 1234 5698 7654 32")
    ]


def test_merge_tag_next_to_pii_does_not_hide_it(pii: PiiCheck) -> None:
    assert _rules(pii, "{{first_name}}: 4111 1111 1111 1111") == [
        ("pii.card_number", "4111 1111 1111 1111")
    ]


def test_entities_param_limits_the_detectors() -> None:
    check = PiiCheck(PiiParams(entities=["email"]), Severity.block)
    text = "ann@example.com 4111 1111 1111 1111"
    assert _rules(check, text) == [("pii.email", "ann@example.com")]


def test_unknown_entity_is_a_config_error_naming_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as err:
        PiiCheck(PiiParams(entities=["email", "dna"]), Severity.block)
    assert "'dna'" in str(err.value)
    assert "card_number" in str(err.value) and "street_address" in str(err.value)


def test_allow_param_lets_a_known_public_value_through() -> None:
    check = PiiCheck(PiiParams(allow=["1-800-555-0199"]), Severity.block)
    assert _rules(check, "Call 1-800-555-0199 or 555-123-4567") == [("pii.phone", "555-123-4567")]
    assert _rules(check, "Call 1 800 555 0199") == []


def test_params_reject_unknown_keys() -> None:
    with pytest.raises(ValueError, match="extra"):
        PiiParams.model_validate({"entity": ["email"]})


def test_patterns_come_from_the_data_file(tmp_path: Path) -> None:
    data = tmp_path / "pii.yaml"
    data.write_text(
        "merge_tag: '\\{\\{[a-z_]+\\}\\}'\n"
        "entities:\n"
        "  member_id:\n"
        "    message: member id in copy\n"
        "    explain: 'MEM- prefix and {digits} digits'\n"
        "    patterns: ['MEM-[0-9]{6}']\n",
        encoding="utf-8",
    )
    check = PiiCheck(PiiParams(data_file=data), Severity.warn)
    (finding,) = check.check("id MEM-123456, card 4111 1111 1111 1111", CTX)
    assert (finding.rule_id, finding.start, finding.end) == ("pii.member_id", 3, 13)
    assert finding.explanation == "member_id detector: MEM- prefix and 6 digits (score 1.00)"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("merge_tag: x\nentities: {a: {message: m, explain: e, patterns: ['(']}}\n", "patterns[0]"),
        (
            "merge_tag: x\nentities:\n"
            "  a: {message: m, explain: e, patterns: [x], validator: md5}\n",
            "unknown 'md5'",
        ),
        ("merge_tag: x\nentities: {a: {message: m, patterns: [x]}}\n", "explain"),
        (
            "merge_tag: x\nentities:\n"
            "  a: {message: m, explain: e, patterns: ['[0-9]{9}'], validator: ssn}\n",
            "needs the groups area, group, serial",
        ),
        (
            "merge_tag: x\nentities:\n  a: {message: m, recognizer: phone, options: {}}\n",
            "entities.a.options: candidate",
        ),
        ("merge_tag: x\nentities:\n  a: {message: m, recognizer: dna}\n", "unknown 'dna'"),
        (
            "merge_tag: x\nentities:\n  a: {message: m, recognizer: phone, patterns: [x]}\n",
            "not both",
        ),
        ("merge_tag: x\nentities: {}\nextra: 1\n", "extra"),
    ],
)
def test_bad_data_file_is_a_config_error(tmp_path: Path, body: str, fragment: str) -> None:
    data = tmp_path / "pii.yaml"
    data.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        PiiCheck(PiiParams(data_file=data), Severity.block)
    assert str(data) in str(err.value)
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    ("digits", "ok"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("378282246310005", True),
        ("5555555555554444", True),
        ("5555555555554445", False),
        ("79927398713", True),
    ],
)
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok


@pytest.mark.parametrize(
    ("iban", "ok"),
    [
        ("GB82WEST12345698765432", True),
        ("GB82WEST12345698765433", False),
        ("DE89370400440532013000", True),
        ("NL91ABNA0417164300", True),
        ("NL91ABNA0417164301", False),
    ],
)
def test_iban_mod97(iban: str, ok: bool) -> None:
    assert iban_ok(iban) is ok
