"""Channel check: SMS segments by encoding (GSM-7 septets / UCS-2 code units), other channels."""

from __future__ import annotations

from pathlib import Path

import pytest

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.channel import ChannelCheck, ChannelParams, count_sms
from offergen.schemas import Channel, Jurisdiction, OfferKind, OfferTerms, Severity, Unit

OFFER = OfferTerms(kind=OfferKind.cashback, merchant="FreshMart", value=5, unit=Unit.percent)
CLEAN = (
    "Hi {{first_name}}, get 5% cash back at FreshMart through Dec 31, 2026. "
    "Terms apply. Reply STOP to opt out."
)
EMOJI = "\U0001f600"  # outside the BMP: 2 UTF-16 code units


def _ctx(channel: Channel) -> CheckContext:
    return CheckContext(offer=OFFER, channel=channel, jurisdiction=Jurisdiction.US)


@pytest.fixture(scope="module")
def channel() -> ChannelCheck:
    return ChannelCheck(ChannelParams(), Severity.block)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("GSM-7", 0, 1)),
        ("a" * 160, ("GSM-7", 160, 1)),
        ("a" * 161, ("GSM-7", 161, 2)),
        ("a" * 306, ("GSM-7", 306, 2)),
        ("a" * 307, ("GSM-7", 307, 3)),
        ("Price 5\u20ac", ("GSM-7", 9, 1)),  # euro sign: extension table, 2 septets
        ("{[]}~^|\\", ("GSM-7", 16, 1)),
        ("\u20ac" * 80, ("GSM-7", 160, 1)),
        ("\u20ac" * 81, ("GSM-7", 162, 2)),
        # 152 septets, then a 2-septet char does not fit segment 1 (no split escape sequence).
        ("a" * 152 + "\u20ac" + "a" * 10, ("GSM-7", 164, 2)),
        (
            "\u00e9t\u00e9 \u00c4\u00d6\u00dc \u00a3\u00a5 \u00bf\u00a1 \u0394\u03a9",
            ("GSM-7", 16, 1),
        ),
        ("caf\u00ea", ("UCS-2", 4, 1)),  # e-circumflex is not in GSM-7
        ("a" * 70, ("GSM-7", 70, 1)),
        ("a" * 69 + "\u2019", ("UCS-2", 70, 1)),  # a curly apostrophe switches to UCS-2
        ("a" * 70 + "\u2019", ("UCS-2", 71, 2)),
        ("a" * 68 + EMOJI, ("UCS-2", 70, 1)),
        ("a" * 69 + EMOJI, ("UCS-2", 71, 2)),
        ("a" * 134, ("GSM-7", 134, 1)),
        ("\u4e2d" * 134, ("UCS-2", 134, 2)),
        ("\u4e2d" * 135, ("UCS-2", 135, 3)),
        ("a" * 66 + EMOJI + "a" * 4, ("UCS-2", 72, 2)),  # the pair moves whole to segment 2
    ],
)
def test_count_sms(text: str, expected: tuple[str, int, int]) -> None:
    assert tuple(count_sms(text)) == expected


@pytest.mark.parametrize("ch", list(Channel))
def test_clean_copy_fits_every_channel(channel: ChannelCheck, ch: Channel) -> None:
    assert channel.check(CLEAN, _ctx(ch)) == []


# (text, allowed segments, flagged start, explanation)
SMS_CASES = [
    ("a" * 160, 1, None, None),
    ("a" * 161, 1, 160, "161 GSM-7 septets = 2 segments; the pack allows 1"),
    ("\u20ac" * 81, 1, 80, "162 GSM-7 septets = 2 segments; the pack allows 1"),
    ("a" * 306, 2, None, None),
    ("a" * 307, 2, 306, "307 GSM-7 septets = 3 segments; the pack allows 2"),
    ("a" * 68 + EMOJI, 1, None, None),
    (
        "a" * 73 + EMOJI,
        1,
        70,
        f"contains {EMOJI!r} (not in GSM-7), so the SMS is UCS-2: "
        "75 code units = 2 segments; the pack allows 1",
    ),
    (
        "a" * 69 + EMOJI,
        1,
        69,
        f"contains {EMOJI!r} (not in GSM-7), so the SMS is UCS-2: "
        "71 code units = 2 segments; the pack allows 1",
    ),
    (
        "It\u2019s " + "a" * 70,
        1,
        70,
        "contains '\u2019' (not in GSM-7), so the SMS is UCS-2: "
        "75 code units = 2 segments; the pack allows 1",
    ),
]


@pytest.mark.parametrize(("text", "allowed", "start", "why"), SMS_CASES)
def test_sms_segments(text: str, allowed: int, start: int | None, why: str | None) -> None:
    check = ChannelCheck(ChannelParams(sms_segments=allowed), Severity.block)
    findings = check.check(text, _ctx(Channel.sms))
    if start is None:
        assert findings == []
        return
    [finding] = findings
    assert finding.rule_id == "channel.sms_length"
    assert (finding.start, finding.end) == (start, len(text))
    assert finding.explanation == why


def test_merge_tag_counts_as_its_reserved_length(channel: ChannelCheck) -> None:
    # {{first_name}} reserves 12 characters, not its 14 (and its braces are not 2-septet chars).
    fits = "{{first_name}}" + "a" * 148
    assert channel.check(fits, _ctx(Channel.sms)) == []
    over = "{{first_name}}" + "a" * 149
    [finding] = channel.check(over, _ctx(Channel.sms))
    assert "161 GSM-7 septets" in finding.explanation
    assert "{{first_name}} as 12" in finding.explanation
    # An emoji-free name keeps GSM-7 even though the tag's braces are extension characters.
    assert "UCS-2" not in finding.explanation
    unknown = "{{loyalty_tier}}" + "a" * 141  # not listed: the default 20 characters
    [finding] = channel.check(unknown, _ctx(Channel.sms))
    assert "161 GSM-7 septets" in finding.explanation
    assert "{{loyalty_tier}} as 20" in finding.explanation


@pytest.mark.parametrize(
    ("ch", "limit"), [(Channel.push, 178), (Channel.in_app, 250), (Channel.email, 1000)]
)
def test_character_limits(channel: ChannelCheck, ch: Channel, limit: int) -> None:
    assert channel.check("a" * limit, _ctx(ch)) == []
    text = "a" * limit + EMOJI + "bc"
    [finding] = channel.check(text, _ctx(ch))
    assert finding.rule_id == "channel.length"
    assert text[finding.start : finding.end] == EMOJI + "bc"
    assert finding.explanation == f"{limit + 3} characters; the {ch.value} limit is {limit}"


def test_params_override_limits() -> None:
    check = ChannelCheck(ChannelParams(max_chars={"push": 10}), Severity.warn)
    [finding] = check.check("Hi {{first_name}}!", _ctx(Channel.push))
    assert finding.severity is Severity.warn
    assert (finding.start, finding.end) == (3, 18)  # the limit falls inside the tag: all of it
    assert "16 characters (counting {{first_name}} as 12 characters)" in finding.explanation


@pytest.mark.parametrize(
    "params",
    [{"sms_segments": 0}, {"max_chars": {"fax": 10}}, {"max_chars": {"push": 0}}, {"x": 1}],
)
def test_bad_params_are_rejected(params: dict[str, object]) -> None:
    with pytest.raises((ValueError, ConfigError)):
        ChannelCheck(ChannelParams.model_validate(params), Severity.block)


def test_bad_data_file_is_a_config_error(tmp_path: Path) -> None:
    data = tmp_path / "bad.yaml"
    data.write_text("sms: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        ChannelCheck(ChannelParams(data_file=data), Severity.block)
    assert str(data) in str(err.value)
