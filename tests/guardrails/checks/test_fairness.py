"""Fairness check: protected classes in targeting wording, without flagging ordinary segments."""

from __future__ import annotations

from pathlib import Path

import pytest

from offergen.demo.generator import generate_demo_kb
from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.fairness import FairnessCheck, FairnessParams
from offergen.guardrails.registry import get_check_class
from offergen.schemas import Channel, Jurisdiction, OfferTerms, Severity

CLEAN = (
    "Hi {{first_name}}, get 5% cash back at FreshMart through Dec 31, 2026. Terms apply. "
    "Reply STOP to opt out."
)
CTX = CheckContext(
    offer=OfferTerms.model_validate(
        {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"}
    ),
    channel=Channel.email,
    jurisdiction=Jurisdiction.US,
)


@pytest.fixture(scope="module")
def fairness() -> FairnessCheck:
    return FairnessCheck(FairnessParams(), Severity.block)


def _run(check: FairnessCheck, text: str) -> list[tuple[str, str]]:
    return [
        (f.rule_id.removeprefix("fairness."), text[f.start : f.end]) for f in check.check(text, CTX)
    ]


def test_registered() -> None:
    assert get_check_class("fairness") is FairnessCheck


@pytest.mark.parametrize(
    ("text", "cls", "surface"),
    [
        # age
        ("Exclusive savings for seniors.", "age", "seniors"),
        ("For customers over 60 only.", "age", "customers over 60"),
        ("Members aged 65+ save more.", "age", "Members aged 65+"),
        ("Aged 65+? Save more.", "age", "Aged 65+"),
        ("Open to ages 50 and up.", "age", "ages 50 and up"),
        ("60+ shoppers get double points.", "age", "60+ shoppers"),
        ("Made for retirees.", "age", "retirees"),
        ("Never too old to save.", "age", "too old"),
        ("Millennials only!", "age", "Millennials only"),
        ("Are you in your 60s?", "age", "in your 60s"),
        # sex / gender
        ("An offer for women.", "sex", "for women"),
        ("Ladies only this week.", "sex", "Ladies only"),
        ("Men only.", "sex", "Men only"),
        # marital status
        ("Help for single moms.", "marital_status", "single moms"),
        ("Married couples save twice.", "marital_status", "Married couples"),
        ("Recently divorced? Start fresh.", "marital_status", "divorced"),
        # race, colour, ethnicity, national origin
        ("For our Hispanic customers.", "race_ethnicity_national_origin", "Hispanic"),
        ("Asian families save more.", "race_ethnicity_national_origin", "Asian families"),
        ("Black customers get 5% back.", "race_ethnicity_national_origin", "Black customers"),
        ("Immigrants welcome.", "race_ethnicity_national_origin", "Immigrants"),
        ("Not for foreigners.", "race_ethnicity_national_origin", "foreigners"),
        ("Non-citizens excluded.", "race_ethnicity_national_origin", "Non-citizens"),
        # religion
        ("A treat for Christian families.", "religion", "Christian"),
        ("Muslim shoppers save.", "religion", "Muslim"),
        ("Jewish customers only.", "religion", "Jewish"),
        # disability
        ("Perks for disabled customers.", "disability", "disabled customers"),
        ("Wheelchair users save.", "disability", "Wheelchair users"),
        # public assistance
        ("Use your SNAP benefits.", "public_assistance", "SNAP"),
        ("EBT cardholders save.", "public_assistance", "EBT cardholders"),
        ("Living on welfare?", "public_assistance", "welfare"),
        ("Got food stamps?", "public_assistance", "food stamps"),
        ("For benefits recipients.", "public_assistance", "benefits recipients"),
    ],
)
def test_protected_class_is_flagged(
    fairness: FairnessCheck, text: str, cls: str, surface: str
) -> None:
    assert _run(fairness, text) == [(cls, surface)]


@pytest.mark.parametrize(
    "text",
    [
        CLEAN,
        "Young professionals earn 3x points on commutes.",
        "Students save 10% with their card.",
        "Families love our weekend deals.",
        "Black Friday starts now.",
        "The big white sale is on.",
        "Try Asian cuisine at Wok Express.",
        "Visit our Hispanic grocery aisle.",
        "New running shoes for women and men.",
        "Snap up a deal before Sunday.",
        "Halal and kosher options at every location.",
        "Trusted for over 40 years.",
        "Spend $60 and over to qualify.",
        "Save on over 50 brands.",
        "Not available to customers under 18.",
        "Supporting animal welfare this month.",
        "See section 8 of the terms.",
        "New window blinds in store.",
        "Christmas gifts for everyone.",
        "Check your blind spot.",
        "weekly_shoppers",
        "frequent_travelers",
        "new parents",
        "",
    ],
)
def test_ordinary_copy_and_segments_are_not_flagged(fairness: FairnessCheck, text: str) -> None:
    assert _run(fairness, text) == []


@pytest.mark.parametrize(
    ("segment", "cls"),
    [
        ("seniors", "age"),
        ("over_60", "age"),
        ("single_moms", "marital_status"),
        ("hispanic_families", "race_ethnicity_national_origin"),
        ("snap_recipients", "public_assistance"),
        ("married-couples", "marital_status"),
    ],
)
def test_segment_slugs(fairness: FairnessCheck, segment: str, cls: str) -> None:
    assert [c for c, _ in _run(fairness, segment)] == [cls]


@pytest.mark.parametrize(
    "text",
    [
        "sen\u200biors",  # zero-width space
        "\u0455eniors",  # Cyrillic dze
        "SEN\u0406ORS",  # Cyrillic I
        "\uff53\uff45\uff4e\uff49\uff4f\uff52\uff53",  # full width
        "s e n i o r s",  # letter-spaced
        "seni\u0301ors",  # combining accent
    ],
)
def test_unicode_tricks_are_seen_through(fairness: FairnessCheck, text: str) -> None:
    assert _run(fairness, f"Deals for {text} today") == [("age", text)]


def test_the_merchant_name_is_not_targeting(fairness: FairnessCheck) -> None:
    offer = CTX.offer.model_copy(update={"merchant": "Seniors Outlet"})
    ctx = CTX.model_copy(update={"offer": offer})
    text = "Shop Seniors Outlet today; seniors save more."
    findings = fairness.check(text, ctx)
    assert [text[f.start : f.end] for f in findings] == ["seniors"]
    assert findings[0].start == text.rindex("seniors")


def test_explanation_names_class_and_phrase(fairness: FairnessCheck) -> None:
    [finding] = fairness.check("Just for seniors", CTX)
    assert finding.check == "fairness"
    assert finding.rule_id == "fairness.age"
    assert finding.severity is Severity.block
    assert "'seniors'" in finding.explanation
    assert "'age'" in finding.explanation
    assert "1002.4(b)" in finding.explanation
    assert "age" in finding.message


def test_classes_param_selects_classes() -> None:
    check = FairnessCheck(FairnessParams(classes=["religion"]), Severity.warn)
    findings = check.check("For seniors and Muslim shoppers", CTX)
    assert [(f.rule_id, f.severity) for f in findings] == [("fairness.religion", Severity.warn)]


def test_unknown_class_names_valid_classes() -> None:
    with pytest.raises(ConfigError, match=r"unknown class 'height'.*valid classes: age"):
        FairnessCheck(FairnessParams(classes=["height"]), Severity.block)


def test_bad_data_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "fairness.yaml"
    path.write_text(
        "merge_tag: x\npeople: a\nclasses:\n  age: {label: age, source: s, patterns: ['(']}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"classes\.age\.patterns\[0\]: invalid regex"):
        FairnessCheck(FairnessParams(data_file=path), Severity.block)


def test_demo_knowledge_base_past_offers_are_clean(fairness: FairnessCheck) -> None:
    kb = generate_demo_kb(offers_per_merchant=4)
    for past in kb.past_offers:
        assert fairness.check(past.text, CTX) == [], past.text


def test_demo_segment_seniors_is_flagged(fairness: FairnessCheck) -> None:
    # The demo KB's health merchants target "seniors": the check reports it (a reviewer decides).
    segments = {past.segment for past in generate_demo_kb(offers_per_merchant=40).past_offers}
    flagged = {s for s in segments if fairness.check(s, CTX)}
    assert flagged == {"seniors"}
