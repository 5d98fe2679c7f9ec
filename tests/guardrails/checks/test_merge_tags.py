"""Merge-tag check: allowed tags pass; unknown tags, template code and malformed tags block."""

from __future__ import annotations

from pathlib import Path

import pytest

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.merge_tags import MergeTagsCheck, MergeTagsParams
from offergen.schemas import Channel, Jurisdiction, OfferKind, OfferTerms, Severity, Unit

CTX = CheckContext(
    offer=OfferTerms(kind=OfferKind.cashback, merchant="FreshMart", value=5, unit=Unit.percent),
    channel=Channel.sms,
    jurisdiction=Jurisdiction.US,
)
CLEAN = (
    "Hi {{first_name}}, get 5% cash back at FreshMart through Dec 31, 2026. "
    "Terms apply. Reply STOP to opt out."
)


@pytest.fixture(scope="module")
def tags() -> MergeTagsCheck:
    return MergeTagsCheck(MergeTagsParams(), Severity.block)


def _rules(check: MergeTagsCheck, text: str) -> list[tuple[str, str]]:
    return [(f.rule_id, text[f.start : f.end]) for f in check.check(text, CTX)]


@pytest.mark.parametrize(
    "text",
    [
        CLEAN,
        "Hi {{ first_name }}, your offer is here.",
        "{{preferred_name}}, shop in {{city}} today.",
        "Save 10% or 20% off this weekend.",  # two percent signs are not a %TAG%
        "Get 5%off at FreshMart",
        "Earn 3x points [in store only].",
        "Fans of <FreshMart> rejoice",  # angle brackets are unsafe_output's business, not a tag
        "",
    ],
)
def test_clean_copy_passes(tags: MergeTagsCheck, text: str) -> None:
    assert tags.check(text, CTX) == []


# (text, rule_id, the exact flagged substring of the ORIGINAL text)
POSITIVES = [
    ("Hi {{last_name}}!", "merge_tags.unknown_tag", "{{last_name}}"),
    ("Hi {{First_Name}}!", "merge_tags.unknown_tag", "{{First_Name}}"),
    ("Hi {{ email }}!", "merge_tags.unknown_tag", "{{ email }}"),
    ("Card {{customer.card_number}}", "merge_tags.unknown_tag", "{{customer.card_number}}"),
    ("{% if vip %}Hi", "merge_tags.template_syntax", "{% if vip %}"),
    ("{# note to self #} Hi", "merge_tags.template_syntax", "{# note to self #}"),
    ("Hallo <%= name %>, save", "merge_tags.template_syntax", "<%= name %>"),
    ("Hallo <% name, save", "merge_tags.template_syntax", "<%"),
    ("Hi {%- raw %}", "merge_tags.template_syntax", "{%- raw %}"),
    ("Hi {{ first_name | upper }}", "merge_tags.template_syntax", "{{ first_name | upper }}"),
    ("Hi {{ first_name or 'there' }}", "merge_tags.template_syntax", "{{ first_name or 'there' }}"),
    ("{{ cycler('a') }}", "merge_tags.template_syntax", "{{ cycler('a') }}"),
    ("Hi {{first_name}, save", "merge_tags.malformed", "{{first_name}"),
    ("Hi {first_name}}, save", "merge_tags.malformed", "{first_name}}"),
    ("Hi {first_name}, save", "merge_tags.malformed", "{first_name}"),
    ("Hi {{ }}, save", "merge_tags.malformed", "{{ }}"),
    ("Hi {{}}, save", "merge_tags.malformed", "{{}}"),
    ("Hi {{first name}}, save", "merge_tags.malformed", "{{first name}}"),
    ("Hi ${first_name}, save", "merge_tags.malformed", "${first_name}"),
    ("Hi [[first_name]], save", "merge_tags.malformed", "[[first_name]]"),
    ("Hi %FIRST_NAME%, save", "merge_tags.malformed", "%FIRST_NAME%"),
    ("Hi %%first_name%%, save", "merge_tags.malformed", "%%first_name%%"),
    ("Hi *|FNAME|*, save", "merge_tags.malformed", "*|FNAME|*"),
    ("Hi <<first_name>>, save", "merge_tags.malformed", "<<first_name>>"),
    ("Hi [Name], save", "merge_tags.malformed", "[Name]"),
    ("Hi [Customer Name], save", "merge_tags.malformed", "[Customer Name]"),
    ("Hi <first name>, save", "merge_tags.malformed", "<first name>"),
    ("Hi {{{first_name}}}", "merge_tags.malformed", "{{{first_name}}}"),
    ("a stray } brace", "merge_tags.malformed", "}"),
    # Unicode tricks: look like an allowed tag, but the sender would not fill them.
    (
        "Hi \uff5b\uff5bfirst_name\uff5d\uff5d!",
        "merge_tags.malformed",
        "\uff5b\uff5bfirst_name\uff5d\uff5d",
    ),
    ("Hi {{first\u200b_name}}!", "merge_tags.malformed", "{{first\u200b_name}}"),
    # Cyrillic a (U+0430) in the name
    ("Hi {{first_n\u0430me}}!", "merge_tags.malformed", "{{first_n\u0430me}}"),
    ("Hi \uff5b% if x %\uff5d", "merge_tags.template_syntax", "\uff5b% if x %\uff5d"),
]


@pytest.mark.parametrize(("text", "rule_id", "flagged"), POSITIVES)
def test_flags_exact_span(tags: MergeTagsCheck, text: str, rule_id: str, flagged: str) -> None:
    assert _rules(tags, text) == [(rule_id, flagged)]


def test_each_bad_tag_is_its_own_finding(tags: MergeTagsCheck) -> None:
    text = "{{first_name}} {{last_name}} {% if x %} ${y}"
    assert [r for r, _ in _rules(tags, text)] == [
        "merge_tags.unknown_tag",
        "merge_tags.template_syntax",
        "merge_tags.malformed",
    ]


def test_finding_fields(tags: MergeTagsCheck) -> None:
    [finding] = tags.check("Hi {{last_name}}", CTX)
    assert finding.check == "merge_tags"
    assert finding.severity is Severity.block
    assert "first_name" in finding.explanation  # names the allow-list
    assert "'{{last_name}}'" in finding.explanation


def test_extra_tags_extend_the_allow_list() -> None:
    check = MergeTagsCheck(MergeTagsParams(extra_tags=["tier_name"]), Severity.warn)
    assert check.check("Hi {{first_name}}, {{tier_name}} member", CTX) == []
    [finding] = check.check("Hi {{last_name}}", CTX)
    assert finding.severity is Severity.warn


def test_unknown_param_is_rejected() -> None:
    with pytest.raises(ValueError, match="extra"):
        MergeTagsParams.model_validate({"allowed": ["x"]})


def test_allow_list_comes_from_the_data_file(tmp_path: Path) -> None:
    source = Path("guardrails/data/merge_tags.yaml").read_text(encoding="utf-8")
    data = tmp_path / "tags.yaml"
    data.write_text(source.replace("  - city\n", "  - city\n  - zip_code\n"), encoding="utf-8")
    check = MergeTagsCheck(MergeTagsParams(data_file=data), Severity.block)
    assert check.check("in {{zip_code}}", CTX) == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("allowed_tags: [a]\n", "tag"),
        ("{allowed_tags: [a], tag: '(', tag_name: x, expression: x, rules: {}}", "rules"),
    ],
)
def test_bad_data_file_is_a_config_error(tmp_path: Path, body: str, fragment: str) -> None:
    data = tmp_path / "bad.yaml"
    data.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        MergeTagsCheck(MergeTagsParams(data_file=data), Severity.block)
    assert str(data) in str(err.value)
    assert fragment in str(err.value)
