"""The pii check's recognizers (offergen/guardrails/recognizers): phones in national formats,
names without a greeting, non-US and multi-line addresses, and what each must leave alone."""

from __future__ import annotations

import pytest

from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.pii import PiiCheck, PiiParams
from offergen.schemas import Channel, Jurisdiction, OfferKind, OfferTerms, Severity, Unit

CTX = CheckContext(
    offer=OfferTerms(kind=OfferKind.cashback, merchant="FreshMart", value=10, unit=Unit.percent),
    channel=Channel.email,
    jurisdiction=Jurisdiction.EU,
)


@pytest.fixture(scope="module")
def pii() -> PiiCheck:
    return PiiCheck(PiiParams(), Severity.block)


def _found(check: PiiCheck, text: str, ctx: CheckContext = CTX) -> list[tuple[str, str]]:
    return [(f.rule_id, text[f.start : f.end]) for f in check.check(text, ctx)]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Call (711)471-0497 today", "(711)471-0497"),  # NANP shape, unassigned area code
        ("Call 711-471-0497x123", "711-471-0497x123"),  # with its extension
        ("Reach us on +41 36 507 52 91.", "+41 36 507 52 91"),  # CH, international
        ("Fragen? 052 948 46 74", "052 948 46 74"),  # CH national grouping
        ("Appelez le 03.91.12.17.13", "03.91.12.17.13"),  # FR with dots
        ("Ruf an: +49 (0) 1652 548019", "+49 (0) 1652 548019"),  # DE with the (0) trunk
        ("0044 20 7946 0958 is the line", "0044 20 7946 0958"),  # 00 international prefix
        ("21951380 office", "21951380"),  # DK, ungrouped, with a label after it
        ("Mobile: 3351449415", "3351449415"),  # IT mobile, ungrouped, with a context word
    ],
)
def test_phone_numbers_in_national_formats(pii: PiiCheck, text: str, span: str) -> None:
    assert _found(pii, text) == [("pii.phone", span)]


@pytest.mark.parametrize(
    "text",
    [
        "Save $1,299.00 through 12/31/2026. Terms apply.",  # price and a US date
        "Gültig bis 31.12.2026, 19,99 € Rabatt.",  # EU date and decimal comma
        "Offer runs 2024-2025 at 19.99% APR.",  # year range and an APR
        "12 monthly installments of $41.67 from 2026-01-15.",  # count, amount, ISO date
        "Earn 1.234.567 points this year",  # thousands with dots
        "Order 123456789 ships today",  # an order number
        "Ref 2024-0001-5555 is your offer code",  # offer / reference number
        "Card-like 1234 5678 9012 3456 offer id",  # not Luhn-valid, not a phone
        "EAN 4006381333931 on the box",  # a barcode
        "Text STOP to 12345",  # SMS short code
        "Open 10:00-18:00, 7 days a week",  # opening hours
        "Save 20 € on 2 items before 5/5.",  # amount, count, date
    ],
)
def test_offer_figures_are_not_phones(pii: PiiCheck, text: str) -> None:
    assert [rule for rule, _ in _found(pii, text)] == []


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Producer Svitlana Jurković explained the plan", "Svitlana Jurković"),
        ('"We need more," says Kowalczyk.', "Kowalczyk"),
        ("Sometimes people call me Monica", "Monica"),
        ("Her maiden name is Whittaker", "Whittaker"),
        ("Sharon's daughter called", "Sharon"),
        ("Mr. Brown is a 57 year old man", "Mr. Brown"),
        ("Invite friends like Richard and you both get $60.", "Richard"),
    ],
)
def test_person_names_without_a_greeting(pii: PiiCheck, text: str, span: str) -> None:
    assert _found(pii, text) == [("pii.person_name", span)]


def test_a_pair_and_a_list_of_first_names(pii: PiiCheck) -> None:
    assert _found(pii, "Kleist and Arnold were there") == [
        ("pii.person_name", "Kleist"),
        ("pii.person_name", "Arnold"),
    ]
    names = [s for _, s in _found(pii, "They had 4: Olga, Maria, Kyle and Donna.")]
    assert names == ["Olga", "Maria", "Kyle", "Donna"]


def test_a_dialogue_speaker_is_a_name(pii: PiiCheck) -> None:
    assert _found(pii, 'Serdar: "Who are you?"') == [("pii.person_name", "Serdar")]


@pytest.mark.parametrize(
    ("merchant", "text"),
    [
        ("Bella Forno", "Bella Forno: 10% back on wood-fired pizza. Terms apply."),
        ("FreshMart", "Dinner at Bella Forno? 10% back this week."),  # a KB merchant
        ("FreshMart", "Harvest Lane and Luxe Lane both join the program."),
        ("FreshMart", "Terms Apply. May Sale Starts Now!"),  # Title Case copy, a month
        ("FreshMart", "June Deals: Grace Period Ends Soon"),
        ("FreshMart", "Rose Gold Edition, Chase Sapphire cardholders earn more"),
        ("FreshMart", "Shop Ann Taylor and Tommy Hilfiger"),  # brands
        ("FreshMart", "Great Savings. Shop Now. Fresh Picks Every Week."),  # sentence starts
        ("FreshMart", "We moved here from Berlin to Paris"),  # places
        ("FreshMart", "Meet us Freitag at Northern Genesis Acquisition Corp."),  # weekday, firm
        ("FreshMart", "Ihre Karte wird bald gesendet."),  # a German sentence start
        ("FreshMart", "Hello Summer! Hi June, enjoy"),
        # a greeting word that ends its sentence greets nobody in the next one (a brand voice)
        ("FreshMart", "Short sentences, exclamation marks welcome. Tagline: 'Fresh every day.'"),
    ],
)
def test_not_person_names(pii: PiiCheck, merchant: str, text: str) -> None:
    ctx = CTX.model_copy(update={"offer": CTX.offer.model_copy(update={"merchant": merchant})})
    assert [r for r, _ in _found(pii, text, ctx) if r == "pii.person_name"] == []


@pytest.mark.parametrize(
    ("text", "span"),
    [
        (
            "It's at 307 Alvaro Cunqueiro 55, Apt. 440, Sevilla",
            "307 Alvaro Cunqueiro 55, Apt. 440, Sevilla",
        ),
        ("Livraison au 46 rue Nationale", "46 rue Nationale"),
        ("Skicka till Orrspelsv 49", "Orrspelsv 49"),
        (
            "Send it to 668 Bílá Field\n Apt. 560\n Newark\n United States 32164",
            "668 Bílá Field\n Apt. 560\n Newark\n United States 32164",
        ),
        (
            "Ship to: 123 Main St Apt 4\nSpringfield, IL 62704",
            "123 Main St Apt 4\nSpringfield, IL 62704",
        ),
        ("I now live in Ånhult 81\n35592 PÅLÄNG.", "Ånhult 81\n35592 PÅLÄNG"),
        ("Lieferung an 2215 Allairering, Edewecht", "2215 Allairering, Edewecht"),
        (
            "Willem Vliegenstraat 118\n5265 GX\nMaastricht",
            "Willem Vliegenstraat 118\n5265 GX\nMaastricht",
        ),
        ("Rúa Olmos 32, between 9:00 and 17:00", "Rúa Olmos 32"),
        ("He lives on Kerver Trail street.", "Kerver Trail street"),
        ("Pedestrians must enter on Scholzplatz St. first", "Scholzplatz St"),
        ("USNV Whittaker\nFPO AA 44413", "USNV Whittaker\nFPO AA 44413"),
        ("PO Box 1234", "PO Box 1234"),
    ],
)
def test_street_addresses(pii: PiiCheck, text: str, span: str) -> None:
    assert _found(pii, text) == [("pii.street_address", span)]


@pytest.mark.parametrize(
    "text",
    [
        "Save 20 This Fall on every order",
        "Earn 500 Bonus Points this month",
        "Shop at Harvest Lane this week",
        "2 for 1 at Bella Forno, 3 Days Only",
        "Valid at 1,200 stores nationwide",
        "Spend 50 Euro at Piazza Italia 3 stores",
    ],
)
def test_not_street_addresses(pii: PiiCheck, text: str) -> None:
    assert [r for r, _ in _found(pii, text) if r == "pii.street_address"] == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Call 052 948 46 74", "10-digit number valid for CH in its national grouping"),
        ("Producer Svitlana Jurković said", "after the title 'producer'"),
        ("123 Main St", "(confirmed by the US parser)"),
        ("46 rue Nationale", "the street type 'rue'"),
    ],
)
def test_explanations_name_the_rule_and_the_score(pii: PiiCheck, text: str, fragment: str) -> None:
    (finding,) = pii.check(text, CTX)
    assert fragment in finding.explanation
    assert "(score " in finding.explanation
    for word in ("948", "Svitlana", "Jurković", "Main", "Nationale"):
        assert word not in finding.explanation


def test_ssn_with_spaces_only_after_its_context(pii: PiiCheck) -> None:
    assert _found(pii, "We could not verify SSN 169 67 9112.") == [("pii.ssn", "169 67 9112")]
    assert _found(pii, "Order 169 67 9112 shipped") == []


def test_threshold_comes_from_the_data_file(tmp_path: object) -> None:
    from pathlib import Path

    import yaml

    from offergen.guardrails.datafile import default_data_path

    data = yaml.safe_load(default_data_path("pii").read_text(encoding="utf-8"))
    data["entities"]["phone"]["threshold"] = 0.99
    path = Path(str(tmp_path)) / "pii.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    # names/*.txt are read relative to the data file's folder
    (Path(str(tmp_path)) / "names").symlink_to(default_data_path("pii").parent / "names")
    check = PiiCheck(PiiParams(data_file=path), Severity.block)
    assert _found(check, "+41 36 507 52 91") == []  # scored 0.70, under the raised threshold
    assert _found(check, "+44 20 7946 0958 now") == []  # 0.95
