"""Disclosures check: requirements by jurisdiction, channel and offer kind; fixes insert them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.disclosures import DisclosuresCheck, DisclosuresParams
from offergen.schemas import Channel, Finding, Jurisdiction, OfferTerms, Severity

CASHBACK: dict[str, Any] = {
    "kind": "cashback",
    "merchant": "FreshMart",
    "value": 10,
    "unit": "percent",
}
INTRO: dict[str, Any] = {
    "kind": "intro_apr",
    "merchant": "FreshMart",
    "value": 0,
    "unit": "percent",
    "apr_after_intro": 24.99,
    "intro_months": 12,
}
BNPL: dict[str, Any] = {"kind": "bnpl", "merchant": "FreshMart", "installments": 4}
BNPL_NO_COUNT: dict[str, Any] = {"kind": "bnpl", "merchant": "FreshMart"}

US, EU = Jurisdiction.US, Jurisdiction.EU
SMS, PUSH, EMAIL, IN_APP = Channel.sms, Channel.push, Channel.email, Channel.in_app
STOP = " Reply STOP to opt out."


@pytest.fixture(scope="module")
def disclosures() -> DisclosuresCheck:
    return DisclosuresCheck(DisclosuresParams(), Severity.fix)


def _ctx(
    terms: dict[str, Any], channel: Channel = EMAIL, jurisdiction: Jurisdiction = US
) -> CheckContext:
    return CheckContext(
        offer=OfferTerms.model_validate(terms), channel=channel, jurisdiction=jurisdiction
    )


def _ids(findings: list[Finding]) -> list[str]:
    return [f.rule_id.removeprefix("disclosures.") for f in findings]


# --- which requirements apply, and what meets them -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "terms", "channel", "jurisdiction", "missing"),
    [
        # terms_apply: every offer, every channel, both jurisdictions
        ("10% back at FreshMart.", CASHBACK, EMAIL, US, ["terms_apply"]),
        ("10% back at FreshMart.", CASHBACK, PUSH, EU, ["terms_apply"]),
        ("10% back at FreshMart.", CASHBACK, IN_APP, US, ["terms_apply"]),
        ("10% back at FreshMart. Terms apply.", CASHBACK, EMAIL, US, []),
        ("10% back at FreshMart. Terms and conditions apply.", CASHBACK, EMAIL, US, []),
        ("10% back at FreshMart. Terms & Conditions apply.", CASHBACK, EMAIL, US, []),
        ("10% back at FreshMart. T&Cs apply.", CASHBACK, EMAIL, US, []),
        ("10% back at FreshMart. See terms.", CASHBACK, EMAIL, US, []),
        ("10% back at FreshMart. Restrictions apply.", CASHBACK, EMAIL, US, []),
        ("10% back at FreshMart. Exclusions apply.", CASHBACK, EMAIL, US, []),
        ("10% back at FreshMart. terms  apply", CASHBACK, EMAIL, US, []),
        ("10% back at FreshMart. Determs apply.", CASHBACK, EMAIL, US, ["terms_apply"]),
        # sms_opt_out: SMS only, US and EU
        ("10% back at FreshMart. Terms apply.", CASHBACK, SMS, US, ["sms_opt_out"]),
        ("10% back at FreshMart. Terms apply.", CASHBACK, SMS, EU, ["sms_opt_out"]),
        ("10% back at FreshMart. Terms apply.", CASHBACK, PUSH, US, []),
        ("10% back at FreshMart. Terms apply. Reply STOP to opt out.", CASHBACK, SMS, US, []),
        ("10% back at FreshMart. Terms apply. Text STOP to stop.", CASHBACK, SMS, US, []),
        ("10% back at FreshMart. Terms apply. Reply STOP to unsubscribe", CASHBACK, SMS, EU, []),
        ("10% back at FreshMart. Terms apply. STOP to end", CASHBACK, SMS, US, []),
        ("10% back at FreshMart. Terms apply. Stop by today!", CASHBACK, SMS, US, ["sms_opt_out"]),
        # Reg Z promotional rate: US intro_apr copy that states the intro rate
        ("0% intro APR for 12 months. Terms apply.", INTRO, EMAIL, US, ["reg_z_apr_after_intro"]),
        (
            "Intro APR of 0% for 12 months. Terms apply.",
            INTRO,
            EMAIL,
            US,
            ["reg_z_apr_after_intro"],
        ),
        ("0% interest for 12 months. Terms apply.", INTRO, PUSH, US, ["reg_z_apr_after_intro"]),
        ("0% intro APR, then 24.99% variable APR. Terms apply.", INTRO, EMAIL, US, []),
        ("0% intro APR, then an APR of 24.99%. Terms apply.", INTRO, EMAIL, US, []),
        ("0% intro APR, then 24.990% APR. Terms apply.", INTRO, EMAIL, US, []),
        (
            "0% intro APR, then 19.99% APR. Terms apply.",
            INTRO,
            EMAIL,
            US,
            ["reg_z_apr_after_intro"],
        ),
        ("A new card from FreshMart. Terms apply.", INTRO, EMAIL, US, []),  # no rate stated
        ("0% intro APR for 12 months. Terms apply.", CASHBACK, EMAIL, US, []),  # kind
        # CCD2: EU credit offers (bnpl, intro_apr), any channel; Reg Z is US only
        (
            "0% intro APR for 12 months. Terms apply.",
            INTRO,
            EMAIL,
            EU,
            ["ccd2_cost_warning"],
        ),
        ("Pay later at FreshMart. Terms apply.", BNPL, PUSH, EU, ["ccd2_cost_warning"]),
        ("Pay later at FreshMart. Terms apply. Borrowing money costs money.", BNPL, PUSH, EU, []),
        ("Pay later at FreshMart. Terms apply.", BNPL, PUSH, US, []),
        ("10% back at FreshMart. Terms apply.", CASHBACK, PUSH, EU, []),
        # Reg Z payment amount: US bnpl copy that states an amount per payment
        (
            "Just $25 per payment at FreshMart. Terms apply.",
            BNPL,
            PUSH,
            US,
            ["reg_z_bnpl_payment_count"],
        ),
        (
            "Payments of $25 at FreshMart. Terms apply.",
            BNPL,
            PUSH,
            US,
            ["reg_z_bnpl_payment_count"],
        ),
        ("4 payments of $25 at FreshMart. Terms apply.", BNPL, PUSH, US, []),
        ("4 interest-free payments of $25. Terms apply.", BNPL, PUSH, US, []),
        ("Pay in 4: $25 per payment. Terms apply.", BNPL, PUSH, US, []),
        ("Four payments of $25. Terms apply.", BNPL, PUSH, US, []),
        ("Spend $100 and pay later. Terms apply.", BNPL, PUSH, US, []),  # no payment amount
    ],
)
def test_requirements_apply_and_accept_equivalent_wording(
    disclosures: DisclosuresCheck,
    text: str,
    terms: dict[str, Any],
    channel: Channel,
    jurisdiction: Jurisdiction,
    missing: list[str],
) -> None:
    assert _ids(disclosures.check(text, _ctx(terms, channel, jurisdiction))) == missing


def test_a_missing_disclosure_explains_the_requirement_and_its_source(
    disclosures: DisclosuresCheck,
) -> None:
    text = "Get 0% intro APR for 12 months at FreshMart. Terms apply."
    [finding] = disclosures.check(text, _ctx(INTRO))
    assert finding.rule_id == "disclosures.reg_z_apr_after_intro"
    assert finding.severity is Severity.fix
    assert text[finding.start : finding.end] == "0% intro APR"  # the trigger term
    assert "12 CFR 1026.16(g)" in finding.explanation
    assert "'Then 24.99% APR.'" in finding.explanation


def test_an_untriggered_requirement_spans_the_whole_text(disclosures: DisclosuresCheck) -> None:
    text = "10% back at FreshMart."
    [finding] = disclosures.check(text, _ctx(CASHBACK))
    assert (finding.start, finding.end) == (0, len(text))
    assert "FTC Act s.5" in finding.explanation
    assert "Terms apply" in finding.explanation


# --- fixes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "terms", "channel", "jurisdiction", "fixed"),
    [
        ("10% back at FreshMart.", CASHBACK, EMAIL, US, "10% back at FreshMart. Terms apply."),
        ("10% back at FreshMart", CASHBACK, EMAIL, US, "10% back at FreshMart. Terms apply."),
        ("10% back at FreshMart!", CASHBACK, EMAIL, US, "10% back at FreshMart! Terms apply."),
        ("10% back at FreshMart 🎉", CASHBACK, EMAIL, US, "10% back at FreshMart 🎉 Terms apply."),
        ("10% back at FreshMart.\n", CASHBACK, EMAIL, US, "10% back at FreshMart. Terms apply.\n"),
        # before a trailing opt-out sentence
        (
            "10% back at FreshMart. Reply STOP to opt out.",
            CASHBACK,
            SMS,
            US,
            "10% back at FreshMart. Terms apply. Reply STOP to opt out.",
        ),
        (
            "10% back at FreshMart\nReply STOP to opt out",
            CASHBACK,
            SMS,
            US,
            "10% back at FreshMart. Terms apply.\nReply STOP to opt out",
        ),
        # opt-out appended last, after the other insertions
        (
            "10% back at FreshMart.",
            CASHBACK,
            SMS,
            EU,
            "10% back at FreshMart. Terms apply. Reply STOP to opt out.",
        ),
        (
            "10% back at FreshMart. Terms apply.",
            CASHBACK,
            SMS,
            US,
            "10% back at FreshMart. Terms apply. Reply STOP to opt out.",
        ),
        # Reg Z: the post-intro APR right after the sentence that states the intro rate
        (
            "0% intro APR for 12 months. Shop FreshMart. Terms apply.",
            INTRO,
            EMAIL,
            US,
            "0% intro APR for 12 months. Then 24.99% APR. Shop FreshMart. Terms apply.",
        ),
        (
            "0% intro APR for 12 months",
            INTRO,
            SMS,
            US,
            "0% intro APR for 12 months. Then 24.99% APR. Terms apply. Reply STOP to opt out.",
        ),
        (
            "Just $25 per payment at FreshMart. Terms apply.",
            BNPL,
            PUSH,
            US,
            "Just $25 per payment at FreshMart. Payable in 4 installments. Terms apply.",
        ),
        (
            "0% intro APR until Dec. 31, 2026",
            INTRO,
            EMAIL,
            US,
            "0% intro APR until Dec. 31, 2026. Then 24.99% APR. Terms apply.",
        ),
        # CCD2
        (
            "0% intro APR for 12 months. Terms apply.",
            INTRO,
            PUSH,
            EU,
            "0% intro APR for 12 months. Terms apply. Borrowing money costs money.",
        ),
        (
            "Pay later at FreshMart." + STOP,
            BNPL,
            SMS,
            EU,
            "Pay later at FreshMart. Borrowing money costs money. Terms apply." + STOP,
        ),
    ],
)
def test_fix_inserts_each_missing_sentence_in_place(
    disclosures: DisclosuresCheck,
    text: str,
    terms: dict[str, Any],
    channel: Channel,
    jurisdiction: Jurisdiction,
    fixed: str,
) -> None:
    ctx = _ctx(terms, channel, jurisdiction)
    findings = disclosures.check(text, ctx)
    assert findings and all(f.severity is Severity.fix for f in findings)
    result = disclosures.fix(text, findings, ctx)
    assert result == fixed
    assert disclosures.check(result, ctx) == []
    assert _is_subsequence(text, result)


def test_fix_ignores_findings_it_was_not_given(disclosures: DisclosuresCheck) -> None:
    ctx = _ctx(CASHBACK, SMS)
    text = "10% back at FreshMart."
    findings = [f for f in disclosures.check(text, ctx) if f.rule_id.endswith("sms_opt_out")]
    assert disclosures.fix(text, findings, ctx) == text + STOP


def test_fix_does_not_insert_wording_that_is_already_there(disclosures: DisclosuresCheck) -> None:
    ctx = _ctx(CASHBACK, EMAIL)
    stale = disclosures.check("10% back.", ctx)
    assert disclosures.fix("10% back. Terms apply.", stale, ctx) == "10% back. Terms apply."


@pytest.mark.parametrize(
    ("terms", "text", "missing_term"),
    [
        (BNPL_NO_COUNT, "Just $25 per payment at FreshMart. Terms apply.", "installments"),
        ({**INTRO, "apr_after_intro": None}, "0% intro APR now. Terms apply.", "apr_after_intro"),
    ],
)
def test_a_fix_the_terms_cannot_fill_blocks_and_changes_nothing(
    disclosures: DisclosuresCheck, terms: dict[str, Any], text: str, missing_term: str
) -> None:
    ctx = _ctx(terms, PUSH)
    [finding] = disclosures.check(text, ctx)
    assert finding.severity is Severity.block  # a `fix` that cannot be applied would only hold
    assert f"cannot be inserted by code: the offer terms give no {missing_term}" in (
        finding.explanation
    )
    assert disclosures.fix(text, [finding], ctx) == text


@pytest.mark.parametrize("severity", [Severity.block, Severity.warn])
def test_other_pack_severities_are_kept(severity: Severity) -> None:
    check = DisclosuresCheck(DisclosuresParams(), severity)
    [finding] = check.check("10% back.", _ctx(CASHBACK))
    assert finding.severity is severity


def test_skip_turns_requirements_off() -> None:
    check = DisclosuresCheck(DisclosuresParams(skip=["terms_apply"]), Severity.fix)
    assert _ids(check.check("10% back.", _ctx(CASHBACK, SMS))) == ["sms_opt_out"]


def test_decimal_comma_states_the_apr_for_eu_style_copy(disclosures: DisclosuresCheck) -> None:
    text = "0% intro APR, then 24,99% APR. Terms apply."
    assert disclosures.check(text, _ctx(INTRO)) == []


def test_full_width_digits_are_read(disclosures: DisclosuresCheck) -> None:
    zero = "\uff10"  # FULLWIDTH DIGIT ZERO
    text = f"{zero}% intro APR for 12 months. Terms apply."
    [finding] = disclosures.check(text, _ctx(INTRO))
    assert text[finding.start : finding.end] == f"{zero}% intro APR"


# --- data file problems are ConfigErrors --------------------------------------------------------


def _data(tmp_path: Path, body: str) -> DisclosuresParams:
    path = tmp_path / "disclosures.yaml"
    path.write_text(body, encoding="utf-8")
    return DisclosuresParams(data_file=path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("requirements: []\n", "requirements"),
        (
            "requirements:\n  - {id: a, message: m, source: s}\n",
            "needs accept_phrases or accept_patterns",
        ),
        (
            "requirements:\n  - {id: a, message: m, source: s, accept_patterns: ['(']}\n",
            "invalid regex",
        ),
        (
            "requirements:\n  - {id: a, message: m, source: s, accept_patterns: ['{nope}']}\n",
            "unknown placeholder(s) nope",
        ),
        (
            "requirements:\n  - {id: a, message: m, source: s, accept_phrases: [x],"
            " fix: '{nope}'}\n",
            "unknown offer field(s) nope",
        ),
        (
            "keep_last: [b]\nrequirements:\n"
            "  - {id: a, message: m, source: s, accept_phrases: [x]}\n",
            "unknown requirement 'b'",
        ),
        (
            "requirements:\n  - {id: a, message: m, source: s, accept_phrases: [x]}\n"
            "  - {id: a, message: m, source: s, accept_phrases: [y]}\n",
            "duplicate requirement ids: a",
        ),
        (
            "requirements:\n  - {id: a, message: m, source: s, accept_phrases: [x],"
            " when: {kinds: [loan]}}\n",
            "when.kinds",
        ),
    ],
)
def test_bad_data_files_are_config_errors(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match="data file") as info:
        DisclosuresCheck(_data(tmp_path, body), Severity.fix)
    assert message in str(info.value)


def test_unknown_skip_names_the_valid_requirements() -> None:
    with pytest.raises(ConfigError, match="skip: unknown requirement 'nope'; valid requirements: "):
        DisclosuresCheck(DisclosuresParams(skip=["nope"]), Severity.fix)


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)
