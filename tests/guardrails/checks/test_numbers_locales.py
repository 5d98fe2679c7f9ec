"""Numbers check, in words and in EU formats: "zehn Prozent", "double points", "un an et demi",
"1.500 €", "10,5 %", "31 décembre 2026" are reconciled with the offer terms like "10%" and "$1,500".

Written from the intent of the two issues: a number written as a word or an idiom that agrees
with the terms is released; one that contradicts them gets the finding the digits would get; EU
copy is read the EU way, US copy the US way.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.numbers import NumbersCheck, NumbersParams
from offergen.schemas import Channel, Jurisdiction, OfferTerms, Severity

US, EU = Jurisdiction.US, Jurisdiction.EU
DATA = Path(__file__).resolve().parents[3] / "guardrails" / "data" / "numbers.yaml"

PERCENT: dict[str, Any] = {"kind": "discount", "value": 10, "unit": "percent"}
MULTIPLIER: dict[str, Any] = {"kind": "points", "value": 2, "unit": "multiplier"}
INTRO: dict[str, Any] = {
    "kind": "intro_apr",
    "value": 0,
    "unit": "percent",
    "intro_months": 12,
    "apr_after_intro": 19.9,
}
BNPL: dict[str, Any] = {"kind": "bnpl", "installments": 4}
POINTS: dict[str, Any] = {"kind": "points", "value": 500, "unit": "points"}
FREE_SHIPPING: dict[str, Any] = {"kind": "free_shipping"}


@pytest.fixture(scope="module")
def numbers() -> NumbersCheck:
    return NumbersCheck(NumbersParams(), Severity.block)


def _ctx(jurisdiction: Jurisdiction, **terms: Any) -> CheckContext:
    offer = OfferTerms.model_validate({"merchant": "FreshMart", "currency": "EUR", **terms})
    return CheckContext(offer=offer, channel=Channel.email, jurisdiction=jurisdiction)


def _rules(check: NumbersCheck, text: str, jurisdiction: Jurisdiction, **terms: Any) -> list[str]:
    return [f.rule_id for f in check.check(text, _ctx(jurisdiction, **terms))]


# --- numbers in words, per language: agreeing ones released, contradicting ones held ----------

# (copy, offer terms that agree, the change to the terms that makes the copy wrong, rule id)
WORDS: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    # English
    ("Save ten percent on everything", PERCENT, {"value": 15}, "numbers.unbacked_percent"),
    ("Get ten percent cash back", PERCENT, {"value": 15}, "numbers.unbacked_reward_percent"),
    ("0% intro APR for twelve months", INTRO, {"intro_months": 6}, "numbers.unbacked_months"),
    ("Pay in four payments", BNPL, {"installments": 6}, "numbers.unbacked_installments"),
    ("Earn five hundred bonus points", POINTS, {"value": 400}, "numbers.unbacked_points"),
    # German
    ("Sparen Sie zehn Prozent", PERCENT, {"value": 15}, "numbers.unbacked_percent"),
    ("zehn Prozent Rabatt auf alles", PERCENT, {"value": 15}, "numbers.unbacked_reward_percent"),
    ("0 % Sollzins für zwölf Monate", INTRO, {"intro_months": 6}, "numbers.unbacked_months"),
    (
        "0 % Zinsen für vierundzwanzig Monate",
        {**INTRO, "intro_months": 24},
        {"intro_months": 12},
        "numbers.unbacked_months",
    ),
    ("Zahlen Sie in vier Raten", BNPL, {"installments": 3}, "numbers.unbacked_installments"),
    ("Sammeln Sie fünfhundert Bonuspunkte", POINTS, {"value": 400}, "numbers.unbacked_points"),
    # French
    ("Économisez dix pour cent", PERCENT, {"value": 15}, "numbers.unbacked_percent"),
    ("dix pour cent de remise", PERCENT, {"value": 15}, "numbers.unbacked_reward_percent"),
    ("0 % d'intérêts pendant douze mois", INTRO, {"intro_months": 6}, "numbers.unbacked_months"),
    ("Payez en quatre fois", BNPL, {"installments": 3}, "numbers.unbacked_installments"),
    ("Réglez en quatre versements", BNPL, {"installments": 3}, "numbers.unbacked_installments"),
    ("Gagnez cinq cents points", POINTS, {"value": 400}, "numbers.unbacked_points"),
    (
        "quatre-vingt-dix-neuf euros de remise",
        {"kind": "discount", "value": 99, "unit": "amount"},
        {"value": 90},
        "numbers.unbacked_reward_amount",
    ),
    # French 600, though "six" alone is also English
    (
        "six cents euros de remise",
        {"kind": "discount", "value": 600, "unit": "amount"},
        {"value": 6},
        "numbers.unbacked_reward_amount",
    ),
]


@pytest.mark.parametrize(("text", "terms", "wrong", "rule"), WORDS)
def test_a_number_in_words_that_agrees_is_released(
    numbers: NumbersCheck, text: str, terms: dict[str, Any], wrong: dict[str, Any], rule: str
) -> None:
    assert _rules(numbers, text, EU, **terms) == []


@pytest.mark.parametrize(("text", "terms", "wrong", "rule"), WORDS)
def test_a_number_in_words_that_contradicts_is_held(
    numbers: NumbersCheck, text: str, terms: dict[str, Any], wrong: dict[str, Any], rule: str
) -> None:
    assert _rules(numbers, text, EU, **{**terms, **wrong}) == [rule]


# --- idioms --------------------------------------------------------------------------------

IDIOMS: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    # double / twice / triple = 2x / 3x
    ("Earn double points this weekend", MULTIPLIER, {"value": 3}, "numbers.unbacked_multiplier"),
    ("Twice the points on every trip", MULTIPLIER, {"value": 3}, "numbers.unbacked_multiplier"),
    ("Earn double on dining this month", MULTIPLIER, {"value": 3}, "numbers.unbacked_multiplier"),
    (
        "Triple points on dining",
        {**MULTIPLIER, "value": 3},
        {"value": 2},
        "numbers.unbacked_multiplier",
    ),
    ("Doppelte Punkte auf jede Buchung", MULTIPLIER, {"value": 3}, "numbers.unbacked_multiplier"),
    (
        "Dreifache Punkte im Restaurant",
        {**MULTIPLIER, "value": 3},
        {"value": 2},
        "numbers.unbacked_multiplier",
    ),
    ("Gagnez deux fois plus de points", MULTIPLIER, {"value": 3}, "numbers.unbacked_multiplier"),
    ("Gagnez 2 fois plus de points", MULTIPLIER, {"value": 3}, "numbers.unbacked_multiplier"),
    (
        "Gagnez trois fois plus de points",
        {**MULTIPLIER, "value": 3},
        {"value": 2},
        "numbers.unbacked_multiplier",
    ),
    # half = 50 % where it is the reward
    (
        "Everything at half price",
        PERCENT | {"value": 50},
        {"value": 30},
        "numbers.unbacked_reward_percent",
    ),
    (
        "Alles zum halben Preis",
        PERCENT | {"value": 50},
        {"value": 30},
        "numbers.unbacked_reward_percent",
    ),
    (
        "Tout à moitié prix",
        PERCENT | {"value": 50},
        {"value": 30},
        "numbers.unbacked_reward_percent",
    ),
    # a year and a half = 18 months
    (
        "0% intro APR for a year and a half",
        {**INTRO, "intro_months": 18},
        {"intro_months": 12},
        "numbers.unbacked_months",
    ),
    (
        "0 % Zinsen für eineinhalb Jahre",
        {**INTRO, "intro_months": 18},
        {"intro_months": 12},
        "numbers.unbacked_months",
    ),
    (
        "0 % d'intérêts pendant un an et demi",
        {**INTRO, "intro_months": 18},
        {"intro_months": 12},
        "numbers.unbacked_months",
    ),
    # a year = 12 months where it states the intro period
    ("0% intro APR for a year", INTRO, {"intro_months": 6}, "numbers.unbacked_months"),
    ("0 % Sollzins für ein Jahr", INTRO, {"intro_months": 6}, "numbers.unbacked_months"),
    ("0 % d'intérêts pendant un an", INTRO, {"intro_months": 6}, "numbers.unbacked_months"),
    # no minimum contradicts a minimum spend
    (
        "€10 off, no minimum spend",
        {"kind": "discount", "value": 10, "unit": "amount"},
        {"min_spend": 50},
        "numbers.unbacked_amount",
    ),
    (
        "10 € Rabatt ohne Mindestbestellwert",
        {"kind": "discount", "value": 10, "unit": "amount"},
        {"min_spend": 50},
        "numbers.unbacked_amount",
    ),
    (
        "10 € de remise sans minimum d'achat",
        {"kind": "discount", "value": 10, "unit": "amount"},
        {"min_spend": 50},
        "numbers.unbacked_amount",
    ),
    (
        "10 € de remise sans minimum d\u2019achat",
        {"kind": "discount", "value": 10, "unit": "amount"},
        {"min_spend": 50},
        "numbers.unbacked_amount",
    ),
    (
        "Save on every order, no matter how small",
        {"kind": "discount", "value": 10, "unit": "amount"},
        {"min_spend": 50},
        "numbers.unbacked_amount",
    ),
    (
        "10 € Rabatt, egal wie klein der Einkauf ist",
        {"kind": "discount", "value": 10, "unit": "amount"},
        {"min_spend": 50},
        "numbers.unbacked_amount",
    ),
    (
        "10 € de remise dès le premier euro",
        {"kind": "discount", "value": 10, "unit": "amount"},
        {"min_spend": 50},
        "numbers.unbacked_amount",
    ),
    # half a year / two years / ein halbes Jahr / deux ans = 6 / 24 months, wherever they stand
    (
        "Half a year without interest on purchases",
        {**INTRO, "intro_months": 6},
        {"intro_months": 12},
        "numbers.unbacked_months",
    ),
    (
        "Pay it off over two whole years at 0%",
        {**INTRO, "intro_months": 24},
        {"intro_months": 12},
        "numbers.unbacked_months",
    ),
    (
        "Ein halbes Jahr ohne Zinsen",
        {**INTRO, "intro_months": 6},
        {"intro_months": 12},
        "numbers.unbacked_months",
    ),
    ("Ein ganzes Jahr zinsfrei einkaufen", INTRO, {"intro_months": 6}, "numbers.unbacked_months"),
    (
        "Deux ans sans intérêts sur vos achats",
        {**INTRO, "intro_months": 24},
        {"intro_months": 12},
        "numbers.unbacked_months",
    ),
    # fractions of the price
    (
        "Take a quarter off any jacket",
        PERCENT | {"value": 25},
        {"value": 20},
        "numbers.unbacked_reward_percent",
    ),
    (
        "Ein Drittel Rabatt auf alle Sofas",
        PERCENT | {"value": 33},
        {"value": 25},
        "numbers.unbacked_reward_percent",
    ),
    (
        "Un quart de remise sur les manteaux",
        PERCENT | {"value": 25},
        {"value": 15},
        "numbers.unbacked_reward_percent",
    ),
    # multiplied by / a dozen payments
    (
        "Vos points sont multipliés par trois ce mois-ci",
        {**MULTIPLIER, "value": 3},
        {"value": 2},
        "numbers.unbacked_multiplier",
    ),
    (
        "Your points multiplied by two all weekend",
        MULTIPLIER,
        {"value": 3},
        "numbers.unbacked_multiplier",
    ),
    (
        "Spread it over a dozen payments",
        {"kind": "bnpl", "installments": 12},
        {"installments": 6},
        "numbers.unbacked_installments",
    ),
    (
        "Une douzaine de mensualités pour vos travaux",
        {"kind": "bnpl", "installments": 12},
        {"installments": 4},
        "numbers.unbacked_installments",
    ),
]


@pytest.mark.parametrize(("text", "terms", "wrong", "rule"), IDIOMS)
def test_an_idiom_that_agrees_is_released(
    numbers: NumbersCheck, text: str, terms: dict[str, Any], wrong: dict[str, Any], rule: str
) -> None:
    assert _rules(numbers, text, EU, **terms) == []


@pytest.mark.parametrize(("text", "terms", "wrong", "rule"), IDIOMS)
def test_an_idiom_that_contradicts_is_held(
    numbers: NumbersCheck, text: str, terms: dict[str, Any], wrong: dict[str, Any], rule: str
) -> None:
    assert _rules(numbers, text, EU, **{**terms, **wrong}) == [rule]


@pytest.mark.parametrize(
    ("words", "digits", "terms"),
    [
        ("Save ten percent", "Save 10%", {**PERCENT, "value": 15}),
        ("zwölf Monate 0 % Zinsen", "12 Monate 0 % Zinsen", {**INTRO, "intro_months": 6}),
        ("Payez en quatre fois", "Payez en 4 fois", {**BNPL, "installments": 3}),
        ("Earn double points", "Earn 2x points", {**MULTIPLIER, "value": 3}),
        ("Alles zum halben Preis", "Alles 50 % Rabatt", {**PERCENT, "value": 30}),
        ("for a year and a half at 0% APR", "for 18 months at 0% APR", INTRO),
        ("no minimum spend", "$0 minimum spend", {"kind": "cashback", "min_spend": 25}),
    ],
)
def test_words_get_the_finding_the_digits_would_get(
    numbers: NumbersCheck, words: str, digits: str, terms: dict[str, Any]
) -> None:
    by_words = numbers.check(words, _ctx(US, **{**terms, "currency": "USD"}))
    by_digits = numbers.check(digits, _ctx(US, **{**terms, "currency": "USD"}))
    assert [(f.rule_id, f.message) for f in by_words] == [(f.rule_id, f.message) for f in by_digits]
    assert by_words  # the terms contradict both


def test_an_idiom_finding_names_the_phrase_and_the_term(numbers: NumbersCheck) -> None:
    text = "10 € de remise, sans minimum d'achat"
    terms = {"kind": "discount", "value": 10, "unit": "amount", "min_spend": 50}
    (finding,) = numbers.check(text, _ctx(EU, **terms))
    assert text[finding.start : finding.end] == "sans minimum d'achat"
    # Only the minimum spend speaks to "no minimum": the 10 € reward does not back it.
    assert finding.explanation == (
        'found "sans minimum d\'achat" (amount 0); the offer terms back amount values: '
        "50 (min_spend)"
    )


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        # "a year" of a fee waiver is no intro period
        ("No annual fee for a year (normally €49)", {"kind": "fee_waiver", "annual_fee": 49}),
        ("No annual fee for the first year", {"kind": "fee_waiver", "annual_fee": 49}),
        # not a multiplier, not a reward, not a number
        ("Double-check your details before you pay", FREE_SHIPPING),
        ("Earn double-digit savings and get twice the fun", FREE_SHIPPING),
        ("Gagnez des points deux fois par mois", FREE_SHIPPING),
        ("Einfach bezahlen, ganz ohne Aufwand", FREE_SHIPPING),
        ("In the first half of the year", FREE_SHIPPING),
        # "free" belongs to the claims check
        ("Free shipping on every order", FREE_SHIPPING),
        ("Kostenloser Versand, gratis Lieferung", FREE_SHIPPING),
        ("Livraison gratuite", FREE_SHIPPING),
        # articles are not counts
        ("Ein Bonus für Sie, un cadeau pour vous", FREE_SHIPPING),
    ],
)
def test_words_that_state_no_offer_number_are_left_alone(
    numbers: NumbersCheck, text: str, terms: dict[str, Any]
) -> None:
    assert _rules(numbers, text, EU, **terms) == []


def test_words_the_grammar_rejects_do_not_hide_the_number_after_them(
    numbers: NumbersCheck,
) -> None:
    # "five and ten" is no number; "ten percent" still is one, and 10 is backed.
    assert _rules(numbers, "between five and ten percent", US, **PERCENT) == []
    assert _rules(numbers, "between five and fifteen percent", US, **PERCENT) == [
        "numbers.unbacked_percent"
    ]


# --- dates in words and EU dates ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "jusqu'au 31 décembre 2026",
        "bis zum 31. Dezember 2026",
        "bis 31. Dez. 2026",
        "bis 31.12.2026",
        "bis 31.12.",
        "jusqu'au 31/12/2026",
        "jusqu'au 31/12",
        "until the thirty-first of December",
        "until December thirty-first",
        "bis zum einunddreißigsten Dezember",
        "jusqu'au trente et un décembre 2026",
    ],
)
def test_a_date_that_agrees_is_released(numbers: NumbersCheck, text: str) -> None:
    assert _rules(numbers, text, EU, **PERCENT, valid_until=date(2026, 12, 31)) == []
    assert _rules(numbers, text, EU, **PERCENT, valid_until=date(2026, 11, 30)) == [
        "numbers.unbacked_date"
    ]


@pytest.mark.parametrize(
    "text", ["dès le 1er janvier 2027", "ab dem ersten Januar", "vom 1. Januar"]
)
def test_first_of_the_month(numbers: NumbersCheck, text: str) -> None:
    assert _rules(numbers, text, EU, **PERCENT, valid_from=date(2027, 1, 1)) == []
    assert _rules(numbers, text, EU, **PERCENT, valid_from=date(2027, 1, 2)) == [
        "numbers.unbacked_date"
    ]


def test_eu_numeric_dates_read_day_first(numbers: NumbersCheck) -> None:
    # 01/02/2027 is 1 February in EU copy, not 2 January.
    assert _rules(numbers, "bis 01/02/2027", EU, **PERCENT, valid_until=date(2027, 2, 1)) == []
    assert _rules(numbers, "bis 01/02/2027", EU, **PERCENT, valid_until=date(2027, 1, 2)) == [
        "numbers.unbacked_date"
    ]


def test_round_the_clock_is_no_date_in_eu_copy(numbers: NumbersCheck) -> None:
    kinds = [m.kind for m in numbers.mentions("Support 24/7", "FreshMart", EU)]
    assert kinds == ["number", "number"]


# --- EU number formats --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "terms", "wrong", "rule"),
    [
        ("Bis zu 1.500 € Cashback", {"cap": 1500}, {"cap": 1000}, "numbers.unbacked_cap_amount"),
        (
            "Bis zu 1\u00a0500 € Cashback",
            {"cap": 1500},
            {"cap": 1000},
            "numbers.unbacked_cap_amount",
        ),
        (
            "Bis zu 1\u202f500 € Cashback",
            {"cap": 1500},
            {"cap": 1000},
            "numbers.unbacked_cap_amount",
        ),
        ("Jusqu'à 1 500 € remboursés", {"cap": 1500}, {"cap": 1000}, "numbers.unbacked_cap_amount"),
        ("10,5 % de remise", {"value": 10.5}, {"value": 10}, "numbers.unbacked_reward_percent"),
        ("10,5 % Rabatt", {"value": 10.5}, {"value": 10}, "numbers.unbacked_reward_percent"),
        (
            "Sollzins danach 24,99 %",
            {"apr_after_intro": 24.99},
            {"apr_after_intro": 19.99},
            "numbers.unbacked_percent",
        ),
        ("ab 50 € Einkaufswert", {"min_spend": 50}, {"min_spend": 40}, "numbers.unbacked_amount"),
        ("ab 50 EUR Einkaufswert", {"min_spend": 50}, {"min_spend": 40}, "numbers.unbacked_amount"),
        ("dès 50 euros d'achat", {"min_spend": 50}, {"min_spend": 40}, "numbers.unbacked_amount"),
        (
            "ab 1.500,50 € Umsatz",
            {"min_spend": 1500.5},
            {"min_spend": 1500},
            "numbers.unbacked_amount",
        ),
        (
            "Sammeln Sie 2.000 Punkte",
            {"kind": "points", "value": 2000, "unit": "points"},
            {"value": 2},
            "numbers.unbacked_points",
        ),
        (
            "dann 18.9% APR",
            {"apr_after_intro": 18.9},
            {"apr_after_intro": 18},
            "numbers.unbacked_percent",
        ),
    ],
)
def test_eu_formats_are_read_the_eu_way(
    numbers: NumbersCheck, text: str, terms: dict[str, Any], wrong: dict[str, Any], rule: str
) -> None:
    offer = {**PERCENT, **terms}
    assert _rules(numbers, text, EU, **offer) == []
    assert _rules(numbers, text, EU, **{**offer, **wrong}) == [rule]


def test_an_amount_in_another_currency_after_the_number_is_a_mismatch(
    numbers: NumbersCheck,
) -> None:
    assert _rules(numbers, "ab 50 £ Einkaufswert", EU, **PERCENT, min_spend=50) == [
        "numbers.currency_mismatch"
    ]


def test_us_copy_reads_a_dot_as_a_decimal_point(numbers: NumbersCheck) -> None:
    # "1.500" in US copy is 1.5, so it does not back a cap of 1,500 ...
    terms = {**PERCENT, "currency": "USD"}
    assert _rules(numbers, "Up to $1.500 back", US, **terms, cap=1500) == [
        "numbers.unbacked_cap_amount"
    ]
    assert _rules(numbers, "Up to $1.500 back", US, **terms, cap=1.5) == []
    # ... while the same digits in EU copy are 1500.
    assert _rules(numbers, "Up to €1.500 back", EU, **PERCENT, cap=1500) == []
    (mention,) = numbers.mentions("Spend $1.500", "FreshMart", US)
    assert mention.value == 1.5


def test_us_copy_does_not_group_with_spaces(numbers: NumbersCheck) -> None:
    values = [m.value for m in numbers.mentions("Top 10 000 picks", "FreshMart", US)]
    assert values == [10, 0]
    values = [m.value for m in numbers.mentions("Top 10 000 picks", "FreshMart", EU)]
    assert values == [10000]


def test_a_decimal_with_a_leading_zero_is_no_thousands_group(numbers: NumbersCheck) -> None:
    (mention,) = numbers.mentions("nur 0.125 % Gebühr", "FreshMart", EU)
    assert mention.value == 0.125


# --- the data file ------------------------------------------------------------------------


def _data_with(tmp_path: Path, old: str, new: str) -> Path:
    text = DATA.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "numbers.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_an_idiom_pattern_without_the_idiom_group_is_a_config_error(tmp_path: Path) -> None:
    path = _data_with(
        tmp_path,
        "'(?<!\\w)(?P<idiom>{words})(?=[ \\t-]+(?i:off|price",
        "'(?<!\\w)(?:{words})(?=[ \\t-]+(?i:off|price",
    )
    with pytest.raises(ConfigError, match=r"languages\.en\.idioms\[\d+\]\.patterns\[0\]: .*idiom"):
        NumbersCheck(NumbersParams(data_file=path), Severity.block)


def test_an_unknown_placeholder_is_a_config_error(tmp_path: Path) -> None:
    path = _data_with(tmp_path, "{points_word}'", "{pointz_word}'")
    with pytest.raises(ConfigError, match=r"unknown placeholder \{pointz_word\}"):
        NumbersCheck(NumbersParams(data_file=path), Severity.block)


def test_a_month_name_with_two_numbers_is_a_config_error(tmp_path: Path) -> None:
    # French "mai" is May, as German "Mai" is: making it June clashes.
    path = _data_with(tmp_path, "mai: 5,", "mai: 6,")
    with pytest.raises(ConfigError, match=r"languages\.fr\.months: 'Mai'"):
        NumbersCheck(NumbersParams(data_file=path), Severity.block)


def test_a_number_word_out_of_range_is_a_config_error(tmp_path: Path) -> None:
    path = _data_with(tmp_path, "hundred: 100,", "hundred: 200,")
    with pytest.raises(ConfigError, match="hundred"):
        NumbersCheck(NumbersParams(data_file=path), Severity.block)
