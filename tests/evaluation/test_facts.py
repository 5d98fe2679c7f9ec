from __future__ import annotations

from datetime import date

from offergen.evaluation.facts import canonical, mentions, numbers_in, offer_numbers
from offergen.schemas import OfferTerms


def test_canonical_numbers() -> None:
    assert canonical("5.00") == canonical(5.0) == canonical("5") == "5"
    assert canonical("1,000.50") == "1000.5"


def test_numbers_in_skips_merge_tags_and_keeps_spans() -> None:
    text = "{{first_name}}, $1,000 or 22.49% APR"
    assert numbers_in(text) == [("1000", 17, 22), ("22.49", 26, 31)]


def test_unicode_digits_are_numbers() -> None:
    fullwidth_five = "\uff15"
    assert [n for n, _, _ in numbers_in(f"{fullwidth_five}% back")] == ["5"]


def test_offer_numbers_include_date_parts() -> None:
    offer = OfferTerms(
        kind="intro_apr",
        merchant="Summit Card",
        value=0,
        unit="percent",
        intro_months=18,
        apr_after_intro=22.49,
        valid_until=date(2026, 12, 31),
    )
    assert offer_numbers(offer) == {"0", "18", "22.49", "31", "12", "2026", "26"}


def test_mentions_any_case_spacing_and_ampersand() -> None:
    assert mentions("hearth and  oak sale", "Hearth & Oak") == [(0, 15)]
    assert mentions("Hearth&Oak", "Hearth & Oak") == []  # words must stand apart
